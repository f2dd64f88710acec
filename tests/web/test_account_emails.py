"""The invitation and password-reset e-mails, word for word, in English and French.

Their bodies live with the other e-mail templates (``notifications/templates``):
these texts are what the pages sent before they moved, so the move changed nothing
a recipient reads. Names with markup or a percent sign go through as typed (a text
e-mail escapes nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from notifications.outbox import Message
from tests.web.conftest import PASSWORD, a_call, csrf_of, login, post, stores_of

ODD_NAME = "Zoé <O'Brien> & Co"
ODD_CONSORTIUM = 'R&D <Sud> "100%"'
TOKEN = re.compile(r"/(invitations|password/reset)/[A-Za-z0-9_-]{43}$", re.MULTILINE)


@dataclass(frozen=True)
class Odd:
    """A person with an awkward name, coordinating a consortium with one too."""

    email: str
    consortium_id: str


@pytest.fixture
def odd(client: TestClient) -> Odd:
    stores = stores_of(client)
    account = stores.accounts.create_account(
        "zoe@test.example", ODD_NAME, PASSWORD, now=datetime.now(UTC)
    )
    created = stores.governance.found_consortium(
        Actor(account.account_id),
        name=ODD_CONSORTIUM,
        acronym="RD",
        summary="",
        territory="",
        call=a_call(),
        founded_on=date(2026, 1, 5),
    )
    stores.read_side.catch_up()
    return Odd(account.email, created.id)


def last_message(client: TestClient, recipient: str) -> Message:
    messages = [
        row.message
        for row in stores_of(client).outbox.messages()
        if row.message.recipient == recipient
    ]
    assert messages, f"no e-mail to {recipient}"
    return messages[-1]


def neutral(text: str) -> str:
    """The body with the one-time token (random) replaced by TOKEN."""
    return TOKEN.sub(r"/\1/TOKEN", text)


def invite_in(client: TestClient, odd: Odd, language: str) -> Message:
    login(client, odd.email)
    client.cookies.set("lang", language)
    email = f"new-{language}@test.example"
    response = post(
        client,
        f"/consortia/{odd.consortium_id}/invitations",
        {"email": email, "role": "pilot_team", "partner_id": ""},
        htmx=True,
    )
    assert response.status_code == 200, response.text
    return last_message(client, email)


def ask_reset_in(client: TestClient, email: str, language: str) -> Message:
    client.cookies.clear()
    client.cookies.set("lang", language)
    page = client.get("/password/forgot")
    response = client.post(
        "/password/forgot", data={"email": email, "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 200, response.text
    return last_message(client, email)


INVITATION = {
    "en": (
        f"Invitation to the consortium {ODD_CONSORTIUM}",
        f"{ODD_NAME} invites you to join {ODD_CONSORTIUM} as Pilot team.\n"
        "\n"
        "Open this link to accept (it works once):\n"
        "https://testserver/invitations/TOKEN\n",
    ),
    "fr": (
        f"Invitation à rejoindre le consortium {ODD_CONSORTIUM}",
        f"{ODD_NAME} vous invite à rejoindre {ODD_CONSORTIUM} en tant que "
        "Équipe projet (pilotage).\n"
        "\n"
        "Ouvrez ce lien pour accepter l'invitation (il ne fonctionne qu'une seule "
        "fois)\u00a0:\n"
        "https://testserver/invitations/TOKEN\n",
    ),
}

RESET = {
    "en": (
        "Choosing a new password",
        f"Hello {ODD_NAME},\n"
        "\n"
        "Someone (probably you) asked to choose a new password for your Consortium "
        "Ledger account.\n"
        "\n"
        "Open this link within 60 minutes to choose it (it works once):\n"
        "http://127.0.0.1:8000/password/reset/TOKEN\n"
        "\n"
        "If you did not ask for it, ignore this e-mail: your password stays as it "
        "is.\n",
    ),
    "fr": (
        "Choisir un nouveau mot de passe",
        f"Bonjour {ODD_NAME},\n"
        "\n"
        "Quelqu'un (probablement vous) a demandé à choisir un nouveau mot de passe "
        "pour votre compte Consortium Ledger.\n"
        "\n"
        "Ouvrez ce lien dans les 60 minutes pour le choisir (il ne sert qu'une "
        "fois)\u00a0:\n"
        "http://127.0.0.1:8000/password/reset/TOKEN\n"
        "\n"
        "Si vous n'avez rien demandé, ignorez ce message\u00a0: "
        "votre mot de passe reste inchangé.\n",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_invitation_e_mail_reads_as_it_always_has(
    client: TestClient, odd: Odd, language: str
) -> None:
    message = invite_in(client, odd, language)

    subject, body = INVITATION[language]
    assert message.subject == subject
    assert neutral(message.text_body) == body
    assert message.html_body is None
    assert message.language == language
    assert re.fullmatch(r"<invitation\.[0-9a-f-]{36}@127\.0\.0\.1>", message.message_id)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_password_reset_e_mail_reads_as_it_always_has(
    client: TestClient, odd: Odd, language: str
) -> None:
    message = ask_reset_in(client, odd.email, language)

    subject, body = RESET[language]
    assert message.subject == subject
    assert neutral(message.text_body) == body
    assert message.html_body is None
    assert message.language == language
    assert re.fullmatch(
        r"<password-reset\.[0-9a-f-]{36}@127\.0\.0\.1>", message.message_id
    )


def test_the_reset_e_mail_goes_out_in_the_language_the_person_chose(
    client: TestClient, odd: Odd
) -> None:
    stores_of(client).accounts.update_preferences(
        stores_of(client).accounts.by_email(odd.email).account_id,  # type: ignore[union-attr]
        language="fr",
    )

    message = ask_reset_in(client, odd.email, "en")

    assert (message.subject, neutral(message.text_body)) == RESET["fr"]
    assert message.language == "fr"
