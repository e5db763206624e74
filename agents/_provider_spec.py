"""The parsed form of `LEADPULSE_LLM`: which provider, which model, which endpoint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Provider = Literal["offline", "openai", "openai-compatible", "anthropic", "ollama"]
PROVIDERS: tuple[Provider, ...] = ("offline", "openai", "openai-compatible", "anthropic", "ollama")

ACCEPTED_FORMS = (
    "offline, offline:/path/to/model.gguf, openai:MODEL, "
    "openai-compatible:MODEL@http://HOST:PORT/v1 (or openai-compatible:MODEL with "
    "LEADPULSE_LLM_BASE_URL), anthropic:MODEL, ollama:MODEL"
)

# The model name may hold "@" (rare) but the endpoint always starts with a scheme.
_MODEL_AT_URL = re.compile(r"^(?P<model>.+?)@(?P<url>https?://\S+)$")


@dataclass(frozen=True, slots=True)
class LLMSpec:
    """One chat-model configuration: `provider`, `model` (a name or a GGUF path) and `base_url`.

    `model` is None only for the bundled offline model; `base_url` is set only when the
    `openai-compatible:MODEL@URL` form named one.
    """

    provider: Provider
    model: str | None = None
    base_url: str | None = None


def _invalid(value: str, problem: str) -> ValueError:
    return ValueError(f"LEADPULSE_LLM={value!r} {problem}; accepted forms: {ACCEPTED_FORMS}")


def parse_llm_spec(value: str) -> LLMSpec:
    """Parse `LEADPULSE_LLM` (`provider` or `provider:model`); ValueError names what is wrong."""
    text = value.strip()
    name, _, model = text.partition(":")
    name, model = name.strip().lower(), model.strip()
    provider = next((p for p in PROVIDERS if p == name), None)
    if provider is None:
        raise _invalid(value, f"names an unknown provider {name!r}")
    if provider == "offline":
        return LLMSpec("offline", model or None)
    if not model:
        raise _invalid(value, f"needs a model after {provider!r}")
    if provider == "openai-compatible":
        match = _MODEL_AT_URL.match(model)
        if match:
            return LLMSpec(provider, match["model"], match["url"].rstrip("/"))
        if "@" in model:
            raise _invalid(value, "has an endpoint that is not an http(s) URL")
    return LLMSpec(provider, model)
