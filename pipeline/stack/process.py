"""One JVM service of the local stack as a process group: start, wait, stop, status.

Each started service leaves a run record (``<state>/run/<name>.json``: pid, process group, port,
version). ``stop`` ends exactly that process group; ``status`` checks the pid is still ours (its
command line names our state folder) and that the service answers, so it never reports a stale pid
or a stranger's process as ours.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.stack import probes

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
                env={**base_env(), **env},
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
            signal_group(pgid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and group_alive(pgid):
                time.sleep(0.2)
            stopped = True
        if group_alive(pgid):  # stragglers, or a leader that ignored SIGTERM
            signal_group(pgid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and group_alive(pgid):
                time.sleep(0.1)
            stopped = True
        self.record_path.unlink(missing_ok=True)
        return stopped

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log yet)"


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


def chown_tree(root: Path, user: str) -> None:
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


def base_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    return {k: v for k, v in os.environ.items() if k in keep}


def signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def group_alive(pgid: int) -> bool:
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
