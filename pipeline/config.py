"""The one settings object.

Every knob is an environment variable with the prefix ``WIRESTREAM_`` (or a line in a ``.env`` file
in the working directory). Read it once with :func:`get_settings`; pass the object (or the values it
holds) down, never re-read the environment deeper in the code.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wirestream"


def _default_state_dir() -> Path:
    # Elasticsearch runs as an unprivileged user when we are root, and that user cannot enter
    # root's home (mode 700): keep what it reads and writes outside it.
    if os.geteuid() == 0:
        return Path("/var/lib/wirestream")
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "wirestream"


class Settings(BaseSettings):
    """Wirestream's configuration (env prefix ``WIRESTREAM_``)."""

    model_config = SettingsConfigDict(env_prefix="WIRESTREAM_", env_file=".env", extra="ignore", frozen=True)

    # --- Kafka -------------------------------------------------------------------------------
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated host:port."
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = Field(
        "PLAINTEXT", description="Kafka security protocol."
    )
    kafka_sasl_mechanism: str = Field("PLAIN", description="SASL mechanism when SASL is used.")
    kafka_username: str | None = Field(None, description="SASL user name (optional).")
    kafka_password: SecretStr | None = Field(None, description="SASL password (optional, secret).")
    kafka_ssl_cafile: Path | None = Field(
        None, description="CA bundle that signed the brokers' certificates (SSL, SASL_SSL)."
    )
    kafka_ssl_certfile: Path | None = Field(None, description="Client certificate for mutual TLS (optional).")
    kafka_ssl_keyfile: Path | None = Field(None, description="Private key of the client certificate.")
    kafka_ssl_check_hostname: bool = Field(
        True, description="Check that a broker's certificate names the host connected to."
    )
    topic_prefix: str = Field("news", description="Prefix of every topic name, e.g. news.pages.v1.")
    topic_partitions: int = Field(3, ge=1, description="Partitions of the topics `wirestream init` creates.")
    topic_replication: int = Field(1, ge=1, description="Replication factor of the topics init creates.")

    # --- Elasticsearch -----------------------------------------------------------------------
    elasticsearch_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch URL.")
    elasticsearch_username: str | None = Field(None, description="Elasticsearch user (optional).")
    elasticsearch_password: SecretStr | None = Field(None, description="Elasticsearch password (secret).")
    elasticsearch_api_key: SecretStr | None = Field(None, description="Elasticsearch API key (secret).")
    elasticsearch_ca_file: Path | None = Field(
        None, description="CA bundle that signed Elasticsearch's certificate (https; default: the system's)."
    )
    elasticsearch_timeout: float = Field(30.0, gt=0, description="Seconds per Elasticsearch request.")
    index_alias: str = Field("news-stories", description="Alias journalists and Kibana search.")

    # --- worker ------------------------------------------------------------------------------
    worker_group: str = Field("wirestream", description="Consumer group (faust app id) of the workers.")
    worker_web_port: int = Field(
        6066, description="Port of the worker's web server (GET /health/, /live/, /ready/, /metrics)."
    )
    worker_web_enabled: bool = Field(True, description="Run the worker's web server (health checks).")
    worker_session_timeout_seconds: float = Field(
        8.0,
        ge=6,
        le=300,
        description="A worker silent this long leaves the group and its partitions move to the others "
        "(heartbeats every third of it).",
    )
    worker_instance_id: str | None = Field(
        None,
        description="Static group membership: a name unique to this worker that survives its restarts "
        "(e.g. the pod name of a StatefulSet); a restart then takes its partitions back at once.",
    )
    worker_shutdown_seconds: float = Field(
        30.0, gt=0, description="After SIGTERM the worker commits what is done and exits within this time."
    )
    worker_stall_seconds: float = Field(
        60.0,
        gt=0,
        description="Partitions with lag whose commits have not moved this long while the worker is idle "
        "make it unhealthy (/health/ answers 503) and end it (see WIRESTREAM_WORKER_RESTART_ON_STALL).",
    )
    worker_restart_on_stall: bool = Field(
        True,
        description="After a stall the worker restarts itself in place (same process id, no orchestrator "
        "back-off); false: it exits with code 75 for its orchestrator to restart.",
    )
    bulk_batch_size: int = Field(500, ge=1, description="Stories per Elasticsearch _bulk request.")
    bulk_linger_seconds: float = Field(0.25, gt=0, description="Longest wait to fill a bulk batch.")
    split_in_flight: int = Field(
        200, ge=1, description="Pages split whose stories Kafka has not confirmed yet, at most."
    )
    bulk_backoff_max_seconds: float = Field(30.0, gt=0, description="Cap of the bulk retry backoff.")
    max_page_bytes: int = Field(
        5_000_000, ge=1, description="Pages with a larger body are dead-lettered, not split."
    )
    split_processes: int | None = Field(
        None,
        ge=0,
        description="Processes that split pages (a site's pages always in the same one); "
        "empty: the cores this worker may use; 0: split inside the worker process.",
    )
    split_budget_seconds: float = Field(
        30.0, gt=0, description="A page that takes longer to split is dead-lettered with that reason."
    )
    site_memory_max_paragraphs: int = Field(
        200_000, ge=1, description="Site memory keeps at most this many paragraphs (least recently seen go)."
    )
    site_memory_days: int = Field(
        30, ge=1, description="Site memory forgets paragraphs not seen for this many days."
    )
    language_engine: Literal["fasttext+langdetect", "fasttext", "langdetect"] = Field(
        "fasttext+langdetect",
        description="Language engine: fastText with langdetect as second opinion, fastText, or langdetect.",
    )

    # --- story clusters (the worker's index stage) ------------------------------------------
    clusters_enabled: bool = Field(
        True, description="Group copies of one story across sites into clusters (cluster_id)."
    )
    cluster_days: float = Field(
        3.0,
        gt=0,
        description="Clusters whose stories are all older than this many days are closed: a copy seen "
        "later starts a new cluster, and the state forgets them.",
    )

    # --- alerts (the worker's alert and notify stages) --------------------------------------
    alerts_enabled: bool = Field(True, description="Match indexed stories against the alert rules.")
    alert_linger_seconds: float = Field(
        0.1, gt=0, description="Longest wait to group indexed batches into one rule search."
    )
    alert_busy_share: float = Field(
        0.25,
        gt=0,
        le=1,
        description=(
            "Most of the time the alert stage spends matching while ingestion is behind (pages "
            "waited over 1 s in Kafka): it waits after each batch (up to 0.5 s) so the next is "
            "larger, leaving the cores to ingestion (1: never waits)."
        ),
    )
    webhook_attempts: int = Field(5, ge=1, le=20, description="Tries per webhook notification.")
    webhook_timeout_seconds: float = Field(10.0, gt=0, description="Seconds per webhook request.")
    webhook_backoff_max_seconds: float = Field(30.0, gt=0, description="Cap of the webhook retry backoff.")
    webhook_per_host: int = Field(
        8,
        ge=1,
        description="Webhook requests in flight at once to one receiver host; the others wait their "
        "turn before their timeout starts (a burst after an outage is not sent twice).",
    )
    alert_retry_first_seconds: float = Field(
        30.0, gt=0, description="A notification that failed its attempts is tried again this much later."
    )
    alert_retry_longest_seconds: float = Field(
        3600.0, gt=0, description="The wait between later rounds doubles up to this."
    )
    alert_retry_horizon_hours: float = Field(
        24.0,
        ge=0,
        description="Later rounds stop this long after the alert fired (then failed, dead-lettered).",
    )
    alert_retry_check_seconds: float = Field(
        5.0, gt=0, description="How often the group's leader looks for notifications due a later round."
    )

    # --- scraper (`wirestream scrape`) ------------------------------------------------------
    scrape_allow_hosts: str = Field(
        "",
        description="Hosts (host or host:port, comma-separated) exempt from the private-address guard.",
    )
    scrape_timeout_seconds: float = Field(30.0, gt=0, description="Seconds per HTTP request, in all.")
    scrape_max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request.")
    scrape_concurrency: int = Field(16, ge=1, description="HTTP requests in flight at once (all hosts).")
    scrape_metrics_port: int = Field(
        9108,
        ge=0,
        le=65535,
        description="Port of the polling scraper's Prometheus metrics (/metrics); 0: none.",
    )

    # --- local stack (`wirestream stack`) ----------------------------------------------------
    stack_cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="Downloaded Kafka/Elasticsearch artifacts."
    )
    state_dir: Path = Field(
        default_factory=_default_state_dir,
        description="Runtime state: stack data, logs, pid files; worker data.",
    )
    stack_kafka_port: int = Field(9092, description="Local Kafka broker port.")
    stack_kafka_controller_port: int = Field(9093, description="Local Kafka controller port.")
    stack_elasticsearch_port: int = Field(9200, description="Local Elasticsearch HTTP port.")
    stack_elasticsearch_transport_port: int = Field(9300, description="Local Elasticsearch transport port.")
    stack_kafka_heap: str = Field("512m", description="Local Kafka JVM heap.")
    stack_elasticsearch_heap: str = Field("1g", description="Local Elasticsearch JVM heap.")
    stack_start_timeout: float = Field(180.0, gt=0, description="Seconds to wait for a service to come up.")
    stack_user: str = Field("wirestream", description="Unprivileged user Elasticsearch runs as under root.")

    # --- logging -----------------------------------------------------------------------------
    log_level: str = Field("INFO", description="Log level.")
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto = JSON unless stderr is a terminal."
    )
    log_repeat_seconds: float = Field(
        10.0,
        ge=0,
        description="A warning or error repeated within this many seconds (same logger, same message "
        "template) is counted, not printed; the next one printed says how many were held back (0: off).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read from the environment once per process."""
    return Settings()


def as_env(settings: Settings) -> dict[str, str]:
    """The settings as WIRESTREAM_* environment variables (for a worker started as a subprocess)."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        plain = value.get_secret_value() if isinstance(value, SecretStr) else value
        env[f"WIRESTREAM_{name.upper()}"] = str(plain).lower() if isinstance(plain, bool) else str(plain)
    return env
