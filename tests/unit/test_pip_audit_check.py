"""The pip-audit wrapper: what it says for each answer pip-audit can give.

pip-audit itself is replaced by a command printing a fixed JSON report (the
vulnerability service is out of reach here, which is the case under test).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "pip_audit_check.py"


def wrapper(report: dict[str, Any]) -> ModuleType:
    spec = importlib.util.spec_from_file_location("pip_audit_check", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.COMMAND = [sys.executable, "-c", f"print({json.dumps(json.dumps(report))})"]
    return module


CLEAN = {"name": "starlette", "version": "1.10.0", "vulns": []}
OURS = {"name": "consortium-ledger", "skip_reason": "distribution marked as editable"}
UNREACHABLE = {
    "name": "jinja2",
    "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2",
}


def test_a_clean_audit_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI", "true")

    status = wrapper({"dependencies": [CLEAN, OURS]}).main()

    assert status == 0
    assert "1 distributions checked, no known vulnerability" in capsys.readouterr().out


def test_a_known_vulnerability_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CI", raising=False)
    vulnerable = {
        **CLEAN,
        "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["1.10.1"]}],
    }

    status = wrapper({"dependencies": [vulnerable]}).main()

    assert status == 1
    assert "VULNERABLE starlette 1.10.0: GHSA-xxxx" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("ci", "allow", "expected"),
    [("true", None, 1), ("true", "allow", 0), (None, None, 0)],
)
def test_an_unreachable_service_fails_only_in_ci(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ci: str | None,
    allow: str | None,
    expected: int,
) -> None:
    for name, value in (("CI", ci), ("CONSORTIUM_PIP_AUDIT_OFFLINE", allow)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    status = wrapper({"dependencies": [UNREACHABLE, OURS]}).main()

    assert status == expected
    assert "could not check 1 of 1 installed distributions" in capsys.readouterr().err
