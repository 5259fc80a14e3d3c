"""`wirestream access grant`: the grants of ``grants.py`` made real, as an administrator.

Per component: a Kafka user (SCRAM credentials, when the mechanism is SCRAM) with exactly its ACLs,
an Elasticsearch role and an API key limited to that role, and an env file with the settings the
component connects with (mode 600; the administrator's credentials are not in it). Running it again
rotates every password and key: the previous keys are invalidated, the previous ACLs replaced.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from pydantic import SecretStr

from pipeline import kafka_clients
from pipeline.access.grants import Component, KafkaGrant, components, index_line
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.index.client import es_client
from pipeline.stack.secure import CONNECTION_SETTINGS, env_lines


@dataclass
class Granted:
    component: str
    kafka_user: str | None = None
    acls: list[str] = field(default_factory=list)
    role: str | None = None
    api_key_id: str | None = None
    env_file: Path | None = None


def grant(settings: Settings, out: Path, say: Callable[[str], None]) -> list[Granted]:
    """Make every component's principals and grants (``settings`` are the administrator's)."""
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    chosen = components(settings)
    passwords = _kafka_users(settings, chosen, say)
    keys = _es_roles_and_keys(settings, chosen, say)
    granted = []
    for component in chosen:
        done = Granted(component.name, kafka_user=component.kafka_user(settings))
        done.acls = [g.describe() for g in component.kafka]
        if component.es_role is not None:
            done.role = component.role_name(settings)
            done.api_key_id = keys[component.name][0]
        key, password = keys.get(component.name), passwords.get(component.name)
        own = _component_settings(settings, component, password, key)
        done.env_file = out / f"{component.name}.env"
        done.env_file.write_text(f"# {component.purpose}\n" + env_lines(own))
        os.chmod(done.env_file, 0o600)
        granted.append(done)
    return granted


def _component_settings(
    admin: Settings, component: Component, password: str | None, key: tuple[str, str] | None
) -> Settings:
    """The administrator's connection settings with the component's own credentials instead."""
    return admin.model_copy(
        update={
            "kafka_username": component.kafka_user(admin) if password else None,
            "kafka_password": SecretStr(password) if password else None,
            "elasticsearch_username": None,
            "elasticsearch_password": None,
            "elasticsearch_api_key": SecretStr(key[1]) if key else None,
        }
    )


def _kafka_users(settings: Settings, chosen: list[Component], say: Callable[[str], None]) -> dict[str, str]:
    """SCRAM users (new passwords) and their ACLs (old ones of the principal replaced)."""
    users = {c.name: user for c in chosen if (user := c.kafka_user(settings))}
    if not users:
        return {}
    admin = kafka_clients.admin(settings, client_id="wirestream-access")
    try:
        passwords: dict[str, str] = {}
        names = ", ".join(sorted(users.values()))
        mechanism = settings.kafka_sasl_mechanism.upper().replace("-", "_")
        if mechanism.startswith("SCRAM"):
            passwords = {name: secrets.token_urlsafe(24) for name in users}
            upserts = [
                UserScramCredentialUpsertion(users[name], ScramMechanism[mechanism], password)
                for name, password in passwords.items()
            ]
            results = admin.alter_user_scram_credentials(upserts)
            failed = {user: error for user, error in results.items() if error}
            if failed:
                raise UserError(f"Kafka refused to set SCRAM credentials: {failed}")
            say(f"kafka: {settings.kafka_sasl_mechanism} users {names} (new passwords)")
        else:
            say(f"kafka: {settings.kafka_sasl_mechanism} users are your provider's: create {names}")
        for component in chosen:
            user = users.get(component.name)
            if user is None:
                continue
            principal = f"User:{user}"
            admin.delete_acls([_any_acl_of(principal)])
            admin.create_acls([acl for grant in component.kafka for acl in _acls(principal, grant)])
            for line in component.kafka:
                say(f"kafka: {principal} may {line.describe()}")
        return passwords
    finally:
        admin.close()


def _any_acl_of(principal: str) -> ACLFilter:
    return ACLFilter(
        principal=principal,
        host="*",
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )


def _acls(principal: str, grant: KafkaGrant) -> list[ACL]:
    kind = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP, "cluster": ResourceType.CLUSTER}
    pattern = ResourcePattern(
        kind[grant.resource],
        grant.name,
        ACLResourcePatternType.PREFIXED if grant.prefixed else ACLResourcePatternType.LITERAL,
    )
    return [
        ACL(principal, "*", ACLOperation[operation], ACLPermissionType.ALLOW, pattern)
        for operation in grant.operations
    ]


def _es_roles_and_keys(
    settings: Settings, chosen: list[Component], say: Callable[[str], None]
) -> dict[str, tuple[str, str]]:
    """A role per component and an API key limited to it: component -> (key id, encoded key)."""
    es = es_client(settings)
    keys: dict[str, tuple[str, str]] = {}
    try:
        for component in chosen:
            if component.es_role is None:
                continue
            name = component.role_name(settings)
            es.security.put_role(name=name, **component.es_role)
            es.security.invalidate_api_key(name=name)
            created = es.security.create_api_key(name=name, role_descriptors={name: component.es_role})
            keys[component.name] = (str(created["id"]), str(created["encoded"]))
            privileges = "; ".join(index_line(index) for index in component.es_role["indices"])
            say(f"elasticsearch: role {name} ({privileges}), API key {created['id']}")
        return keys
    finally:
        es.close()


def read_env_file(path: Path, base: Settings) -> Settings:
    """``base`` with the connection settings of an env file ``grant`` wrote instead of its own (a
    credential the file does not name is unset, not inherited)."""
    values: dict[str, object] = {name: getattr(base, name) for name in Settings.model_fields}
    for name in CONNECTION_SETTINGS:
        if Settings.model_fields[name].default is None:
            values[name] = None
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and name.startswith("WIRESTREAM_"):
            values[name.removeprefix("WIRESTREAM_").lower()] = value
    return Settings(**values)  # type: ignore[arg-type]
