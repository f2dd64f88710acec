"""Value types: SIRET and RNA checks, and what makes a call for projects valid."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from governance.errors import RuleViolated
from governance.values import CallForProjects, is_valid_rna, is_valid_siret
from tests.support.builders import SIRET_A, SIRET_B, SIRET_C, a_call


@pytest.mark.parametrize("siret", [SIRET_A, SIRET_B, SIRET_C])
def test_a_siret_passing_the_luhn_check_is_valid(siret: str) -> None:
    assert is_valid_siret(siret)


@pytest.mark.parametrize(
    "siret",
    [
        pytest.param("12345678200011", id="luhn-fails"),
        pytest.param("1234567820001", id="13-digits"),
        pytest.param("123456782000100", id="15-digits"),
        pytest.param("1234567820001A", id="letter"),
        pytest.param("123 456 782 00010", id="spaces"),
        pytest.param("", id="empty"),
    ],
)
def test_a_malformed_or_miskeyed_siret_is_invalid(siret: str) -> None:
    assert not is_valid_siret(siret)


@pytest.mark.parametrize("siret", ["35600000000001", "35600000000015"])
def test_a_la_poste_establishment_is_valid_when_its_digits_sum_to_a_multiple_of_five(
    siret: str,
) -> None:
    # These fail the Luhn check: La Poste's sites follow their own rule.
    assert sum(int(d) for d in siret) % 5 == 0

    assert is_valid_siret(siret)


def test_a_la_poste_establishment_whose_digits_do_not_sum_to_five_is_invalid() -> None:
    # Passes the Luhn check, which does not count for La Poste's sites.
    assert not is_valid_siret("35600000000014")


def test_la_postes_head_office_keeps_the_luhn_key() -> None:
    # 35600000000048: Luhn-valid, digit sum 26; the registry's best-known SIRET.
    assert is_valid_siret("35600000000048")


@pytest.mark.parametrize("rna", ["W751234567", "W000000000"])
def test_an_rna_number_is_w_and_nine_digits(rna: str) -> None:
    assert is_valid_rna(rna)


@pytest.mark.parametrize(
    "rna",
    ["W75123456", "W7512345678", "w751234567", "X751234567", "W75123456A", ""],
)
def test_anything_else_is_not_an_rna_number(rna: str) -> None:
    assert not is_valid_rna(rna)


def test_a_call_needs_only_a_name_and_a_funder() -> None:
    call = CallForProjects(name="Appel", funder="Région fictive")

    assert (call.opens_on, call.closing_dates, call.url) == (None, (), "")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"name": "  "}, "call.name_required", id="blank-name"),
        pytest.param({"funder": ""}, "call.funder_required", id="no-funder"),
        pytest.param({"url": "appels.example/tid"}, "call.url_invalid", id="no-scheme"),
        pytest.param({"url": "ftp://appels.example"}, "call.url_invalid", id="ftp"),
        pytest.param({"url": "https:// x"}, "call.url_invalid", id="no-host"),
        pytest.param(
            {"closing_dates": (date(2026, 10, 31), date(2026, 4, 30))},
            "call.closing_dates_unordered",
            id="unordered",
        ),
        pytest.param(
            {"closing_dates": (date(2026, 4, 30), date(2026, 4, 30))},
            "call.closing_dates_unordered",
            id="repeated",
        ),
        pytest.param(
            {"opens_on": date(2026, 5, 1)},
            "call.closes_before_opening",
            id="closes-before-opening",
        ),
    ],
)
def test_an_invalid_call_is_refused(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        a_call(**overrides)

    assert refused.value.code == code


@pytest.mark.parametrize("url", ["http://appels.example", "HTTPS://Appels.example/x"])
def test_a_call_url_may_be_http_or_https(url: str) -> None:
    assert a_call(url=url).url == url


def test_a_call_may_close_on_the_day_it_opens() -> None:
    call = a_call(opens_on=date(2026, 4, 30), closing_dates=(date(2026, 4, 30),))

    assert call.closing_dates == (date(2026, 4, 30),)
