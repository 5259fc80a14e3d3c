"""Static checks of the container files: deploy/compose.yaml, deploy/Dockerfile, .dockerignore, .env.example.

Docker is not needed (nor the network): the files are parsed and checked for what operators rely on:
pinned images that agree with the local stack (pipeline/stack/maven/pom.xml), health checks and restart
policies, no secret literals, a non-root image whose entry point is `wirestream`.
"""

from __future__ import annotations

import json
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = DEPLOY / ".env.example"
SOURCES_EXAMPLE = DEPLOY / "sources.example.yaml"
POM = ROOT / "pipeline" / "stack" / "maven" / "pom.xml"

WIRESTREAM_SERVICES = ("init", "worker", "scrape")
ONE_SHOT_RESTARTS = re.compile(r"^(no|on-failure(:\d+)?)$")
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|ENCRYPTION_?KEY", re.IGNORECASE)
# A secret may only come from the environment: ${VAR}, ${VAR:?message} or ${VAR?message}; a default
# (${VAR:-literal}) would be a literal secret again.
SECRET_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}$")
# ${VAR} that compose itself would interpolate (not $${VAR}, which is left for the container's shell).
COMPOSE_INTERPOLATION = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")


# --- helpers -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    svcs = compose.get("services")
    assert isinstance(svcs, dict) and svcs, "compose.yaml has no services"
    return svcs


def pom_versions() -> dict[str, str]:
    """The <properties> of pipeline/stack/maven/pom.xml, namespace stripped."""
    root = ET.parse(POM).getroot()
    props = next((el for el in root if _local(el.tag) == "properties"), None)
    assert props is not None, "pom.xml has no <properties>"
    return {_local(el.tag): (el.text or "").strip() for el in props}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whether written as a mapping or as KEY=VALUE lines."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {key: value for key, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def image_tag(image: str) -> str | None:
    """The tag of an image reference (None when it has none); a digest counts as its tag."""
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def image_is_pinned(image: str) -> bool:
    tag = image_tag(image)
    return bool(tag) and tag != "latest" and "$" not in image and re.search(r"\d", tag or "") is not None


def builds_wirestream(service: dict[str, Any]) -> bool:
    build = service.get("build")
    return isinstance(build, dict) and build.get("dockerfile") == "deploy/Dockerfile"


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        full = pending + line
        pending = ""
        word, _, rest = full.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends in a line continuation"
    return instructions


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


# --- compose.yaml ------------------------------------------------------------------------------------
def test_compose_parses_with_the_expected_services(services: dict[str, dict[str, Any]]) -> None:
    expected = {"kafka", "elasticsearch", "es-setup", "kibana", *WIRESTREAM_SERVICES}
    assert expected <= set(services), f"missing services: {sorted(expected - set(services))}"


def test_every_image_is_pinned_or_built_from_the_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        if builds_wirestream(svc):
            continue
        image = svc.get("image")
        assert image, f"{name}: neither an image nor a build from deploy/Dockerfile"
        assert image_is_pinned(image), f"{name}: image {image!r} is not pinned to an explicit version tag"


def test_wirestream_services_share_the_image_built_from_the_dockerfile(
    services: dict[str, dict[str, Any]],
) -> None:
    builds = {name: services[name].get("build") for name in WIRESTREAM_SERVICES}
    images = {name: services[name].get("image") for name in WIRESTREAM_SERVICES}
    for name in WIRESTREAM_SERVICES:
        assert builds_wirestream(services[name]), f"{name} is not built from deploy/Dockerfile"
        assert (COMPOSE.parent / builds[name]["context"]).resolve() == ROOT, (
            f"{name}: context is not the repo"
        )
    assert len({json.dumps(b, sort_keys=True) for b in builds.values()}) == 1, builds
    assert len(set(images.values())) == 1, images
    image = images["worker"]
    assert re.fullmatch(r"wirestream:\$\{WIRESTREAM_VERSION:-[^}]+\}", image), image


