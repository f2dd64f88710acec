"""The list of notifications: repeats grouped, the current state of what each is
about, marking one line or everything read (htmx and plain forms), and nobody
marking another person's notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import Motion, ReportKind
from governance.voting import VotingRule
from notifications.notice_store import NoticeStore, notification_reads
from tests.web.conftest import World, login, post, stores_of
from web.ops.jobs import AccountDirectory, notice_pipeline
from web.settings import Settings

OVERDUE_STAGES = (1, 7, 14, 28, 42, 56)


def account_id(client: TestClient, email: str) -> str:
    account = stores_of(client).accounts.by_email(email)
    assert account is not None
    return account.account_id


def overdue_report(client: TestClient, world: World) -> UUID:
    """A report overdue for two months, reminded to the pilot six times."""
    stores = stores_of(client)
    pilot = account_id(client, world.emails["pilot"])
    report = UUID(
        stores.governance.schedule_report(
            Actor(account_id(client, world.emails["coordinator"])),
            world.consortium_id,
            funder="Banque des Territoires",
            title="Rapport d'activité",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=pilot,
            due_on=datetime.now(UTC).date() - timedelta(days=60),
        ).id
    )
    for stage in OVERDUE_STAGES:
        stores.governance.request_reminder(report, stage, pilot, 0)
    stores.read_side.catch_up()
    return report


def vote_opened(client: TestClient, world: World, settings: Settings) -> UUID:
    """A vote tabled to a body where the member's partner sits; notices taken in."""
    stores = stores_of(client)
    coordinator = Actor(account_id(client, world.emails["coordinator"]))
    body = stores.governance.establish_body(
        coordinator,
        world.consortium_id,
        name="COPIL",
        members={world.partner_id: 1},
        rule=VotingRule(),
    )
    motion = Motion(
        "Budget 2027",
        "",
        ("for", "against"),
        "meeting",
        meeting_on=datetime.now(UTC).date(),
    )
    proposal = stores.governance.table_proposal(
        coordinator, world.consortium_id, body.id, motion
    )
    take_in(client, settings)
    return UUID(proposal.id)


def take_in(client: TestClient, settings: Settings) -> None:
    stores = stores_of(client)
    notice_pipeline(stores, settings, AccountDirectory(stores.accounts)).intake()


def reads(client: TestClient) -> int:
    with stores_of(client).outbox.engine.connect() as connection:
        return int(
            connection.scalar(select(func.count()).select_from(notification_reads)) or 0
        )


def test_six_identical_overdue_reminders_are_one_line_with_a_count(
    client: TestClient, world: World
) -> None:
    overdue_report(client, world)
    login(client, world.emails["pilot"])

    page = client.get("/notifications").text

    assert page.count("was due to Banque des Territoires") == 1
    assert "(6 notifications)" in page


def test_a_reminded_report_accepted_since_says_it_is_accepted_not_overdue(
    client: TestClient, world: World
) -> None:
    report = overdue_report(client, world)
    stores = stores_of(client)
    pilot = Actor(account_id(client, world.emails["pilot"]))
    stores.governance.draft_report(pilot, report, "Fait.")
    stores.governance.submit_report(pilot, report)
    financer = Actor(account_id(client, world.emails["financer"]))
    stores.governance.accept_report(financer, report, "Merci.")
    stores.read_side.catch_up()
    login(client, world.emails["pilot"])

    page = client.get("/notifications").text

    assert "has been accepted" in page
    assert "is overdue" not in page


def test_a_member_sees_the_vote_opened_and_then_that_it_closed(
    client: TestClient, world: World, settings: Settings
) -> None:
    proposal = vote_opened(client, world, settings)
    login(client, world.emails["member"])

    opened = client.get("/notifications").text
    stores_of(client).governance.close_proposal(
        Actor(account_id(client, world.emails["coordinator"])), proposal
    )
    stores_of(client).read_side.catch_up()
    closed = client.get("/notifications").text

    assert "A vote is open on “Budget 2027” in Inclusion Numérique" in opened
    assert f"/proposals/{proposal}" in opened
    assert "Now closed" not in opened
    assert "Now closed: No quorum" in closed


def test_marking_a_line_read_marks_every_notification_it_groups(
    client: TestClient, world: World
) -> None:
    overdue_report(client, world)
    login(client, world.emails["pilot"])
    with stores_of(client).read_side.engine.connect() as connection:
        from projections.reminders import notifications_of

        ids = [
            n.reminder.reminder_id
            for n in notifications_of(
                connection, account_id(client, world.emails["pilot"])
            )
        ]

    answer = post(client, "/notifications/read", {"items": ",".join(ids)})
    page = client.get("/notifications").text

    assert answer.status_code == 303
    assert 'id="done-notice" class="notice" role="status">' in page
    assert 'class="flag">new' not in page
    assert "unread" not in client.get("/consortia").text
    assert reads(client) == len(OVERDUE_STAGES)


