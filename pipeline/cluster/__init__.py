"""Near-duplicate story clusters across sites (see README.md in this folder)."""
