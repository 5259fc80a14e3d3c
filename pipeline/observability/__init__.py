"""Logging (JSON off a terminal, with stage/topic/partition/offset), metrics and health."""
