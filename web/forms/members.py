"""The people's forms: an invitation, and the account made by accepting one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from governance.values import MemberRole
from web.forms.fields import Fields
from web.i18n import N_

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class InvitationForm:
    """An invitation, as submitted."""

    email: str
    role: MemberRole
    partner_id: str | None


def parse_invitation(data: Mapping[str, str]) -> InvitationForm:
    """Parse the invite form; raises ``FormErrors``."""
    f = Fields(data)
    email = f.text("email", required=True, max_length=254)
    if email and not EMAIL.match(email):
        f.errors.add("email", N_("Enter a valid e-mail address."))
    role = f.choice("role", MemberRole)
    # Kept whatever the role: the domain says a partner is for members only
    # (membership.partner_only_for_members), next to this input.
    partner_id = f.text("partner_id", max_length=36) or None
    f.errors.raise_if_any()
    assert role is not None  # noqa: S101 - checked just above
    return InvitationForm(email, role, partner_id)


@dataclass(frozen=True)
class AccountForm:
    """A new account's details, as submitted."""

    display_name: str
    password: str


def parse_new_account(
    data: Mapping[str, str], password_problem: str | None
) -> AccountForm:
    """Parse the accept-invitation form for a new account; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("display_name", required=True, max_length=100)
    password = str(data.get("password", ""))
    if password_problem is not None:
        f.errors.add("password", PASSWORD_MESSAGES[password_problem])
    elif password != str(data.get("password_again", "")):
        f.errors.add("password_again", N_("The two passwords differ."))
    f.errors.raise_if_any()
    return AccountForm(name, password)


PASSWORD_MESSAGES = {
    "password.too_short": N_("Use at least 8 characters."),
    "password.too_long": N_("Use at most 128 characters."),
    "password.too_common": N_(
        "This password is among the most common ones: choose another."
    ),
}
