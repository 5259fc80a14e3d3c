"""`wirestream eval pages DIR`: the split stage on real publisher pages with their expected article.

DIR holds Fundus's parser test data (``<country>/<Publisher>.json`` with the expected title and body
per parser version, ``<Publisher>_<date>.html.gz`` pages, ``<country>/meta.info`` with their URLs;
versions map to the pages in date order). Against plain ``trafilatura.extract`` on the same pages,
in the same run, it reports:

* the article's token F1 against the expected body (each Han or kana character is one token);
* leakage: the share of the article's tokens that are not in the expected body;
* pages with no article (and pages where trafilatura finds text but we give no article);
* teasers that are pieces of the article (more than half of a teaser's word trigrams are in the
  expected body), counted per teaser and per page;
* with ``labels`` (a folder of labelled related-story blocks), teaser precision and recall.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.language import detect
from pipeline.messages import RawPage, Story
from pipeline.split.overlap import f1, piece_of, tokens, trigrams

PAGE_NAME = re.compile(r"^(?P<publisher>.+)_(?P<date>\d{4}_\d{2}_\d{2})\.html\.gz$")


def leakage(found: list[str], expected: list[str]) -> float:
    """Share of the found tokens that the expected text does not have."""
    if not found:
        return 0.0
    extra = Counter(found) - Counter(expected)
    return sum(extra.values()) / len(found)


@dataclass(frozen=True)
class RealPage:
    name: str  # <country>/<file name>
    url: str
    html: str
    title: str
    body: str  # the expected body: summary, section headlines and paragraphs, one per line


def _body(version: dict[str, Any]) -> str:
    body = version.get("body") or {}
    lines = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        lines += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return "\n".join(line for line in lines if line.strip())


def read_publishers(path: Path | None) -> set[str] | None:
    """The ``country/Publisher`` lines of a file (None: no file, every publisher)."""
    if path is None:
        return None
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


def load_pages(directory: Path, publishers: set[str] | None = None) -> Iterator[RealPage]:
    """Every page of the folder (only ``publishers``, as ``country/Publisher``, when given)."""
    for expected in sorted(directory.glob("*/*.json")):
        country, publisher = expected.parent.name, expected.stem
        if publishers is not None and f"{country}/{publisher}" not in publishers:
            continue
        meta_file = expected.parent / "meta.info"
        meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
        pages = sorted(
            p
            for p in expected.parent.glob(f"{publisher}_*.html.gz")
            if (m := PAGE_NAME.match(p.name)) and m["publisher"] == publisher
        )
        versions = json.loads(expected.read_text())
        ordered = [versions[k] for k in sorted(versions, key=_version_key)]
        for page, version in zip(pages, ordered[-len(pages) :] if pages else [], strict=False):
            yield RealPage(
                name=f"{country}/{page.name}",
                url=str((meta.get(page.name) or {}).get("url") or f"https://{publisher.lower()}.example/"),
                html=gzip.decompress(page.read_bytes()).decode("utf-8", "replace"),
                title=str(version.get("title") or ""),
                body=_body(version),
            )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name)) or (0,)


@dataclass
class PageScore:
    name: str
    lang: str
    f1: float
    baseline_f1: float
    leakage: float
    article: bool
    baseline_text: bool
    teasers: int
    teaser_pieces: int
    problems: list[str] = field(default_factory=list)


def score_page(
    page: RealPage, split: Callable[[RawPage], list[Story]], baseline: Callable[[str, str], str]
) -> PageScore:
    raw = RawPage(url=page.url, canonical_url=page.url, site="eval", content_type="text/html", body=page.html)
    expected = tokens(page.body)
    body_grams = trigrams(page.body)
    try:
        stories = split(raw)
    except Exception as exc:  # a page we dead-letter has no article
        stories = []
        problem = f"{type(exc).__name__}: {exc}"
    else:
        problem = ""
    article = next((s for s in stories if s.kind == "article"), None)
    found = tokens(article.text) if article else []
    teasers = [s for s in stories if s.kind == "teaser"]
    pieces = [t for t in teasers if piece_of(t.text, body_grams)]
    reference = baseline(page.html, page.url)
    score = PageScore(
        name=page.name,
        lang=detect(page.body[:2000]).lang,
        f1=f1(found, expected),
        baseline_f1=f1(tokens(reference), expected),
        leakage=leakage(found, expected),
        article=article is not None,
        baseline_text=bool(reference.strip()),
        teasers=len(teasers),
        teaser_pieces=len(pieces),
    )
    if problem:
        score.problems.append(problem)
    if pieces:
        score.problems.append(f"{len(pieces)} teasers are pieces of the article: {pieces[0].text[:80]!r}")
    return score


def summarise(scores: list[PageScore]) -> dict[str, Any]:
    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    teasers = sum(s.teasers for s in scores)
    pieces = sum(s.teaser_pieces for s in scores)
    return {
        "pages": len(scores),
        "article_f1": mean([s.f1 for s in scores]),
        "trafilatura_f1": mean([s.baseline_f1 for s in scores]),
        "leakage": mean([s.leakage for s in scores]),
        "pages_without_article": sum(not s.article for s in scores),
        "pages_without_article_where_trafilatura_has_text": sum(
            not s.article and s.baseline_text for s in scores
        ),
        "teasers": teasers,
        "teasers_that_are_article_pieces": pieces,
        "pages_with_article_pieces": sum(s.teaser_pieces > 0 for s in scores),
    }


def by_language_group(scores: list[PageScore]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[PageScore]] = {}
    for score in scores:
        groups.setdefault(LANGUAGE_GROUPS.get(score.lang, "other"), []).append(score)
    return {name: summarise(group) for name, group in sorted(groups.items())}


LANGUAGE_GROUPS = {
    **dict.fromkeys(("en",), "English"),
    **dict.fromkeys(("de", "nl", "lb"), "German, Dutch"),
    **dict.fromkeys(("fr", "es", "it", "pt", "ca", "gl", "ro"), "Romance"),
    **dict.fromkeys(("da", "no", "nb", "nn", "sv", "is", "kl"), "Nordic"),
    **dict.fromkeys(("pl", "ru", "uk", "lt", "lv", "cs", "bg"), "Slavic, Baltic"),
    **dict.fromkeys(("zh", "ja", "ko"), "CJK"),
    **dict.fromkeys(("vi", "hi", "zu", "xh", "af"), "other scripts and regions"),
}


@dataclass
class TeaserScore:
    """Teasers (headline + lead, a story of their own) and links (headline only) found on one page,
    against its labels."""

    name: str
    teasers_found: int = 0
    teasers_right: int = 0  # found teasers that are labelled teasers
    teasers_labelled: int = 0
    teasers_recalled: int = 0  # labelled teasers found as teasers
    links_labelled: int = 0
    items_recalled: int = 0  # labelled teasers and links found as either


def _url_key(url: str | None) -> str:
    if not url:
        return ""
    url = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()
    return url.removeprefix("https://").removeprefix("http://").removeprefix("www.")


def _same_item(
    found_title: str | None, found_text: str, found_url: str | None, label: dict[str, Any]
) -> bool:
    if found_url and _url_key(found_url) == _url_key(label.get("url")):
        return True
    title = tokens(label.get("title") or "")
    lead = tokens(label.get("lead") or "")
    return bool(
        (title and f1(tokens(found_title or ""), title) >= 0.8)
        or (lead and f1(tokens(found_text), lead) >= 0.8)
        or (title and f1(tokens(found_text), title) >= 0.8)
    )


def score_labels(page: RealPage, labels: dict[str, Any], split: Callable[[RawPage], Any]) -> TeaserScore:
    """``split`` returns a SplitResult (stories and links)."""
    raw = RawPage(url=page.url, canonical_url=page.url, site="eval", content_type="text/html", body=page.html)
    score = TeaserScore(
        page.name, teasers_labelled=len(labels["teasers"]), links_labelled=len(labels["links"])
    )
    try:
        result = split(raw)
        teasers = [s for s in result.stories if s.kind == "teaser"]
        links = list(result.links)
    except Exception:  # a page we dead-letter finds nothing
        teasers, links = [], []
    score.teasers_found = len(teasers)
    score.teasers_right = sum(
        any(_same_item(t.title, t.text, t.url, label) for label in labels["teasers"]) for t in teasers
    )
    score.teasers_recalled = sum(
        any(_same_item(t.title, t.text, t.url, label) for t in teasers) for label in labels["teasers"]
    )
    found = [(t.title, t.text, t.url) for t in teasers] + [
        (link.title, link.title, link.url) for link in links
    ]
    score.items_recalled = sum(
        any(_same_item(title, text, url, label) for title, text, url in found)
        for label in [*labels["teasers"], *labels["links"]]
    )
    return score


def summarise_labels(scores: list[TeaserScore]) -> dict[str, Any]:
    found = sum(s.teasers_found for s in scores)
    labelled = sum(s.teasers_labelled for s in scores)
    items = labelled + sum(s.links_labelled for s in scores)
    return {
        "pages": len(scores),
        "teasers_labelled": labelled,
        "teasers_found": found,
        "teaser_precision": round(sum(s.teasers_right for s in scores) / found, 3) if found else None,
        "teaser_recall": round(sum(s.teasers_recalled for s in scores) / labelled, 3) if labelled else None,
        "items_labelled": items,
        "item_recall": round(sum(s.items_recalled for s in scores) / items, 3) if items else None,
        "pages_with_teasers_where_none_labelled": sum(
            s.teasers_found > 0 and s.teasers_labelled == 0 for s in scores
        ),
    }


def load_labels(directory: Path) -> dict[str, dict[str, Any]]:
    """Labels by page name (``country/file``)."""
    labels: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        labels[data["page"]] = data
    return labels
