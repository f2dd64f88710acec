"""Counts in the trail agree with their nouns (days, files), in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from projections.history import HistoryEntry
from web.i18n import current_language
from web.presentation.history import describe, stage_words


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


@pytest.mark.parametrize(
    ("language", "files", "words"),
    [
        ("en", 1, "(1 attached file)"),
        ("en", 2, "(2 attached files)"),
        ("fr", 1, "(1 fichier joint)"),
        ("fr", 2, "(2 fichiers joints)"),
    ],
)
def test_a_draft_counts_its_files_in_words_that_agree(
    language: str, files: int, words: str
) -> None:
    entry = HistoryEntry(
        position=1,
        consortium_id="c-1",
        recorded_at=datetime(2026, 3, 1, tzinfo=UTC),
        actor_id="acc-1",
        kind="report_drafted",
        subject_id=None,
        params={"title": "Bilan", "files": files},
    )
    token = current_language.set(language)
    try:
        assert describe(entry, {}).endswith(words)
    finally:
        current_language.reset(token)
