"""Run a local Kafka (KRaft, one node) and Elasticsearch (one node) on loopback.

Each started service leaves a run record (``<state>/run/<name>.json``: pid, process group, port,
version). ``down`` stops exactly those process groups; ``status`` checks the pid is still ours
(its command line names our state folder) and that the service answers, so it never reports a
stale pid or a stranger's process as ours.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.stack import artifacts, probes

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str  # running | starting | stopped | external
    version: str | None
    port: int
    pid: int | None
    address: str
    log: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class LocalService(ABC):
    """One JVM service of the local stack."""

    name: str

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state_dir = settings.state_dir
        self.home = self.state_dir / self.name
        self.record_path = self.state_dir / "run" / f"{self.name}.json"
        self.log_path = self.state_dir / "logs" / f"{self.name}.log"

    # --- what differs per service -------------------------------------------------------------
    @property
    @abstractmethod
    def port(self) -> int: ...

    @property
    @abstractmethod
    def ports(self) -> dict[str, int]:
        """Every port the service binds, by the setting that moves it."""

    @property
    @abstractmethod
    def version(self) -> str: ...

    @abstractmethod
    def prepare(self) -> tuple[list[str], dict[str, str], str | None]:
        """Fetch, configure; return (command, extra environment, user to run as)."""

    @abstractmethod
    def answers(self) -> bool: ...

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    # --- run records --------------------------------------------------------------------------
    def record(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.record_path.read_text())
            return data
        except (OSError, ValueError):
            return None

    def running_pid(self) -> int | None:
        """The pid from our run record, if that process is alive and still ours."""
        rec = self.record()
        if rec is None:
            return None
        pid = int(rec["pid"])
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return None
        return pid if str(self.state_dir) in cmdline else None

    def status(self) -> ServiceStatus:
        pid = self.running_pid()
        if pid is not None:
            state = "running" if self.answers() else "starting"
        elif probes.port_open(LOOPBACK, self.port):
            state = "external"  # something answers there, but `stack up` did not start it
        else:
            state = "stopped"
        rec = self.record() if pid is not None else None
        return ServiceStatus(
            name=self.name,
            state=state,
            version=(rec or {}).get("version", self.version),
            port=self.port,
            pid=pid,
            address=self.address,
            log=str(self.log_path),
        )

    # --- lifecycle ----------------------------------------------------------------------------
    def check_ports_free(self) -> None:
        for setting, port in self.ports.items():
            if probes.port_open(LOOPBACK, port):
                raise UserError(
                    f"{self.name}: port {port} is already in use by a process `wirestream stack` did not "
                    f"start. Stop that process, or move {self.name} with WIRESTREAM_{setting.upper()}=<port>."
                )

    def start(self) -> subprocess.Popen[bytes]:
        command, env, user = self.prepare()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.record_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- wirestream stack: starting {self.name} {self.version} ---\n".encode())
            log.flush()
            proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**_base_env(), **env},
                cwd=self.home,
                start_new_session=True,  # its own process group: `down` stops the whole group
                user=user,
                group=user,
                extra_groups=[] if user else None,
            )
        self.record_path.write_text(
            json.dumps(
                {
                    "pid": proc.pid,
                    "pgid": proc.pid,
                    "port": self.port,
                    "version": self.version,
                    "started_at": time.time(),
                    "log": str(self.log_path),
                }
            )
        )
        return proc

    def wait_ready(self, proc: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.stop()
                raise UserError(
                    f"{self.name} exited with code {proc.returncode} during start-up.\n"
                    f"--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            if self.answers():
                return
            time.sleep(0.5)
        self.stop()
        raise UserError(
            f"{self.name} did not come up within {timeout:.0f} s (raise WIRESTREAM_STACK_START_TIMEOUT "
            f"on a slow machine).\n--- {self.log_path} (tail) ---\n{self.log_tail()}"
        )

    def stop(self, grace: float = 30.0) -> bool:
        """Stop the process group `up` started. True when something was stopped."""
        rec = self.record()
        pid = self.running_pid()
        if rec is None:
            return False
        pgid = int(rec.get("pgid", rec["pid"]))
        stopped = False
        if pid is not None:
            _signal_group(pgid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and _group_alive(pgid):
                time.sleep(0.2)
            stopped = True
        if _group_alive(pgid):  # stragglers, or a leader that ignored SIGTERM
            _signal_group(pgid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and _group_alive(pgid):
                time.sleep(0.1)
            stopped = True
        self.record_path.unlink(missing_ok=True)
        return stopped

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log yet)"


class Kafka(LocalService):
    """Apache Kafka in KRaft mode: one process that is both broker and controller."""

    name = "kafka"

    @property
    def port(self) -> int:
        return self.settings.stack_kafka_port

    @property
    def ports(self) -> dict[str, int]:
        return {
            "stack_kafka_port": self.settings.stack_kafka_port,
            "stack_kafka_controller_port": self.settings.stack_kafka_controller_port,
        }

    @property
    def version(self) -> str:
        return artifacts.pinned_versions().kafka

    def answers(self) -> bool:
        return probes.kafka_answers(self.address, timeout=2.0)

    def prepare(self) -> tuple[list[str], dict[str, str], str | None]:
        libs = artifacts.kafka_home(self.settings.stack_cache_dir) / "libs"
        java = str(artifacts.java_home() / "bin" / "java")
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        props = self.home / "server.properties"
        cport = self.settings.stack_kafka_controller_port
        props.write_text(
            "\n".join(
                [
                    "# written by `wirestream stack up`; edits are overwritten",
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@{LOOPBACK}:{cport}",
                    f"listeners=PLAINTEXT://{LOOPBACK}:{self.port},CONTROLLER://{LOOPBACK}:{cport}",
                    f"advertised.listeners=PLAINTEXT://{LOOPBACK}:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    f"log.dirs={data}",
                    "num.partitions=1",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=true",
                    "",
                ]
            )
        )
        log4j = self.home / "log4j2.properties"
        log4j.write_text(
            "\n".join(
                [
                    "status = warn",
                    "appender.out.type = Console",
                    "appender.out.name = OUT",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.out.ref = OUT",
                    "",
                ]
            )
        )
        jvm = [
            java,
            f"-Xms{self.settings.stack_kafka_heap}",
            f"-Xmx{self.settings.stack_kafka_heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            f"{libs}/*",
        ]
        if not (data / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            fmt = subprocess.run(
                [*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props)],
                capture_output=True,
                text=True,
                check=False,
                cwd=self.home,
            )
            if fmt.returncode != 0:
                raise UserError(f"could not format Kafka's storage in {data}:\n{fmt.stdout}{fmt.stderr}")
        return [*jvm, "kafka.Kafka", str(props)], {}, None


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
        cache = self.settings.stack_cache_dir
        dist = artifacts.elasticsearch_home(cache)
        plugin = artifacts.analysis_plugin(cache)
        user = self.settings.stack_user if os.geteuid() == 0 else None
        if user:
            ensure_system_user(user)
        # A copy of the distribution inside the state folder: the unprivileged user must be able to
        # read it, and it cannot enter root's home where the download cache lives by default.
        es_home = self.home / f"home-{self.version}"
        if not (es_home / ".complete").exists():
            shutil.rmtree(es_home, ignore_errors=True)
            shutil.copytree(dist, es_home, symlinks=True)
            shutil.copytree(plugin, es_home / "plugins" / "wirestream-analysis", dirs_exist_ok=True)
            (es_home / "plugins" / "wirestream-analysis" / ".complete").unlink(missing_ok=True)
        conf = self.home / "config"
        shutil.rmtree(conf, ignore_errors=True)  # written afresh each start: no leftovers from edits
        conf.mkdir(parents=True)
        for name in ("jvm.options", "log4j2.properties"):
            shutil.copy2(es_home / "config" / name, conf / name)
        (conf / "jvm.options.d").mkdir(exist_ok=True)
        data, logs, tmp = self.home / "data", self.home / "logs", self.home / "tmp"
        for folder in (data, logs, tmp):
            folder.mkdir(parents=True, exist_ok=True)
        (conf / "elasticsearch.yml").write_text(
            "\n".join(
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
        )
        if user:
            _chown_tree(self.home, user)
        heap = self.settings.stack_elasticsearch_heap
        env = {
            "ES_JAVA_HOME": str(artifacts.java_home()),
            "ES_PATH_CONF": str(conf),
            "ES_TMPDIR": str(tmp),
            "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
            "HOME": str(self.home),
        }
        return [str(es_home / "bin" / "elasticsearch")], env, user


def loopback_settings(settings: Settings) -> Settings:
    """The settings pointed at the local stack's Kafka and Elasticsearch (no credentials)."""
    return settings.model_copy(
        update={
            "kafka_bootstrap_servers": f"{LOOPBACK}:{settings.stack_kafka_port}",
            "elasticsearch_url": f"http://{LOOPBACK}:{settings.stack_elasticsearch_port}",
            "elasticsearch_username": None,
            "elasticsearch_password": None,
            "elasticsearch_api_key": None,
        }
    )


