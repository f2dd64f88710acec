"""The platform's keys, the same on every host of one deployment.

Three keys live beside the data, never in the database (a dump alone reveals no
secret): the **secrets key** sealing two-step login secrets
(``web/identity/secret_box.py``), the **audit signing key** of the checkpoints
(``notifications/checkpoints.py``) and the **form key** signing the forms sent
before login (``Settings.with_secret``). Each host has its own data directory, so
each would create its own keys: a second host would seal second factors its users
cannot open on the first, sign checkpoints with another key, refuse the first's
login forms.

On PostgreSQL the database therefore records each key's fingerprint (a SHA-256 of
the key, which reveals nothing of a random key). ``check_keys`` runs at every start
under the creation lock: the first host to start creates its missing keys and
records them; any later host whose key is missing or different refuses to start,
saying which key and how to copy it (``consortium keys export`` there,
``consortium keys import`` here). Nothing here ever logs or prints a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Column, Engine, Float, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert

from notifications.checkpoints import load_or_create_key as create_audit_key
from web.identity.secret_box import load_or_create_key as create_secrets_key
from web.settings import Settings

logger = logging.getLogger(__name__)

BUNDLE_FORMAT = "consortium-ledger-keys/1"

metadata = MetaData()

platform_keys = Table(
    "platform_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("recorded_at", Float, nullable=False),
    Column("recorded_by", String(255), nullable=False),
)


class KeyProblem(Exception):
    """A key that cannot be used, or keys that differ: one sentence, no key in it."""


class KeysDiffer(KeyProblem):
    """This host's keys are not the ones the database was set up with."""


@dataclass(frozen=True)
class KeySpec:
    """One of the platform's keys: its name, words, where it lives, its check."""

    name: str
    words: str
    path_of: Callable[[Settings], Path]
    # The key's text (as in its file) → its fingerprint; ValueError if not a key.
    fingerprint: Callable[[str], str]
    # Creates the key where this host keeps it (what it returns is not used).
    create: Callable[[Settings], object]


def _secrets_fingerprint(text: str) -> str:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        raise ValueError("not a base64 secrets key") from None
    if len(raw) != 32:
        raise ValueError("a secrets key is 32 bytes")
    return hashlib.sha256(b"consortium-ledger secrets key\n" + raw).hexdigest()


