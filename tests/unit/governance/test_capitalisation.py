"""The capitalisation register's entries: recorded by kind, amended, withdrawn."""

from __future__ import annotations

from datetime import date

import pytest

from governance.capitalisation import CapitalisationRecord
from governance.errors import RuleViolated
from governance.values import CapitalisationKind, is_web_address
from tests.support.builders import a_dissemination, a_lesson, a_replication, an_asset


@pytest.mark.usefixtures("acting")
@pytest.mark.parametrize(
    ("entry", "event", "kind"),
    [
        (a_lesson(), CapitalisationRecord.LessonRecorded, CapitalisationKind.LESSON),
        (an_asset(), CapitalisationRecord.AssetPublished, CapitalisationKind.ASSET),
        (
            a_replication(),
            CapitalisationRecord.ReplicationRecorded,
            CapitalisationKind.REPLICATION,
        ),
        (
            a_dissemination(),
            CapitalisationRecord.DisseminationRecorded,
            CapitalisationKind.DISSEMINATION,
        ),
    ],
    ids=["lesson", "asset", "replication", "dissemination"],
)
def test_each_kind_of_entry_is_recorded_by_its_own_event(
    entry: object, event: type, kind: CapitalisationKind
) -> None:
    record = CapitalisationRecord.record("c-1", entry)  # type: ignore[arg-type]

    (recorded,) = record.collect_events()

    assert type(recorded) is event
    assert recorded.entry == entry  # type: ignore[attr-defined]
    assert (record.kind, record.consortium_id, record.withdrawn) == (
        kind,
        "c-1",
        False,
    )


@pytest.mark.usefixtures("acting")
def test_texts_are_stripped_when_recorded() -> None:
    record = CapitalisationRecord.record("c-1", a_lesson(title="  Ateliers  "))

    assert record.entry.title == "Ateliers"


@pytest.mark.usefixtures("acting")
@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (a_lesson(title=" "), "capitalisation.title_required"),
        (a_lesson(worked="", did_not_work=" "), "lesson.content_required"),
        (a_lesson(for_whom=""), "lesson.for_whom_required"),
        (an_asset(licence=""), "asset.licence_required"),
        (an_asset(url=""), "asset.url_required"),
        (an_asset(url="javascript:alert(1)"), "asset.url_invalid"),
        (an_asset(url="ftp://depot.example/kit"), "asset.url_invalid"),
        (an_asset(url="https://"), "asset.url_invalid"),
        (a_replication(reused_by=""), "replication.reused_by_required"),
        (a_dissemination(audience=""), "dissemination.audience_required"),
        (a_dissemination(place="", url=""), "dissemination.place_required"),
        (a_dissemination(url="www.example.org"), "dissemination.url_invalid"),
    ],
)
def test_an_incomplete_entry_is_refused_with_its_reason(
    entry: object, code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        CapitalisationRecord.record("c-1", entry)  # type: ignore[arg-type]

    assert refused.value.code == code


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://depot.example/kit", True),
        ("HTTP://depot.example", True),
        ("http://depot.example/a b", False),
        ("mailto:someone@example.org", False),
        ("//depot.example", False),
    ],
)
def test_only_http_and_https_addresses_are_web_addresses(url: str, valid: bool) -> None:
    assert is_web_address(url) is valid


@pytest.mark.usefixtures("acting")
def test_an_amendment_keeps_the_kind_and_needs_a_reason() -> None:
    record = CapitalisationRecord.record("c-1", an_asset())
    record.collect_events()

    record.amend(an_asset(licence="EUPL-1.2"), "Licence harmonisée")

    (amended,) = record.collect_events()
    assert isinstance(amended, CapitalisationRecord.Amended)
    assert (amended.entry.licence, amended.reason) == ("EUPL-1.2", "Licence harmonisée")  # type: ignore[union-attr]
    assert record.entry == an_asset(licence="EUPL-1.2")


@pytest.mark.usefixtures("acting")
@pytest.mark.parametrize(
    ("change", "reason", "code"),
    [
        (a_lesson(), "Erreur", "capitalisation.kind_unchangeable"),
        (an_asset(licence="EUPL-1.2"), " ", "capitalisation.reason_required"),
        (an_asset(), "Rien", "capitalisation.unchanged"),
        (an_asset(url="file:///etc/passwd"), "Miroir", "asset.url_invalid"),
    ],
)
def test_a_wrong_amendment_records_nothing(
    change: object, reason: str, code: str
) -> None:
    record = CapitalisationRecord.record("c-1", an_asset())
    record.collect_events()

    with pytest.raises(RuleViolated) as refused:
        record.amend(change, reason)  # type: ignore[arg-type]

    assert refused.value.code == code
    assert record.collect_events() == []


@pytest.mark.usefixtures("acting")
def test_a_withdrawn_entry_is_kept_and_can_no_longer_change() -> None:
    record = CapitalisationRecord.record("c-1", a_replication())
    record.withdraw("Doublon de l'entrée de mai")
    record.collect_events()

    with pytest.raises(RuleViolated) as amend:
        record.amend(a_replication(on=date(2026, 5, 5)), "Date")
    with pytest.raises(RuleViolated) as again:
        record.withdraw("Encore")

    assert record.withdrawn
    assert record.entry == a_replication()
    assert amend.value.code == again.value.code == "capitalisation.withdrawn"


@pytest.mark.usefixtures("acting")
def test_a_withdrawal_needs_a_reason() -> None:
    record = CapitalisationRecord.record("c-1", a_dissemination())

    with pytest.raises(RuleViolated) as refused:
        record.withdraw("")

    assert refused.value.code == "capitalisation.reason_required"
    assert not record.withdrawn
