"""Every failure of the ``consortium`` command: one sentence on stderr, its exit code.

The real command in a process of its own, as an operator meets it: no traceback, one
line starting ``Error:``, and the exit code of the kind of failure (``web.cli.Exit``,
the README's table): 2 bad input, 3 the store cannot be reached (for ``audit
verify``: nothing checked), 4 cannot write, 5 refused. Nothing is left behind.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import consortium_command
from web.cli import Exit

# Nothing listens on port 1: the connection is refused at once.
UNREACHABLE = "postgresql://ledger:secret@127.0.0.1:1/ledger"


def consortium(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [consortium_command(), *args],
        env={
            "PATH": "/usr/bin:/bin",
            "CONSORTIUM_DATA_DIR": str(data_dir),
            **(env or {}),
        },
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # No controlling terminal: a password prompt reads stdin, as in a script.
        start_new_session=True,
    )


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The one line of stderr, checked to be an error and not a traceback."""
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "env", "code", "words"),
    [
        pytest.param(
            ["serve", "--port", "99999"],
            {},
            Exit.BAD_INPUT,
            "99999 is not in the range 1<=x<=65535",
            id="serve-port-out-of-range",
        ),
        pytest.param(
            ["serve", "--workers", "2", "--reload"],
            {},
            Exit.BAD_INPUT,
            "--reload restarts one process",
            id="serve-several-processes-with-reload",
        ),
        pytest.param(
            ["serve", "--reload"],
            {"CONSORTIUM_WEB_PROCESSES": "3"},
            Exit.BAD_INPUT,
            "--reload restarts one process",
            id="serve-processes-from-the-environment-with-reload",
        ),
        pytest.param(
            ["serve", "--workers", "0"],
            {},
            Exit.BAD_INPUT,
            "0 is not in the range 1<=x<=64",
            id="serve-no-process",
        ),
        pytest.param(
            ["serve"],
            {"CONSORTIUM_WEB_PROCESSES": "none"},
            Exit.BAD_INPUT,
            "CONSORTIUM_WEB_PROCESSES must be a whole number",
            id="serve-processes-not-a-number",
        ),
        pytest.param(
            ["backup", "/proc/no-such-dir/backup"],
            {},
            Exit.CANNOT_WRITE,
            "cannot create /proc/no-such-dir/backup",
            id="backup-to-an-uncreatable-path",
        ),
        pytest.param(
            ["audit", "verify"],
            {"CONSORTIUM_DATABASE_URL": UNREACHABLE},
            Exit.CANNOT_REACH_STORE,
            "cannot check",
            id="audit-verify-unreachable-postgresql",
        ),
        pytest.param(
            ["audit", "verify"],
            {},
            Exit.CANNOT_REACH_STORE,
            "cannot check: there is no event store",
            id="audit-verify-no-store",
        ),
        pytest.param(
            ["bench", "--database-url", UNREACHABLE, "--quick"],
            {},
            Exit.CANNOT_REACH_STORE,
            "Connection refused",
            id="bench-unreachable-postgresql",
        ),
        pytest.param(
            ["bench", "--database-url", UNREACHABLE, "--events", "20000"],
            {},
            Exit.CANNOT_REACH_STORE,
            "Connection refused",
            id="bench-unreachable-postgresql-with-reference",
        ),
        pytest.param(
            ["bench", "--reuse"],
            {},
            Exit.BAD_INPUT,
            "--reuse needs --data-dir",
            id="bench-reuse-without-a-data-dir",
        ),
        pytest.param(
            ["admin", "create", "--email", "notanemail", "--name", "A"],
            {},
            Exit.BAD_INPUT,
            "'notanemail' is not an e-mail address",
            id="admin-create-not-an-address",
        ),
        pytest.param(
            ["admin", "create", "--email", "a@test.example", "--name", " "],
            {},
            Exit.BAD_INPUT,
            "the name is empty",
            id="admin-create-empty-name",
        ),
        pytest.param(
            [
                "admin",
                "create",
                "--email",
                "a@test.example",
                "--name",
                "A",
                "--password",
                "short",
            ],
            {},
            Exit.BAD_INPUT,
            "password refused: Use at least 8 characters.",
            id="admin-create-short-password",
        ),
        pytest.param(
            ["admin", "create", "--name", "A"],
            {},
            Exit.BAD_INPUT,
            "Missing option '--email'",
            id="admin-create-missing-option",
        ),
        pytest.param(
            ["projections", "rebuild"],
            {"CONSORTIUM_TICK_SECONDS": "often"},
            Exit.BAD_INPUT,
            "CONSORTIUM_TICK_SECONDS must be a whole number of seconds",
            id="a-setting-that-cannot-be-used",
        ),
    ],
)
def test_a_failing_command_says_one_sentence_with_the_exit_code_of_its_kind(
    tmp_path: Path, args: list[str], env: dict[str, str], code: Exit, words: str
) -> None:
    data_dir = tmp_path / "data"

    result = consortium(*args, data_dir=data_dir, env=env)

    assert result.returncode == code, result.stderr
    assert words in one_sentence(result)


