"""robots.txt, fetched once per host and run, through the same guarded fetcher.

As the robots exclusion standard (RFC 9309) says: a 4xx means no rules (everything allowed), an
unreachable robots.txt or a 5xx means "assume complete disallow" for now; a redirect is followed.
The rules are matched as the RFC says (:mod:`pipeline.scrape.robotstxt`). Crawl-delay, where given,
becomes the host's minimum interval between requests.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit, urlunsplit

from pipeline.scrape.fetch import Fetcher, FetchFailed
from pipeline.scrape.guard import Refused
from pipeline.scrape.robotstxt import ALLOW_ALL, RobotsRules, parse, product_token
from pipeline.scrape.urls import host_key

log = logging.getLogger(__name__)

#: robots.txt files larger than this are cut (RFC 9309 asks crawlers to read at least 500 KiB)
MAX_ROBOTS_BYTES = 512 * 1024


class Robots:
    """The rules of every host seen in a run, for one user agent."""

    def __init__(self, fetcher: Fetcher, user_agent: str) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self.product = product_token(user_agent)
        self._rules: dict[str, RobotsRules | None] = {}  # None: disallow everything
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, url: str) -> RobotsRules | None:
        host = host_key(url)
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._rules:
                self._rules[host] = await self._fetch(url)
        return self._rules[host]

    async def permit(self, url: str) -> None:
        """Raise Refused when robots.txt disallows ``url`` for our user agent."""
        rules = await self.rules(url)
        if rules is None:
            raise Refused(f"robots.txt of {host_key(url)} could not be read (treated as disallow)")
        if not rules.allowed(url):
            raise Refused("disallowed by robots.txt")

    def crawl_delay(self, url: str) -> float | None:
        rules = self._rules.get(host_key(url))
        return rules.crawl_delay if rules is not None else None

    async def _fetch(self, url: str) -> RobotsRules | None:
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            response = await self.fetcher.get(robots_url, user_agent=self.user_agent)
        except Refused:
            raise
        except FetchFailed as exc:
            log.warning("robots.txt unreachable: %s", exc, extra={"url": robots_url})
            return None
        if 400 <= response.status < 500:
            return ALLOW_ALL  # no robots.txt: no rules
        if response.status >= 500:
            log.warning("robots.txt answered %d", response.status, extra={"url": robots_url})
            return None
        return parse(response.body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace"), self.product)
