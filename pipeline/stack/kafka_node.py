"""Apache Kafka in KRaft mode on loopback: one process that is both broker and controller."""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

from pipeline.errors import UserError
from pipeline.stack import artifacts, probes, secure
from pipeline.stack.process import LOOPBACK, LocalService

#: Kafka's log configuration: everything to stdout, which the stack writes to <state>/logs/kafka.log.
LOG4J = """status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
"""


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
        if secure.is_secure(self.settings):
            return probes.kafka_ready(secure.admin_settings(self.settings), timeout=2.0)
        return probes.kafka_answers(self.address, timeout=2.0)

    def prepare(self) -> tuple[list[str], dict[str, str], str | None]:
        libs = artifacts.kafka_home(self.settings.stack_cache_dir) / "libs"
        data = self.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        props = self.home / "server.properties"
        props.write_text(self.server_properties(data))
        log4j = self.home / "log4j2.properties"
        log4j.write_text(LOG4J)
        jvm = [
            str(artifacts.java_home() / "bin" / "java"),
            f"-Xms{self.settings.stack_kafka_heap}",
            f"-Xmx{self.settings.stack_kafka_heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            f"{libs}/*",
        ]
        mode = self.home / "security-mode"
        wanted = "secure" if secure.is_secure(self.settings) else "plain"
        if not (data / "meta.properties").exists():
            self._format_storage(jvm, props, data)
            mode.write_text(wanted)
        elif (mode.read_text().strip() if mode.is_file() else "plain") != wanted:
            raise UserError(
                f"Kafka's storage in {data} was made for a {'plain' if wanted == 'secure' else 'secured'} "
                f"stack: use another WIRESTREAM_STATE_DIR, or remove {self.home} (its data goes with it)"
            )
        return [*jvm, "kafka.Kafka", str(props)], {}, None

    def server_properties(self, data: Path) -> str:
        cport = self.settings.stack_kafka_controller_port
        listener = "SASL_SSL" if secure.is_secure(self.settings) else "PLAINTEXT"
        return "\n".join(
            [
                "# written by `wirestream stack up`; edits are overwritten",
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@{LOOPBACK}:{cport}",
                f"listeners={listener}://{LOOPBACK}:{self.port},CONTROLLER://{LOOPBACK}:{cport}",
                f"advertised.listeners={listener}://{LOOPBACK}:{self.port}",
                "controller.listener.names=CONTROLLER",
                f"inter.broker.listener.name={listener}",
                f"listener.security.protocol.map=CONTROLLER:PLAINTEXT,{listener}:{listener}",
                *self._security_properties(),
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

    def _security_properties(self) -> list[str]:
        """SASL_SSL with SCRAM-SHA-512 and TLS from the stack's own CA, ACLs enforced (nothing is
        allowed without an ACL but to the administrator). The controller listener stays on loopback
        in plain text: it serves only the node's own broker, which reaches it as ANONYMOUS."""
        if not secure.is_secure(self.settings):
            return []
        made, password = secure.files(self.settings), secure.admin_password(self.settings)
        jaas = f'{secure.SCRAM_LOGIN} required username="{secure.ADMIN}" password="{password}";'
        return [
            f"sasl.enabled.mechanisms={secure.SCRAM}",
            f"sasl.mechanism.inter.broker.protocol={secure.SCRAM}",
            f"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={jaas}",
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={made.node_pem}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={made.ca}",
            "ssl.endpoint.identification.algorithm=https",
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            f"super.users=User:{secure.ADMIN};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found=false",
        ]

    def _format_storage(self, jvm: list[str], props: Path, data: Path) -> None:
        """KRaft needs its storage formatted with a cluster id once (and, secured, the
        administrator's SCRAM credentials: the broker cannot authenticate anyone before that)."""
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        scram = []
        if secure.is_secure(self.settings):
            user = f"name={secure.ADMIN},password={secure.admin_password(self.settings)}"
            scram = ["--add-scram", f"{secure.SCRAM}=[{user}]"]
        fmt = subprocess.run(
            [*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props), *scram],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.home,
        )
        if fmt.returncode != 0:
            raise UserError(f"could not format Kafka's storage in {data}:\n{fmt.stdout}{fmt.stderr}")
