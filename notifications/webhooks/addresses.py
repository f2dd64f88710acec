"""Which addresses a webhook may call (server-side request forgery).

A subscription's address is checked twice. When it is registered (``check_url``):
``https`` only (``http`` only to the loopback host, when ``allow_local`` is set for
tests and local development), no user name or password in it, a host, no fragment,
and no address literal or name that is private, loopback, link-local, multicast or
reserved. When a delivery is sent (``resolve``): the name is resolved and every
address it has must be public (the same exception for the loopback host), and the
connection goes to the address checked, never to a second resolution (a name that
resolves to a public address when registered and to 127.0.0.1 when sent is
refused then).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL = 2000
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})
# Names that only ever mean this machine or its network.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain")


class AddressRefused(ValueError):
    """The address may not be called; ``code`` names why (a message id)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Target:
    """An address checked for sending: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    # The addresses the name resolved to, all checked: tried in order.
    addresses: tuple[str, ...] = ()

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    ip = _ip(host)
    return host in LOCAL_NAMES if ip is None else ip.is_loopback


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_local: bool = False) -> Target:
    """The parts of ``url`` if a webhook may call it; raises ``AddressRefused``."""
    text = url.strip()
    if not text or len(text) > MAX_URL or any(c.isspace() for c in text):
        raise AddressRefused("webhook_url_invalid")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AddressRefused("webhook_url_invalid") from None
    if parts.scheme not in ("https", "http"):
        raise AddressRefused("webhook_url_scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise AddressRefused("webhook_url_credentials")
    host = (parts.hostname or "").rstrip(".")
    if not host or not host.isascii() or parts.fragment:
        raise AddressRefused("webhook_url_invalid")
    local = allow_local and _loopback(host)
    if parts.scheme == "http" and not local:
        raise AddressRefused("webhook_url_scheme")
    if not local:
        ip = _ip(host)
        if ip is not None and not _public(ip):
            raise AddressRefused("webhook_url_private")
        if ip is None and (
            host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES) or "." not in host
        ):
            raise AddressRefused("webhook_url_private")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, host, port or default, path)


def resolve(url: str, *, allow_local: bool = False) -> Target:
    """``url`` checked again and resolved to one address that may be called;
    raises ``AddressRefused`` (or ``OSError`` when the name does not resolve)."""
    target = check_url(url, allow_local=allow_local)
    local = allow_local and _loopback(target.host)
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        allowed = ip.is_loopback if local else _public(ip)
        if not allowed:
            # One private address among public ones is refused too: which one a
            # client would pick is not ours to guess.
            raise AddressRefused("webhook_url_private")
    if not addresses:
        raise AddressRefused("webhook_url_invalid")
    return Target(
        target.scheme,
        target.host,
        target.port,
        target.path,
        tuple(dict.fromkeys(addresses)),
    )
