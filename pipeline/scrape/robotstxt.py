"""robots.txt rules as RFC 9309 defines them (pure).

Python's ``urllib.robotparser`` predates the RFC: it takes ``*`` and ``$`` in paths literally and lets
the first matching line win. Here a group applies when one of its ``user-agent`` lines names our
product token (case-insensitive), else the ``*`` group; groups for the same agent are merged; the
longest matching ``allow``/``disallow`` pattern wins, ``allow`` on a tie; ``*`` matches any run of
characters and a final ``$`` anchors the end; ``/robots.txt`` itself is always allowed.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[bool, str]] = field(default_factory=list)  # (allow, pattern)
    crawl_delay: float | None = None


@dataclass(frozen=True)
class RobotsRules:
    rules: tuple[tuple[bool, str], ...]
    crawl_delay: float | None

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        path = _normalise((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        if path == "/robots.txt":
            return True
        best: tuple[int, bool] | None = None  # (pattern length, allow)
        for allow, pattern in self.rules:
            if pattern and _matches(pattern, path):
                key = (len(pattern), allow)
                if best is None or key > best:
                    best = key
        return True if best is None else best[1]


ALLOW_ALL = RobotsRules((), None)


def _normalise(path: str) -> str:
    # compare percent-decoded forms (RFC 9309 2.2.2), keeping an encoded "/" distinct
    return unquote(path.replace("%2F", "%252F").replace("%2f", "%252f"))


def _matches(pattern: str, path: str) -> bool:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in _normalise(body).split("*"))
    return re.match(regex + ("$" if anchored else ""), path) is not None


def parse(text: str, product: str) -> RobotsRules:
    """The rules that apply to ``product`` (the user agent's product token, e.g. "Wirestream")."""
    groups: list[_Group] = []
    current: _Group | None = None
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or not last_was_agent:
                current = _Group()
                groups.append(current)
            current.agents.append(value.lower())
            last_was_agent = True
            continue
        last_was_agent = False
        if current is None:
            continue
        if key in ("allow", "disallow"):
            current.rules.append((key == "allow", value))
        elif key == "crawl-delay":
            with contextlib.suppress(ValueError):
                current.crawl_delay = max(0.0, float(value))
    token = product.lower()
    mine = [g for g in groups if token in g.agents]
    chosen = mine or [g for g in groups if "*" in g.agents]
    rules = tuple(rule for g in chosen for rule in g.rules)
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsRules(rules, max(delays) if delays else None)


def product_token(user_agent: str) -> str:
    """ "Wirestream/0.1 (news monitoring; +https://...)" -> "wirestream"."""
    first = user_agent.strip().split(" ", 1)[0]
    return first.split("/", 1)[0].lower() or "*"
