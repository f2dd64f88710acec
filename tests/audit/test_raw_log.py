"""The stored originator id as the chain hashes it."""

from __future__ import annotations

import uuid

import pytest

from web.ops.raw_log import canonical_originator_id

ID = uuid.UUID("0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b")


def by_round_trip(raw: str) -> str:
    """The rule spelt with the standard library: canonical only when the stored
    form is the one the library writes (32 lowercase hex digits, or canonical)."""
    try:
        parsed = uuid.UUID(raw)
    except ValueError:
        return raw
    return str(parsed) if raw in (parsed.hex, str(parsed)) else raw


@pytest.mark.parametrize(
    "raw",
    [
        ID.hex,  # SQLite's stored form
        str(ID),  # PostgreSQL's, read as text
        ID.hex.upper(),
        str(ID).upper(),
        "{" + str(ID) + "}",
        "urn:uuid:" + str(ID),
        ID.hex[:-1] + "g",  # one digit that is not hex
        ID.hex[:16] + " " + ID.hex[17:],
        ID.hex[:-1],
        ID.hex + "0",
        "",
        "not-an-id",
        "é" * 32,
    ],
)
def test_only_the_stores_own_spellings_become_canonical(raw: str) -> None:
    assert canonical_originator_id(raw) == by_round_trip(raw)


def test_the_stored_hex_form_gets_its_dashes() -> None:
    assert canonical_originator_id(ID.hex) == str(ID)
    assert canonical_originator_id(ID.hex.upper()) == ID.hex.upper()
