"""English and French: catalogues, the request's language, and locale-aware filters.

Catalogues are the ``.po`` files under ``web/translations``, compiled in memory at
start-up (no generated ``.mo`` files to keep in sync). The language comes from the
``lang`` cookie, else the browser's ``Accept-Language``, else English. Dates are shown
in Europe/Paris; data stays in UTC.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_time,
    get_datetime_format,
    get_day_names,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
DISPLAY_ZONE = ZoneInfo("Europe/Paris")
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

current_language: ContextVar[str] = ContextVar(
    "current_language", default=DEFAULT_LANGUAGE
)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later."""
    return message


def load_catalogues() -> dict[str, gettext.NullTranslations]:
    """Every language's translations, compiled from the ``.po`` files."""
    catalogues: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
    for language in LANGUAGES:
        po_path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
        if language == "en" or not po_path.exists():
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogues[language] = gettext.GNUTranslations(buffer)
    return catalogues


_CATALOGUES = load_catalogues()


def catalogues() -> dict[str, gettext.NullTranslations]:
    """Every language's compiled catalogue (shared with the e-mail bodies)."""
    return dict(_CATALOGUES)


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The language for a request: cookie, then browser preference, then English."""
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def gettext_(message: str) -> str:
    """Translate ``message`` into the current request's language."""
    return _CATALOGUES[current_language.get()].gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form into the current request's language."""
    return _CATALOGUES[current_language.get()].ngettext(singular, plural, n)


def pgettext_(context: str, message: str) -> str:
    """Translate with a disambiguating context."""
    return _CATALOGUES[current_language.get()].pgettext(context, message)


def _locale() -> Locale:
    return _locale_of(current_language.get())


@cache
def _locale_of(language: str) -> Locale:
    # One Locale per language: parsing one is costly, and a fresh Locale also reloads
    # its data, which made number and date formatting most of a page's time.
    # English is formatted the British way: day before month ("3 May", "03/05/2026"),
    # which is how a French consortium reads its own dates, never "5/3/26".
    return Locale.parse("en_GB" if language == "en" else language)


FORMATTED = 8192
"""How many formatted values each filter remembers (pages repeat amounts and days)."""


def format_day(value: date | None, style: str = "long") -> str:
    """A date in words ("12 March 2026", "12 mars 2026")."""
    if value is None:
        return ""
    return _day(current_language.get(), value, style)


@lru_cache(maxsize=FORMATTED)
def _day(language: str, value: date, style: str) -> str:
    return format_date(value, format=style, locale=_locale_of(language))


def format_moment(value: datetime | None, style: str = "medium") -> str:
    """A moment in Paris time, to the minute ("3 May 2026, 14:05")."""
    if value is None:
        return ""
    # Shown to the minute: moments of the same minute share one remembered text.
    minute = value.astimezone(DISPLAY_ZONE).replace(second=0, microsecond=0)
    return _moment(current_language.get(), minute, style)


@lru_cache(maxsize=FORMATTED)
def _moment(language: str, moment: datetime, style: str) -> str:
    locale = _locale_of(language)
    # Babel's medium and long times carry seconds, which nobody reads in a trail;
    # the date keeps the chosen style and the time is always the short one.
    pattern = str(get_datetime_format(_style(style), locale=locale))
    return pattern.replace("{0}", format_time(moment, "short", locale=locale)).replace(
        "{1}", format_date(moment, style, locale=locale)
    )


_Style = Literal["full", "long", "medium", "short"]
_STYLES: dict[str, _Style] = {
    "full": "full",
    "long": "long",
    "medium": "medium",
    "short": "short",
}


def _style(style: str) -> _Style:
    return _STYLES.get(style, "short")


def format_money(value: Decimal | None) -> str:
    """An amount in euros ("€1,200.50", "1 200,50 €")."""
    if value is None:
        return ""
    # Keyed by the text, not the Decimal: equal Decimals may differ in exponent.
    return _money(current_language.get(), str(value))


@lru_cache(maxsize=FORMATTED)
def _money(language: str, value: str) -> str:
    return format_currency(Decimal(value), "EUR", locale=_locale_of(language))


def format_quantity(value: Decimal | None) -> str:
    """A quantity with the locale's separators ("12.5", "12,5")."""
    if value is None:
        return ""
    return _quantity(current_language.get(), str(value))


@lru_cache(maxsize=FORMATTED)
def _quantity(language: str, value: str) -> str:
    return format_decimal(Decimal(value), locale=_locale_of(language))


def format_share(value: Decimal | None) -> str:
    """A ratio as a percentage ("85%", "85 %")."""
    if value is None:
        return "—"
    return format_percent(value, locale=_locale())


def format_portion(value: Fraction) -> str:
    """An exact share as it was entered: "50 %", "66,67 %", or "2/3" when no
    percentage is exact (two thirds is not 66.67 %)."""
    if (value * 10000).denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    share = Decimal(value.numerator) / Decimal(value.denominator)
    return format_percent(share, locale=_locale(), decimal_quantization=False)


def format_tenths(value: float) -> str:
    """A duration or measure to one decimal, in the reader's style ("0.4", "0,4")."""
    return format_decimal(value, format="0.0", locale=_locale())


def format_rate(value: Decimal | None) -> str:
    """A rate held as a percent ("70", "58.82") in words ("70 %", "58,82 %")."""
    if value is None:
        return "—"
    return format_percent(value / 100, locale=_locale(), decimal_quantization=False)


def format_month(value: date, capitalise: bool = True) -> str:
    """A month and its year ("November 2026"; "Novembre 2026" as a title,
    "novembre 2026" inside a French sentence)."""
    text = format_date(value, format="LLLL y", locale=_locale())
    return text[:1].upper() + text[1:] if capitalise else text


def weekday_names() -> list[tuple[str, str]]:
    """``(abbreviated, full)`` weekday names, Monday first in every language."""
    locale = _locale()
    short = get_day_names("abbreviated", locale=locale)
    wide = get_day_names("wide", locale=locale)
    # Babel numbers weekdays from Monday (0), as ``date.weekday()`` does.
    return [(short[day], wide[day]) for day in range(7)]
