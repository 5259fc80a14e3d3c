"""The synthetic news site: ``NewsSite`` (see site.py), and what it serves (content.py).

``python -m pipeline.tools.newsite`` runs it by hand (the README's walk-through) or for a benchmark
(``--hosts 8 --synthetic 250``; it prints ``ready PORT`` once it listens)."""

from pipeline.tools.newsite.content import ARTICLE_TEXT, EVIL_FEED, TEST_DNS, fake_dns
from pipeline.tools.newsite.site import NewsSite

__all__ = ["ARTICLE_TEXT", "EVIL_FEED", "TEST_DNS", "NewsSite", "fake_dns"]
