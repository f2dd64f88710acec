"""A reminder's stage in the trail agrees with its number of days, in both languages."""

from __future__ import annotations

import pytest

from web.i18n import current_language
from web.presentation.history import stage_words


@pytest.mark.parametrize(
    ("language", "stage", "words"),
    [
        ("en", -1, "1 day before"),
        ("en", -7, "7 days before"),
        ("en", 0, "on the day"),
        ("en", 1, "1 day late"),
        ("en", 3, "3 days late"),
        ("fr", -1, "1 jour avant"),
        ("fr", -7, "7 jours avant"),
        ("fr", 1, "1 jour de retard"),
        ("fr", 3, "3 jours de retard"),
    ],
)
def test_one_day_is_singular_and_more_are_plural(
    language: str, stage: int, words: str
) -> None:
    token = current_language.set(language)
    try:
        assert stage_words(stage) == words
    finally:
        current_language.reset(token)
