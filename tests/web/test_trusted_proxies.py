"""Which client address the throttles key on, behind a proxy or not.

``consortium serve`` believes ``X-Forwarded-For`` / ``X-Forwarded-Proto`` only from
the proxies named by ``CONSORTIUM_TRUSTED_PROXIES`` or ``--forwarded-allow-ips``;
none by default, so a header any client (or a local proxy passing it through) sends
cannot choose the per-address throttle's key. Checked on a real server process,
where uvicorn applies the setting, by reading the throttle's table.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import consortium_serve
from tests.support.raw_http import form_page, request
from web.identity.throttle import LOGIN_ADDRESS
from web.ops.storage import Stores, open_stores
from web.settings import Settings, SettingsError

FORWARDED = "203.0.113.9"


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[Stores]:
    """The server's stores, read from this process (the throttle's counts)."""
    opened = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    yield opened
    opened.close()


def wrong_login_through_a_proxy(
    tmp_path: Path, env: dict[str, str], *options: str
) -> str:
    """One wrong login carrying proxy headers; the session cookie's name."""
    environment = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(tmp_path),
        "CONSORTIUM_SECRET_KEY": "k",
        "CONSORTIUM_TICK_SECONDS": "3600",
        **env,
    }
    proxied = {"X-Forwarded-For": FORWARDED, "X-Forwarded-Proto": "https"}
    with consortium_serve(environment, *options) as (url, _process):
        cookie, token = form_page(url, "/login", extra=proxied)
        fields = {"email": "x@test.example", "password": "wrong", "csrf_token": token}
        status, _, _ = request(
            url, "POST", "/login", urllib.parse.urlencode(fields), cookie, proxied
        )
    assert status == 422
    return cookie.split("=", 1)[0]


def test_by_default_forwarded_headers_from_loopback_change_nothing(
    tmp_path: Path, stores: Stores
) -> None:
    cookie = wrong_login_through_a_proxy(tmp_path, {})

    throttle = stores.accounts.throttle
    assert throttle.count(LOGIN_ADDRESS, "127.0.0.1") == 1
    assert throttle.count(LOGIN_ADDRESS, FORWARDED) == 0
    assert cookie == "session"  # X-Forwarded-Proto: https was not believed either


def test_a_proxy_on_another_host_is_not_believed_from_loopback(
    tmp_path: Path, stores: Stores
) -> None:
    wrong_login_through_a_proxy(tmp_path, {"CONSORTIUM_TRUSTED_PROXIES": "10.0.0.7"})

    assert stores.accounts.throttle.count(LOGIN_ADDRESS, "127.0.0.1") == 1
    assert stores.accounts.throttle.count(LOGIN_ADDRESS, FORWARDED) == 0


@pytest.mark.parametrize(
    ("env", "options"),
    [
        ({"CONSORTIUM_TRUSTED_PROXIES": "127.0.0.1"}, ()),
        (
            {"CONSORTIUM_TRUSTED_PROXIES": "10.0.0.7"},
            ("--forwarded-allow-ips", "127.0.0.0/8"),
        ),
    ],
    ids=["variable", "option"],
)
def test_a_trusted_proxy_names_the_client(
    tmp_path: Path, stores: Stores, env: dict[str, str], options: tuple[str, ...]
) -> None:
    cookie = wrong_login_through_a_proxy(tmp_path, env, *options)

    assert stores.accounts.throttle.count(LOGIN_ADDRESS, FORWARDED) == 1
    assert stores.accounts.throttle.count(LOGIN_ADDRESS, "127.0.0.1") == 0
    assert cookie == "__Host-session"


@pytest.mark.parametrize("value", ["proxy.internal", "10.0.0.300", "*, 10.0.0.1"])
def test_a_trusted_proxy_that_is_no_address_stops_the_server(value: str) -> None:
    with pytest.raises(SettingsError, match="CONSORTIUM_TRUSTED_PROXIES"):
        Settings.from_env({"CONSORTIUM_TRUSTED_PROXIES": value})


def test_trusted_proxies_are_addresses_or_networks_or_any() -> None:
    def proxies(value: str) -> tuple[str, ...]:
        return Settings.from_env({"CONSORTIUM_TRUSTED_PROXIES": value}).trusted_proxies

    assert proxies(" 10.0.0.7, 192.168.0.0/16,::1 ") == (
        "10.0.0.7",
        "192.168.0.0/16",
        "::1",
    )
    assert proxies("*") == ("*",)
    assert proxies("") == Settings.from_env({}).trusted_proxies == ()
