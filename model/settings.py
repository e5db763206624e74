"""Settings of the model package: where MLflow keeps runs, artifacts and the registry."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from leads.settings import PROJECT_ROOT


class ModelSettings(BaseSettings):
    """`LEADPULSE_MLFLOW_*` and `LEADPULSE_MODEL_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="LEADPULSE_", extra="ignore")

    mlflow_tracking_uri: str = Field(
        default="", description="MLflow tracking URI; empty means sqlite:///mlruns/mlflow.db."
    )
    mlflow_artifacts: Path = Field(
        default=PROJECT_ROOT / "mlruns" / "artifacts",
        description="Where runs store artifacts when the tracking store is local.",
    )
    model_name: str = "lead-scorer"
    experiment: str = "lead-scoring"

    def resolved_tracking_uri(self) -> str:
        """The tracking URI, defaulting to the SQLite store under the project's mlruns/."""
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{PROJECT_ROOT / 'mlruns' / 'mlflow.db'}"


@lru_cache(maxsize=1)
def get_settings() -> ModelSettings:
    """The process-wide model settings, read once from the environment."""
    return ModelSettings()
