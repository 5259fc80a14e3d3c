"""Every Kafka connection, built from the settings in one place.

Two client libraries talk to Kafka: kafka-python (``publish``, ``scrape``, ``init``, tests and
benchmarks) and aiokafka under faust (the worker). Both get the same security from the same four
settings groups: the protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), the SASL mechanism and
credentials, and the TLS trust (CA bundle, optional client certificate, host name check).
"""

from __future__ import annotations

import ssl
from typing import Any

import faust
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from pipeline.config import Settings
from pipeline.topics import PAGES_MAX_MESSAGE_BYTES


def uses_tls(settings: Settings) -> bool:
    return settings.kafka_security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(settings: Settings) -> bool:
    return settings.kafka_security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL (None otherwise): the configured CA bundle, or the
    system's trust store, plus the client certificate for mutual TLS when one is configured."""
    if not uses_tls(settings):
        return None
    cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_certfile:
        keyfile = str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None
        context.load_cert_chain(str(settings.kafka_ssl_certfile), keyfile)
    return context


def _sasl_credentials(settings: Settings) -> tuple[str, str]:
    if not settings.kafka_username or settings.kafka_password is None:
        raise ValueError(
            f"WIRESTREAM_KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol} needs "
            "WIRESTREAM_KAFKA_USERNAME and WIRESTREAM_KAFKA_PASSWORD"
        )
    return settings.kafka_username, settings.kafka_password.get_secret_value()


def client_options(settings: Settings) -> dict[str, Any]:
    """kafka-python's connection options (every client: producer, consumer, admin)."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "security_protocol": settings.kafka_security_protocol,
    }
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if uses_sasl(settings):
        username, password = _sasl_credentials(settings)
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=username,
            sasl_plain_password=password,
        )
    return options


def faust_options(settings: Settings) -> dict[str, Any]:
    """faust's ``broker`` and ``broker_credentials`` (aiokafka underneath)."""
    broker = ";".join(f"kafka://{server.strip()}" for server in settings.kafka_bootstrap_servers.split(","))
    context = ssl_context(settings)
    credentials: Any = None
    if uses_sasl(settings):
        username, password = _sasl_credentials(settings)
        credentials = faust.SASLCredentials(
            username=username,
            password=password,
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=context,  # SASL_SSL when a context is given, SASL_PLAINTEXT otherwise
        )
    elif context is not None:
        credentials = faust.SSLCredentials(context)
    return {"broker": broker, "broker_credentials": credentials}


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    """The publishing producer: idempotent, acks=all, zstd, pages up to the topic's size cap."""
    options: dict[str, Any] = {
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": "zstd",
        "linger_ms": 20,
        "max_request_size": PAGES_MAX_MESSAGE_BYTES,
        "retries": 2**31 - 1,
        "delivery_timeout_ms": 120_000,
        **overrides,
    }
    return KafkaProducer(**options, **client_options(settings))


def consumer(settings: Settings, *topics: str, **options: Any) -> KafkaConsumer:
    return KafkaConsumer(*topics, **options, **client_options(settings))


def admin(settings: Settings, client_id: str = "wirestream") -> KafkaAdminClient:
    return KafkaAdminClient(client_id=client_id, **client_options(settings))
