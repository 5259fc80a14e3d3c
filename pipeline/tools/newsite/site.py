"""A small news site on loopback, for the scraper's tests, the benchmarks and the README's walk-through:
feeds, a news sitemap, robots.txt, articles, and every way a page can go wrong (429, redirects to
forbidden targets, a gzip bomb, an undeclared windows-1254 page, a huge page, a slow page, an
entity-expansion feed). With ``synthetic=N`` it also serves N generated articles per host
(``/synthetic/feed.xml``, ``/synthetic/<n>.html``), and with ``hosts=H`` it answers on 127.0.0.1 to
127.0.0.H on one port, so per-host politeness applies as on the real web.

``with NewsSite() as site:`` starts it (a free port) plus a "trap" listener that counts connections
and must never be reached; every request is recorded (``record_requests=False`` for benchmarks).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from pipeline.tools.newsite.content import (
    ARTICLE_TEXT,
    EVIL_FEED,
    FEED_ETAG,
    FEED_MODIFIED,
    article_html,
    synthetic_article,
    synthetic_feed,
    turkish_1254_page,
)

SYNTHETIC_PAGE = re.compile(r"/synthetic/(\d+)\.html")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    time: float


class NewsSite:
    """The site; see the module docstring. Paths of the normal articles: ``ARTICLES``."""

    ARTICLES: ClassVar[dict[str, str]] = {path: title for path, (_, title, _) in ARTICLE_TEXT.items()}
    TURKISH_HEADLINE: ClassVar[str] = "Şırnak'ta doğal gaz müjdesi: köylere boru hattı geliyor"
    _bombs: ClassVar[dict[int, bytes]] = {}

    def __init__(
        self,
        crawl_delay: float | None = None,
        retry_after: int = 1,
        slow_seconds: float = 5.0,
        huge_bytes: int = 30 * 1024 * 1024,
        bomb_decompressed_bytes: int = 200 * 1024 * 1024,
        hosts: int = 1,
        synthetic: int = 0,
        port: int = 0,
        record_requests: bool = True,
    ) -> None:
        self.crawl_delay = crawl_delay
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.bomb_decompressed_bytes = bomb_decompressed_bytes
        self.hosts = hosts
        self.synthetic = synthetic
        self.requested_port = port
        self.record_requests = record_requests
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._trap_count = 0
        self._stopping = threading.Event()
        self._servers: list[ThreadingHTTPServer] = []
        self._trap: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    # --- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> NewsSite:
        site = self

        class Handler(_Handler):
            owner = site

        port = self.requested_port
        for n in range(1, self.hosts + 1):
            server = ThreadingHTTPServer((f"127.0.0.{n}", port), Handler)
            server.daemon_threads = True
            port = int(server.server_address[1])
            self._servers.append(server)
        self._trap = socket.create_server(("127.0.0.1", 0))
        self._trap.settimeout(0.2)
        self._threads = [
            *(
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
                for server in self._servers
            ),
            threading.Thread(target=self._trap_loop, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._trap is not None:
            self._trap.close()

    def _trap_loop(self) -> None:
        assert self._trap is not None
        while not self._stopping.is_set():
            try:
                conn, _ = self._trap.accept()
            except OSError:
                continue
            with self._lock:
                self._trap_count += 1
            conn.close()

    # --- what tests read ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._servers, "the site is not running"
        return int(self._servers[0].server_address[1])

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    @property
    def host_names(self) -> list[str]:
        """Every host:port the site answers on (127.0.0.1 to 127.0.0.<hosts>)."""
        return [f"127.0.0.{n}:{self.port}" for n in range(1, self.hosts + 1)]

    @property
    def trap_port(self) -> int:
        assert self._trap is not None
        return int(self._trap.getsockname()[1])

    @property
    def trap_connections(self) -> int:
        with self._lock:
            return self._trap_count

    def url(self, path: str) -> str:
        return self.base_url + path

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path or r.path.split("?", 1)[0] == path)

    def record(self, request: Request) -> None:
        if not self.record_requests:
            return
        with self._lock:
            self.requests.append(request)

    def bomb(self) -> bytes:
        size = self.bomb_decompressed_bytes
        if size not in NewsSite._bombs:
            out = io.BytesIO()
            chunk = b"<p>" + b"A" * 65530 + b"</p>"
            with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
                written = 0
                while written < size:
                    gz.write(chunk)
                    written += len(chunk)
            NewsSite._bombs[size] = out.getvalue()
        return NewsSite._bombs[size]

    # --- documents ----------------------------------------------------------------------------
    def feed(self) -> bytes:
        links = [
            *(self.url(p) for p in ARTICLE_TEXT if p != "/news/budget.html"),
            self.url("/news/budget.html?utm_source=rss&utm_medium=feed"),
            self.url("/private/leak.html"),
            *(
                self.url(p)
                for p in (
                    "/news/busy.html",
                    "/news/unavailable.html",
                    "/news/moved.html",
                    "/news/to-loopback.html",
                    "/news/to-private.html",
                    "/news/to-metadata.html",
                    "/news/to-file.html",
                    "/news/redirect-loop.html",
                    "/news/bomb.html",
                    "/news/turkish-1254.html",
                    "/news/huge.html",
                    "/news/huge-chunked.html",
                    "/news/slow.html",
                )
            ),
        ]
        items = "".join(
            f"<item><title>Item {n}</title><link>{link.replace('&', '&amp;')}</link>"
            f"<pubDate>Mon, 23 Nov 2026 {8 + n % 10:02d}:00:00 GMT</pubDate></item>"
            for n, link in enumerate(links)
        )
        return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>{items}</channel></rss>'.encode()

    def atom(self) -> bytes:
        entries = "".join(
            f'<entry><title>{ARTICLE_TEXT[p][1]}</title><link rel="alternate" href="{self.url(p)}"/>'
            "<updated>2026-11-23T09:00:00Z</updated></entry>"
            for p in ("/news/harbour.html", "/news/weather.html")
        )
        return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>{entries}</feed>'.encode()

    def sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.url(p)}</loc><news:news><news:publication><news:name>News</news:name>"
            f"<news:language>en</news:language></news:publication><news:publication_date>2026-11-23T08:00:00Z"
            f"</news:publication_date><news:title>{ARTICLE_TEXT[p][1]}</news:title></news:news></url>"
            for p in ("/news/budget.html", "/news/hewler.html")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        ).encode()

    def article(self, path: str) -> bytes:
        lang, title, paragraphs = ARTICLE_TEXT[path]
        return article_html(title, paragraphs, self.url(path), lang)


class _Handler(BaseHTTPRequestHandler):
    owner: ClassVar[NewsSite]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        site = self.owner
        site.record(
            Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        )
        path = self.path.split("?", 1)[0]
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(site, path)

    # --- helpers ------------------------------------------------------------------------------
    def _send(
        self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self._send(status, b"", Location=location)

    def _conditional(self, body: bytes, content_type: str) -> None:
        if self.headers.get("If-None-Match") == FEED_ETAG:
            self._send(304, b"", content_type, ETag=FEED_ETAG)
            return
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                if parsedate_to_datetime(since) >= parsedate_to_datetime(FEED_MODIFIED):
                    self._send(304, b"", content_type, ETag=FEED_ETAG)
                    return
            except (TypeError, ValueError):
                pass
        self._send(200, body, content_type, ETag=FEED_ETAG, Last_Modified=FEED_MODIFIED)

    #: Fixed redirects: path -> (status, location); "{trap}" is the trap listener's port.
    REDIRECTS: ClassVar[dict[str, tuple[int, str]]] = {
        "/news/moved.html": (301, "/news/budget.html"),
        "/news/to-loopback.html": (302, "http://127.0.0.1:{trap}/stolen"),
        "/news/to-private.html": (302, "http://intranet.corp.example/admin"),
        "/news/to-metadata.html": (302, "http://169.254.169.254/latest/meta-data/"),
        "/news/to-file.html": (302, "file:///etc/passwd"),
    }

    def _route(self, site: NewsSite, path: str) -> None:
        if path in self.REDIRECTS:
            status, location = self.REDIRECTS[path]
            self._redirect(status, location.format(trap=site.trap_port))
        elif path in ARTICLE_TEXT or path == "/private/leak.html":
            self._send(200, site.article(path if path in ARTICLE_TEXT else "/news/weather.html"))
        elif path.startswith("/synthetic/"):
            self._synthetic(site, path)
        elif path in (
            "/robots.txt",
            "/feed.xml",
            "/atom.xml",
            "/news-sitemap.xml",
            "/evil-feed.xml",
            "/listing.html",
        ):
            self._document(site, path)
        else:
            self._trouble(site, path)

    def _document(self, site: NewsSite, path: str) -> None:
        if path == "/robots.txt":
            rules = "User-agent: *\nDisallow: /private/\n"
            if site.crawl_delay is not None:
                rules += f"Crawl-delay: {site.crawl_delay:g}\n"
            self._send(200, rules.encode(), "text/plain")
        elif path == "/feed.xml":
            self._conditional(site.feed(), "application/rss+xml")
        elif path == "/atom.xml":
            self._conditional(site.atom(), "application/atom+xml")
        elif path == "/news-sitemap.xml":
            self._send(200, site.sitemap(), "application/xml")
        elif path == "/evil-feed.xml":
            self._send(200, EVIL_FEED, "application/rss+xml")
        else:  # /listing.html
            links = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in NewsSite.ARTICLES.items())
            page = f'<html><body><nav><a href="/about">About</a><a href="/contact">Contact</a></nav><ul>{links}</ul></body></html>'
            self._send(200, page.encode())

    def _synthetic(self, site: NewsSite, path: str) -> None:
        host = self.headers.get("Host", site.host)
        match = SYNTHETIC_PAGE.fullmatch(path)
        if not site.synthetic:
            self._send(404, b"not found", "text/plain")
        elif path == "/synthetic/feed.xml":
            self._send(200, synthetic_feed(host, site.synthetic), "application/rss+xml")
        elif match:
            self._send(200, synthetic_article(host, int(match[1])))
        else:
            self._send(404, b"not found", "text/plain")

    def _trouble(self, site: NewsSite, path: str) -> None:
        """The pages that go wrong on purpose."""
        if path in ("/news/busy.html", "/news/unavailable.html"):
            self._busy_once(site, path)
        elif path == "/news/redirect-loop.html":
            n = int(self.path.rsplit("n=", 1)[1]) if "n=" in self.path else 0
            self._redirect(302, f"/news/redirect-loop.html?n={n + 1}")
        elif path == "/news/bomb.html":
            self._send(200, site.bomb(), "text/html; charset=utf-8", Content_Encoding="gzip")
        elif path == "/news/turkish-1254.html":
            self._send(200, turkish_1254_page(NewsSite.TURKISH_HEADLINE), "text/html")
        elif path in ("/news/huge.html", "/news/huge-chunked.html"):
            self._huge(site, chunked=path.endswith("chunked.html"))
        elif path == "/news/slow.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "20")
            self.end_headers()
            self.wfile.flush()
            site._stopping.wait(site.slow_seconds)
            self.wfile.write(b"<html>late</html>   ")
        else:
            self._send(404, b"not found", "text/plain")

    def _busy_once(self, site: NewsSite, path: str) -> None:
        """429 or 503 with Retry-After on the first request, the page after."""
        if site.hits(path) == 1:
            status = 429 if path.endswith("busy.html") else 503
            self._send(status, b"busy", "text/plain", Retry_After=str(site.retry_after))
            return
        lead = "Queues at the ferry terminal reached two hours on Saturday as the holiday season began."
        self._send(200, article_html("Busy day at the ferry terminal", [lead], site.url(path)))

    def _huge(self, site: NewsSite, chunked: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if chunked:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(site.huge_bytes))
        self.end_headers()
        chunk = b"<p>" + b"x" * 65529 + b"</p>\n"
        sent = 0
        while sent < site.huge_bytes and not site._stopping.is_set():
            piece = chunk[: site.huge_bytes - sent]
            self.wfile.write(piece)
            sent += len(piece)