def _audit_fingerprint(text: str) -> str:
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError("not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    # Its first 16 digits are the key id the checkpoints and `audit verify` show.
    return hashlib.sha256(public).hexdigest()


def _form_fingerprint(text: str) -> str:
    value = text.strip()
    if not value:
        raise ValueError("the form key is empty")
    return hashlib.sha256(b"consortium-ledger form key\n" + value.encode()).hexdigest()


def _form_path(settings: Settings) -> Path:
    return settings.data_dir / "secret_key"


KEYS = (
    KeySpec(
        "secrets_key",
        "the secrets key (it seals two-step login secrets)",
        lambda s: s.secrets_key_path,
        _secrets_fingerprint,
        lambda s: create_secrets_key(s.secrets_key_path),
    ),
    KeySpec(
        "audit_signing_key",
        "the audit signing key (it signs the checkpoints)",
        lambda s: s.audit_key_path,
        _audit_fingerprint,
        lambda s: create_audit_key(s.audit_key_path),
    ),
    KeySpec(
        "form_key",
        "the form key (it signs the login forms)",
        _form_path,
        _form_fingerprint,
        lambda s: s.with_secret(),
    ),
)
BY_NAME = {spec.name: spec for spec in KEYS}


def short(fingerprint: str) -> str:
    """The fingerprint as shown: its first 16 hex digits."""
    return fingerprint[:16]


def local_text(settings: Settings, spec: KeySpec) -> str | None:
    """This host's key as text, or ``None`` when it has none yet."""
    if spec.name == "form_key" and settings.secret_key:
        return settings.secret_key  # CONSORTIUM_SECRET_KEY: no file
    path = spec.path_of(settings)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise KeyProblem(f"{spec.words} at {path} is not a key file") from None


def local_fingerprint(settings: Settings, spec: KeySpec) -> str | None:
    """This host's key's fingerprint, or ``None``; ``KeyProblem`` if unusable."""
    text = local_text(settings, spec)
    if text is None:
        return None
    try:
        return spec.fingerprint(text)
    except ValueError as error:
        raise KeyProblem(f"{spec.words} at {spec.path_of(settings)}: {error}") from None


def recorded(engine: Engine) -> dict[str, str]:
    """The fingerprints the database was set up with, by key name."""
    metadata.create_all(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            select(platform_keys.c.name, platform_keys.c.fingerprint)
        )
        return {str(name): str(fingerprint) for name, fingerprint in rows}


def check_keys(settings: Settings, engine: Engine) -> None:
    """Refuse (``KeysDiffer``) keys that are not the database's; create and record
    the missing ones of the first host. Call under the creation lock."""
    known = recorded(engine)
    problems: list[str] = []
    for spec in KEYS:
        mine = local_fingerprint(settings, spec)
        theirs = known.get(spec.name)
        if theirs is None:
            if mine is None:
                spec.create(settings)
                mine = local_fingerprint(settings, spec)
                assert mine is not None  # noqa: S101 - just created
            _record(engine, spec.name, mine)
            logger.info("keys.recorded key=%s fingerprint=%s", spec.name, short(mine))
        elif mine is None:
            problems.append(
                f"{spec.words} is missing at {spec.path_of(settings)}, and this "
                f"database was set up with the key of fingerprint {short(theirs)}"
            )
        elif mine != theirs:
            problems.append(
                f"{spec.words} at {_where(settings, spec)} (fingerprint "
                f"{short(mine)}) is not the one this database was set up with "
                f"(fingerprint {short(theirs)})"
            )
    if problems:
        raise KeysDiffer(
            "this host's keys are not the deployment's: "
            + "; ".join(problems)
            + ". On a host that runs with them, `consortium keys export keys.json`; "
            "copy that file here privately, then `consortium keys import keys.json` "
            "(add --force to replace a different key), and delete the copy. A key "
            "lost on every host: `consortium keys forget NAME` (what it protected is "
            "lost with it)"
        )


def _where(settings: Settings, spec: KeySpec) -> str:
    if spec.name == "form_key" and settings.secret_key:
        return "CONSORTIUM_SECRET_KEY"
    return str(spec.path_of(settings))


def _record(
    engine: Engine, name: str, fingerprint: str, *, replace: bool = False
) -> None:
    values = {
        "name": name,
        "fingerprint": fingerprint,
        "recorded_at": time.time(),
        "recorded_by": socket.gethostname()[:255],
    }
    statement = insert(platform_keys).values(**values)
    with engine.begin() as connection:
        connection.execute(
            statement.on_conflict_do_update(index_elements=["name"], set_=values)
            if replace
            else statement.on_conflict_do_nothing(index_elements=["name"])
        )


def record_as_deployment(engine: Engine, imported: list[Imported]) -> None:
    """The keys imported with ``--force`` become the ones every host must hold."""
    metadata.create_all(engine)
    for item in imported:
        _record(engine, item.spec.name, item.fingerprint, replace=True)
        logger.info(
            "keys.recorded key=%s fingerprint=%s",
            item.spec.name,
            short(item.fingerprint),
        )


def forget(engine: Engine, name: str) -> bool:
    """Forget a key's recorded fingerprint (the key is lost for good): the next
    host to start records its own. Whether one was recorded."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        deleted = connection.execute(
            platform_keys.delete().where(platform_keys.c.name == name)
        )
    return bool(deleted.rowcount)


# -- export and import ---------------------------------------------------------


def export_bundle(settings: Settings) -> str:
    """This host's keys as one JSON document (secret: handle it as the keys)."""
    keys: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    for spec in KEYS:
        text = local_text(settings, spec)
        if text is None:
            continue
        fingerprints[spec.name] = local_fingerprint(settings, spec) or ""
        keys[spec.name] = text
    if not keys:
        raise KeyProblem(
            f"this host has no keys yet (none in {settings.data_dir}): export them "
            "from a host that has run"
        )
    document = {
        "format": BUNDLE_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "fingerprints": fingerprints,
        "keys": keys,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def read_bundle(text: str) -> dict[str, str]:
    """The keys of an exported document, each checked; ``KeyProblem`` otherwise."""
    try:
        document = json.loads(text)
        if document.get("format") != BUNDLE_FORMAT:
            raise KeyProblem(f"not a key export (expected format {BUNDLE_FORMAT})")
        keys = {str(k): str(v) for k, v in dict(document["keys"]).items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyProblem(
            f"not a key export (expected a {BUNDLE_FORMAT} JSON document)"
        ) from None
    unknown = sorted(set(keys) - set(BY_NAME))
    if unknown:
        raise KeyProblem(f"unknown keys in the export: {', '.join(unknown)}")
    for name, value in keys.items():
        try:
            BY_NAME[name].fingerprint(value)
        except ValueError as error:
            raise KeyProblem(f"{BY_NAME[name].words} in the export: {error}") from None
    return keys


@dataclass(frozen=True)
class Imported:
    """What ``import_bundle`` did with one key."""

    spec: KeySpec
    fingerprint: str
    outcome: str  # written, unchanged, replaced, environment
    where: str
    kept_as: Path | None = None


def import_bundle(
    settings: Settings,
    keys: dict[str, str],
    *,
    force: bool = False,
    known: dict[str, str] | None = None,
) -> list[Imported]:
    """Put the exported keys in place on this host; refuses (``KeyProblem``),
    before writing anything, a different existing key without ``force``, and keys
    that are not those ``known`` (the database's fingerprints)."""
    refusals: list[str] = []
    plan: list[tuple[KeySpec, str, str | None]] = []
    for spec in KEYS:
        if spec.name not in keys:
            continue
        theirs = spec.fingerprint(keys[spec.name])
        mine = local_fingerprint(settings, spec)
        expected = (known or {}).get(spec.name)
        if expected is not None and expected != theirs and not force:
            refusals.append(
                f"{spec.words} in the export (fingerprint {short(theirs)}) is not "
                f"the one this database was set up with ({short(expected)})"
            )
        if mine is not None and mine != theirs and not force:
            refusals.append(
                f"{spec.words} at {_where(settings, spec)} is a different key "
                f"(fingerprint {short(mine)}, the export's {short(theirs)})"
            )
        plan.append((spec, theirs, mine))
    if refusals:
        raise KeysDiffer(
            "nothing imported: "
            + "; ".join(refusals)
            + ". Add --force to replace them (the replaced files are kept beside)"
        )
    done: list[Imported] = []
    for spec, theirs, mine in plan:
        path = spec.path_of(settings)
        if spec.name == "form_key" and settings.secret_key:
            done.append(Imported(spec, theirs, "environment", "CONSORTIUM_SECRET_KEY"))
            continue
        if mine == theirs:
            done.append(Imported(spec, theirs, "unchanged", str(path)))
            continue
        kept = _write_key(path, keys[spec.name], replace=mine is not None)
        outcome = "replaced" if mine is not None else "written"
        done.append(Imported(spec, theirs, outcome, str(path), kept))
        logger.info("keys.imported key=%s fingerprint=%s", spec.name, short(theirs))
    return done


def _write_key(path: Path, text: str, *, replace: bool) -> Path | None:
    """Write a key file 0600 atomically; a replaced one is kept beside, renamed."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        kept: Path | None = None
        if replace and path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = path.with_name(f"{path.name}.replaced-{stamp}")
            os.link(path, kept)
            os.replace(temporary, path)
        else:
            # Never over a key another process created meanwhile.
            os.link(temporary, path)
            os.unlink(temporary)
        return kept
    finally:
        Path(temporary).unlink(missing_ok=True)
