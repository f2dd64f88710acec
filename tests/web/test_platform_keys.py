"""The platform's keys on several hosts of one PostgreSQL deployment.

The first host to start records each key's fingerprint in the database; a host
whose key is missing or different refuses to start, saying which key and how to
fix it; ``consortium keys export`` and ``keys import`` move them, refusing to
overwrite a different key without ``--force`` and never showing a key.
"""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.support.processes import free_port
from web.cli import Exit, main
from web.ops.platform_keys import KeysDiffer
from web.ops.storage import open_stores
from web.settings import Settings

pytestmark = pytest.mark.postgres

KEY_FILES = ("secrets_key", "audit_signing_key.pem", "secret_key")


def env_of(url: str, data_dir: Path, **more: str) -> dict[str, str]:
    return {
        "CONSORTIUM_DATABASE_URL": url,
        "CONSORTIUM_DATA_DIR": str(data_dir),
        **more,
    }


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def started(url: str, data_dir: Path) -> None:
    """A host starts (and stops): its stores open, its keys are checked."""
    open_stores(Settings(data_dir=data_dir, database_url=url)).close()


def key_texts(data_dir: Path) -> list[str]:
    """The secret lines of a host's key files (not the PEM's armour)."""
    return [
        line
        for name in KEY_FILES
        for line in (data_dir / name).read_text().strip().splitlines()
        if not line.startswith("-----")
    ]


@pytest.fixture
def one(tmp_path: Path, postgres_url: str) -> Path:
    """The first host, which set the deployment up."""
    started(postgres_url, tmp_path / "one")
    return tmp_path / "one"


def test_the_first_host_makes_and_records_every_key(one: Path) -> None:
    for name in KEY_FILES:
        assert stat.S_IMODE((one / name).stat().st_mode) == 0o600


def test_a_host_without_the_keys_refuses_to_start_and_says_how_to_fix_it(
    one: Path, tmp_path: Path, postgres_url: str
) -> None:
    two = tmp_path / "two"

    result = run(env_of(postgres_url, two), "serve", "--port", str(free_port()))

    assert result.exit_code == Exit.REFUSED, result.output
    for words in (
        f"the secrets key (it seals two-step login secrets) is missing at {two}",
        "the audit signing key (it signs the checkpoints) is missing",
        "the form key (it signs the login forms) is missing",
        "`consortium keys export keys.json`",
        "`consortium keys import keys.json`",
    ):
        assert words in " ".join(result.output.split())
    assert not (two / "secrets_key").exists()  # refused: no key of its own made


