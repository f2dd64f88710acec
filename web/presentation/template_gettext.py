"""The templates' translation functions: Jinja's "newstyle" ones, for less.

Jinja's i18n extension makes ``_()`` a call through the template context to its
``gettext``, itself a call through the context again to ours, then a ``%`` format
of the translation (a ``Markup`` when autoescaping, so that the values are escaped),
placeholder or not. A page makes a hundred such calls or more (every heading, label
and status), and that machinery was most of their cost.

These give the same answers with one call: the translation, a ``Markup`` when
autoescaping, formatted only when it holds a ``%``. A string without one formats
to itself with any mapping, so skipping the format changes nothing; with one (a
placeholder, or a ``%%`` for a literal sign) it is formatted exactly as Jinja does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup


def _finished(context: Context, text: str, variables: dict[str, Any]) -> str:
    """The translation as Jinja's newstyle functions answer it."""
    if context.eval_ctx.autoescape:
        # Our catalogue's text, trusted as Jinja's own functions trust it.
        text = Markup(text)  # noqa: S704  # nosec B704
    if "%" not in text:
        return text
    return text % variables


def install_translations(
    env: jinja2.Environment,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    pgettext: Callable[[str, str], str],
) -> None:
    """Give ``env``'s templates ``_``, ``gettext``, ``ngettext`` and ``pgettext``
    (the i18n extension must be loaded: its ``trans`` tag reads its settings)."""
    # Loaded for the ``trans`` tag and the extension's settings; ours replace the
    # functions it installs.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext
    )

    @jinja2.pass_context
    def template_gettext(__context: Context, __string: str, **variables: Any) -> str:
        return _finished(__context, gettext(__string), variables)

    @jinja2.pass_context
    def template_ngettext(
        __context: Context,
        __singular: str,
        __plural: str,
        __num: int,
        **variables: Any,
    ) -> str:
        variables.setdefault("num", __num)
        return _finished(__context, ngettext(__singular, __plural, __num), variables)

    @jinja2.pass_context
    def template_pgettext(
        __context: Context, __string_ctx: str, __string: str, **variables: Any
    ) -> str:
        variables.setdefault("context", __string_ctx)
        return _finished(__context, pgettext(__string_ctx, __string), variables)

    env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
    )
