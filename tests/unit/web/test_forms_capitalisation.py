"""The capitalisation register's forms, parsed without HTTP: one entry of each kind
and the reason of a change. Shape only: what an entry must say is the domain's."""

from __future__ import annotations

from datetime import date

import pytest

from governance.errors import RuleViolated
from governance.values import (
    AssetType,
    CapitalisationKind,
    Dissemination,
    Lesson,
    Replication,
    ReusableAsset,
)
from web.forms.capitalisation import parse_capitalisation, parse_reason
from web.forms.fields import FormErrors

TODAY = date(2026, 6, 1)


def errors_of(data: dict[str, str], kind: CapitalisationKind) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        parse_capitalisation(data, kind, today=TODAY)
    return caught.value.errors


def test_a_lesson_is_parsed_with_what_worked_and_for_whom() -> None:
    entry = parse_capitalisation(
        {"title": "Ateliers", "worked": "Le soir", "for_whom": "Tiers-lieux"},
        CapitalisationKind.LESSON,
        today=TODAY,
    )

    assert entry == Lesson("Ateliers", "Le soir", "", "Tiers-lieux")


def test_an_asset_is_parsed_with_its_type_licence_and_address() -> None:
    entry = parse_capitalisation(
        {
            "title": "Kit",
            "asset_type": "guide",
            "licence": "CC BY-SA",
            "url": "https://depot.example/kit",
        },
        CapitalisationKind.ASSET,
        today=TODAY,
    )

    assert isinstance(entry, ReusableAsset)
    assert (entry.asset_type, entry.url) == (
        AssetType.GUIDE,
        "https://depot.example/kit",
    )


def test_an_address_that_is_not_http_is_left_to_the_domain_which_names_it() -> None:
    entry = parse_capitalisation(
        {
            "title": "Kit",
            "asset_type": "guide",
            "licence": "CC BY-SA",
            "url": "javascript:alert(1)",
        },
        CapitalisationKind.ASSET,
        today=TODAY,
    )

    with pytest.raises(RuleViolated) as refusal:
        entry.check()
    assert (refusal.value.code, refusal.value.field) == ("asset.url_invalid", "url")


def test_an_asset_without_its_required_fields_is_refused_field_by_field() -> None:
    errors = errors_of({"title": ""}, CapitalisationKind.ASSET)

    assert set(errors) == {"title", "asset_type", "licence", "url"}


def test_a_replication_without_a_date_happened_today() -> None:
    entry = parse_capitalisation(
        {"title": "Kit", "reused_by": "Coteaux"},
        CapitalisationKind.REPLICATION,
        today=TODAY,
    )

    assert entry == Replication("Kit", "Coteaux", TODAY, "")


def test_a_dissemination_may_have_a_place_or_an_address() -> None:
    entry = parse_capitalisation(
        {"title": "Journée", "on": "2026-05-12", "audience": "Élus", "place": "Lyon"},
        CapitalisationKind.DISSEMINATION,
        today=TODAY,
    )

    assert entry == Dissemination("Journée", date(2026, 5, 12), "Élus", "Lyon", "")


def test_a_title_on_two_lines_is_refused() -> None:
    errors = errors_of(
        {"title": "Kit\nforged", "reused_by": "x"}, CapitalisationKind.REPLICATION
    )

    assert list(errors) == ["title"]


def test_a_change_needs_its_reason() -> None:
    assert parse_reason({"reason": " Corrected "}) == "Corrected"
    with pytest.raises(FormErrors) as caught:
        parse_reason({"reason": ""})
    assert caught.value.errors == {"reason": "This field is required."}
