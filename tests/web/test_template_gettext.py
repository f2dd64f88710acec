"""The templates' translation functions answer exactly as Jinja's own would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2
import pytest

from web.i18n import (
    LANGUAGES,
    catalogues,
    current_language,
    gettext_,
    ngettext_,
    pgettext_,
)
from web.presentation.template_gettext import install_translations


def jinja_own(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])  # noqa: S701  # both modes compared, nothing served
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext_, ngettext_, newstyle=True, pgettext=pgettext_
    )
    return env


def ours(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])  # noqa: S701  # both modes compared, nothing served
    install_translations(env, gettext_, ngettext_, pgettext_)
    return env


def outcome(env: jinja2.Environment, source: str, **values: Any) -> str:
    """The rendered text, or the error's type (a placeholder left without value)."""
    try:
        return env.from_string(source).render(**values)
    except (KeyError, TypeError, ValueError) as error:
        return f"raised {type(error).__name__}"


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    token = current_language.set(request.param)
    yield request.param
    current_language.reset(token)


def catalogue_ids(language: str) -> list[Any]:
    return sorted(catalogues()[language]._catalog, key=repr)  # type: ignore[attr-defined]


@pytest.mark.parametrize("autoescape", [True, False])
def test_every_catalogue_message_alone_as_jinja_gives_it(
    language: str, autoescape: bool
) -> None:
    checked = 0
    for key in catalogue_ids("fr"):
        if not isinstance(key, str) or not key:
            continue  # plural forms are checked below; "" is the header
        if "\x04" in key:
            context, message = key.split("\x04", 1)
            source = "{{ pgettext(context, message) }}"
            values = {"context": context, "message": message}
        else:
            source, values = "{{ _(message) }}", {"message": key}
        assert outcome(ours(autoescape), source, **values) == outcome(
            jinja_own(autoescape), source, **values
        ), key
        checked += 1
    assert checked > 500


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize(
    "source",
    [
        '{{ _("Withdrawn on %(date)s", date=value) }}',
        '{{ gettext("Withdrawn on %(date)s", date=value) }}',
        '{{ _("Page %(page)s of %(pages)s", page=value, pages=2) }}',
        '{{ ngettext("%(num)d commitment", "%(num)d commitments", 1) }}',
        '{{ ngettext("%(num)d commitment", "%(num)d commitments", 3) }}',
        '{{ ngettext("%(num)d entry", "%(num)d entries", count, extra=value) }}',
        '{{ pgettext("commitment", "Active") }}',
        '{{ _("%(value)s and 100 %%", value=value) }}',
        '{{ _("100 %%") }}',
        '{{ _("no placeholder") }}',
        '{{ _("Unknown %(x)s") }}',
        "{% trans %}Pledged{% endtrans %}",
        "{% trans n=count %}{{ n }} entry{% pluralize %}{{ n }} entries{% endtrans %}",
        '{{ _("Partner") ~ value }}',
    ],
)
def test_placeholders_values_and_signs_as_jinja(
    language: str, autoescape: bool, source: str
) -> None:
    values = {"value": "<b>R&D</b> 'x' \"y\"", "count": 2}
    assert outcome(ours(autoescape), source, **values) == outcome(
        jinja_own(autoescape), source, **values
    )


def test_a_value_is_escaped_and_the_translation_is_not() -> None:
    token = current_language.set("fr")
    try:
        text = (
            ours(True)
            .from_string('{{ _("Withdrawn on %(date)s", date=value) }}')
            .render(value="<i>3 mai</i>")
        )
    finally:
        current_language.reset(token)
    assert "&lt;i&gt;3 mai&lt;/i&gt;" in text
    assert text != "Withdrawn on &lt;i&gt;3 mai&lt;/i&gt;"  # translated into French
