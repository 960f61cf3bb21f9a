"""`qa eval`: placeholder until the eval suite lands."""

import typer


def register(app: typer.Typer) -> None:
    """Add the `eval` command to the `qa` app."""
