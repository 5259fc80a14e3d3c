"""A synthetic news site for `wirestream bench scrape`: ``python -m pipeline.scrape.benchsite``.

It answers on several loopback addresses (127.0.0.1, 127.0.0.2, ...: one "host" each, so per-host
politeness applies as on the real web) with a robots.txt, an RSS feed per host listing ``--pages``
articles, and the articles (about 12 KB of HTML each). It prints ``ready PORT`` when it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib

from aiohttp import web

PARAGRAPH = (
    "The regional council approved the new transport budget on Tuesday after a debate that lasted "
    "well into the evening, and the mayor said the first buses would run on the new lines in spring. "
)


def article(host: str, n: int) -> bytes:
    digest = hashlib.blake2s(f"{host}/{n}".encode()).hexdigest()[:8]
    paragraphs = "".join(f"<p>{PARAGRAPH * 3} Ref {digest}-{k}.</p>" for k in range(6))
    teasers = "".join(
        f'<li><a href="/news/{(n + k) % 997}.html">Other story {k}</a></li>' for k in range(1, 6)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Story {n}</title>"
        f"<link rel='canonical' href='http://{host}/news/{n}.html'></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Council story {n} ({digest})</h1>{paragraphs}"
        f"</article><aside><ul>{teasers}</ul></aside></body></html>"
    ).encode()


def feed(host: str, pages: int) -> bytes:
    items = "".join(
        f"<item><title>Council story {n}</title><link>http://{host}/news/{n}.html?utm_source=rss</link>"
        "<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        for n in range(pages)
    )
    channel = f"<channel><title>Bench</title>{items}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


def app(pages: int) -> web.Application:
    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\n")

    async def rss(request: web.Request) -> web.Response:
        return web.Response(body=feed(request.host, pages), content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        return web.Response(body=article(request.host, n), content_type="text/html", charset="utf-8")

    application = web.Application()
    application.router.add_get("/robots.txt", robots)
    application.router.add_get("/feed.xml", rss)
    application.router.add_get(r"/news/{n:\d+}.html", page)
    return application


async def serve(pages: int, hosts: int, port: int) -> None:
    runner = web.AppRunner(app(pages), access_log=None)
    await runner.setup()
    sites = [web.TCPSite(runner, f"127.0.0.{i + 1}", port) for i in range(hosts)]
    await sites[0].start()
    port = sites[0]._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    for i in range(1, hosts):
        await web.TCPSite(runner, f"127.0.0.{i + 1}", port).start()
    print(f"ready {port}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=250, help="articles per host")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.pages, args.hosts, args.port))


if __name__ == "__main__":
    main()