def test_the_default_image_tag_is_the_package_version(services: dict[str, dict[str, Any]]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    default = re.search(r":-([^}]+)\}", services["worker"]["image"])
    assert default and default.group(1) == version
    env_example = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(rf"^WIRESTREAM_VERSION={re.escape(version)}$", env_example, re.MULTILINE)


def test_wirestream_roles_and_their_order(services: dict[str, dict[str, Any]]) -> None:
    assert services["init"]["command"] == ["init"]
    assert services["worker"]["command"] == ["worker"]
    assert services["scrape"]["command"] == ["scrape", "--sources", "/etc/wirestream/sources.yaml"]

    init_deps = services["init"]["depends_on"]
    assert init_deps["kafka"]["condition"] == "service_healthy"
    assert init_deps["elasticsearch"]["condition"] == "service_healthy"
    for name in ("worker", "scrape"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"

    mounts = services["scrape"]["volumes"]
    sources = [m for m in mounts if isinstance(m, dict) and m.get("target") == "/etc/wirestream/sources.yaml"]
    sources += [
        {"source": m.split(":")[0], "read_only": m.endswith(":ro")}
        for m in mounts
        if isinstance(m, str) and m.split(":")[1:2] == ["/etc/wirestream/sources.yaml"]
    ]
    assert len(sources) == 1, mounts
    assert sources[0]["source"] == "./sources.yaml"
    assert sources[0]["read_only"] is True


def test_wirestream_services_get_the_shared_environment(services: dict[str, dict[str, Any]]) -> None:
    expected = {
        "WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        "WIRESTREAM_ELASTICSEARCH_URL": "http://elasticsearch:9200",
        "WIRESTREAM_ELASTICSEARCH_USERNAME": "elastic",
        "WIRESTREAM_LOG_FORMAT": "json",
    }
    for name in WIRESTREAM_SERVICES:
        env = environment(services[name])
        assert {k: env.get(k) for k in expected} == expected, name
        assert env["WIRESTREAM_ELASTICSEARCH_PASSWORD"].startswith("${ELASTIC_PASSWORD:?"), name
    # Written once: the text holds the Wirestream environment a single time.
    assert COMPOSE.read_text(encoding="utf-8").count("WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS") == 1


def test_long_running_services_have_a_healthcheck_and_a_restart_policy(
    services: dict[str, dict[str, Any]],
) -> None:
    long_running = []
    for name, svc in services.items():
        restart = svc.get("restart")
        assert restart in {"no", "always", "unless-stopped"} or (
            isinstance(restart, str) and ONE_SHOT_RESTARTS.match(restart)
        ), f"{name}: restart policy {restart!r}"
        if ONE_SHOT_RESTARTS.match(restart):
            continue
        long_running.append(name)
        check = svc.get("healthcheck")
        assert isinstance(check, dict) and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name}: healthcheck disabled"
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, f"{name}: {check['test']!r}"
    assert {"kafka", "elasticsearch", "kibana", "worker", "scrape"} <= set(long_running)
    assert services["es-setup"]["restart"] == "no"
    assert services["init"]["restart"] == "on-failure"
    # A refusal from Kibana (no encryption key, say) is permanent: a few retries, not a loop.
    assert re.fullmatch(r"no|on-failure:[1-9]", services["kibana-setup"]["restart"])
    for name in ("worker", "scrape"):
        assert services[name]["healthcheck"]["test"] == ["CMD", "wirestream", "health"]


def test_no_secret_literals(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        for key, value in environment(svc).items():
            if SECRET_KEY.search(key):
                assert SECRET_REFERENCE.match(value), f"{name}: {key} is not a ${{VAR}} reference"
    # The same for the extension fields (x-...), which hold the shared environment.
    for key, block in compose.items():
        if key.startswith("x-") and isinstance(block, dict):
            for env_key, value in environment(block).items():
                if SECRET_KEY.search(env_key):
                    assert SECRET_REFERENCE.match(str(value)), f"{key}: {env_key}"


def test_secrets_in_commands_are_expanded_by_the_container(services: dict[str, dict[str, Any]]) -> None:
    """Commands and health checks use $${VAR}: compose-time ${VAR} would bake the secret into the model."""
    for name, svc in services.items():
        for field in ("command", "entrypoint", "healthcheck"):
            for text in strings(svc.get(field)):
                leaked = [v for v in COMPOSE_INTERPOLATION.findall(text) if SECRET_KEY.search(v)]
                assert not leaked, f"{name}.{field} interpolates {leaked} at compose time; use $${{...}}"


def test_versions_agree_with_the_local_stack(services: dict[str, dict[str, Any]]) -> None:
    pinned = pom_versions()
    kafka, elasticsearch = pinned["kafka.version"], pinned["elasticsearch.version"]
    assert kafka and elasticsearch
    assert services["kafka"]["image"] == f"apache/kafka:{kafka}"
    es_image = f"docker.elastic.co/elasticsearch/elasticsearch:{elasticsearch}"
    assert services["elasticsearch"]["image"] == es_image
    assert services["es-setup"]["image"] == es_image
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{elasticsearch}"


def test_kafka_is_a_single_kraft_node(services: dict[str, dict[str, Any]]) -> None:
    svc = services["kafka"]
    env = environment(svc)
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    for key, value in env.items():
        if key.endswith("REPLICATION_FACTOR"):
            assert value == "1", key
    assert any(str(v).endswith(":/var/lib/kafka/data") for v in svc["volumes"])


def test_elasticsearch_and_kibana_security(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    es = environment(services["elasticsearch"])
    assert es["xpack.security.enabled"] == "true"
    assert es["discovery.type"] == "single-node"
    assert es["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
    assert re.fullmatch(r"-Xms\$\{ES_HEAP:-\w+\} -Xmx\$\{ES_HEAP:-\w+\}", es["ES_JAVA_OPTS"])
    assert services["elasticsearch"]["ulimits"]
    assert any("ELASTIC_PASSWORD" in t for t in strings(services["elasticsearch"]["healthcheck"]["test"]))

    setup = services["es-setup"]
    script = " ".join(strings(setup["command"]))
    assert "/_security/user/kibana_system/_password" in script
    assert environment(setup)["KIBANA_PASSWORD"].startswith("${KIBANA_PASSWORD:?")

    kibana = services["kibana"]
    env = environment(kibana)
    assert env["ELASTICSEARCH_HOSTS"] == "http://elasticsearch:9200"
    assert env["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert env["ELASTICSEARCH_PASSWORD"].startswith("${KIBANA_PASSWORD:?")
    assert kibana["depends_on"]["es-setup"]["condition"] == "service_completed_successfully"
    assert any(str(p).endswith(":5601") for p in kibana["ports"])
    assert any("/api/status" in t for t in strings(kibana["healthcheck"]["test"]))

    declared = set(compose.get("volumes") or {})
    for name, svc in services.items():
        for mount in svc.get("volumes") or []:
            if isinstance(mount, str) and not mount.startswith((".", "/")):
                assert mount.split(":")[0] in declared, f"{name}: undeclared volume {mount}"


def test_kibana_gets_every_setting_it_needs(services: dict[str, dict[str, Any]]) -> None:
    """Elasticsearch to talk to, and the saved-objects encryption key: without it Kibana turns its
    alerting API off and kibana-setup cannot create the example rule. The key comes from .env."""
    env = environment(services["kibana"])
    for key in (
        "ELASTICSEARCH_HOSTS",
        "ELASTICSEARCH_USERNAME",
        "ELASTICSEARCH_PASSWORD",
        "XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY",
    ):
        assert env.get(key), f"kibana: {key} is not set"
    key = env["XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY"]
    assert SECRET_REFERENCE.match(key) and ":?" in key, f"not a required ${{VAR:?...}}: {key}"
    assert key.startswith("${KIBANA_ENCRYPTION_KEY:?") and "32" in key
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert re.search(r"^KIBANA_ENCRYPTION_KEY=$", text, re.MULTILINE)
    assert "openssl rand -hex 32" in text


def test_worker_scaling_is_configurable(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert re.fullmatch(r"\$\{WIRESTREAM_WORKERS:-\d+\}", str(worker["deploy"]["replicas"]))
    assert "container_name" not in worker and "ports" not in worker, "would stop the worker from scaling"


# --- Dockerfile --------------------------------------------------------------------------------------
def test_dockerfile_from_images_are_pinned() -> None:
    instructions = dockerfile_instructions()
    froms = [args for word, args in instructions if word == "FROM"]
    assert len(froms) >= 2, "expected a multi-stage build"

    global_args: dict[str, str] = {}
    for word, args in instructions:
        if word == "FROM":
            break
        if word == "ARG" and "=" in args:
            key, value = args.split("=", 1)
            global_args[key.strip()] = value.strip().strip("\"'")

    stages: set[str] = set()
    for args in froms:
        parts = [p for p in args.split() if not p.startswith("--")]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), parts[0])
        if image.lower() not in stages:
            assert image_is_pinned(image), f"FROM {image} is not pinned"
            assert image.startswith("python:3.11") and "slim" in image, image
        if len(parts) == 3 and parts[1].upper() == "AS":
            stages.add(parts[2].lower())


def test_dockerfile_runs_wirestream_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    final = instructions[last_from:]

    users = [args for word, args in final if word == "USER"]
    assert users, "the final stage has no USER"
    user = users[-1].split(":", 1)[0]
    assert user not in {"root", "0"}, users[-1]

    entrypoints = [args for word, args in final if word == "ENTRYPOINT"]
    assert entrypoints and exec_form(entrypoints[-1]) == ["wirestream"]
    cmds = [args for word, args in final if word == "CMD"]
    assert cmds and exec_form(cmds[-1]) == ["worker"]

    checks = [args for word, args in final if word == "HEALTHCHECK"]
    assert checks, "no HEALTHCHECK"
    assert checks[-1].upper() != "NONE"
    assert re.search(r'CMD \["wirestream", "health"\]|CMD wirestream health', checks[-1]), checks[-1]

    workdirs = [args for word, args in final if word == "WORKDIR"]
    assert workdirs and workdirs[-1] == "/app"
    env = " ".join(args for word, args in final if word == "ENV")
    assert "PYTHONUNBUFFERED=1" in env
    assert "WIRESTREAM_STATE_DIR=/var/lib/wirestream" in env
    runs = " ".join(args for word, args in final if word == "RUN")
    assert "/var/lib/wirestream" in runs and "chown" in runs

    everything = " ".join(args for word, args in instructions if word == "RUN")
    assert "pip install --no-cache-dir ." in everything


# --- .dockerignore -----------------------------------------------------------------------------------
def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        out += {"*": "[^/]*", "?": "[^/]"}.get(ch, ch if ch in "[]" else re.escape(ch))
        i += 1
    return re.compile(out)


def ignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matches a path or any of its parents."""
    rules = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        rules.append((negate, _dockerignore_regex(line.lstrip("!").strip("/"))))
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negate, regex in rules:
        if any(regex.fullmatch(p) for p in prefixes):
            result = not negate
    return result


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        "pipeline/__pycache__/cli.cpython-311.pyc",
        "pipeline/cli.pyc",
        "tests/deploy/test_compose.py",
        "tests/data/page.html",
        "deploy/.env",
        "pipeline/stack/maven/target/stack/bin/kafka",
        ".pytest_cache/v/cache/nodeids",
        ".mypy_cache/3.11/cache.db",
        "wirestream.egg-info/PKG-INFO",
        ".env",
    ],
)
def test_dockerignore_keeps_local_files_out_of_the_context(path: str) -> None:
    assert ignored(path)


def test_dockerignore_keeps_what_the_dockerfile_copies() -> None:
    copied = []
    for word, args in dockerfile_instructions():
        if word == "COPY" and "--from=" not in args:
            sources = [a for a in args.split() if not a.startswith("--")][:-1]
            copied += [s.rstrip("/") for s in sources]
    assert {"pyproject.toml", "README.md", "pipeline", "schemas"} <= set(copied)
    for source in copied:
        assert not ignored(source), f"{source} is COPYed but excluded by .dockerignore"
    assert not ignored("pipeline/cli.py")
    assert not ignored("pipeline/demo/pages/example.html")


# --- .env.example and sources.example.yaml -----------------------------------------------------------
def test_env_example_has_no_secret_values() -> None:
    entries = {}
    for raw in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"not KEY=VALUE: {line!r}"
            entries[key.strip()] = value.strip()
    assert {
        "ELASTIC_PASSWORD",
        "KIBANA_PASSWORD",
        "KIBANA_ENCRYPTION_KEY",
        "WIRESTREAM_VERSION",
        "ES_HEAP",
    } <= set(entries)
    for key, value in entries.items():
        if SECRET_KEY.search(key):
            assert value == "", f"{key} has a value in .env.example"


def test_env_example_names_every_required_variable() -> None:
    required = set(re.findall(r"\$\{(\w+):?\?", COMPOSE.read_text(encoding="utf-8")))
    assert required == {"ELASTIC_PASSWORD", "KIBANA_PASSWORD", "KIBANA_ENCRYPTION_KEY"}
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name in required:
        assert re.search(rf"^{name}=$", text, re.MULTILINE), name


def test_sources_example_is_a_small_valid_sample() -> None:
    from pipeline.scrape.sources import load_sources

    sites = load_sources(SOURCES_EXAMPLE)  # the scraper's own validation
    assert 2 <= len(sites) <= 5
    assert all(site.language for site in sites)
    assert any(site.feeds for site in sites)
    assert any(site.sitemaps for site in sites)
    assert any(site.listings for site in sites)
