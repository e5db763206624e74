"""Settings of the record: where the database lives."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class LeadsSettings(BaseSettings):
    """`LEADPULSE_*` environment variables that configure the record."""

    model_config = SettingsConfigDict(env_prefix="LEADPULSE_", extra="ignore")

    db_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database; empty means a SQLite file in data/.",
    )
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Folder for local data.")
    db_echo: bool = False

    def resolved_db_url(self) -> str:
        """The database URL, defaulting to `data/leadpulse.db` under the project root."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.data_dir / 'leadpulse.db'}"


@lru_cache(maxsize=1)
def get_settings() -> LeadsSettings:
    """The process-wide settings, read once from the environment."""
    return LeadsSettings()
