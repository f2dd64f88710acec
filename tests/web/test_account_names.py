"""The names pages show for account ids: the living, the erased, the unknown."""

from __future__ import annotations

import uuid

from tests.support.builders import T0
from web.identity.erasure import erase_person, former_member_name
from web.stores import Stores


def test_names_of_the_living_and_the_erased_leave_the_unknown_out(
    stores: Stores,
) -> None:
    accounts = stores.accounts
    kept = accounts.create_account("ana@example.org", "Ana Lopez", "pw-" * 5, now=T0)
    gone = accounts.create_account("bo@example.org", "Bo Martin", "pw-" * 5, now=T0)
    with accounts.engine.begin() as connection:
        erase_person(connection, gone.account_id, now=T0)
    unknown = str(uuid.uuid4())

    names = accounts.names({kept.account_id, gone.account_id, unknown})

    assert names == {
        kept.account_id: "Ana Lopez",
        gone.account_id: former_member_name(gone.account_id),
    }
    assert "Bo Martin" not in names.values()
    assert accounts.names(set()) == {}
    assert accounts.names({unknown}) == {}


def test_a_thousand_ids_at_once(stores: Stores) -> None:
    accounts = stores.accounts
    people = [
        accounts.create_account(f"p{n}@example.org", f"Person {n}", "pw-" * 5, now=T0)
        for n in range(3)
    ]
    asked = {p.account_id for p in people} | {str(uuid.uuid4()) for _ in range(1000)}

    assert accounts.names(asked) == {p.account_id: p.display_name for p in people}
