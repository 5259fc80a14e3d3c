"""Benchmarks: `wirestream bench pipeline|split|scrape|alerts|lang`. Figures for the README; no test
asserts a speed."""