@pytest.mark.parametrize("args", [["admin", "create"], ["audit", "verify"]])
def test_a_command_refused_for_bad_input_creates_no_data_directory(
    tmp_path: Path, args: list[str]
) -> None:
    data_dir = tmp_path / "data"
    bad = {
        "admin": ["--email", "notanemail", "--name", "A", "--password", "long enough"],
        "audit": ["--checkpoint", str(tmp_path / "kept.json")],
    }[args[0]]
    (tmp_path / "kept.json").write_text("not a checkpoint")

    result = consortium(*args, *bad, data_dir=data_dir)

    assert result.returncode == Exit.BAD_INPUT
    assert not data_dir.exists()


def test_a_checkpoint_file_that_is_not_one_is_bad_input_not_tampering(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    not_json = tmp_path / "notes.txt"
    not_json.write_text("my notes about the checkpoint\n")
    some_json = tmp_path / "other.json"
    some_json.write_text('{"what": "something else"}')
    assert consortium("projections", "rebuild", data_dir=data_dir).returncode == 0

    text = consortium(
        "audit", "verify", "--checkpoint", str(not_json), data_dir=data_dir
    )
    other = consortium(
        "audit", "verify", "--checkpoint", str(some_json), data_dir=data_dir
    )

    assert text.returncode == other.returncode == Exit.BAD_INPUT
    assert f"{not_json} is not a checkpoint: it is not JSON" in one_sentence(text)
    assert "is not a checkpoint" in one_sentence(other)
    assert "TAMPERED" not in text.stdout + other.stdout


@pytest.mark.parametrize(
    "args", [["audit", "verify"], ["projections", "rebuild"], ["demo"]]
)
def test_a_store_file_that_is_not_a_database_cannot_be_read(
    tmp_path: Path, args: list[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "events.db").write_text("not a database\n")

    result = consortium(*args, data_dir=data_dir)

    assert result.returncode == Exit.CANNOT_REACH_STORE
    assert "cannot read the store: file is not a database" in one_sentence(result)


def test_serve_on_a_port_in_use_says_so_in_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = consortium("serve", "--port", str(port), data_dir=tmp_path / "data")

    assert result.returncode == Exit.BAD_INPUT
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_admin_create_twice_is_refused_the_second_time(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    args = ("admin", "create", "--email", "Admin@Test.example", "--name", "Admin")

    first = consortium(*args, data_dir=data_dir, stdin="a long secret\n" * 2)
    second = consortium(*args, "--password", "another secret", data_dir=data_dir)

    assert first.returncode == 0, first.stderr
    assert "Administrator admin@test.example created." in first.stdout
    assert second.returncode == Exit.REFUSED
    assert "an account for Admin@Test.example exists already" in one_sentence(second)


def test_bench_help_gives_the_minimum_it_accepts() -> None:
    result = subprocess.run(
        [consortium_command(), "bench", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert "(1000 … 1000000)" in " ".join(result.stdout.split())
