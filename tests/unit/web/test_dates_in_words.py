"""Dates and moments read the way a French consortium reads them, in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from web.i18n import current_language, format_day, format_moment

MOMENT = datetime(2026, 5, 3, 12, 5, 7, tzinfo=UTC)  # 14:05:07 in Paris


@pytest.fixture
def english() -> Iterator[None]:
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.fixture
def french() -> Iterator[None]:
    token = current_language.set("fr")
    yield
    current_language.reset(token)


@pytest.mark.usefixtures("english")
def test_english_short_dates_put_the_day_before_the_month() -> None:
    assert format_day(date(2026, 5, 3), "short") == "03/05/2026"
    assert format_day(date(2026, 5, 3)) == "3 May 2026"


@pytest.mark.usefixtures("english")
def test_english_moments_are_in_paris_time_to_the_minute() -> None:
    assert format_moment(MOMENT) == "3 May 2026, 14:05"
    assert format_moment(MOMENT, "short") == "03/05/2026, 14:05"


@pytest.mark.usefixtures("french")
def test_french_moments_are_in_paris_time_to_the_minute() -> None:
    assert format_moment(MOMENT) == "3 mai 2026, 14:05"
    assert format_day(date(2026, 5, 3), "short") == "03/05/2026"


@pytest.mark.usefixtures("english")
def test_a_moment_long_style_keeps_its_long_date_without_seconds() -> None:
    text = format_moment(MOMENT, "long")
    assert "3 May 2026" in text
    assert "14:05" in text
    assert ":07" not in text