def local_services(settings: Settings) -> list[LocalService]:
    return [Kafka(settings), Elasticsearch(settings)]


def up(settings: Settings, say: Callable[[str], None]) -> dict[str, float]:
    """Start every service that is not running yet; wait until all answer. Returns seconds each."""
    begin = time.monotonic()
    started: dict[str, tuple[LocalService, subprocess.Popen[bytes], float]] = {}
    try:
        for svc in local_services(settings):
            if svc.running_pid() is not None:
                say(f"{svc.name:<13} already running at {svc.address} (pid {svc.running_pid()})")
                continue
            svc.record_path.unlink(missing_ok=True)  # a stale record from a crashed run
            svc.check_ports_free()
            say(f"{svc.name:<13} starting {svc.version} ...")
            t0 = time.monotonic()
            started[svc.name] = (svc, svc.start(), t0)
        timings: dict[str, float] = {}
        for name, (svc, proc, t0) in started.items():
            svc.wait_ready(proc, settings.stack_start_timeout)
            timings[name] = time.monotonic() - t0
            say(f"{svc.name:<13} up at {svc.address} (pid {proc.pid}) in {timings[name]:.1f} s")
        for svc in local_services(settings):
            if svc.name not in started and not svc.answers():
                say(f"{svc.name:<13} is running but does not answer yet: `wirestream stack logs {svc.name}`")
    except BaseException:
        for svc, _, _ in started.values():
            svc.stop()
        raise
    timings["total"] = time.monotonic() - begin
    return timings


