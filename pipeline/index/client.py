"""Elasticsearch clients built from the settings (sync for commands, async for the worker), and
which of their failures are worth waiting out."""

from __future__ import annotations

import logging
import ssl
from typing import Any

import orjson
from elastic_transport import TlsError
from elasticsearch import (
    ApiError,
    AsyncElasticsearch,
    AuthenticationException,
    BadRequestError,
    Elasticsearch,
    TransportError,
)
from elasticsearch.serializer import JsonSerializer, NdjsonSerializer

from pipeline.config import Settings
from pipeline.errors import CredentialsRefused, TransientError, UntrustedCertificate


class _Orjson(JsonSerializer):
    """JSON bodies both ways through orjson: twice as fast as the standard library to read (term
    vectors and search hits: 8% of the worker's time with 10,000 alert rules) and twenty times to
    write. Types orjson does not know go to the client's own ``default`` (dates, UUIDs, decimals)."""

    def json_dumps(self, data: Any) -> bytes:
        return orjson.dumps(data, default=self.default)

    def json_loads(self, data: bytes) -> Any:
        return orjson.loads(data)


class _OrjsonLines(NdjsonSerializer):
    """Bulk and multi-search bodies (one JSON document per line) through orjson."""

    json_dumps = _Orjson.json_dumps
    json_loads = _Orjson.json_loads


SERIALIZERS = {JsonSerializer.mimetype: _Orjson(), NdjsonSerializer.mimetype: _OrjsonLines()}


def _options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {"request_timeout": settings.elasticsearch_timeout, "serializers": SERIALIZERS}
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
    check_access(settings)
    return Elasticsearch(settings.elasticsearch_url, **_options(settings))


def async_es_client(settings: Settings) -> AsyncElasticsearch:
    check_access(settings)
    return AsyncElasticsearch(settings.elasticsearch_url, **_options(settings))


def check_access(settings: Settings) -> None:
    """Fail fast and clearly when Elasticsearch refuses the credentials (401) or its certificate is
    not trusted, instead of retrying what cannot pass. Once per process and settings; an
    unreachable Elasticsearch is not an error here."""
    secured = settings.elasticsearch_url.startswith("https:") or settings.elasticsearch_api_key is not None
    if not (secured or settings.elasticsearch_username) or settings in _checked:
        return
    options = {**_options(settings), "request_timeout": min(settings.elasticsearch_timeout, 5.0)}
    quiet = logging.getLogger("elastic_transport")  # it would log the failure we explain below
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        Elasticsearch(settings.elasticsearch_url, max_retries=0, **options).cluster.health(timeout="1s")
    except AuthenticationException as exc:
        who = "the API key" if settings.elasticsearch_api_key else f"user {settings.elasticsearch_username!r}"
        raise CredentialsRefused(
            f"Elasticsearch at {settings.elasticsearch_url} refused {who}: {exc.message}"
        ) from None
    except TlsError as exc:
        raise UntrustedCertificate(
            f"TLS with Elasticsearch at {settings.elasticsearch_url} failed: {_tls_reason(exc)} (is "
            "WIRESTREAM_ELASTICSEARCH_CA_FILE the CA that signed its certificate?)"
        ) from None
    except (ApiError, TransportError):
        return  # not up yet, or busy: the clients wait and retry as usual
    finally:
        quiet.setLevel(level)
    _checked.add(settings)


_checked: set[Settings] = set()


def _tls_reason(exc: TlsError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return str(getattr(cause, "verify_message", None) or cause.reason or cause)
        cause = cause.__cause__ or cause.__context__
    return str(exc.message)


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
