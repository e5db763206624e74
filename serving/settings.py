"""Settings of the service: where it listens and how it keeps the model and callers fresh."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServingSettings(BaseSettings):
    """`LEADPULSE_*` environment variables of `leadpulse serve`."""

    model_config = SettingsConfigDict(env_prefix="LEADPULSE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    model_refresh_seconds: float = Field(
        default=10.0, gt=0, description="How often the champion alias is checked for a move."
    )
    list_refresh_seconds: float = Field(
        default=300.0, gt=0, description="How often lists with time windows are re-evaluated."
    )
    auth_cache_seconds: float = Field(
        default=30.0, ge=0, description="How long a checked API key is trusted without a query."
    )
    form_rate_per_minute: int = Field(
        default=20, ge=1, description="Public form submissions per form and client address."
    )
    batch_limit: int = Field(default=10_000, ge=1, description="Most leads per batch request.")
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of links sent to leads."
    )


@lru_cache(maxsize=1)
def get_settings() -> ServingSettings:
    """The process-wide serving settings, read once from the environment."""
    return ServingSettings()
