"""The secured local stack's certificates and administrator credentials (``stack up --secure``).

A state folder set up with ``--secure`` holds ``secure/``: a private CA, the node certificate both
services present (for ``localhost`` and ``127.0.0.1``), and a generated administrator password.
Kafka then listens only on SASL_SSL (SCRAM-SHA-512) with ACLs enforced, Elasticsearch only on HTTPS
with security on. Components connect as their own principals, created by `wirestream access grant`;
the administrator is for that command, the stack's own probes and `init` on a developer's machine.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import SecretStr

from pipeline.config import Settings

#: The administrator's user name in both Kafka (a SCRAM user and super user) and Elasticsearch (a
#: file-realm user with the superuser role).
ADMIN = "wirestream-admin"
SCRAM = "SCRAM-SHA-512"
SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
VALID_DAYS = 825


@dataclass(frozen=True)
class SecureFiles:
    """Where the secured stack keeps what it made (``<state>/secure``)."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def node_cert(self) -> Path:
        return self.folder / "node.crt"

    @property
    def node_key(self) -> Path:
        return self.folder / "node.key"

    @property
    def node_pem(self) -> Path:
        """Key and certificate chain in one file (Kafka's PEM key store)."""
        return self.folder / "node.pem"

    @property
    def credentials(self) -> Path:
        return self.folder / "credentials.json"

    @property
    def admin_env(self) -> Path:
        return self.folder / "admin.env"


def files(settings: Settings) -> SecureFiles:
    return SecureFiles(settings.state_dir / "secure")


def is_secure(settings: Settings) -> bool:
    """The state folder was set up with ``stack up --secure``."""
    return files(settings).credentials.is_file()


def admin_password(settings: Settings) -> str:
    password: str = json.loads(files(settings).credentials.read_text())["admin_password"]
    return password


def set_up(settings: Settings) -> SecureFiles:
    """Make the CA, the node certificate and the administrator's password, once per state folder."""
    made = files(settings)
    if made.credentials.is_file():
        return made
    made.folder.mkdir(parents=True, exist_ok=True)
    os.chmod(made.folder, 0o700)  # Elasticsearch reads its own copies, in its config folder
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Wirestream local CA")])
    now = dt.datetime.now(dt.UTC)
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    node_key = ec.generate_private_key(ec.SECP256R1())
    node_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    alt_names = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    node = (
        _builder(node_name, ca_name, node_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(alt_names, critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write(made.ca, ca.public_bytes(pem), 0o644)
    _write(made.ca_key, _key_bytes(ca_key), 0o600)
    _write(made.node_cert, node.public_bytes(pem) + ca.public_bytes(pem), 0o644)
    _write(made.node_key, _key_bytes(node_key), 0o600)
    _write(made.node_pem, _key_bytes(node_key) + node.public_bytes(pem) + ca.public_bytes(pem), 0o600)
    credentials = {"admin_user": ADMIN, "admin_password": secrets.token_urlsafe(24)}
    _write(made.credentials, json.dumps(credentials, indent=2).encode(), 0o600)
    _write(made.admin_env, env_lines(admin_settings(settings)).encode(), 0o600)
    return made


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
    )


def _key_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    path.write_bytes(data)
    os.chmod(path, mode)


def admin_settings(settings: Settings) -> Settings:
    """The settings of the secured local stack's administrator (loopback, TLS, credentials)."""
    made, password = files(settings), SecretStr(admin_password(settings))
    return settings.model_copy(
        update={
            "kafka_bootstrap_servers": f"127.0.0.1:{settings.stack_kafka_port}",
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": SCRAM,
            "kafka_username": ADMIN,
            "kafka_password": password,
            "kafka_ssl_cafile": made.ca,
            "elasticsearch_url": f"https://127.0.0.1:{settings.stack_elasticsearch_port}",
            "elasticsearch_username": ADMIN,
            "elasticsearch_password": password,
            "elasticsearch_api_key": None,
            "elasticsearch_ca_file": made.ca,
        }
    )


#: The settings that say how to connect, in the order an env file lists them.
CONNECTION_SETTINGS = (
    "kafka_bootstrap_servers",
    "kafka_security_protocol",
    "kafka_sasl_mechanism",
    "kafka_username",
    "kafka_password",
    "kafka_ssl_cafile",
    "elasticsearch_url",
    "elasticsearch_username",
    "elasticsearch_password",
    "elasticsearch_api_key",
    "elasticsearch_ca_file",
)


def env_lines(settings: Settings) -> str:
    """``WIRESTREAM_...=value`` lines for the connection settings that are set (secrets in clear:
    the file is the secret, mode 600)."""
    lines = []
    for name in CONNECTION_SETTINGS:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        lines.append(f"WIRESTREAM_{name.upper()}={value}")
    return "\n".join(lines) + "\n"
