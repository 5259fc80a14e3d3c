"""Every Kafka connection, built from the settings in one place.

Two client libraries talk to Kafka: kafka-python (``publish``, ``scrape``, ``init``, tests and
benchmarks) and aiokafka under faust (the worker). Both get the same security from the same four
settings groups: the protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL), the SASL mechanism and
credentials, and the TLS trust (CA bundle, optional client certificate, host name check).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl
from typing import Any

import faust
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from pipeline.config import Settings
from pipeline.errors import CredentialsRefused, UntrustedCertificate
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


def check_access(settings: Settings, timeout: float = 5.0) -> None:
    """Fail fast and clearly when Kafka refuses the credentials or its certificate is not trusted.

    kafka-python (and aiokafka inside faust) log such failures as lost connections and retry until
    their timeouts, so every secured client first opens one connection itself (aiokafka's, which
    reports why). Once per process and settings; an unreachable broker is not an error here (the
    clients wait for it as usual)."""
    if (uses_tls(settings) or uses_sasl(settings)) and settings not in _checked:
        # in a thread of its own: callers may be inside an event loop (the worker, the scraper)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _check(settings, timeout)).result()
        _checked.add(settings)


_checked: set[Settings] = set()


async def _check(settings: Settings, timeout: float) -> None:
    from aiokafka.conn import create_conn
    from aiokafka.errors import SaslAuthenticationFailed

    sasl: dict[str, Any] = {}
    if uses_sasl(settings):
        username, password = _sasl_credentials(settings)
        sasl = {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": username,
            "sasl_plain_password": password,
        }
    for server in settings.kafka_bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            conn = await asyncio.wait_for(
                create_conn(
                    host.strip("[]"),
                    int(port),
                    security_protocol=settings.kafka_security_protocol,
                    ssl_context=ssl_context(settings),
                    request_timeout_ms=int(timeout * 1000),
                    **sasl,
                ),
                timeout,
            )
        except SaslAuthenticationFailed as exc:
            raise CredentialsRefused(
                f"Kafka at {server.strip()} refused user {sasl.get('sasl_plain_username')!r} "
                f"({settings.kafka_sasl_mechanism}): {exc.args[0] if exc.args else exc}"
            ) from None
        except ssl.SSLError as exc:
            raise UntrustedCertificate(
                f"TLS with Kafka at {server.strip()} failed: {_why(exc)} (is "
                "WIRESTREAM_KAFKA_SSL_CAFILE the CA that signed the broker's certificate, and does the "
                "listener speak TLS?)"
            ) from None
        except (OSError, TimeoutError):
            continue  # not up yet, or another server: the clients wait and retry as usual
        conn.close()
        return


def _why(exc: ssl.SSLError) -> str:
    return str(getattr(exc, "verify_message", None) or exc.reason or exc)


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
    check_access(settings)
    return KafkaProducer(**options, **client_options(settings))


def consumer(settings: Settings, *topics: str, **options: Any) -> KafkaConsumer:
    check_access(settings)
    return KafkaConsumer(*topics, **options, **client_options(settings))


def admin(settings: Settings, client_id: str = "wirestream") -> KafkaAdminClient:
    check_access(settings)
    return KafkaAdminClient(client_id=client_id, **client_options(settings))
