"""The `qa` command: it drives every stage (index/, qa/, api/, eval/), so it sits above them."""

from .main import app, main

__all__ = ["app", "main"]
