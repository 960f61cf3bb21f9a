"""The service's one settings object, read from the environment (prefix ``QA_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_")

    index_dir: Path = Path("var/index")
    # Bearer token for the write endpoints; unset means they answer 403.
    api_token: str | None = None
    top_k: int = 5
    # How often a running server looks for an update written by another process.
    reload_seconds: float = 1.0
