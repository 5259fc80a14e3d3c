"""The address guard: only public addresses, checked after resolution; an allowlist for tests."""

from __future__ import annotations

import asyncio

import pytest

from pipeline.scrape.guard import Guard, Refused, refusal


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12::1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("240.0.0.1", "reserved"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    reason = refusal(address)
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://x.example/",
        "gopher://x.example/",
        "http:///nohost",
        "http://127.0.0.1:6379/",
        "http://[::1]/",
        "http://169.254.169.254/latest/",
    ],
)
def test_urls_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(Refused):
        Guard().check_url(url)


def fake_dns(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"no such host {host}")
        return table[host]

    return resolve


def test_names_are_checked_after_resolution() -> None:
    guard = Guard(
        resolve=fake_dns(
            {
                "intranet.corp.example": ["10.0.0.5"],
                "news.example": ["93.184.216.34"],
                "mixed.example": ["93.184.216.34", "127.0.0.1"],
            }
        )
    )
    assert asyncio.run(guard.addresses("news.example", 80)) == ["93.184.216.34"]
    with pytest.raises(Refused, match=r"10\.0\.0\.5, a private address"):
        asyncio.run(guard.addresses("intranet.corp.example", 80))
    with pytest.raises(Refused, match="loopback"):  # one bad address is enough
        asyncio.run(guard.addresses("mixed.example", 443))
    with pytest.raises(OSError, match="cannot resolve"):
        asyncio.run(guard.addresses("unknown.example", 80))


def test_the_allowlist_opens_exactly_what_it_names() -> None:
    guard = Guard(
        allow=["127.0.0.1:8080", "intranet.corp.example"],
        resolve=fake_dns({"intranet.corp.example": ["10.0.0.5"]}),
    )
    guard.check_url("http://127.0.0.1:8080/feed.xml")
    with pytest.raises(Refused):
        guard.check_url("http://127.0.0.1:8081/")  # another port of the same host
    assert asyncio.run(guard.addresses("intranet.corp.example", 80)) == ["10.0.0.5"]
