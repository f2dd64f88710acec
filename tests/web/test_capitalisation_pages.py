"""The capitalisation register through the pages: record, filter, page, amend,
withdraw, export; who may do what; English and French."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, htmx_get, login, post

LESSON = {
    "kind": "lesson",
    "title": "Evening workshops",
    "worked": "Workshops after 6 pm draw working people.",
    "did_not_work": "Saturday morning drop-ins stay empty.",
    "for_whom": "Third places and libraries",
}
ASSET = {
    "kind": "asset",
    "title": "Mediation kit",
    "asset_type": "guide",
    "description": "Workshop sheets.",
    "licence": "CC BY-SA 4.0",
    "url": "https://repo.example/kit",
}
REPLICATION = {
    "kind": "replication",
    "title": "Mediation kit",
    "reused_by": "Coteaux community of communes",
    "on": "2026-05-04",
    "adaptation": "Translated for newcomers.",
}
DISSEMINATION = {
    "kind": "dissemination",
    "title": "Regional digital inclusion day",
    "on": "2026-06-12",
    "audience": "Elected officials and mediators",
    "place": "Regional council",
    "url": "",
}


def register(world: World) -> str:
    return f"/consortia/{world.consortium_id}/capitalisation"


def record(
    client: TestClient, world: World, form: dict[str, str], **kw: bool
) -> object:
    return post(client, register(world), form, **kw)


def entry_ids(client: TestClient, world: World, query: str = "") -> list[str]:
    page = client.get(register(world) + query).text
    return re.findall(r'href="/consortia/[^/]+/capitalisation/([0-9a-f-]{36})"', page)


@pytest.mark.parametrize("role", ["member", "pilot", "coordinator"])
def test_members_the_pilot_team_and_coordinators_record_entries(
    client: TestClient, world: World, role: str
) -> None:
    login(client, world.emails[role])

    responses = [
        record(client, world, form)
        for form in (LESSON, ASSET, REPLICATION, DISSEMINATION)
    ]

    assert [r.status_code for r in responses] == [303] * 4  # type: ignore[attr-defined]
    page = client.get(register(world)).text
    for text in (
        "Evening workshops",
        "Saturday morning drop-ins stay empty.",
        "Licence: CC BY-SA 4.0",
        'href="https://repo.example/kit"',
        "Reused by Coteaux community of communes since 4 May 2026",
        "12 June 2026, for Elected officials and mediators",
        "4 entries",
    ):
        assert text in page


def test_an_empty_register_says_what_to_do(client: TestClient, world: World) -> None:
    login(client, world.emails["financer"])

    page = client.get(register(world))

    assert page.status_code == 200
    assert "Nothing recorded yet." in page.text
    assert "Record a lesson learned" not in page.text


def test_a_bad_entry_comes_back_with_the_message_next_to_the_field(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    before = event_count(client)

    bad_url = record(client, world, {**ASSET, "url": "javascript:alert(1)"})
    no_licence = record(client, world, {**ASSET, "licence": ""}, htmx=True)
    empty_lesson = record(client, world, {**LESSON, "worked": "", "did_not_work": ""})
    bad_kind = record(client, world, {**LESSON, "kind": "poem"})

    assert bad_url.status_code == 422  # type: ignore[attr-defined]
    assert re.search(
        r'id="asset-url-error">Give an address starting with http:// or https://.',
        bad_url.text,  # type: ignore[attr-defined]
    )
    assert no_licence.status_code == 422  # type: ignore[attr-defined]
    assert "<html" not in no_licence.text  # type: ignore[attr-defined]
    assert 'id="record-forms"' in no_licence.text  # type: ignore[attr-defined]
    assert 'id="asset-licence-error">This field is required.' in no_licence.text  # type: ignore[attr-defined]
    assert empty_lesson.status_code == 422  # type: ignore[attr-defined]
    assert (
        'id="lesson-worked-error">Say what worked or what did not.' in empty_lesson.text
    )  # type: ignore[attr-defined]
    assert bad_kind.status_code == 422  # type: ignore[attr-defined]
    assert event_count(client) == before


def test_financers_read_but_cannot_record(client: TestClient, world: World) -> None:
    login(client, world.emails["pilot"])
    record(client, world, LESSON)
    (entry_id,) = entry_ids(client, world)
    login(client, world.emails["financer"])
    before = event_count(client)

    page = client.get(f"{register(world)}/{entry_id}")
    refused = [
        record(client, world, ASSET),
        post(client, f"{register(world)}/{entry_id}/amend", {**LESSON, "reason": "x"}),
        post(client, f"{register(world)}/{entry_id}/withdraw", {"reason": "x"}),
    ]
    withdraw_page = client.get(f"{register(world)}/{entry_id}/withdraw")

    assert page.status_code == 200
    assert "Evening workshops" in page.text
    assert "Amend this entry" not in page.text
    assert [r.status_code for r in refused] == [403, 403, 403]  # type: ignore[attr-defined]
    assert withdraw_page.status_code == 403
    assert event_count(client) == before


def test_people_outside_the_consortium_get_not_found(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    record(client, world, LESSON)
    (entry_id,) = entry_ids(client, world)
    login(client, world.emails["outsider"])

    for url in (
        register(world),
        f"{register(world)}/{entry_id}",
        register(world) + ".csv",
        register(world) + ".json",
    ):
        assert client.get(url).status_code == 404, url
    assert record(client, world, ASSET).status_code == 404  # type: ignore[attr-defined]


def test_an_entry_is_amended_with_a_reason_and_its_history_kept(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    record(client, world, ASSET)
    (entry_id,) = entry_ids(client, world)
    login(client, world.emails["pilot"])
    url = f"{register(world)}/{entry_id}"

    no_reason = post(client, url + "/amend", {**ASSET, "licence": "EUPL-1.2"})
    amended = post(
        client, url + "/amend", {**ASSET, "licence": "EUPL-1.2", "reason": "Harmonised"}
    )

    assert no_reason.status_code == 422
    assert 'id="a-reason-error">This field is required.' in no_reason.text
    assert amended.status_code == 303
    page = client.get(url).text
    assert "Licence: EUPL-1.2" in page
    assert "Member</span>" in page
    assert "recorded it" in page
    assert "Pilot</span>" in page
    assert "amended it: Harmonised" in page


def test_an_entry_is_withdrawn_after_confirmation_and_stays_listed_as_withdrawn(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    record(client, world, REPLICATION)
    (entry_id,) = entry_ids(client, world)
    url = f"{register(world)}/{entry_id}"

    confirm = client.get(url + "/withdraw")
    empty = post(client, url + "/withdraw", {"reason": " "}, htmx=True)
    done = post(client, url + "/withdraw", {"reason": "Duplicate"})
    again = post(client, url + "/withdraw", {"reason": "Again"})

    assert "Confirm the withdrawal" in confirm.text
    assert empty.status_code == 422
    assert 'id="withdraw-form"' in empty.text
    assert "<html" not in empty.text
    assert done.status_code == 303
    assert again.status_code == 422
    assert "This entry was withdrawn; it can no longer change." in again.text
    assert entry_ids(client, world) == []
    assert entry_ids(client, world, "?status=withdrawn") == [entry_id]
    page = client.get(url).text
    assert "withdrew it: Duplicate" in page
    assert "Amend this entry" not in page


def test_the_register_filters_by_kind_and_pages_with_htmx_too(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    for number in range(22):
        record(client, world, {**LESSON, "title": f"Lesson {number:02d}"})
    record(client, world, ASSET)

    lessons = client.get(register(world) + "?kind=lesson").text
    second = client.get(register(world) + "?kind=lesson&page=2").text
    assets = htmx_get(client, register(world) + "?kind=asset", target="register-table")

    assert "22 entries" in lessons
    assert "Page 1 of 2" in lessons
    assert "Lesson 21" in lessons
    assert "Lesson 02" in lessons
    assert "Lesson 01" not in lessons
    assert "Mediation kit" not in lessons
    assert "Lesson 01" in second
    assert "Lesson 00" in second
    assert "<html" not in assets.text
    assert 'id="register-table"' in assets.text
    assert "Mediation kit" in assets.text
    assert "Lesson" not in assets.text
    assert "HX-Request" in assets.headers["vary"]


def test_the_register_speaks_french(client: TestClient, world: World) -> None:
    login(client, world.emails["member"])
    record(client, world, REPLICATION)
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}

    page = client.get(register(world), headers=french).text
    bad = client.post(
        register(world),
        data={
            **ASSET,
            "url": "ftp://x",
            "csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(
                1
            ),
        },  # type: ignore[union-attr]
        headers=french,
    )

    assert "Capitalisation" in page
    assert "Essaimage" in page
    assert "Réutilisé par Coteaux community of communes depuis le 4 mai 2026" in page
    assert "Enregistrer un enseignement" in page
    assert "Indiquez une adresse commençant par http:// ou https://." in bad.text


def test_the_csv_export_is_excel_friendly_and_neutralises_formulas(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    record(client, world, {**LESSON, "title": '=HYPERLINK("http://evil","x")'})
    record(client, world, ASSET)
    login(client, world.emails["financer"])

    response = client.get(register(world) + ".csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in response.content
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Entry ID", "Kind", "Title", "Status"]
    assert [r[2] for r in rows[1:]] == [
        '\'=HYPERLINK("http://evil","x")',
        "Mediation kit",
    ]
    assert rows[2][5:7] == ["CC BY-SA 4.0", "https://repo.example/kit"]


def test_the_open_data_file_follows_its_schema(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    for form in (LESSON, ASSET, REPLICATION, DISSEMINATION):
        record(client, world, form)
    (withdrawn, *_rest) = entry_ids(client, world, "?kind=dissemination")
    post(client, f"{register(world)}/{withdrawn}/withdraw", {"reason": "Cancelled"})

    response = client.get(register(world) + ".json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert document["schema"] == "consortium-ledger/capitalisation"
    assert document["schema_version"] == 1
    assert document["consortium"]["name"] == "Inclusion Numérique"
    assert document["consortium"]["call"]["funder"] == "Banque fictive"
    kinds = [e["kind"] for e in document["entries"]]
    assert kinds == ["lesson", "asset", "replication", "dissemination"]
    lesson, asset, replication, event = document["entries"]
    assert set(lesson) == {
        "id",
        "kind",
        "title",
        "status",
        "licence",
        "url",
        "date",
        "recorded_at",
        "amended_at",
        "withdrawn_at",
        "withdrawal_reason",
        "details",
    }
    assert (asset["licence"], asset["url"]) == (
        "CC BY-SA 4.0",
        "https://repo.example/kit",
    )
    assert asset["details"] == {
        "asset_type": "guide",
        "description": "Workshop sheets.",
    }
    assert replication["date"] == "2026-05-04"
    assert lesson["details"]["for_whom"] == "Third places and libraries"
    assert (event["status"], event["withdrawal_reason"]) == ("withdrawn", "Cancelled")
    assert event["withdrawn_at"].endswith("Z")
    assert lesson["licence"] is None
    assert lesson["date"] is None


def test_the_consortium_history_tells_the_register_in_words(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    record(client, world, ASSET)
    (entry_id,) = entry_ids(client, world)
    url = f"{register(world)}/{entry_id}"
    post(
        client,
        url + "/amend",
        {**ASSET, "title": "Mediation kit v2", "reason": "New version"},
    )
    post(client, url + "/withdraw", {"reason": "Superseded"})

    english = client.get(f"/consortia/{world.consortium_id}/history").text
    french = client.get(
        f"/consortia/{world.consortium_id}/history", headers={"Accept-Language": "fr"}
    ).text

    assert (
        "recorded in the capitalisation register: reusable asset “Mediation kit”"
        in english
    )
    assert "amended the capitalisation entry “Mediation kit v2”: New version" in english
    assert "withdrew the capitalisation entry “Mediation kit v2”: Superseded" in english
    assert (
        "a enregistré dans le registre de capitalisation\u00a0: "
        "ressource réutilisable «\u00a0Mediation kit\u00a0»" in french
    )
