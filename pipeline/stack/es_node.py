"""One Elasticsearch node on loopback: the runnable distribution on Maven Central plus our analysis
plugin, run as an unprivileged user when the stack runs as root."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.stack import artifacts, probes, secure
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
        if secure.is_secure(self.settings):
            return probes.elasticsearch_ready(secure.admin_settings(self.settings), timeout=2.0)
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
        if secure.is_secure(self.settings):
            self._secure_config(es_home, conf)
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
        es_home = self.home / f"home-{plugin.name}"  # a new version or plugin: a new copy
        for old in self.home.glob("home-*"):
            if old != es_home:
                shutil.rmtree(old, ignore_errors=True)
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
                *self._security_lines(),
                "",
            ]
        )

    def _security_lines(self) -> list[str]:
        if not secure.is_secure(self.settings):
            return [
                "# a loopback-only development node: no TLS, no passwords (`stack up --secure`: both)",
                "xpack.security.enabled: false",
            ]
        return [
            "# secured (`stack up --secure`): HTTPS with the stack's CA, users and API keys",
            "xpack.security.enabled: true",
            "xpack.security.http.ssl.enabled: true",
            "xpack.security.http.ssl.certificate: certs/node.crt",
            "xpack.security.http.ssl.key: certs/node.key",
            "xpack.security.transport.ssl.enabled: false",
            "xpack.security.authc.api_key.enabled: true",
        ]

    def _secure_config(self, es_home: Path, conf: Path) -> None:
        """The node's certificate and the administrator (a file-realm superuser) into the config
        folder, where Elasticsearch may read them; the user file is made once, by its own tool."""
        made = secure.files(self.settings)
        (conf / "certs").mkdir()
        shutil.copy2(made.node_cert, conf / "certs" / "node.crt")
        shutil.copy2(made.node_key, conf / "certs" / "node.key")
        users = made.folder / "es-users"
        if not (users / "users").is_file():
            users.mkdir(exist_ok=True)
            shutil.copy2(conf / "elasticsearch.yml", users / "elasticsearch.yml")
            for name in ("users", "users_roles"):
                (users / name).touch()  # the tool adds to these files; it does not create them
            tool = [str(es_home / "bin" / "elasticsearch-users"), "useradd", secure.ADMIN]
            added = subprocess.run(
                [*tool, "-p", secure.admin_password(self.settings), "-r", "superuser"],
                env={**os.environ, "ES_JAVA_HOME": str(artifacts.java_home()), "ES_PATH_CONF": str(users)},
                capture_output=True,
                text=True,
                check=False,
            )
            if added.returncode != 0:
                raise UserError(f"could not add Elasticsearch's administrator:\n{added.stdout}{added.stderr}")
        for name in ("users", "users_roles"):
            shutil.copy2(users / name, conf / name)