def test_a_host_with_a_different_key_refuses_naming_that_key_and_both_fingerprints(
    one: Path, tmp_path: Path, postgres_url: str
) -> None:
    two = tmp_path / "two"
    two.mkdir()
    for name in ("audit_signing_key.pem", "secret_key"):
        (two / name).write_bytes((one / name).read_bytes())
    (two / "secrets_key").write_bytes(b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n")

    with pytest.raises(KeysDiffer) as refused:
        started(postgres_url, two)

    message = str(refused.value)
    assert f"the secrets key (it seals two-step login secrets) at {two}" in message
    assert "is not the one this database was set up with" in message
    assert message.count("fingerprint") == 2
    assert "audit signing key" not in message
    assert "form key" not in message


def test_keys_exported_on_one_host_and_imported_on_another_let_it_start(
    one: Path, tmp_path: Path, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    two = tmp_path / "two"
    export = tmp_path / "keys.json"
    caplog.set_level(logging.DEBUG)

    exported = run(env_of(postgres_url, one), "keys", "export", str(export))
    imported = run(env_of(postgres_url, two), "keys", "import", str(export))
    again = run(
        env_of(postgres_url, two), "keys", "import", "-", stdin=export.read_text()
    )
    started(postgres_url, two)

    assert exported.exit_code == 0, exported.output
    assert imported.exit_code == 0, imported.output
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    assert imported.output.count("written to") == 3
    assert again.output.count("already in place") == 3
    for name in KEY_FILES:
        assert (two / name).read_bytes() == (one / name).read_bytes()
        assert stat.S_IMODE((two / name).stat().st_mode) == 0o600
    shown = exported.output + imported.output + again.output + caplog.text
    assert not [secret for secret in key_texts(one) if secret in shown]


def test_an_import_over_a_different_key_changes_nothing_unless_forced(
    one: Path, tmp_path: Path, postgres_url: str
) -> None:
    two = tmp_path / "two"
    two.mkdir()
    own = b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n"
    (two / "secrets_key").write_bytes(own)
    export = run(env_of(postgres_url, one), "keys", "export", "-").output
    env = env_of(postgres_url, two)

    refused = run(env, "keys", "import", "-", stdin=export)
    kept = sorted(path.name for path in two.iterdir())
    forced = run(env, "keys", "import", "--force", "-", stdin=export)

    assert refused.exit_code == Exit.REFUSED
    assert "nothing imported" in refused.output
    assert "the secrets key (it seals two-step login secrets) at" in refused.output
    assert "is a different key" in refused.output
    assert kept == ["secrets_key"]  # nothing written, not even the other keys
    assert forced.exit_code == 0, forced.output
    assert "replaced at" in forced.output
    [old] = two.glob("secrets_key.replaced-*")
    assert old.read_bytes() == own
    started(postgres_url, two)


def test_keys_that_are_not_the_database_s_are_refused_unless_forced_then_recorded(
    one: Path, tmp_path: Path, postgres_url: str
) -> None:
    lone = tmp_path / "lone"
    run({"CONSORTIUM_DATA_DIR": str(lone)}, "audit", "checkpoint")  # keys of its own
    Settings(data_dir=lone).with_secret()
    (lone / "secrets_key").write_bytes(
        b"QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=\n"
    )
    foreign = run({"CONSORTIUM_DATA_DIR": str(lone)}, "keys", "export", "-").output
    two = env_of(postgres_url, tmp_path / "two")

    refused = run(two, "keys", "import", "-", stdin=foreign)
    written = (tmp_path / "two").exists()
    forced = run(two, "keys", "import", "--force", "-", stdin=foreign)

    assert refused.exit_code == Exit.REFUSED
    assert "is not the one this database was set up with" in refused.output
    assert not written
    assert forced.exit_code == 0, forced.output
    assert "now the deployment's" in forced.output
    started(postgres_url, tmp_path / "two")
    with pytest.raises(KeysDiffer):  # the first host must now import them too
        started(postgres_url, one)


def test_a_key_lost_on_every_host_is_forgotten_and_the_next_start_records_a_new_one(
    one: Path, postgres_url: str
) -> None:
    (one / "secrets_key").unlink()
    with pytest.raises(KeysDiffer, match="keys forget"):
        started(postgres_url, one)

    forgotten = run(env_of(postgres_url, one), "keys", "forget", "secrets_key")
    started(postgres_url, one)

    assert forgotten.exit_code == 0, forgotten.output
    assert (one / "secrets_key").exists()


def test_a_form_key_from_the_environment_is_checked_like_a_file(
    one: Path, tmp_path: Path, postgres_url: str
) -> None:
    two = tmp_path / "two"
    export = run(env_of(postgres_url, one), "keys", "export", "-").output
    env = env_of(postgres_url, two, CONSORTIUM_SECRET_KEY="another")

    imported = run(env, "keys", "import", "-", stdin=export)

    assert imported.exit_code == Exit.REFUSED
    assert "at CONSORTIUM_SECRET_KEY is a different key" in imported.output


def test_an_export_that_is_not_one_is_bad_input(tmp_path: Path, one: Path) -> None:
    env = {"CONSORTIUM_DATA_DIR": str(tmp_path / "two")}
    export = json.loads(run({"CONSORTIUM_DATA_DIR": str(one)}, "keys", "export").output)
    export["keys"]["secrets_key"] = "not base64!"

    broken = run(env, "keys", "import", "-", stdin=json.dumps(export))
    garbage = run(env, "keys", "import", "-", stdin="hello")

    assert broken.exit_code == garbage.exit_code == Exit.BAD_INPUT
    assert "not a base64 secrets key" in broken.output
    assert "not a key export" in garbage.output
    assert not (tmp_path / "two").exists()
