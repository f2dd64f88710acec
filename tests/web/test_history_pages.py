"""The history panel: events in words, newest first, paged."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.web.conftest import World, htmx_get, login, post


def test_the_history_tells_what_happened_and_who_did_it(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])

    response = client.get(f"/consortia/{world.consortium_id}/history")

    text = response.text
    assert "founded the consortium “Inclusion Numérique”" in text
    assert "admitted Lead Corp as Lead partner" in text
    assert "joined the consortium as Financer" in text
    partner_link = (
        f'<a href="/consortia/{world.consortium_id}/partners/{world.lead_id}">'
    )
    assert f"Coordinator</span> {partner_link}admitted Lead Corp" in text
    assert text.index("joined the consortium as Financer") < text.index("founded")


def test_the_history_is_paged_by_position(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    for n in range(55):
        post(
            client,
            f"/consortia/{world.consortium_id}/partners/{world.partner_id}/axis",
            {"axis": f"Axis {n}"},
        )

    first = client.get(f"/consortia/{world.consortium_id}/history").text
    older = first.split("older_than=")[1].split('"')[0]
    second = htmx_get(
        client, f"/consortia/{world.consortium_id}/history?older_than={older}"
    ).text

    assert "Axis 54" in first
    assert "founded" not in first
    assert "founded" in second
    assert "<html" not in second


def test_a_silly_page_key_shows_the_newest_page(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    response = client.get(
        f"/consortia/{world.consortium_id}/history"
        "?older_than=99999999999999999999999999"
    )

    assert response.status_code == 200
    assert "founded" in response.text
