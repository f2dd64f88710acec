"""Measurements that run in a process of their own (``python -m MODULE SPEC``),
reading their answer as JSON on the probe's standard output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


class ProbeFailed(RuntimeError):
    """Raised when a probe's process fails (its last line of error said)."""


def run_probe(module: str, spec: dict[str, Any], env: dict[str, str], what: str) -> Any:
    """Run ``module`` with ``spec`` (as JSON) in our own interpreter, with ``env``
    added to this process's environment; its answer, read as JSON."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    if result.returncode != 0:
        said = result.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ProbeFailed(f"{what} failed: {said[0]}")
    return json.loads(result.stdout)
