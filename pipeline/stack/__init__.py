"""The local stack: real Apache Kafka and Elasticsearch fetched from Maven Central and run on loopback.

Used by newcomers (`wirestream stack up`), the demo and the integration tests. Operators use
``deploy/compose.yaml`` instead.
"""

from pipeline.stack.services import (
    ServiceStatus,
    down,
    is_secure,
    local_services,
    secure_files,
    set_up_secure,
    up,
)

__all__ = ["ServiceStatus", "down", "is_secure", "local_services", "secure_files", "set_up_secure", "up"]
