"""`python -m pipeline` is the same as the `wirestream` command."""

from pipeline.cli import run_cli

if __name__ == "__main__":
    run_cli()
