"""What is not the pipeline: benchmarks (`wirestream bench ...`), the synthetic news site that the
tests, the benchmarks and the README's walk-through use, and a worker run as a child process (the
demo, the benchmarks and the integration tests)."""
