"""Which addresses a webhook may call (server-side request forgery), and the
signature a receiver checks."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from notifications.webhooks.addresses import AddressRefused, check_url, resolve
from notifications.webhooks.signing import signature, verify


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.org/in", "webhook_url_scheme"),
        ("ftp://hooks.example.org/in", "webhook_url_scheme"),
        ("file:///etc/passwd", "webhook_url_scheme"),
        ("gopher://hooks.example.org/", "webhook_url_scheme"),
        ("https://user:pw@hooks.example.org/in", "webhook_url_credentials"),
        ("https://user@hooks.example.org/in", "webhook_url_credentials"),
        ("https://127.0.0.1/in", "webhook_url_private"),
        ("https://localhost/in", "webhook_url_private"),
        ("https://10.0.0.8/in", "webhook_url_private"),
        ("https://172.16.3.4/in", "webhook_url_private"),
        ("https://192.168.1.1/in", "webhook_url_private"),
        ("https://169.254.169.254/latest/meta-data", "webhook_url_private"),
        ("https://[::1]/in", "webhook_url_private"),
        ("https://[fd00::1]/in", "webhook_url_private"),
        ("https://[::ffff:127.0.0.1]/in", "webhook_url_private"),
        ("https://0.0.0.0/in", "webhook_url_private"),
        ("https://metadata.internal/in", "webhook_url_private"),
        ("https://printer.local/in", "webhook_url_private"),
        ("https://intranet/in", "webhook_url_private"),
        ("https://hooks.example.org/in#x", "webhook_url_invalid"),
        ("https:///in", "webhook_url_invalid"),
        ("https://hooks.example.org:99999/in", "webhook_url_invalid"),
        ("https://hooks.example .org/in", "webhook_url_invalid"),
        ("https://hôtes.example/in", "webhook_url_invalid"),
        ("", "webhook_url_invalid"),
        ("https://" + "a" * 2000 + ".org/", "webhook_url_invalid"),
    ],
)
def test_an_address_a_webhook_may_not_call_is_refused(url: str, code: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_url(url)
    assert refused.value.code == code


def test_a_public_https_address_is_accepted() -> None:
    target = check_url("https://hooks.example.org:8443/in?team=3")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.org",
        8443,
        "/in?team=3",
    )
    assert check_url("https://93.184.216.34/in").host == "93.184.216.34"


def test_http_to_the_loopback_only_when_the_setting_allows_it() -> None:
    assert check_url("http://127.0.0.1:8080/in", allow_local=True).port == 8080
    assert check_url("http://localhost/in", allow_local=True).host == "localhost"
    for url in ("http://10.0.0.1/in", "http://hooks.example.org/in"):
        with pytest.raises(AddressRefused):
            check_url(url, allow_local=True)
    with pytest.raises(AddressRefused):
        check_url("http://127.0.0.1:8080/in")


def test_a_name_is_checked_again_by_its_addresses_when_sent() -> None:
    # "localhost" as a name that might resolve anywhere: resolved, its loopback
    # address is refused without the setting, allowed with it.
    with pytest.raises(AddressRefused):
        resolve("https://localhost./in")
    addresses = resolve("http://localhost/in", allow_local=True).addresses
    assert addresses
    assert set(addresses) <= {"127.0.0.1", "::1"}


def test_the_signature_is_an_hmac_of_timestamp_dot_body() -> None:
    body = b'{"kind":"commitment_pledged"}'
    expected = hmac.new(b"whsec_x", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert signature("whsec_x", 1767225600, body) == f"sha256={expected}"
    header = signature("whsec_x", 1767225600, body)
    assert verify("whsec_x", "1767225600", body, header, now=1767225700)
    assert not verify("whsec_y", "1767225600", body, header, now=1767225700)
    assert not verify("whsec_x", "1767225600", body + b" ", header, now=1767225700)
    # Too old (a replay), or not a number.
    assert not verify("whsec_x", "1767225600", body, header, now=1767226000)
    assert not verify("whsec_x", "١٧٦٧٢٢٥٦٠٠", body, header, now=1767225700)
