"""Bundled sample pages for `wirestream demo` (written for the project)."""
