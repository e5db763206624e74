"""Settings of the email agent: which chat model writes the drafts, and how it is run."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents._provider_spec import LLMSpec, parse_llm_spec


class AgentSettings(BaseSettings):
    """`LEADPULSE_LLM*` environment variables that choose and tune the chat model."""

    model_config = SettingsConfigDict(env_prefix="LEADPULSE_", extra="ignore")

    llm: str = Field(
        default="offline",
        description=(
            "provider:model - offline, offline:/path/model.gguf, openai:MODEL, "
            "openai-compatible:MODEL@http://HOST:PORT/v1, anthropic:MODEL, ollama:MODEL."
        ),
    )
    llm_api_key: SecretStr | None = Field(
        default=None, description="API key; defaults to the provider's own variable."
    )
    llm_base_url: str | None = Field(
        default=None, description="Endpoint for openai, openai-compatible or ollama."
    )
    llm_threads: int = Field(
        default=1, ge=1, description="CPU threads of the offline model (one per free core)."
    )
    llm_context: int = Field(default=4096, ge=256, description="Context window in tokens.")
    llm_max_tokens: int = Field(default=512, ge=1, description="Longest reply in tokens.")
    llm_temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    llm_timeout: float = Field(default=120.0, gt=0, description="Seconds per remote request.")

    @field_validator("llm")
    @classmethod
    def _llm_is_a_known_form(cls, value: str) -> str:
        parse_llm_spec(value)
        return value.strip()

    @property
    def llm_spec(self) -> LLMSpec:
        """`llm` parsed into provider, model and endpoint."""
        return parse_llm_spec(self.llm)


@lru_cache(maxsize=1)
def get_settings() -> AgentSettings:
    """The process-wide settings, read once from the environment."""
    return AgentSettings()