def down(settings: Settings, say: Callable[[str], None]) -> None:
    for svc in reversed(local_services(settings)):
        if svc.stop():
            say(f"{svc.name:<13} stopped")
        else:
            say(f"{svc.name:<13} was not running")


def ensure_system_user(user: str) -> None:
    try:
        pwd.getpwnam(user)
    except KeyError:
        useradd = shutil.which("useradd")
        if useradd is None:
            raise UserError(
                f"Elasticsearch refuses to run as root and there is no user {user!r} to run it as; "
                f"create one (useradd --system {user}) or run the stack as a normal user."
            ) from None
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
            check=True,
            capture_output=True,
        )


def _chown_tree(root: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for parent in root.parents:
        if not parent.stat().st_mode & 0o001:  # others may not traverse it: the user cannot reach root
            raise UserError(
                f"Elasticsearch runs as {user!r}, which cannot enter {parent}; choose a state folder it can "
                f"reach, e.g. WIRESTREAM_STATE_DIR=/var/lib/wirestream."
            )
    for dirpath, dirnames, filenames in os.walk(root):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for name in (*dirnames, *filenames):
            os.chown(os.path.join(dirpath, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _base_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    return {k: v for k, v in os.environ.items() if k in keep}


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    """Some process of the group is alive (zombies, dead but not yet reaped, do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ")"
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False
