"""Prometheus metrics of the worker (on its web port, ``/metrics``) and of the scraper (on
``WIRESTREAM_SCRAPE_METRICS_PORT``). One registry per process; the stages count, the web servers
serve. Names and labels are the contract of ``deploy/grafana/`` and ``deploy/prometheus/rules.yaml``.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)

# --- worker -----------------------------------------------------------------------------------
PAGES = Counter(
    "wirestream_pages", "Pages the split stage took in, by outcome.", ["outcome"], registry=REGISTRY
)
STORIES = Counter(
    "wirestream_stories", "Stories cut from pages, by kind and language.", ["kind", "lang"], registry=REGISTRY
)
DEAD_LETTERS = Counter(
    "wirestream_dead_letters",
    "Messages sent to the dead-letter topic, by stage and error type.",
    ["stage", "error_type"],
    registry=REGISTRY,
)
BULK_SECONDS = Histogram(
    "wirestream_bulk_request_seconds",
    "Duration of an Elasticsearch _bulk request of stories.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
BULK_STORIES = Histogram(
    "wirestream_bulk_request_stories",
    "Stories per Elasticsearch _bulk request.",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2500),
    registry=REGISTRY,
)
BULK_RETRIES = Counter(
    "wirestream_bulk_retries", "Bulk requests (or parts of them) tried again.", registry=REGISTRY
)
CONSUMER_LAG = Gauge(
    "wirestream_consumer_lag",
    "Messages of an assigned partition not yet committed by this worker.",
    ["topic", "partition"],
    registry=REGISTRY,
)
ALERT_LATENCY = Histogram(
    "wirestream_alert_latency_seconds",
    "From a story's page being fetched to its alert firing.",
    buckets=(0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)
ALERTS_FIRED = Counter("wirestream_alerts_fired", "Alerts fired, by rule.", ["rule"], registry=REGISTRY)
WEBHOOK_DELIVERIES = Counter(
    "wirestream_webhook_deliveries",
    "Webhook notification rounds, by outcome (delivered, retrying later, failed for good).",
    ["outcome"],
    registry=REGISTRY,
)

# --- scraper ----------------------------------------------------------------------------------
FETCHES = Counter(
    "wirestream_scrape_fetches",
    "Page fetches, by site and HTTP status (or 'error').",
    ["site", "status"],
    registry=REGISTRY,
)
ROBOTS_REFUSALS = Counter(
    "wirestream_scrape_robots_refusals", "Pages robots.txt refused, by site.", ["site"], registry=REGISTRY
)
SCRAPE_BYTES = Counter(
    "wirestream_scrape_bytes", "Bytes of pages fetched, by site.", ["site"], registry=REGISTRY
)
PUBLISHED = Counter(
    "wirestream_scrape_published", "Pages published to Kafka, by site.", ["site"], registry=REGISTRY
)
SILENT_POLLS = Gauge(
    "wirestream_scrape_polls_without_new_pages",
    "Rounds in a row that published nothing new, by site.",
    ["site"],
    registry=REGISTRY,
)


def exposition() -> tuple[bytes, str]:
    """The registry in Prometheus's text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
