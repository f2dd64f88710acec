"""The French catalogue covers every English message, and the words for the domain.

Messages are extracted at test time with Babel, from ``babel.cfg``'s own mapping, so
a new English string that nobody translated fails here rather than showing up in
English on a French page.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from enum import Enum
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from governance import values
from governance.financing import values as financing_values
from web.i18n import DEFAULT_LANGUAGE, choose_language
from web.presentation.labels import LABELS, RULES

ROOT = Path(__file__).resolve().parents[2]
BABEL_CONFIG = ROOT / "babel.cfg"
FRENCH_CATALOGUE = ROOT / "web" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
GOVERNANCE_SOURCES = ROOT / "governance"

# As in the Makefile: ``pybabel extract -k N_ -k _`` on top of Babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)")
RAISED_RULE = re.compile(r"\bRuleViolated\(\s*[\"']([^\"']+)[\"']")

MessageKey = tuple[str, str | None]


def _walks_into(directory: str) -> bool:
    """Every source directory, ``_partials`` and ``_macros`` included."""
    name = Path(directory).name
    return not name.startswith(".") and name != "__pycache__"


def _extracted_messages() -> dict[MessageKey, list[str]]:
    """Each message id (and context) found in code and templates, with its places."""
    with BABEL_CONFIG.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(BABEL_CONFIG))
    places: dict[MessageKey, list[str]] = defaultdict(list)
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=_walks_into,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            places[(msgid, context)].append(f"{filename}:{lineno}")
    return dict(places)


@pytest.fixture(scope="module")
def extracted() -> dict[MessageKey, list[str]]:
    return _extracted_messages()


@pytest.fixture(scope="module")
def french() -> Catalog:
    with FRENCH_CATALOGUE.open("rb") as po_file:
        return read_po(po_file, locale="fr")


def _translations(message: Message) -> list[str]:
    strings = message.string
    return list(strings) if isinstance(strings, tuple) else [strings]


def _source_placeholders(message: Message) -> set[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    return {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}


def _translated_messages(french: Catalog) -> list[Message]:
    return [message for message in french if message.id and any(message.string)]


def test_extraction_finds_the_messages_of_code_templates_and_partials(
    extracted: dict[MessageKey, list[str]],
) -> None:
    places = {place.split(":")[0] for found in extracted.values() for place in found}

    assert ("My consortia", None) in extracted
    assert ("Setup", None) in extracted
    assert any(place.startswith("web/templates/_partials/") for place in places)


def test_every_extracted_message_has_a_french_translation(
    extracted: dict[MessageKey, list[str]], french: Catalog
) -> None:
    missing: list[str] = []
    for (msgid, context), places in sorted(
        extracted.items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        message = french.get(msgid, context=context)
        if message is None:
            problem = "not in messages.po"
        elif message.fuzzy:
            problem = "fuzzy"
        elif not all(text.strip() for text in _translations(message)):
            problem = "empty"
        else:
            continue
        missing.append(f"{msgid!r} ({problem}; {', '.join(places)})")

    assert not missing, (
        f"{len(missing)} message(s) lack a French translation; run "
        "`make i18n-update` and translate them in "
        "web/translations/fr/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def test_the_french_catalogue_has_no_fuzzy_entry(french: Catalog) -> None:
    fuzzy = [message.id for message in french if message.id and message.fuzzy]

    assert not french.fuzzy
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_the_french_catalogue_uses_the_french_plural_rule(french: Catalog) -> None:
    assert french.plural_forms == "nplurals=2; plural=(n > 1);"


def test_french_punctuation_takes_a_non_breaking_space_where_french_wants_one(
    french: Catalog,
) -> None:
    # french.md: a non-breaking space before : ; ? ! and inside « », so that a line
    # never starts with a colon or leaves a guillemet alone.
    # A plain space, or none at all; a colon alone is left to URLs and times, and
    # the spaces are spelt out because \s would match the non-breaking ones too.
    loose_mark = re.compile(
        r"[ \t\n][:;?!»]|«[ \t\n]|[^ \u00a0\u202f][;?!»]|«[^\u00a0\u202f]"
    )
    loose = [
        f"{message.id!r}: {translation!r}"
        for message in _translated_messages(french)
        for translation in _translations(message)
        if loose_mark.search(translation)
    ]

    assert not loose, "French punctuation without a non-breaking space:\n" + "\n".join(
        loose
    )


def test_every_french_translation_keeps_the_placeholders_of_its_message(
    french: Catalog,
) -> None:
    mismatched: list[str] = []
    for message in _translated_messages(french):
        expected = _source_placeholders(message)
        for translation in _translations(message):
            found = set(PLACEHOLDER.findall(translation))
            if found != expected:
                mismatched.append(
                    f"{message.id!r}: expected {sorted(expected)}, got {sorted(found)}"
                )

    assert not mismatched, "placeholders differ:\n" + "\n".join(mismatched)


def test_every_french_translation_formats_wherever_its_message_formats(
    french: Catalog,
) -> None:
    # Templates use newstyle gettext, which always applies ``%``: a stray "%" breaks.
    broken: list[str] = []
    for message in _translated_messages(french):
        params = dict.fromkeys(_source_placeholders(message), "x")
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        try:
            msgid % params
        except (KeyError, ValueError, TypeError):
            continue
        for translation in _translations(message):
            try:
                translation % params
            except (KeyError, ValueError, TypeError) as error:
                broken.append(f"{message.id!r}: {error!r}")

    assert not broken, "translations that cannot be %-formatted:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("cookie", "accept_language", "expected"),
    [
        pytest.param("fr", None, "fr", id="cookie-alone"),
        pytest.param("en", "fr-FR,fr;q=0.9,en;q=0.8", "en", id="cookie-beats-browser"),
        pytest.param("fr", "en-GB,en;q=0.9", "fr", id="cookie-fr-beats-browser-en"),
        pytest.param(None, "fr-FR,fr;q=0.9,en;q=0.8", "fr", id="browser-french"),
        pytest.param(None, "en-GB,en;q=0.9,fr;q=0.8", "en", id="browser-english"),
        pytest.param(None, "de-DE,de;q=0.9,fr;q=0.5", "fr", id="first-known-language"),
        pytest.param("de", "fr-FR,fr;q=0.9", "fr", id="unknown-cookie-ignored"),
        pytest.param("de", None, "en", id="unknown-cookie-alone"),
        pytest.param(None, "de-DE,es;q=0.8", "en", id="unknown-languages-only"),
        pytest.param(None, "", "en", id="empty-header"),
        pytest.param(None, None, "en", id="nothing"),
    ],
)
def test_choose_language_takes_the_cookie_then_the_browser_then_english(
    cookie: str | None, accept_language: str | None, expected: str
) -> None:
    assert choose_language(cookie, accept_language) == expected


def test_english_is_the_default_language() -> None:
    assert DEFAULT_LANGUAGE == "en"


def _domain_enums() -> list[type[Enum]]:
    return [
        member
        for module in (values, financing_values)
        for _name, member in inspect.getmembers(module, inspect.isclass)
        if issubclass(member, Enum) and member.__module__ == module.__name__
    ]


def test_every_member_of_every_domain_enum_has_a_label() -> None:
    enums = _domain_enums()
    unlabelled = [
        f"{enum.__name__}.{member.name}"
        for enum in enums
        for member in enum
        if not LABELS.get(member)
    ]

    assert enums
    assert not unlabelled, (
        f"members without a label in web.presentation.labels.LABELS: {unlabelled}"
    )


def _raised_rule_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = defaultdict(list)
    for source in sorted(GOVERNANCE_SOURCES.rglob("*.py")):
        for code in RAISED_RULE.findall(source.read_text(encoding="utf-8")):
            codes[code].append(str(source.relative_to(ROOT)))
    return dict(codes)


def test_every_rule_code_raised_in_governance_has_a_message() -> None:
    codes = _raised_rule_codes()
    without_message = {
        code: places for code, places in codes.items() if not RULES.get(code)
    }

    assert "phase.illegal_transition" in codes
    assert not without_message, (
        "rule codes without a message in web.presentation.labels.RULES: "
        f"{without_message}"
    )
