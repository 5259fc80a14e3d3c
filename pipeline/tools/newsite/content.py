"""What the news site serves: articles in several languages, feeds, a sitemap, a hostile feed, and
synthetic articles by the thousand for the benchmarks."""

from __future__ import annotations

import hashlib
from email.utils import formatdate

FEED_MODIFIED = formatdate(1795000000, usegmt=True)
#: Names the test resolver knows; any other name fails, so no test ever reaches real DNS.
TEST_DNS = {"intranet.corp.example": ["10.0.0.5"]}


async def fake_dns(host: str, port: int) -> list[str]:
    """The resolver tests inject into the scraper's guard."""
    if host not in TEST_DNS:
        raise OSError(f"test resolver: unknown host {host}")
    return TEST_DNS[host]


FEED_ETAG = '"feed-v1"'


def article_html(title: str, paragraphs: list[str], canonical: str, lang: str = "en") -> bytes:
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


PARAGRAPH = (
    "The regional council approved the new transport budget on Tuesday after a debate that lasted "
    "well into the evening, and the mayor said the first buses would run on the new lines in spring. "
)


def synthetic_article(host: str, n: int) -> bytes:
    digest = hashlib.blake2s(f"{host}/{n}".encode()).hexdigest()[:8]
    paragraphs = "".join(f"<p>{PARAGRAPH * 3} Ref {digest}-{k}.</p>" for k in range(6))
    teasers = "".join(
        f'<li><a href="/synthetic/{(n + k) % 997}.html">Other story {k}</a></li>' for k in range(1, 6)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Story {n}</title>"
        f"<link rel='canonical' href='http://{host}/synthetic/{n}.html'></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Council story {n} ({digest})</h1>{paragraphs}"
        f"</article><aside><ul>{teasers}</ul></aside></body></html>"
    ).encode()


def synthetic_feed(host: str, pages: int) -> bytes:
    items = "".join(
        f"<item><title>Council story {n}</title><link>http://{host}/synthetic/{n}.html?utm_source=rss</link>"
        "<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        for n in range(pages)
    )
    channel = f"<channel><title>Bench</title>{items}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


def turkish_1254_page(headline: str) -> bytes:
    """A Turkish page in windows-1254 that does not say so (charset detection must find it)."""
    page = (
        f"<html><head><title>{headline}</title></head><body><h1>{headline}</h1>"
        "<p>Şırnak'ın İdil ve Cizre ilçelerine bağlı köylere doğal gaz boru hattı döşeneceği açıklandı. "
        "Çiftçiler ve esnaf, kışın ısınma giderlerinin düşeceğini söyledi.</p>"
        "<p>Belediye başkanı, çalışmaların ilkbaharda başlayacağını ve iki yıl içinde bitirilmesinin "
        "planlandığını belirtti. Işıklı caddesindeki dükkân sahipleri de müjdeyi sevinçle karşıladı.</p>"
        "</body></html>"
    )
    return page.encode("cp1254")
