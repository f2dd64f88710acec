"""The webhooks pages: registering (the secret shown once, sealed in the database),
refusals in words, rotating, pausing, deleting with confirmation, sending a failed
delivery again; who may see and change what (a consortium's coordinators, a
financer for their portfolio; another consortium's coordinator learns nothing).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from notifications.webhooks.store import WebhookStore
from notifications.webhooks.tables import deliveries, subscriptions
from projections.members import memberships_of_account
from tests.web.conftest import World, login, post, stores_of
from web.usecases.webhooks import Registration, subscribe

URL = "https://hooks.example.org/in"


def webhooks_of(world: World) -> str:
    return f"/consortia/{world.consortium_id}/webhooks"


def register(client: TestClient, path: str, **fields: str) -> tuple[str, str]:
    """Register through the form; returns the new subscription's id and secret."""
    answer = post(client, path, {"url": URL, "kind_all": "on", **fields})
    assert answer.status_code == 200, answer.text
    secret = re.search(r"(whsec_[\w-]+)", answer.text)
    assert secret is not None
    ids = re.findall(path + r"/([0-9a-f-]{36})", answer.text)
    assert ids
    return ids[-1], secret.group(1)


def test_a_coordinator_registers_a_webhook_and_sees_its_secret_once(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    path = webhooks_of(world)

    subscription_id, secret = register(client, path)

    page = client.get(f"{path}/{subscription_id}")
    assert page.status_code == 200
    assert secret not in page.text
    assert secret not in client.get(path).text
    with stores_of(client).outbox.engine.connect() as connection:
        sealed = connection.scalar(select(subscriptions.c.secret_sealed))
    assert sealed is not None
    assert secret not in sealed
    assert stores_of(client).accounts.box.open(sealed, subscription_id) == secret


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"url": "http://hooks.example.org/in"}, "must begin with https://"),
        ({"url": "https://me:pw@hooks.example.org/"}, "user name or a password"),
        ({"url": "https://169.254.169.254/latest"}, "must be public"),
        ({"url": "https://10.1.2.3/"}, "must be public"),
        ({"url": "not an address"}, "Give a web address"),
        ({"url": URL, "kind_all": ""}, "at least one kind"),
    ],
)
def test_a_refused_registration_says_why_and_stores_nothing(
    client: TestClient, world: World, fields: dict[str, str], words: str
) -> None:
    login(client, world.emails["coordinator"])
    answer = post(client, webhooks_of(world), {"kind_all": "on", **fields})
    assert answer.status_code == 400
    assert words in answer.text
    store = WebhookStore(stores_of(client).outbox.engine)
    assert store.of_owner("consortium", str(world.consortium_id)) == []