def test_marking_read_with_htmx_answers_the_list_in_place_with_its_success_event(
    client: TestClient, world: World, settings: Settings
) -> None:
    vote_opened(client, world, settings)
    login(client, world.emails["member"])
    [notice] = NoticeStore(stores_of(client).outbox.engine).of_account(
        account_id(client, world.emails["member"])
    )

    answer = post(client, "/notifications/read", {"items": notice.notice_id}, htmx=True)

    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="notification-list"')
    assert "consortium-done" in answer.headers["HX-Trigger"]
    assert 'class="flag">new' not in answer.text


def test_mark_all_read_clears_the_badge_and_the_flags(
    client: TestClient, world: World, settings: Settings
) -> None:
    vote_opened(client, world, settings)
    login(client, world.emails["member"])
    assert "1 unread" in client.get("/consortia").text

    answer = post(client, "/notifications/read-all", {}, htmx=True)

    assert answer.status_code == 200
    assert "consortium-done" in answer.headers["HX-Trigger"]
    assert 'class="badge"' not in client.get("/consortia").text


def test_nobody_marks_another_persons_notification_and_nothing_is_stored(
    client: TestClient, world: World, settings: Settings
) -> None:
    vote_opened(client, world, settings)
    [notice] = NoticeStore(stores_of(client).outbox.engine).of_account(
        account_id(client, world.emails["member"])
    )
    login(client, world.emails["pilot"])

    theirs = post(client, "/notifications/read", {"items": notice.notice_id})
    unknown = post(client, "/notifications/read", {"items": "nope"})
    mixed = post(client, "/notifications/read", {"items": f"{notice.notice_id},x"})
    empty = post(client, "/notifications/read", {"items": ""})

    assert [theirs.status_code, unknown.status_code, mixed.status_code] == [404] * 3
    assert empty.status_code == 404
    assert reads(client) == 0


def test_the_list_reads_in_french_with_sent_by_email(
    client: TestClient, world: World, settings: Settings
) -> None:
    vote_opened(client, world, settings)
    client.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    login(client, world.emails["member"])
    stores = stores_of(client)
    with stores.outbox.engine.begin() as connection:
        NoticeStore(stores.outbox.engine).delivered(
            connection,
            [
                n.notice_id
                for n in NoticeStore(stores.outbox.engine).of_account(
                    account_id(client, world.emails["member"])
                )
            ],
            "email",
            "<x@y>",
        )

    page = client.get("/notifications").text

    assert "Un vote est ouvert sur «\u00a0Budget 2027\u00a0»" in page
    assert "envoyé par courriel" in page
    assert "Tout marquer comme lu" in page
    assert "réalisé" not in page.lower()


def test_an_anonymous_visitor_marks_nothing_read(
    client: TestClient, world: World, settings: Settings
) -> None:
    vote_opened(client, world, settings)
    [notice] = NoticeStore(stores_of(client).outbox.engine).of_account(
        account_id(client, world.emails["member"])
    )

    answers = [
        client.post(url, data={"items": notice.notice_id}, follow_redirects=False)
        for url in ("/notifications/read", "/notifications/read-all")
    ]

    assert all(a.status_code in (303, 403) for a in answers)
    assert reads(client) == 0


def test_an_erased_person_leaves_no_notification_or_read_mark(
    client: TestClient, world: World, settings: Settings
) -> None:
    vote_opened(client, world, settings)
    member = account_id(client, world.emails["member"])
    store = NoticeStore(stores_of(client).outbox.engine)
    [notice] = store.of_account(member)
    store.mark_read(member, [notice.notice_id], datetime.now(UTC))

    assert stores_of(client).usecases.erasure.erase(member)

    assert store.of_account(member) == []
    assert reads(client) == 0


def test_the_page_shows_a_step_at_once_before_the_schedulers_tick(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    coordinator = Actor(account_id(client, world.emails["coordinator"]))
    body = stores.governance.establish_body(
        coordinator,
        world.consortium_id,
        name="COPIL",
        members={world.partner_id: 1},
        rule=VotingRule(),
    )
    motion = Motion(
        "Budget 2028 <script>alert(1)</script>",
        "",
        ("for", "against"),
        "meeting",
        meeting_on=date(2026, 3, 2),
    )
    stores.governance.table_proposal(coordinator, world.consortium_id, body.id, motion)
    login(client, world.emails["member"])

    page = client.get("/notifications").text

    assert (
        "A vote is open on “Budget 2028 &lt;script&gt;alert(1)&lt;/script&gt;”" in page
    )
    assert "<script>alert(1)" not in page
    assert stores.outbox.messages() == []  # nothing is sent from a page
