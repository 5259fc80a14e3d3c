"""A small news site on loopback for the scraper's tests: feeds, a news sitemap, robots.txt, articles,
and every way a page can go wrong (429, redirects to forbidden targets, a gzip bomb, an undeclared
windows-1254 page, a huge page, a slow page, an entity-expansion feed).

``with NewsSite() as site:`` starts it on 127.0.0.1 (a free port) plus a "trap" listener that counts
connections and must never be reached; every request is recorded.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

FEED_MODIFIED = formatdate(1795000000, usegmt=True)
#: Names the test resolver knows; any other name fails, so no test ever reaches real DNS.
TEST_DNS = {"intranet.corp.example": ["10.0.0.5"]}


async def fake_dns(host: str, port: int) -> list[str]:
    """The resolver tests inject into the scraper's guard."""
    if host not in TEST_DNS:
        raise OSError(f"test resolver: unknown host {host}")
    return TEST_DNS[host]


FEED_ETAG = '"feed-v1"'


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    time: float


def _article(title: str, paragraphs: list[str], canonical: str, lang: str = "en") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="{canonical}"></head><body><nav><a href="/">Home</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        '<aside class="related"><h2>More news</h2><ul>'
        '<li><a href="/news/harbour.html">Harbour workers vote on a new contract</a></li>'
        '<li><a href="/news/deprem.html">Malatya\'da deprem tatbikatı yapıldı</a></li></ul></aside>'
        "</body></html>"
    ).encode()


ARTICLE_TEXT: dict[str, tuple[str, str, list[str]]] = {
    "/news/budget.html": (
        "en",
        "Council approves a leaner budget for 2027",
        [
            "The city council approved on Tuesday a budget that cuts spending on consultants by a third and "
            "moves the money to school repairs and bus lines in the outer districts.",
            "The vote was 31 to 14 after a debate that ran past midnight. The opposition said the plan "
            "leaves the harbour bridge without money for another year.",
            "The mayor said the first repairs would start in the spring holidays.",
        ],
    ),
    "/news/harbour.html": (
        "en",
        "Harbour workers vote on a new contract",
        [
            "Dock workers voted on Wednesday on a contract that keeps pensions intact and adds two rest days a "
            "month, after six weeks of talks with the port authority.",
            "Union leaders said the result would be known on Friday; a strike remains possible if the "
            "contract is rejected.",
        ],
    ),
    "/news/deprem.html": (
        "tr",
        "Malatya'da deprem tatbikatı yapıldı",
        [
            "Malatya'da okullarda ve hastanelerde düzenlenen deprem tatbikatına binlerce kişi katıldı. Valilik, "
            "tatbikatın amacının olası bir depremde tahliye sürelerini kısaltmak olduğunu açıkladı.",
            "Yetkililer, vatandaşların afet çantalarını hazır tutmalarını ve toplanma alanlarını "
            "öğrenmelerini istedi.",
        ],
    ),
    "/news/hewler.html": (
        "kmr",
        "Li Hewlêrê pêşangeha pirtûkan dest pê kir",
        [
            "Li Hewlêrê pêşangeha navneteweyî ya pirtûkan bi beşdariya zêdetirî 300 weşanxaneyan dest pê kir. "
            "Pêşangeh dê deh rojan vekirî bimîne.",
            "Rêxistinkeran got ku îsal pirtûkên bi zimanê kurdî ji salên berê zêdetir in.",
        ],
    ),
    "/news/weather.html": (
        "en",
        "Storm warning for the northern coast",
        [
            "The weather service issued a storm warning for the northern coast from Thursday evening, with "
            "gusts of up to 110 kilometres an hour expected near the islands.",
            "Ferries to the islands will not run on Friday morning.",
        ],
    ),
}


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
    ) -> None:
        self.crawl_delay = crawl_delay
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.bomb_decompressed_bytes = bomb_decompressed_bytes
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._trap_count = 0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._trap: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    # --- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> NewsSite:
        site = self

        class Handler(_Handler):
            owner = site

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._trap = socket.create_server(("127.0.0.1", 0))
        self._trap.settimeout(0.2)
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
            threading.Thread(target=self._trap_loop, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
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
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

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
        return _article(title, paragraphs, self.url(path), lang)


EVIL_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>http://x.example/a</link></item></channel></rss>"""


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

    def _route(self, site: NewsSite, path: str) -> None:
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
        elif path == "/listing.html":
            links = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in NewsSite.ARTICLES.items())
            page = f'<html><body><nav><a href="/about">About</a><a href="/contact">Contact</a></nav><ul>{links}</ul></body></html>'
            self._send(200, page.encode())
        elif path in ARTICLE_TEXT or path == "/private/leak.html":
            self._send(200, site.article(path if path in ARTICLE_TEXT else "/news/weather.html"))
        elif path in ("/news/busy.html", "/news/unavailable.html"):
            status = 429 if path.endswith("busy.html") else 503
            if site.hits(path) == 1:
                self._send(status, b"busy", "text/plain", Retry_After=str(site.retry_after))
            else:
                self._send(
                    200,
                    _article(
                        "Busy day at the ferry terminal",
                        [
                            "Queues at the ferry terminal reached two hours on Saturday as the holiday season began."
                        ],
                        site.url(path),
                    ),
                )
        elif path == "/news/moved.html":
            self._redirect(301, "/news/budget.html")
        elif path == "/news/to-loopback.html":
            self._redirect(302, f"http://127.0.0.1:{site.trap_port}/stolen")
        elif path == "/news/to-private.html":
            self._redirect(302, "http://intranet.corp.example/admin")
        elif path == "/news/to-metadata.html":
            self._redirect(302, "http://169.254.169.254/latest/meta-data/")
        elif path == "/news/to-file.html":
            self._redirect(302, "file:///etc/passwd")
        elif path == "/news/redirect-loop.html":
            n = int(self.path.rsplit("n=", 1)[1]) if "n=" in self.path else 0
            self._redirect(302, f"/news/redirect-loop.html?n={n + 1}")
        elif path == "/news/bomb.html":
            self._send(200, site.bomb(), "text/html; charset=utf-8", Content_Encoding="gzip")
        elif path == "/news/turkish-1254.html":
            page = (
                f"<html><head><title>{NewsSite.TURKISH_HEADLINE}</title></head><body><h1>{NewsSite.TURKISH_HEADLINE}</h1>"
                "<p>Şırnak'ın İdil ve Cizre ilçelerine bağlı köylere doğal gaz boru hattı döşeneceği açıklandı. "
                "Çiftçiler ve esnaf, kışın ısınma giderlerinin düşeceğini söyledi.</p>"
                "<p>Belediye başkanı, çalışmaların ilkbaharda başlayacağını ve iki yıl içinde bitirilmesinin "
                "planlandığını belirtti. Işıklı caddesindeki dükkân sahipleri de müjdeyi sevinçle karşıladı.</p>"
                "</body></html>"
            )
            self._send(200, page.encode("cp1254"), "text/html")
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


if __name__ == "__main__":  # python -m tests.scrape.newsite: the test site, to try the scraper by hand
    import sys

    with NewsSite(huge_bytes=8 * 1024 * 1024, bomb_decompressed_bytes=64 * 1024 * 1024) as running:
        print(f"news site on {running.base_url} (feeds: /feed.xml /atom.xml, sitemap: /news-sitemap.xml)")
        print(f"  export WIRESTREAM_SCRAPE_ALLOW_HOSTS={running.host}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sys.exit(0)
