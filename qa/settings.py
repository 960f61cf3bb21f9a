"""The service's one settings object, read from the environment (prefix ``QA_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_")

    index_dir: Path = Path("var/index")
    # Bearer token for the write endpoints; unset means they answer 403.
    api_token: str | None = None
    top_k: int = 5
    # How often a running server looks for an update written by another process.
    reload_seconds: float = 1.0
    # Longer articles are refused (413): embedding one holds the index's write lock.
    max_article_chars: int = 200_000
    # One log line per request, as JSON objects or as plain text.
    log_format: Literal["json", "text"] = "text"
