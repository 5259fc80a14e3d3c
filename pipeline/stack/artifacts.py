"""Fetch the local stack's artifacts from Maven Central, once, into the cache.

The versions live in ``pipeline/stack/maven/pom.xml`` and only there. The Maven projects (that pom
and the analysis plugin's sources) are package data: they are copied to a writable folder in the
cache before Maven runs, so `wirestream stack` works from an installed wheel as from a checkout.
Every artifact is resolved by Maven into a staging folder and renamed into place when complete, so
a failed or interrupted download never leaves a half-installed tree behind for the next run.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from pipeline.errors import UserError

#: The Maven projects: pom.xml (Kafka, Elasticsearch) and es-analysis/ (our analysis plugin).
MAVEN_PROJECTS: Traversable = files("pipeline.stack") / "maven"
_COMPLETE = ".complete"
_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


@dataclass(frozen=True)
class Versions:
    kafka: str
    elasticsearch: str


@cache
def pinned_versions(pom: Traversable = MAVEN_PROJECTS / "pom.xml") -> Versions:
    """The Kafka and Elasticsearch versions pinned in the stack's pom."""
    if not pom.is_file():
        raise UserError(f"{pom} is missing: the Wirestream installation is incomplete; reinstall it.")
    with pom.open("rb") as source:
        props = ET.parse(source).getroot().find("m:properties", _POM_NS)
    if props is None:
        raise UserError(f"{pom} has no <properties>")

    def prop(name: str) -> str:
        node = props.find(f"m:{name}", _POM_NS)
        if node is None or not (node.text or "").strip():
            raise UserError(f"{pom} does not pin <{name}>")
        return (node.text or "").strip()

    return Versions(kafka=prop("kafka.version"), elasticsearch=prop("elasticsearch.version"))


def require_tool(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise UserError(
            f"`{name}` is not on PATH; it is needed to {purpose}. "
            f"Install it (Debian: apt-get install {'maven' if name == 'mvn' else 'openjdk-17-jre-headless'}) "
            "and run the command again."
        )
    return path


def java_home() -> Path:
    """The JDK that runs Kafka and Elasticsearch: the one `java` on PATH belongs to."""
    java = Path(require_tool("java", "run Kafka and Elasticsearch")).resolve()
    return java.parent.parent


@contextmanager
def maven_projects(work: Path) -> Iterator[Path]:
    """A writable copy of the Maven projects under ``work`` (Maven writes target/ beside each pom),
    removed afterwards."""
    copy = work / ".maven"
    with as_file(MAVEN_PROJECTS) as source:
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("target"))
    try:
        yield copy
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _run_maven(pom: Path, args: list[str], what: str) -> None:
    mvn = require_tool("mvn", f"fetch {what} from Maven Central")
    cmd = [mvn, "-B", "-q", "-f", str(pom), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise UserError(
            f"could not fetch {what} with Maven (exit {proc.returncode}). Nothing was installed. "
            "Check that Maven Central (or the mirror in ~/.m2/settings.xml) is reachable, then run "
            f"`wirestream stack up` again.\n--- mvn output (tail) ---\n{tail}"
        )


def _install(target: Path, what: str, fill: Callable[[Path], None], expect: str) -> Path:
    """Create ``target`` atomically: fill a staging folder, then rename it into place."""
    if (target / _COMPLETE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # an older, interrupted attempt
        shutil.rmtree(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        fill(staging)
        if not list(staging.glob(expect)):
            raise UserError(f"Maven finished but {what} is incomplete: no {expect} in {staging}")
        shutil.rmtree(staging / ".markers", ignore_errors=True)
        (staging / _COMPLETE).write_text(what + "\n")
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def kafka_home(cache_dir: Path) -> Path:
    """``<cache>/kafka-<version>/libs`` holds Kafka and every jar it needs (plus a log binding)."""
    version = pinned_versions().kafka

    def fill(staging: Path) -> None:
        with maven_projects(staging) as projects:
            _run_maven(
                projects / "pom.xml",
                ["-P", "kafka", "package", f"-Dstack.out={staging}"],
                f"Apache Kafka {version}",
            )

    return _install(cache_dir / f"kafka-{version}", f"kafka {version}", fill, "libs/kafka_2.13-*.jar")


def elasticsearch_home(cache_dir: Path) -> Path:
    """``<cache>/elasticsearch-<version>``: the runnable distribution, unpacked."""
    version = pinned_versions().elasticsearch

    def fill(staging: Path) -> None:
        with maven_projects(staging) as projects:
            _run_maven(
                projects / "pom.xml",
                ["-P", "elasticsearch", "package", f"-Dstack.out={staging}"],
                f"Elasticsearch {version}",
            )
        unpacked = staging / f"elasticsearch-{version}"
        for child in unpacked.iterdir():
            child.rename(staging / child.name)
        unpacked.rmdir()

    return _install(
        cache_dir / f"elasticsearch-{version}", f"elasticsearch {version}", fill, "bin/elasticsearch"
    )


def _plugin_digest() -> str:
    """A short digest of the plugin's sources: a changed plugin is built again, not taken from the cache."""
    digest = hashlib.sha256()
    with as_file(MAVEN_PROJECTS) as source:
        for path in sorted((source / "es-analysis").rglob("*")):
            if path.is_file() and "target" not in path.parts:
                digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def analysis_plugin(cache_dir: Path) -> Path:
    """Wirestream's small analysis plugin, built by Maven, ready to drop into ``plugins/``.

    The runnable zip on Maven Central ships without Elasticsearch's analysis-common module, so it
    has no language analyzers; the plugin registers Lucene's under the same names.
    """
    version = pinned_versions().elasticsearch

    def fill(staging: Path) -> None:
        with maven_projects(staging) as projects:
            _run_maven(
                projects / "es-analysis" / "pom.xml",
                ["package", f"-Delasticsearch.version={version}", f"-Dplugin.out={staging}"],
                "the Wirestream analysis plugin",
            )

    return _install(
        cache_dir / f"wirestream-analysis-es{version}-{_plugin_digest()}",
        "analysis plugin",
        fill,
        "plugin-descriptor.properties",
    )
