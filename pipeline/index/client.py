"""Elasticsearch clients built from the settings (sync for commands, async for the worker), and
which of their failures are worth waiting out."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError, Elasticsearch, TransportError

from pipeline.config import Settings
from pipeline.errors import TransientError


def _options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"request_timeout": settings.elasticsearch_timeout}
    if settings.elasticsearch_ca_file is not None:
        options["ca_certs"] = str(settings.elasticsearch_ca_file)
    if settings.elasticsearch_api_key is not None:
        options["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    elif settings.elasticsearch_username and settings.elasticsearch_password is not None:
        options["basic_auth"] = (
            settings.elasticsearch_username,
            settings.elasticsearch_password.get_secret_value(),
        )
    return options


def es_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.elasticsearch_url, **_options(settings))


def async_es_client(settings: Settings) -> AsyncElasticsearch:
    return AsyncElasticsearch(settings.elasticsearch_url, **_options(settings))


def transient(error: BaseException) -> bool:
    """A failure that passes: 429, 5xx, timeouts, refused connections, or our TransientError.
    Anything else (a 4xx, a bug) is not worth waiting for."""
    if isinstance(error, ApiError):
        return error.meta.status == 429 or error.meta.status >= 500
    return isinstance(error, TransientError | TransportError | OSError)


def create_missing(es: Elasticsearch, index: str, mappings: dict[str, Any], settings: dict[str, Any]) -> bool:
    """Create ``index`` unless it exists (safe against a race with another worker); True if created."""
    if es.indices.exists(index=index):
        return False
    try:
        es.indices.create(index=index, mappings=mappings, settings=settings)
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
        return False
    return True
