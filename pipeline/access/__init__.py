"""Least privilege: each component's Kafka principal, ACLs, Elasticsearch role and API key."""
