"""The chat models that can write drafts, built from `LEADPULSE_LLM` and its siblings.

`offline` (the default) runs a bundled 135M-parameter instruct model in-process with
llama.cpp; `openai`, `openai-compatible`, `anthropic` and `ollama` talk to an endpoint.
Every model is a LangChain `BaseChatModel`, and `with_structured_output(Schema)` works on
each: by constrained decoding offline, by the provider's own mechanism elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agents._offline import OfflineChatModel, bundled_model_path
from agents._provider_spec import LLMSpec
from agents.settings import AgentSettings, get_settings

__all__ = ["OfflineChatModel", "capable", "chat_model", "provider_name"]

# OpenAI-compatible servers (llama.cpp, vLLM, LM Studio) mostly ignore the key but the
# client insists on one.
_NO_KEY = "not-needed"


def chat_model(settings: AgentSettings | None = None) -> BaseChatModel:
    """The configured chat model; raises ValueError naming the setting that is wrong."""
    settings = settings or get_settings()
    spec = settings.llm_spec
    if spec.provider == "offline":
        return _offline(spec, settings)
    if spec.provider in ("openai", "openai-compatible"):
        return _openai(spec, settings)
    if spec.provider == "anthropic":
        return _anthropic(spec, settings)
    return _ollama(spec, settings)


def provider_name(settings: AgentSettings | None = None) -> str:
    """`provider:model` as recorded on a draft; a local GGUF is named by its file name."""
    spec = (settings or get_settings()).llm_spec
    if spec.provider == "offline":
        return f"offline:{_offline_path(spec).stem}"
    return f"{spec.provider}:{spec.model}"


def capable(settings: AgentSettings | None = None) -> bool:
    """Whether the model can be trusted to choose the next email (the bundled one cannot)."""
    spec = (settings or get_settings()).llm_spec
    if spec.provider != "offline":
        return True
    return _offline_path(spec) != bundled_model_path().resolve()


def _offline_path(spec: LLMSpec) -> Path:
    if spec.model is None:
        return bundled_model_path().resolve()
    return Path(spec.model).expanduser().resolve()


def _offline(spec: LLMSpec, settings: AgentSettings) -> BaseChatModel:
    path = _offline_path(spec)
    if not path.is_file():
        raise ValueError(f"LEADPULSE_LLM={settings.llm!r} names a GGUF file that does not exist")
    return OfflineChatModel(
        model_path=str(path),
        threads=settings.llm_threads,
        context=settings.llm_context,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
    )


def _openai(spec: LLMSpec, settings: AgentSettings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # imports openai: seconds, so only when chosen

    base_url = spec.base_url or settings.llm_base_url
    if spec.provider == "openai-compatible" and not base_url:
        raise ValueError(
            f"LEADPULSE_LLM={settings.llm!r} needs an endpoint: "
            "openai-compatible:MODEL@http://HOST:PORT/v1 or LEADPULSE_LLM_BASE_URL"
        )
    api_key = settings.llm_api_key
    if api_key is None and spec.provider == "openai-compatible":
        api_key = SecretStr(_NO_KEY)
    elif api_key is None:
        _require_env_key(settings, "OPENAI_API_KEY")
    return ChatOpenAI(
        model=spec.model or "",
        base_url=base_url,
        api_key=api_key,
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
    )


def _anthropic(spec: LLMSpec, settings: AgentSettings) -> BaseChatModel:
    from langchain_anthropic import ChatAnthropic

    if settings.llm_api_key is None:
        _require_env_key(settings, "ANTHROPIC_API_KEY")
    return ChatAnthropic(
        model=spec.model or "",
        api_key=settings.llm_api_key or SecretStr(os.environ["ANTHROPIC_API_KEY"]),
        base_url=settings.llm_base_url,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
    )


def _ollama(spec: LLMSpec, settings: AgentSettings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=spec.model or "",
        base_url=settings.llm_base_url,
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        num_ctx=settings.llm_context,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def _require_env_key(settings: AgentSettings, variable: str) -> None:
    if not os.environ.get(variable):
        raise ValueError(
            f"LEADPULSE_LLM={settings.llm!r} needs an API key: "
            f"set LEADPULSE_LLM_API_KEY or {variable}"
        )
