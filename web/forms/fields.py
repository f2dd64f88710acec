"""The shared parts of form parsing: ``Fields`` reads a submitted form field by field
and collects ``FormErrors``; numbers, days and one-line texts are parsed here.

Pure functions, no Starlette types: each parser takes the submitted fields as a mapping
and returns either the parsed values or a ``FormErrors`` naming the fields at fault
(with message ids translated when shown). Domain rules stay in the domain; this only
checks shape (required, length, format, known choices).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, TypeVar

from governance.errors import RuleViolated
from web.i18n import N_

E = TypeVar("E", bound=Enum)

SHORT = 200
LONG = 4000
# Every character ``str.splitlines`` breaks on: CR and LF, and the vertical tab, form
# feed, file/group/record separators, NEL and the Unicode line/paragraph separators.
LINE_BREAK = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass
class FormErrors(Exception):
    """Field name → message id; ``""`` holds errors about the whole form.

    ``params`` holds, by field name, the values a message needs (a domain rule's
    ``params``, such as the date a delivery may not precede).
    """

    errors: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(
        self, name: str, message: str, params: dict[str, Any] | None = None
    ) -> None:
        if name not in self.errors:
            self.errors[name] = message
            if params:
                self.params[name] = params

    def raise_if_any(self) -> None:
        if self.errors:
            raise self


def rule_errors(
    error: RuleViolated, inputs: Collection[str], slot: str = "", *, prefix: str = ""
) -> FormErrors:
    """A domain refusal as form errors: the one mapping from rules to fields.

    The refusal goes next to the input the rule names (``error.field``, written
    ``prefix + field`` in this form) when the form has that input among ``inputs``
    (the names it submitted); otherwise in ``slot``, the place this form keeps for
    refusals (``""``: above the form).
    """
    name = slot
    if error.field is not None and prefix + error.field in inputs:
        name = prefix + error.field
    errors = FormErrors()
    errors.add(name, error.code, error.params)
    return errors


class Fields:
    """Reads a submitted form field by field, collecting errors as it goes."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self.data = data
        self.errors = FormErrors()

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int = SHORT,
        multiline: bool = False,
    ) -> str:
        """A text field; one line unless ``multiline`` (a textarea).

        Names and titles end up in headings, lists, exports and e-mail subjects,
        where a line break would split or forge a line: they are refused.
        """
        value = str(self.data.get(name, "")).strip()
        if "\x00" in value:
            self.errors.add(
                name, N_("This text contains characters that are not allowed.")
            )
            return ""
        if not multiline and LINE_BREAK.search(value):
            self.errors.add(
                name, N_("Write this on one line: line breaks are not allowed here.")
            )
            return ""
        if required and not value:
            self.errors.add(name, N_("This field is required."))
        elif len(value) > max_length:
            self.errors.add(name, N_("This text is too long."))
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = str(self.data.get(name, "")).strip()
        if not value:
            if required:
                self.errors.add(name, N_("This field is required."))
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.errors.add(name, N_("Enter a date as YYYY-MM-DD."))
        return parsed

    def choice(
        self, name: str, enum_type: type[E], *, required: bool = True
    ) -> E | None:
        value = str(self.data.get(name, "")).strip()
        if not value:
            if required:
                self.errors.add(name, N_("Choose one of the options."))
            return None
        try:
            return enum_type(value)
        except ValueError:
            self.errors.add(name, N_("Choose one of the options."))
            return None

    def amount(self, name: str, *, required: bool = True) -> Decimal | None:
        value = str(self.data.get(name, "")).strip()
        if not value:
            if required:
                self.errors.add(name, N_("This field is required."))
            return None
        parsed = parse_amount(value)
        if parsed is None:
            self.errors.add(name, N_("Enter a number, like 1200 or 1 200,50."))
        return parsed

    def portion(self, name: str) -> Fraction | None:
        """A required share: a percentage ("50", "66,67") or a fraction ("2/3")."""
        value = str(self.data.get(name, "")).strip()
        if not value:
            self.errors.add(name, N_("This field is required."))
            return None
        parsed = parse_portion(value)
        if parsed is None:
            self.errors.add(
                name, N_("Enter a percentage like 50 or 66,67, or a fraction like 2/3.")
            )
        return parsed

    def rule(self, error: RuleViolated, *, prefix: str = "") -> None:
        """Attach a domain refusal found while parsing (a value the form builds,
        such as a call for projects) to the input it names (see ``rule_errors``)."""
        refused = rule_errors(error, self.data, prefix=prefix)
        for name, message in refused.errors.items():
            self.errors.add(name, message, refused.params.get(name))


def parse_amount(value: str) -> Decimal | None:
    """A plain decimal number, English or French style ("1,200.50", "1 200,50").

    No exponents, no NaN or infinity: only digits with one decimal separator.
    """
    text = re.sub(r"[\s\u00a0\u202f']", "", value)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d{1,15}(\.\d{1,6})?", text):
        return None
    return Decimal(text)


def parse_portion(value: str) -> Fraction | None:
    """A share as an exact fraction: "2/3" (whole numbers of up to three digits) or a
    percentage with at most two decimals ("50", "66.67", "66,67 %").

    A fraction is how exact shares such as two thirds are entered: no percentage is
    two thirds. Bounds (0 to 1) are the domain's rule.
    """
    text = re.sub(r"[\s\u00a0\u202f]", "", value).removesuffix("%")
    fraction = re.fullmatch(r"(\d{1,3})/(\d{1,3})", text)
    if fraction:
        denominator = int(fraction.group(2))
        if denominator == 0:
            return None
        return Fraction(int(fraction.group(1)), denominator)
    if not re.fullmatch(r"\d{1,3}([.,]\d{1,2})?", text):
        return None
    return Fraction(Decimal(text.replace(",", "."))) / 100


def portion_text(value: Fraction) -> str:
    """A share as ``parse_portion`` reads it back: "50", "66.67" or "2/3"."""
    percent = value * 100
    if (percent * 100).denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(percent.numerator) / Decimal(percent.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def is_whole_number(text: str) -> bool:
    """ASCII digits only: ``"²".isdigit()`` is true, yet ``int("²")`` fails."""
    return text.isascii() and text.isdigit()


def parse_day(value: str) -> date | None:
    """A ``YYYY-MM-DD`` date, or None if the text is not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