def test_picked_kinds_are_kept(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    subscription_id, _ = register(
        client,
        webhooks_of(world),
        kind_all="",
        kind_commitment_pledged="on",
        kind_report_submitted="on",
        kind_not_a_kind="on",
    )
    store = WebhookStore(stores_of(client).outbox.engine)
    [found] = store.of_owner("consortium", str(world.consortium_id))
    assert found.subscription_id == subscription_id
    assert found.kinds == ("commitment_pledged", "report_submitted")


def test_a_new_secret_replaces_the_old_and_is_shown_once(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    path = webhooks_of(world)
    subscription_id, old = register(client, path)

    answer = post(client, f"{path}/{subscription_id}/rotate")

    assert answer.status_code == 200
    new = re.search(r"(whsec_[\w-]+)", answer.text)
    assert new is not None
    assert new.group(1) != old
    with stores_of(client).outbox.engine.connect() as connection:
        sealed = connection.scalar(select(subscriptions.c.secret_sealed))
    assert stores_of(client).accounts.box.open(sealed, subscription_id) == new.group(1)


def test_pause_resume_and_delete_with_confirmation(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    path = webhooks_of(world)
    subscription_id, _ = register(client, path)
    store = WebhookStore(stores_of(client).outbox.engine)
    cid = str(world.consortium_id)

    assert post(client, f"{path}/{subscription_id}/pause").status_code == 303
    assert store.owned("consortium", cid, subscription_id).paused
    assert "Paused" in client.get(f"{path}/{subscription_id}").text
    assert post(client, f"{path}/{subscription_id}/resume").status_code == 303
    assert not store.owned("consortium", cid, subscription_id).paused

    unconfirmed = post(client, f"{path}/{subscription_id}/unsubscribe")
    assert unconfirmed.status_code == 400
    assert "Tick the box" in unconfirmed.text
    assert store.of_owner("consortium", cid) != []
    confirmed = post(
        client, f"{path}/{subscription_id}/unsubscribe", {"confirm_delete": "yes"}
    )
    assert confirmed.status_code == 303
    assert store.of_owner("consortium", cid) == []
    assert client.get(f"{path}/{subscription_id}").status_code == 404


def test_a_failed_delivery_is_shown_with_its_answer_and_sent_again(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    path = webhooks_of(world)
    subscription_id, _ = register(client, path)
    store = WebhookStore(stores_of(client).outbox.engine)
    now = datetime.now(UTC)
    body = '{"kind":"founded"}'
    assert store.take(
        store.position() or 0,
        (store.position() or 0) + 1,
        [
            {
                "delivery_id": f"{subscription_id}:7",
                "subscription_id": subscription_id,
                "position": 7,
                "consortium_id": str(world.consortium_id),
                "kind": "founded",
                "body": body,
            }
        ],
        now,
    )
    with store.engine.begin() as connection:
        connection.execute(
            update(deliveries).values(
                failed=True, attempts=3, last_status=410, last_answer="Gone <b>away</b>"
            )
        )

    page = client.get(f"{path}/{subscription_id}")
    assert "410" in page.text
    assert "Gone &lt;b&gt;away&lt;/b&gt;" in page.text
    assert "Send again" in page.text

    again = post(client, f"{path}/{subscription_id}/deliveries/7/retry")
    assert again.status_code == 303
    [delivery] = store.of_subscription(subscription_id)
    assert (delivery.failed, delivery.attempts) == (False, 0)
    # Not failed any more: a second "send again" finds nothing to send.
    assert post(client, f"{path}/{subscription_id}/deliveries/7/retry").status_code == (
        404
    )


def test_only_the_coordinators_of_the_consortium_see_its_webhooks(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    path = webhooks_of(world)
    subscription_id, _ = register(client, path)
    one = f"{path}/{subscription_id}"
    actions = [
        (f"{one}/rotate", {}),
        (f"{one}/pause", {}),
        (f"{one}/unsubscribe", {"confirm_delete": "yes"}),
        (path, {"url": URL, "kind_all": "on"}),
    ]
    for role, status in (("member", 403), ("pilot", 403), ("financer", 403)):
        login(client, world.emails[role])
        assert client.get(path).status_code == status, role
        assert client.get(one).status_code == status, role
        for action, fields in actions:
            assert post(client, action, fields).status_code == status, (role, action)

    # Another consortium's coordinator: not found, here or through their own.
    login(client, world.emails["outsider"])
    with stores_of(client).read_side.engine.connect() as connection:
        [theirs] = memberships_of_account(
            connection,
            stores_of(client).accounts.by_email(world.emails["outsider"]).account_id,  # type: ignore[union-attr]
        )
    assert client.get(one).status_code == 404
    for action, fields in actions:
        assert post(client, action, fields).status_code == 404, action
    elsewhere = f"/consortia/{theirs.consortium_id}/webhooks/{subscription_id}"
    assert client.get(elsewhere).status_code == 404
    assert post(client, elsewhere + "/rotate").status_code == 404
    assert post(client, elsewhere + "/pause").status_code == 404
    store = WebhookStore(stores_of(client).outbox.engine)
    [kept] = store.of_owner("consortium", str(world.consortium_id))
    assert not kept.paused


def test_a_financer_registers_one_for_their_portfolio_and_only_they_see_it(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    subscription_id, _ = register(client, "/portfolio/webhooks")
    one = f"/portfolio/webhooks/{subscription_id}"
    assert client.get(one).status_code == 200

    for role in ("coordinator", "member", "pilot", "outsider"):
        login(client, world.emails[role])
        assert client.get("/portfolio/webhooks").status_code == 403, role
        assert client.get(one).status_code == 403, role
        assert post(client, one + "/pause").status_code == 403, role
    store = WebhookStore(stores_of(client).outbox.engine)
    [kept] = store.every()
    assert (kept.scope, kept.paused) == ("portfolio", False)


def test_erasing_a_financer_deletes_their_portfolio_s_webhooks(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    register(client, "/portfolio/webhooks")
    stores = stores_of(client)
    financer = stores.accounts.by_email(world.emails["financer"])
    assert financer is not None

    assert stores.usecases.erasure.erase(financer.account_id)

    assert WebhookStore(stores.outbox.engine).every() == []


def test_a_financer_does_not_see_another_financer_s_portfolio_webhook(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    subscription, _ = subscribe(
        WebhookStore(stores.outbox.engine),
        stores.accounts.box,
        0,
        "portfolio",
        "another-financer",
        Registration(URL, ("all",)),
        by="another-financer",
        now=datetime.now(UTC),
    )
    login(client, world.emails["financer"])
    one = f"/portfolio/webhooks/{subscription.subscription_id}"

    assert client.get(one).status_code == 404
    assert post(client, one + "/pause").status_code == 404
    assert post(client, one + "/rotate").status_code == 404
    assert URL not in client.get("/portfolio/webhooks").text
    assert not WebhookStore(stores.outbox.engine).every()[0].paused


def test_the_personal_data_export_lists_the_webhooks_one_registered_without_secret(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    _, secret = register(client, webhooks_of(world))
    exported = client.get("/account/export")
    login(client, world.emails["member"])
    someone_else = client.get("/account/export").json()

    [hook] = exported.json()["webhooks_registered"]
    assert hook["url"] == URL
    assert hook["kinds"] == ["all"]
    assert (hook["scope"], hook["owner_id"]) == ("consortium", str(world.consortium_id))
    assert hook["paused"] is False
    assert secret not in exported.text
    with stores_of(client).outbox.engine.connect() as connection:
        sealed = connection.scalar(select(subscriptions.c.secret_sealed))
    assert sealed not in exported.text
    assert someone_else["webhooks_registered"] == []
