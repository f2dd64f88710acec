"""Bodies, proposals, votes and the decision log, through the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import MemberRole
from tests.support.fakes import FixedClock
from tests.web.conftest import (
    PASSWORD,
    World,
    csrf,
    event_count,
    login,
    post,
    stores_of,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def other_rep(client: TestClient, world: World) -> str:
    """A second member, representing Other Co; returns their e-mail."""
    stores = stores_of(client)
    account = stores.accounts.create_account(
        "other@test.example", "Other Rep", PASSWORD, now=datetime.now(UTC)
    )
    coordinator = stores.accounts.by_email(world.emails["coordinator"])
    assert coordinator is not None
    invitation = stores.governance.issue_invitation(
        Actor(coordinator.account_id),
        world.consortium_id,
        MemberRole.MEMBER,
        world.other_partner_id,
        datetime.now(UTC) + timedelta(days=1),
    )
    position = stores.governance.accept_invitation(
        Actor(account.account_id), world.consortium_id, invitation.id
    )
    stores.read_side.wait_for(position)
    return "other@test.example"


def body_form(world: World, **overrides: str) -> dict[str, str]:
    form = {
        "name": "COPIL",
        "quorum": "50",
        "majority": "simple",
        "veto_days": "3",
        f"member-{world.lead_id}": "on",
        f"weight-{world.lead_id}": "1",
        f"member-{world.partner_id}": "on",
        f"weight-{world.partner_id}": "1",
        f"member-{world.other_partner_id}": "on",
        f"weight-{world.other_partner_id}": "1",
    }
    return {**form, **overrides}


def established(client: TestClient, world: World, **overrides: str) -> str:
    login(client, world.emails["coordinator"])
    response = post(
        client,
        f"/consortia/{world.consortium_id}/bodies",
        body_form(world, **overrides),
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/consortia/{world.consortium_id}/bodies").text
    match = re.search(r"/bodies/([0-9a-f-]{36})", page)
    assert match is not None
    return match.group(1)


def tabled(client: TestClient, world: World, body_id: str, **overrides: str) -> str:
    form = {
        "body_id": body_id,
        "title": "Adopt the budget",
        "text": "As annexed.",
        "mode": "meeting",
        "meeting_on": "2026-03-01",
        "options": "",
    }
    response = client.post(
        f"/consortia/{world.consortium_id}/proposals",
        data={**form, **overrides, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_coordinator_establishes_a_body_with_its_rule(
    client: TestClient, world: World
) -> None:
    established(client, world)

    page = client.get(f"/consortia/{world.consortium_id}/bodies").text

    assert "COPIL" in page
    assert "quorum 50% of members, simple majority of votes cast" in page
    assert "veto window of 3 days" in page


def test_a_quorum_of_two_thirds_is_entered_shown_and_edited_as_a_fraction(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world, quorum="2/3")

    listed = client.get(f"/consortia/{world.consortium_id}/bodies").text
    edit = client.get(f"/consortia/{world.consortium_id}/bodies/{body_id}").text

    assert "quorum 2/3 of members" in listed
    assert 'value="2/3"' in edit


def test_a_body_without_members_or_with_bad_numbers_comes_back(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)
    url = f"/consortia/{world.consortium_id}/bodies"

    empty = post(
        client, url, {"name": "X", "quorum": "50", "majority": "simple"}, htmx=True
    )
    numbers = post(client, url, body_form(world, quorum="150", veto_days="400"))
    fraction = post(client, url, body_form(world, quorum="2/0"), htmx=True)

    assert empty.status_code == numbers.status_code == fraction.status_code == 422
    assert "Choose at least one member partner." in empty.text
    assert "The quorum goes from 0 to 100 %." in numbers.text
    assert "or a fraction like 2/3." in fraction.text
    assert event_count(client) == before


def test_members_vote_the_tally_shows_and_the_coordinator_closes(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world)
    url = tabled(client, world, body_id)
    other = other_rep(client, world)

    login(client, world.emails["member"])
    first = post(
        client,
        url + "/vote",
        {"partner_id": world.partner_id, "option": "for"},
        htmx=True,
    )
    login(client, other)
    post(
        client,
        url + "/vote",
        {
            "partner_id": world.other_partner_id,
            "option": "against",
            "reason": "Too costly",
        },
    )
    tally = client.get(url, headers={"HX-Request": "true", "HX-Target": "tally-panel"})
    login(client, world.emails["coordinator"])
    closed = post(client, url + "/close", {"confirm_close": "yes"})

    assert first.status_code == 200
    assert 'id="vote-panel"' in first.text
    assert "So far: 2 of 3 partners voted" in tally.text
    assert "<html" not in tally.text
    assert closed.status_code == 303
    page = client.get(url).text
    assert "Rejected: 2 of 3 partners voted (quorum 50%), 1 for, 1 against" in page
    assert "Too costly" in page
    log = client.get(f"/consortia/{world.consortium_id}/decisions").text
    assert "Adopt the budget" in log


def test_a_vote_sent_after_the_vote_closed_says_why_it_was_refused(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world)
    url = tabled(client, world, body_id)
    login(client, world.emails["coordinator"])
    assert post(client, url + "/close", {"confirm_close": "yes"}).status_code == 303
    before = event_count(client)

    login(client, world.emails["member"])
    late = {"partner_id": world.partner_id, "option": "for"}
    in_place = post(client, url + "/vote", late, htmx=True)
    without_js = post(client, url + "/vote", late)

    assert in_place.status_code == without_js.status_code == 422
    assert "The vote is closed." in in_place.text
    assert "The vote is closed." in without_js.text
    assert event_count(client) == before


def test_only_representatives_vote_and_only_for_their_partner(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world)
    url = tabled(client, world, body_id)
    before = event_count(client)

    coordinator = post(
        client, url + "/vote", {"partner_id": world.lead_id, "option": "for"}
    )
    login(client, world.emails["financer"])
    financer = post(
        client, url + "/vote", {"partner_id": world.lead_id, "option": "for"}
    )
    login(client, world.emails["member"])
    other_partner = post(
        client, url + "/vote", {"partner_id": world.lead_id, "option": "for"}
    )

    assert coordinator.status_code == financer.status_code == 403
    assert other_partner.status_code == 403
    assert event_count(client) == before


def test_a_changed_vote_keeps_its_history(client: TestClient, world: World) -> None:
    body_id = established(client, world)
    url = tabled(client, world, body_id)
    login(client, world.emails["member"])

    post(client, url + "/vote", {"partner_id": world.partner_id, "option": "for"})
    post(
        client,
        url + "/vote",
        {
            "partner_id": world.partner_id,
            "option": "against",
            "reason": "Second thoughts",
        },
    )
    same = post(
        client,
        url + "/vote",
        {
            "partner_id": world.partner_id,
            "option": "against",
            "reason": "Second thoughts",
        },
    )

    page = client.get(url).text
    assert "changed 1 time" in page
    assert "changed the vote of Partner Co to Against" in page
    assert same.status_code == 422


def test_a_proxy_lets_a_representative_vote_for_another_partner(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world)
    url = tabled(client, world, body_id)
    other = other_rep(client, world)
    login(client, other)
    today = datetime.now(UTC).date()
    post(
        client,
        f"/consortia/{world.consortium_id}/proxies",
        {
            "from_partner": world.other_partner_id,
            "to_partner": world.partner_id,
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
        },
    )
    login(client, world.emails["member"])

    response = post(
        client, url + "/vote", {"partner_id": world.other_partner_id, "option": "for"}
    )

    assert response.status_code == 303
    assert "voted For for Other Co" in client.get(url).text


def test_a_written_vote_closes_by_itself_through_the_scheduler_job(
    client: TestClient, world: World
) -> None:
    from notifications.jobs import close_due_proposals

    body_id = established(client, world)
    url = tabled(
        client,
        world,
        body_id,
        mode="written",
        closes_at=(datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    )
    stores = stores_of(client)
    early_close = post(client, url + "/close", {"confirm_close": "yes"})
    not_yet = close_due_proposals(
        stores.governance, stores.read_side, datetime.now(UTC)
    )

    # The job decides from the stored deadline, the service from its own clock:
    # once the deadline has passed for the service too, the job closes the vote.
    stores.governance.clock = FixedClock(datetime.now(UTC) + timedelta(hours=6))
    closed = close_due_proposals(
        stores.governance, stores.read_side, datetime.now(UTC) + timedelta(hours=6)
    )

    assert early_close.status_code == 422
    assert "closes by itself at its deadline" in early_close.text
    assert not_yet == 0
    assert closed == 1
    page = client.get(url).text
    assert "No quorum" in page
    assert re.search(r"The scheduler</span>\s+closed the vote: No quorum", page)


def test_a_meeting_decision_is_recorded_with_its_minutes(
    client: TestClient, world: World
) -> None:
    body_id = established(client, world)
    data = {
        "body_id": body_id,
        "title": "Approve the interim report",
        "text": "Unanimous.",
        "outcome": "adopted",
        "decided_on": "2026-04-01",
        f"present-{world.lead_id}": "on",
        f"present-{world.partner_id}": "on",
        "csrf_token": csrf(client),
    }

    response = client.post(
        f"/consortia/{world.consortium_id}/decisions",
        data=data,
        files={"minutes": ("minutes.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Recorded from a meeting on 1 April 2026" in page
    assert "Lead Corp, Partner Co" in page
    link = re.search(r'href="(/consortia/[^"]+/evidence/[0-9a-f]{64})"', page)
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200, download.text[-500:]
    assert download.content == PDF


def test_the_decision_log_filters_and_exports(client: TestClient, world: World) -> None:
    body_id = established(client, world)
    for title, outcome in (("Budget", "adopted"), ("Party", "rejected")):
        post(
            client,
            f"/consortia/{world.consortium_id}/decisions",
            {
                "body_id": body_id,
                "title": title,
                "outcome": outcome,
                "decided_on": "2026-04-01",
                f"present-{world.lead_id}": "on",
            },
        )
    base = f"/consortia/{world.consortium_id}/decisions"

    rejected = client.get(
        base + "?outcome=rejected",
        headers={"HX-Request": "true", "HX-Target": "log-table"},
    )
    searched = client.get(base + "?q=budg").text
    as_csv = client.get(base + ".csv")
    as_pdf = client.get(base + ".pdf")

    assert "Party" in rejected.text
    assert "Budget" not in rejected.text
    assert "<html" not in rejected.text
    assert "Budget" in searched
    assert "Party" not in searched
    assert as_csv.status_code == as_pdf.status_code == 200
    assert "Budget" in as_csv.content.decode("utf-8-sig")
    assert as_pdf.content.startswith(b"%PDF-")
    assert as_pdf.headers["content-disposition"].startswith("attachment;")
