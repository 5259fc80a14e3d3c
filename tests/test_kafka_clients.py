"""Every Kafka client gets the same security from the same settings: kafka-python (publish, scrape,
init) and faust/aiokafka (the worker), for each security protocol."""

from __future__ import annotations

import ssl

import certifi
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from pipeline import kafka_clients
from pipeline.app import faust_app
from pipeline.config import Settings

PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]


def settings(protocol: str, **more: object) -> Settings:
    values: dict[str, object] = {
        "kafka_bootstrap_servers": "k1:9093,k2:9093",
        "kafka_security_protocol": protocol,
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_username": "worker",
        "kafka_password": "s3cret",
        "kafka_ssl_cafile": certifi.where(),
    }
    return Settings(**{**values, **more})  # type: ignore[arg-type]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_kafka_python_and_faust_get_the_same_security(protocol: str) -> None:
    configured = settings(protocol)
    python_side = kafka_clients.client_options(configured)
    app = faust_app(configured)
    faust_side = credentials_to_aiokafka_auth(app.conf.broker_credentials)

    assert python_side["bootstrap_servers"] == ["k1:9093", "k2:9093"]
    assert [str(url) for url in app.conf.broker] == ["kafka://k1:9093", "kafka://k2:9093"]
    assert python_side["security_protocol"] == faust_side["security_protocol"] == protocol
    tls = protocol in ("SSL", "SASL_SSL")
    assert isinstance(python_side.get("ssl_context"), ssl.SSLContext) is tls
    assert isinstance(faust_side.get("ssl_context"), ssl.SSLContext) is tls
    if tls:
        for context in (python_side["ssl_context"], faust_side["ssl_context"]):
            assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    if protocol.startswith("SASL"):
        for side in (python_side, faust_side):
            assert side["sasl_mechanism"] == "SCRAM-SHA-512"
            assert (side["sasl_plain_username"], side["sasl_plain_password"]) == ("worker", "s3cret")
    else:
        assert "sasl_mechanism" not in python_side and "sasl_mechanism" not in faust_side


def test_the_host_name_check_can_be_turned_off_for_every_client() -> None:
    configured = settings("SSL", kafka_ssl_check_hostname=False)
    faust_side = credentials_to_aiokafka_auth(faust_app(configured).conf.broker_credentials)
    assert not kafka_clients.client_options(configured)["ssl_context"].check_hostname
    assert not faust_side["ssl_context"].check_hostname


def test_sasl_without_credentials_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="needs WIRESTREAM_KAFKA_USERNAME and WIRESTREAM_KAFKA_PASSWORD"):
        kafka_clients.client_options(Settings(kafka_security_protocol="SASL_SSL"))


def test_a_missing_ca_file_is_an_error_not_a_silent_fallback() -> None:
    with pytest.raises(FileNotFoundError):
        kafka_clients.ssl_context(settings("SSL", kafka_ssl_cafile="/nonexistent/ca.pem"))
