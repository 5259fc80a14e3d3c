"""The local stack: real Apache Kafka and Elasticsearch fetched from Maven Central and run on loopback.

Used by newcomers (`wirestream stack up`), the demo and the integration tests. Operators use
``deploy/compose.yaml`` instead.
"""

from pipeline.stack.services import ServiceStatus, down, local_services, up

__all__ = ["ServiceStatus", "down", "local_services", "up"]
