"""The index stage: pure document building and the index template; the bulk writer (adapter)."""
