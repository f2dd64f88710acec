"""Run pip-audit on the installed environment and say plainly what it could check.

pip-audit asks a vulnerability service (PyPI's JSON API by default) about every
installed distribution. Where that service cannot be reached, pip-audit skips each
distribution ("Dependency not found on PyPI") and still prints "No known
vulnerabilities found" with exit status 0: a silent pass. This wrapper counts what
was really audited:

- a known vulnerability: fails, always;
- nothing (or not everything) audited because the service is unreachable: fails
  under ``CI=true`` (a CI run must not pass an audit it did not make), warns
  elsewhere. ``CONSORTIUM_PIP_AUDIT_OFFLINE=allow`` turns that failure into a
  warning on purpose, for a CI machine known to have no route to the service.

Our own package (installed editable) is skipped: it is not on PyPI.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs pip-audit from this environment, no shell
import sys
from typing import Any

COMMAND = [
    sys.executable,
    "-m",
    "pip_audit",
    "--format",
    "json",
    "--skip-editable",
    "--progress-spinner",
    "off",
]


def main() -> int:
    """Audit, report, and return the exit status."""
    completed = subprocess.run(  # noqa: S603  # nosec B603 - fixed argument list
        COMMAND, capture_output=True, text=True, timeout=600, check=False
    )
    try:
        report: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError:
        print("pip-audit failed to run:", completed.stderr.strip()[-2000:])  # noqa: T201
        return 1
    dependencies: list[dict[str, Any]] = report.get("dependencies", [])
    audited = [d for d in dependencies if "vulns" in d]
    vulnerable = [d for d in audited if d["vulns"]]
    unaudited = [
        d
        for d in dependencies
        if "skip_reason" in d and "editable" not in d["skip_reason"]
    ]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            print(  # noqa: T201
                f"VULNERABLE {dependency['name']} {dependency['version']}: "
                f"{vuln['id']} (fixed in {fixed})"
            )
    if vulnerable:
        return 1
    if unaudited:
        names = ", ".join(sorted(d["name"] for d in unaudited))
        message = (
            f"pip-audit could not check {len(unaudited)} of "
            f"{len(audited) + len(unaudited)} installed distributions: its "
            "vulnerability service did not answer for them (offline, or no route "
            f"to it). Unchecked: {names}"
        )
        offline_allowed = os.environ.get("CONSORTIUM_PIP_AUDIT_OFFLINE") == "allow"
        if os.environ.get("CI") == "true" and not offline_allowed:
            print(f"FAIL {message}", file=sys.stderr)  # noqa: T201
            print(  # noqa: T201
                "Run it where the service is reachable, or set "
                "CONSORTIUM_PIP_AUDIT_OFFLINE=allow to accept an unchecked run.",
                file=sys.stderr,
            )
            return 1
        print(f"WARNING {message}", file=sys.stderr)  # noqa: T201
        return 0
    print(  # noqa: T201
        f"pip-audit: {len(audited)} distributions checked, no known vulnerability."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
