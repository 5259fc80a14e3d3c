"""Asynchronous, polite, guarded HTTP fetching (aiohttp).

Per host: at most ``max_connections`` requests at once and at least ``min_interval`` seconds between
two (robots.txt's Crawl-delay when longer); a 429 or 503 holds the host back for its Retry-After
(capped) before the request is tried again. Per request: a total timeout, a size cap on the bytes
read and on the bytes decompressed (a gzip bomb stops at the cap, it is never inflated in memory),
redirects followed by hand (at most ``max_redirects``) with the guard and robots.txt consulted for
every hop.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import aiohttp

from pipeline.scrape import charset
from pipeline.scrape.guard import Guard, GuardedResolver, Refused
from pipeline.scrape.urls import URLError, canonicalize, host_key

REDIRECTS = (301, 302, 303, 307, 308)
BUSY = (429, 503)
#: Hook run before every hop (robots.txt): raises Refused to stop the request.
Permit = Callable[[str], Awaitable[None]]


class FetchFailed(Exception):
    """The page could not be fetched (a reason for the summary and the log)."""


class TooLarge(FetchFailed):
    pass


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes  # decompressed
    redirects: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        return charset.decode(self.body, self.headers.get("content-type"))[0]


@dataclass
class _Host:
    """Politeness state of one host."""

    connections: asyncio.Semaphore
    min_interval: float
    next_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    busy_retries: int = 3
    max_retry_after_seconds: float = 120.0
    concurrency: int = 16


class Fetcher:
    """One HTTP session for a scrape run; ``async with Fetcher(...) as fetcher``."""

    def __init__(self, guard: Guard, limits: Limits | None = None) -> None:
        self.guard = guard
        self.limits = limits or Limits()
        self._hosts: dict[str, _Host] = {}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.guard), limit=self.limits.concurrency, limit_per_host=2
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # we inflate, with a cap
            timeout=aiohttp.ClientTimeout(total=self.limits.timeout_seconds),
            trust_env=False,  # no proxy from the environment: the guard must see the real target
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    def pace(self, host: str, min_interval: float, max_connections: int) -> None:
        """Set a host's politeness (the largest interval asked for wins: site, Crawl-delay)."""
        state = self._hosts.get(host)
        if state is None:
            self._hosts[host] = _Host(asyncio.Semaphore(max_connections), min_interval)
        else:
            state.min_interval = max(state.min_interval, min_interval)

    @asynccontextmanager
    async def _turn(self, host: str) -> AsyncIterator[_Host]:
        state = self._hosts.get(host)
        if state is None:
            self.pace(host, 1.0, 1)
            state = self._hosts[host]
        async with state.connections:
            async with state.lock:  # requests to one host start at least min_interval apart
                wait = state.next_at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                state.next_at = time.monotonic() + state.min_interval
            yield state

    async def get(
        self,
        url: str,
        *,
        user_agent: str,
        headers: dict[str, str] | None = None,
        permit: Permit | None = None,
    ) -> Response:
        """GET ``url`` politely; 304 and 4xx/5xx come back as responses (the caller decides).

        Raises Refused (guard, robots.txt), TooLarge, or FetchFailed (timeouts, connection errors,
        too many redirects, a host still busy after its retries).
        """
        hops: list[str] = []
        busy = 0
        while True:
            self.guard.check_url(url)
            if permit is not None:
                await permit(url)
            host = host_key(url)
            async with self._turn(host) as state:
                response = await self._request(url, user_agent, headers)
            if response.status in REDIRECTS and "location" in response.headers:
                if len(hops) >= self.limits.max_redirects:
                    raise FetchFailed(f"more than {self.limits.max_redirects} redirects")
                hops.append(url)
                try:
                    url = canonicalize(urljoin(url, response.headers["location"]))
                except URLError as exc:
                    raise Refused(f"redirect to {response.headers['location']!r}: {exc}") from exc
                continue
            if response.status in BUSY and busy < self.limits.busy_retries:
                busy += 1
                delay = self._retry_after(response.headers.get("retry-after"), busy)
                state.next_at = max(state.next_at, time.monotonic() + delay)  # the whole host waits
                continue
            if response.status in BUSY:
                raise FetchFailed(f"HTTP {response.status} after {busy} retries (host busy)")
            return Response(url, response.status, response.headers, response.body, tuple(hops))

    def _retry_after(self, value: str | None, attempt: int) -> float:
        delay = min(2.0**attempt, self.limits.max_retry_after_seconds)
        if value:
            value = value.strip()
            if value.isdigit():
                delay = float(value)
            else:
                try:
                    when = email.utils.parsedate_to_datetime(value)
                    delay = (when - datetime.now(UTC)).total_seconds()
                except (TypeError, ValueError):
                    pass
        return max(0.0, min(delay, self.limits.max_retry_after_seconds))

    async def _request(self, url: str, user_agent: str, headers: dict[str, str] | None) -> Response:
        assert self._session is not None, "use `async with Fetcher(...)`"
        request_headers = {
            "User-Agent": user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            **(headers or {}),
        }
        try:
            async with self._session.get(url, headers=request_headers, allow_redirects=False) as resp:
                response_headers = {k.lower(): v for k, v in resp.headers.items()}
                body = b""
                if resp.status not in REDIRECTS and resp.status != 304:
                    body = await self._read(resp, response_headers.get("content-encoding", ""))
                return Response(url, resp.status, response_headers, body)
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, Refused):
                raise exc.os_error from None
            raise FetchFailed(f"cannot connect: {exc.os_error or exc}") from exc
        except TimeoutError as exc:
            raise FetchFailed(f"timed out after {self.limits.timeout_seconds:g} s") from exc
        except aiohttp.ClientError as exc:
            raise FetchFailed(f"{type(exc).__name__}: {exc}") from exc

    async def _read(self, resp: Any, encoding: str) -> bytes:
        cap = self.limits.max_bytes
        if resp.content_length is not None and resp.content_length > cap:
            raise TooLarge(f"{resp.content_length} bytes declared, over the cap of {cap}")
        inflate = _Inflater(encoding.strip().lower(), cap)
        received = 0
        async for chunk in resp.content.iter_chunked(65536):
            received += len(chunk)
            if received > cap:
                raise TooLarge(f"over the cap of {cap} bytes")
            inflate.feed(chunk)
        return inflate.finish()


class _Inflater:
    """Content-Encoding undone chunk by chunk, never producing more than ``cap`` bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.out = bytearray()
        if encoding in ("", "identity"):
            self.decoder: Any = None
        elif encoding in ("gzip", "x-gzip"):
            self.decoder = zlib.decompressobj(wbits=31)
        elif encoding == "deflate":
            self.decoder = zlib.decompressobj(wbits=47)  # zlib or gzip header, detected
        else:
            raise FetchFailed(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> None:
        if self.decoder is None:
            self.out += chunk
            return
        try:
            data = self.decoder.decompress(chunk, self.cap + 1 - len(self.out))
        except zlib.error as exc:
            raise FetchFailed(f"corrupt compressed body: {exc}") from exc
        self.out += data
        if len(self.out) > self.cap or self.decoder.unconsumed_tail:
            raise TooLarge(f"decompresses to over {self.cap} bytes (decompression bomb?)")

    def finish(self) -> bytes:
        if self.decoder is not None:
            try:
                self.out += self.decoder.flush(self.cap + 1 - len(self.out))
            except zlib.error as exc:
                raise FetchFailed(f"corrupt compressed body: {exc}") from exc
            if len(self.out) > self.cap:
                raise TooLarge(f"decompresses to over {self.cap} bytes (decompression bomb?)")
        return bytes(self.out)
