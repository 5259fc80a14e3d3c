"""Never let the scraper be turned against internal networks (server-side request forgery).

A feed is untrusted input: it can list ``http://169.254.169.254/`` (cloud metadata), a name that
resolves to ``10.0.0.5``, or an article that redirects to ``http://127.0.0.1:6379/``. The guard refuses
every scheme but http and https, and every address that is not globally routable (loopback, private,
link-local, carrier-grade NAT, multicast, reserved, unspecified, IPv4-mapped forms of those, cloud
metadata), checked after DNS resolution and again for each redirect. The addresses it checks are the
ones the connection uses (the aiohttp resolver below), so a name cannot resolve to a public address
for the check and to a private one for the connection.

``allow`` opens specific hosts (``host`` or ``host:port``) for tests and intranets.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

#: host, port -> the IP addresses the host resolves to (strings)
Resolve = Callable[[str, int], Awaitable[list[str]]]

_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, ...
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class Refused(OSError):
    """A URL or address the scraper must not connect to (an OSError, so aiohttp passes it through
    its connector unchanged as the cause of the connection error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def refusal(address: str) -> str | None:
    """What kind of address ``address`` is when it must not be connected to ("a loopback
    address"), or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in _METADATA:
        return "a cloud metadata address"
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not globally routable"),
    )
    for hit, name in checks:
        if hit:
            return f"a {name} address"
    return None


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class Guard:
    """Decides whether a URL may be fetched and resolves host names for the connection."""

    def __init__(self, allow: Iterable[str] = (), resolve: Resolve | None = None) -> None:
        self.allow = {entry.strip().lower() for entry in allow if entry.strip()}
        self._resolve = resolve or system_resolve

    def allowed(self, host: str, port: int) -> bool:
        host = host.lower().strip("[]")
        return host in self.allow or f"{host}:{port}" in self.allow

    def check_url(self, url: str) -> None:
        """Refuse what can be refused before any DNS lookup: scheme, missing host, an IP literal."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Refused(f"scheme {parts.scheme or '(none)'!r} is not fetched (only http and https)")
        host = parts.hostname
        if not host:
            raise Refused("the URL has no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise Refused(f"bad port: {exc}") from exc
        if self.allowed(host, port):
            return
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return  # a name: checked when it is resolved for the connection
        kind = refusal(host)
        if kind:
            raise Refused(f"{host} is {kind}")

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; every one must be public (unless the host is allowed)."""
        try:
            found = await self._resolve(host, port)
        except Refused:
            raise
        except OSError as exc:
            raise OSError(f"cannot resolve {host}: {exc}") from exc
        if not found:
            raise OSError(f"cannot resolve {host}: no addresses")
        if not self.allowed(host, port):
            for address in found:
                kind = refusal(address)
                if kind:
                    raise Refused(f"{host} resolves to {address}, {kind}")
        return found


class GuardedResolver(AbstractResolver):
    """aiohttp resolver: the connection goes to exactly the addresses the guard checked."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    async def resolve(self, host: str, port: int = 0, family: Any = socket.AF_INET) -> list[ResolveResult]:
        results: list[ResolveResult] = []
        for address in await self.guard.addresses(host, port):
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            results.append(
                {
                    "hostname": host,
                    "host": address,
                    "port": port,
                    "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            )
        return results

    async def close(self) -> None:
        return None
