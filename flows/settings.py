"""Settings of the flows: the SMTP relay, the public URL of tracking links, the worker."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class FlowSettings(BaseSettings):
    """`LEADPULSE_SMTP_*`, `LEADPULSE_PUBLIC_URL` and `LEADPULSE_WORKER_*` variables."""

    model_config = SettingsConfigDict(env_prefix="LEADPULSE_", extra="ignore")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    smtp_tls: bool = Field(default=False, description="Connect with implicit TLS (port 465).")
    smtp_timeout: float = Field(default=30.0, gt=0)
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of tracking and booking links."
    )
    worker_batch: int = Field(default=50, ge=1, le=1000, description="Due rows claimed at once.")
    worker_lease_seconds: float = Field(
        default=300.0, gt=0, description="A claimed row is reclaimed after this long."
    )
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=10, ge=1, description="Temporary failures before giving up.")


@lru_cache(maxsize=1)
def get_settings() -> FlowSettings:
    """The process-wide flow settings, read once from the environment."""
    return FlowSettings()
