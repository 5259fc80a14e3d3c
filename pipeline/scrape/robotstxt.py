"""robots.txt rules as RFC 9309 defines them (pure).

Python's ``urllib.robotparser`` predates the RFC: it takes ``*`` and ``$`` in paths literally and lets
the first matching line win. Here, as RFC 9309 reads:

- a line is ``name: value`` (names case-insensitive, ``#`` starts a comment, CR, LF or CRLF end it,
  a UTF-8 byte-order mark before the first line is skipped); a line without a colon is ignored;
- a group is one or more ``user-agent`` lines and the rules after them; only an ``allow`` or
  ``disallow`` line ends the run of ``user-agent`` lines (``sitemap``, ``crawl-delay`` and unknown
  lines do not, 2.2.4); rules before the first ``user-agent`` line belong to no group;
- a ``user-agent`` value names a crawler by its product token: the leading run of letters, digits,
  ``-`` and ``_``, compared case-insensitively (``Wirestream/0.1`` and ``wirestream bot`` name
  ``wirestream``); ``*`` names every crawler;
- our groups (merged) apply, else the ``*`` groups (merged), else no rules;
- the longest matching pattern wins (counted in octets, percent-encoded), ``allow`` on a tie; an empty
  pattern matches nothing; ``*`` matches any run of characters and a final ``$`` anchors the end;
- patterns and paths are compared in one percent-encoded form (2.2.2): non-ASCII characters as their
  UTF-8 octets, escapes of unreserved characters decoded (``%62`` is ``b``), other escapes kept
  (``%2F`` is not ``/``) whatever the case of their hex digits; ``%2A`` and ``%24`` in a pattern are
  a literal ``*`` and ``$`` (2.2.3);
- ``/robots.txt`` itself is always allowed.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: one character per percent-encoded octet (plane 15, private use), so that an escape is one unit
#: and a ``*`` or a search can never stop inside one
_ESCAPED = 0xF0000
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
#: an escape, or a character that is neither unreserved nor a reserved character kept as it is
#: (``*`` and ``$`` are encoded: in a path they are literal, like ``%2A`` and ``%24`` in a pattern)
_TO_CANON = re.compile(r"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!&'()+,;=]")
_LINE_END = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"[A-Za-z_-]*")  # RFC 9309 2.2.1: letters, "_" and "-"


def _canon_char(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        octet = int(match.group(1), 16)
        char = chr(octet)
        return char if char in _UNRESERVED else chr(_ESCAPED + octet)
    return "".join(chr(_ESCAPED + b) for b in match.group().encode("utf-8", "surrogatepass"))


def _canon(text: str) -> str:
    return _TO_CANON.sub(_canon_char, text)


def _octets(canon: str) -> int:
    return sum(3 if ord(char) >= _ESCAPED else 1 for char in canon)


@dataclass(frozen=True)
class _Pattern:
    allow: bool
    pieces: tuple[str, ...]  # canonical text between the wildcards
    anchored: bool
    length: int  # octets of the percent-encoded pattern: the longest match wins

    @classmethod
    def compile(cls, allow: bool, pattern: str) -> _Pattern:
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        pieces = tuple(_canon(piece) for piece in body.split("*"))
        length = sum(_octets(piece) for piece in pieces) + len(pieces) - 1 + anchored
        return cls(allow, pieces, anchored, length)

    def matches(self, path: str) -> bool:
        first, last = self.pieces[0], self.pieces[-1]
        if not path.startswith(first):
            return False
        if len(self.pieces) == 1:
            return not self.anchored or len(path) == len(first)
        position = len(first)
        for piece in self.pieces[1:-1]:  # leftmost is best: it leaves the most for the rest
            found = path.find(piece, position)
            if found < 0:
                return False
            position = found + len(piece)
        if self.anchored:
            return len(path) - position >= len(last) and path.endswith(last)
        return path.find(last, position) >= 0


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[bool, str]] = field(default_factory=list)  # (allow, pattern)
    crawl_delay: float | None = None


@dataclass(frozen=True)
class RobotsRules:
    rules: tuple[tuple[bool, str], ...]  # (allow, pattern) as written in robots.txt
    crawl_delay: float | None
    _patterns: tuple[_Pattern, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = tuple(_Pattern.compile(allow, pattern) for allow, pattern in self.rules if pattern)
        object.__setattr__(self, "_patterns", patterns)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        path = _canon((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        if path == "/robots.txt":
            return True
        best: tuple[int, bool] | None = None  # (pattern length, allow): allow wins a tie
        for pattern in self._patterns:
            key = (pattern.length, pattern.allow)
            if (best is None or key > best) and pattern.matches(path):
                best = key
        return True if best is None else best[1]


ALLOW_ALL = RobotsRules((), None)


def _agent(value: str) -> str:
    """The crawler a ``user-agent`` value names: "*", a lowercase product token, or "" (none)."""
    if value == "*" or value[:2] in ("* ", "*\t"):
        return "*"
    match = _TOKEN.match(value)
    return match.group().lower() if match else ""


def parse(text: str, product: str) -> RobotsRules:
    """The rules that apply to ``product`` (the user agent's product token, e.g. "Wirestream")."""
    # a byte-order mark, or what is left of one decoded with errors="replace", is not content
    text = text.lstrip("\ufeff\ufffd") if text[:1] in ("\ufeff", "\ufffd") else text
    groups: list[_Group] = []
    current: _Group | None = None
    in_agents = False  # the last user-agent line was not yet followed by a rule
    for raw in _LINE_END.split(text):
        line = raw.split("#", 1)[0]
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or not in_agents:
                current = _Group()
                groups.append(current)
            current.agents.append(_agent(value))
            in_agents = True
        elif current is None:
            continue  # outside any group
        elif key in ("allow", "disallow"):
            current.rules.append((key == "allow", value))
            in_agents = False
        elif key == "crawl-delay":
            with contextlib.suppress(ValueError):
                delay = float(value)
                if math.isfinite(delay):
                    current.crawl_delay = max(0.0, delay)
    token = product.strip().lower()
    mine = [g for g in groups if token and token in g.agents]
    chosen = mine or [g for g in groups if "*" in g.agents]
    rules = tuple(rule for g in chosen for rule in g.rules)
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsRules(rules, max(delays) if delays else None)


def product_token(user_agent: str) -> str:
    """ "Wirestream/0.1 (news monitoring; +https://...)" -> "wirestream"."""
    return _agent(user_agent.strip()) or "*"
