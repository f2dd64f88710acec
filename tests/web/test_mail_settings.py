"""SMTP settings from the environment: defaults per security mode, clear errors."""

from __future__ import annotations

import pytest

from notifications.mail import SmtpSettings
from web.settings import Settings, SettingsError, smtp_settings


def test_no_host_means_no_smtp() -> None:
    assert smtp_settings({}) is None
    assert Settings.from_env({}).smtp is None


@pytest.mark.parametrize(
    ("security", "port"), [("starttls", 587), ("tls", 465), ("none", 25)]
)
def test_the_port_defaults_to_the_security_modes(security: str, port: int) -> None:
    env = {"CONSORTIUM_SMTP_HOST": "smtp.example", "CONSORTIUM_SMTP_SECURITY": security}
    assert smtp_settings(env) == SmtpSettings("smtp.example", port, security)


def test_credentials_and_sender_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CONSORTIUM_SMTP_HOST": "smtp.example",
            "CONSORTIUM_SMTP_PORT": "2525",
            "CONSORTIUM_SMTP_USERNAME": "ledger",
            "CONSORTIUM_SMTP_PASSWORD": "s3cret",
            "CONSORTIUM_SMTP_FROM": "Ledger <ledger@val.example>",
        }
    )
    assert settings.smtp == SmtpSettings(
        "smtp.example", 2525, "starttls", "ledger", "s3cret"
    )
    assert settings.mail_sender == "Ledger <ledger@val.example>"
    assert "s3cret" not in repr(settings.smtp)


def test_the_default_sender_uses_the_sites_host() -> None:
    settings = Settings.from_env({"CONSORTIUM_BASE_URL": "https://ledger.val.example"})
    assert settings.mail_sender == "Consortium Ledger <no-reply@ledger.val.example>"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONSORTIUM_SMTP_SECURITY", "ssl3"),
        ("CONSORTIUM_SMTP_PORT", "smtp"),
        ("CONSORTIUM_SMTP_PORT", "70000"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        smtp_settings({"CONSORTIUM_SMTP_HOST": "smtp.example", name: value})


def test_the_tick_interval_comes_from_the_environment() -> None:
    assert Settings.from_env({}).tick_seconds == 60
    assert Settings.from_env({"CONSORTIUM_TICK_SECONDS": "5"}).tick_seconds == 5
    with pytest.raises(SettingsError, match="CONSORTIUM_TICK_SECONDS"):
        Settings.from_env({"CONSORTIUM_TICK_SECONDS": "0"})
