"""One Elasticsearch node on loopback: the runnable distribution on Maven Central plus our analysis
plugin, run as an unprivileged user when the stack runs as root."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.config import Settings
from pipeline.stack import artifacts, probes
from pipeline.stack.process import LOOPBACK, LocalService, chown_tree, ensure_system_user, loopback_settings


class Elasticsearch(LocalService):
    """One Elasticsearch node (the runnable distribution on Maven Central + our analysis plugin)."""

    name = "elasticsearch"

    @property
    def port(self) -> int:
        return self.settings.stack_elasticsearch_port

    @property
    def ports(self) -> dict[str, int]:
        return {
            "stack_elasticsearch_port": self.settings.stack_elasticsearch_port,
            "stack_elasticsearch_transport_port": self.settings.stack_elasticsearch_transport_port,
        }

    @property
    def version(self) -> str:
        return artifacts.pinned_versions().elasticsearch

    @property
    def local_settings(self) -> Settings:
        return loopback_settings(self.settings)

    def answers(self) -> bool:
        return probes.elasticsearch_ready(self.local_settings, timeout=2.0)

    def prepare(self) -> tuple[list[str], dict[str, str], str | None]:
        user = self.settings.stack_user if os.geteuid() == 0 else None
        if user:
            ensure_system_user(user)
        es_home = self._install_home()
        conf = self.home / "config"
        shutil.rmtree(conf, ignore_errors=True)  # written afresh each start: no leftovers from edits
        conf.mkdir(parents=True)
        for name in ("jvm.options", "log4j2.properties"):
            shutil.copy2(es_home / "config" / name, conf / name)
        (conf / "jvm.options.d").mkdir(exist_ok=True)
        data, logs, tmp = self.home / "data", self.home / "logs", self.home / "tmp"
        for folder in (data, logs, tmp):
            folder.mkdir(parents=True, exist_ok=True)
        (conf / "elasticsearch.yml").write_text(self.node_config(data, logs))
        if user:
            chown_tree(self.home, user)
        heap = self.settings.stack_elasticsearch_heap
        env = {
            "ES_JAVA_HOME": str(artifacts.java_home()),
            "ES_PATH_CONF": str(conf),
            "ES_TMPDIR": str(tmp),
            "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
            "HOME": str(self.home),
        }
        return [str(es_home / "bin" / "elasticsearch")], env, user

    def _install_home(self) -> Path:
        """A copy of the distribution (with our plugin) inside the state folder: the unprivileged
        user must be able to read it, and it cannot enter root's home where the cache lives."""
        cache = self.settings.stack_cache_dir
        dist = artifacts.elasticsearch_home(cache)
        plugin = artifacts.analysis_plugin(cache)
        es_home = self.home / f"home-{self.version}"
        if not (es_home / ".complete").exists():
            shutil.rmtree(es_home, ignore_errors=True)
            shutil.copytree(dist, es_home, symlinks=True)
            shutil.copytree(plugin, es_home / "plugins" / "wirestream-analysis", dirs_exist_ok=True)
            (es_home / "plugins" / "wirestream-analysis" / ".complete").unlink(missing_ok=True)
        return es_home

    def node_config(self, data: Path, logs: Path) -> str:
        return "\n".join(
            [
                "# written by `wirestream stack up`; edits are overwritten",
                "cluster.name: wirestream-local",
                "node.name: wirestream-local",
                f"path.data: {data}",
                f"path.logs: {logs}",
                f"network.host: {LOOPBACK}",
                f"http.port: {self.port}",
                f"transport.port: {self.settings.stack_elasticsearch_transport_port}",
                "discovery.type: single-node",
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "# a loopback-only development node: no TLS, no passwords (compose turns security on)",
                "xpack.security.enabled: false",
                "",
            ]
        )
