"""Does a Kafka broker / an Elasticsearch node answer? Shared by the stack, `init`, tests and health."""

from __future__ import annotations

import base64
import json
import logging
import socket
import ssl
import urllib.error
import urllib.request
from typing import Any

from kafka import KafkaAdminClient

from pipeline import kafka_clients
from pipeline.config import Settings


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def kafka_answers(bootstrap_servers: str, timeout: float = 3.0, **client_options: Any) -> bool:
    """The broker answers a metadata request (not merely a TCP connect)."""
    # A closed port fails fast here; the client itself would retry for its whole timeout.
    if not any(
        port_open(*_host_port(server), timeout=min(timeout, 1.0)) for server in bootstrap_servers.split(",")
    ):
        return False
    ms = int(timeout * 1000)
    # kafka-python logs every refused connection at ERROR; a probe expects refusals.
    quiet = logging.getLogger("kafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            request_timeout_ms=ms,
            **client_options,
        )
    except Exception:
        return False
    else:
        try:
            admin.describe_cluster()
            return True
        except Exception:
            return False
        finally:
            admin.close()
    finally:
        quiet.setLevel(level)


def _host_port(server: str) -> tuple[str, int]:
    host, _, port = server.strip().rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port or 9092)


def elasticsearch_request(settings: Settings, path: str, timeout: float = 3.0) -> dict[str, Any] | None:
    """GET ``path`` from the configured Elasticsearch; None when it does not answer with 2xx JSON."""
    request = urllib.request.Request(settings.elasticsearch_url.rstrip("/") + path)
    if settings.elasticsearch_api_key is not None:
        request.add_header("Authorization", "ApiKey " + settings.elasticsearch_api_key.get_secret_value())
    elif settings.elasticsearch_username and settings.elasticsearch_password is not None:
        token = f"{settings.elasticsearch_username}:{settings.elasticsearch_password.get_secret_value()}"
        request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    context = None
    if settings.elasticsearch_url.startswith("https:"):
        cafile = str(settings.elasticsearch_ca_file) if settings.elasticsearch_ca_file else None
        context = ssl.create_default_context(cafile=cafile)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            body: dict[str, Any] = json.loads(response.read())
            return body
    except (OSError, ValueError, urllib.error.URLError):
        return None


def elasticsearch_ready(settings: Settings, timeout: float = 3.0) -> bool:
    """The cluster is at least yellow."""
    health = elasticsearch_request(
        settings, "/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=timeout
    )
    return health is not None and health.get("status") in ("yellow", "green")


def health(settings: Settings) -> dict[str, bool]:
    """Do Kafka (with the configured security) and Elasticsearch answer? (`wirestream health`)"""
    return {"kafka": kafka_ready(settings), "elasticsearch": elasticsearch_ready(settings)}


def kafka_ready(settings: Settings, timeout: float = 3.0) -> bool:
    """The configured Kafka answers a metadata request, connected with the configured security."""
    options = {k: v for k, v in kafka_clients.client_options(settings).items() if k != "bootstrap_servers"}
    return kafka_answers(settings.kafka_bootstrap_servers, timeout, **options)


def services_answer(settings: Settings) -> bool:
    """Kafka and Elasticsearch at the configured addresses both answer."""
    return kafka_ready(settings) and elasticsearch_ready(settings)


def elasticsearch_version(settings: Settings) -> str | None:
    # not GET /: the runnable zip on Maven Central has no handler for it
    info = elasticsearch_request(settings, "/_nodes/_local?filter_path=nodes.*.version")
    versions = [node.get("version") for node in (info or {}).get("nodes", {}).values()]
    return str(versions[0]) if versions and versions[0] else None
