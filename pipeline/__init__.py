"""Wirestream: streaming news ingest (scrape -> Kafka -> split -> language -> Elasticsearch)."""

__version__ = "0.1.0"
