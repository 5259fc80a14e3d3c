"""The secured stack's certificates and credentials, made once per state folder."""

from __future__ import annotations

import ipaddress
import json
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from pipeline.config import Settings
from pipeline.stack import secure


def test_set_up_makes_a_ca_a_node_certificate_for_loopback_and_secret_files(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path, stack_kafka_port=19092, stack_elasticsearch_port=19200)
    assert not secure.is_secure(settings)
    made = secure.set_up(settings)
    assert secure.is_secure(settings)
    ca = x509.load_pem_x509_certificate(made.ca.read_bytes())
    node = x509.load_pem_x509_certificate(made.node_cert.read_bytes())  # the first of the chain
    assert node.issuer == ca.subject
    ca_key = ca.public_key()
    assert isinstance(ca_key, ec.EllipticCurvePublicKey)
    node.verify_directly_issued_by(ca)
    names = node.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    for secret in (made.ca_key, made.node_key, made.node_pem, made.credentials, made.admin_env):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret
    assert json.loads(made.credentials.read_text())["admin_user"] == secure.ADMIN


def test_set_up_is_done_once_and_the_admin_settings_connect_securely(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path, stack_kafka_port=19092, stack_elasticsearch_port=19200)
    secure.set_up(settings)
    first = secure.admin_password(settings)
    secure.set_up(settings)
    assert secure.admin_password(settings) == first
    admin = secure.admin_settings(settings)
    assert admin.kafka_security_protocol == "SASL_SSL" and admin.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert admin.elasticsearch_url == "https://127.0.0.1:19200"
    assert admin.kafka_ssl_cafile == admin.elasticsearch_ca_file == secure.files(settings).ca
    lines = secure.env_lines(admin)
    assert "WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092" in lines
    assert f"WIRESTREAM_KAFKA_PASSWORD={first}" in lines
