"""Story clusters on the real stack: the agency page republished by three sites with edits is one
cluster, one search hit "on 3 sites" and one alert; after a restart and a replay, still."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pipeline.alerts.rules import Rule
from pipeline.alerts.store import add_rule, fired
from pipeline.bootstrap import init
from pipeline.cli.search import copies
from pipeline.cluster.indices import clusters_index
from pipeline.config import Settings
from pipeline.index.client import es_client
from pipeline.messages import RawPage
from pipeline.publish import publish_pages
from pipeline.search import search
from pipeline.tools.worker_process import caught_up
from pipeline.topics import TopicNames
from tests.helpers import wait_for
from tests.split.test_segment import AGENCY_PAGE

pytestmark = pytest.mark.integration
Worker = Callable[..., Any]

HEADLINE = "Floodwaters force thousands from homes along the Sava river"


def republished(site: str) -> RawPage:
    """The agency page as three sites carry it: headline rewritten, credit changed, quotes and a
    sentence changed, a sentence dropped; each with its own footer."""
    body = AGENCY_PAGE
    if site == "balkan-daily":
        body = body.replace(HEADLINE, "Sava bursts its banks: 4,000 evacuated").replace("(ILKHA)", "(AA)")
    if site == "river-post":
        body = body.replace(HEADLINE, "State of emergency as the Sava floods three districts")
        body = body.replace(" The regional governor declared", " The governor declared")
        body = body.replace(
            "Rescue teams used boats to reach villages cut off by the water, the civil "
            "protection office said on Monday.\n",
            "",
        )
    url = f"https://{site}.example/news/sava-floods"
    return RawPage(url=url, canonical_url=url, site=site, content_type="text/plain", body=body)


def total(settings: Settings, index: str) -> int:
    es = es_client(settings)
    try:
        es.indices.refresh(index=index)
        return int(es.count(index=index)["count"])
    finally:
        es.close()


def check_one_cluster(settings: Settings) -> None:
    [hit] = search(settings, "Sava", kind="article")
    assert hit["cluster"]["size"] == 3 and hit["cluster"]["site_count"] == 3
    assert copies(hit["cluster"]).startswith("on 3 sites: ")
    assert len(search(settings, "Sava", kind="article", every_copy=True)) == 3
    [alert] = fired(settings, rule="sava-floods")
    assert alert["copies"] == 3 and alert["cluster_id"] == hit["cluster_id"]


def test_three_copies_are_one_cluster_one_hit_and_one_alert_after_a_restart_and_a_replay(
    isolated: Settings, worker: Worker
) -> None:
    init(isolated, timeout=60)
    add_rule(isolated, Rule(name="sava-floods", query='"state of emergency"', kinds=["article"]))
    pages = [republished(site) for site in ("wire-agency", "balkan-daily", "river-post")]
    proc = worker()
    publish_pages(isolated, pages[:1])
    wait_for(lambda: total(isolated, isolated.index_alias) == 4, 90, "the first page's four stories")
    publish_pages(isolated, pages[1:])
    wait_for(lambda: total(isolated, isolated.index_alias) == 12, 90, "the three pages' stories")
    wait_for(lambda: (fired(isolated, rule="sava-floods") or [{}])[0].get("copies") == 3, 60, "3 copies")
    check_one_cluster(isolated)
    clusters = total(isolated, clusters_index(isolated.index_alias))
    assert clusters == 4  # the article's, and one per footer teaser (the same on every site)

    # a restart, then a replay of the pages topic from the start by a new consumer group
    proc.terminate()
    proc.wait(timeout=60)
    replay = isolated.model_copy(update={"worker_group": isolated.worker_group + "-replay"})
    worker(replay)
    publish_pages(isolated, pages[2:])  # and the third page fetched again
    pages_topic = TopicNames.from_settings(isolated).pages
    wait_for(lambda: caught_up(replay, pages_topic), 120, "the replay of the pages topic")
    stories_topic = TopicNames.from_settings(isolated).stories
    wait_for(lambda: caught_up(replay, stories_topic), 120, "the replayed stories indexed")
    check_one_cluster(isolated)
    assert total(isolated, clusters_index(isolated.index_alias)) == clusters
    assert total(isolated, isolated.index_alias) == 12
