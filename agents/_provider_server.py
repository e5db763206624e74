"""Serve a GGUF file over llama.cpp's OpenAI-compatible HTTP API, in the foreground.

    python -m agents._provider_server --port 8080 [--model PATH.gguf] [--threads 1]

then `LEADPULSE_LLM=openai-compatible:MODEL@http://127.0.0.1:8080/v1`. The bundled model is
served when no path is given. Listens on loopback only; stops on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from agents._offline import bundled_model_path, server_params


def serve(*, model_path: str, port: int, threads: int, context: int) -> None:
    """Run the server until SIGTERM or SIGINT; prints its address once it listens."""
    import xllamacpp  # type: ignore[import-untyped,unused-ignore]

    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    params = server_params(model_path, threads=threads, context=context, port=port, quiet=False)
    server = xllamacpp.Server(params)  # serves from its own threads
    print(f"listening on {server.listening_address}", flush=True)
    stopped.wait()
    del server  # its destructor stops the HTTP loop and frees the model


def main(argv: Sequence[str] | None = None) -> None:
    """Command line of `serve`."""
    parser = argparse.ArgumentParser(prog="python -m agents._provider_server")
    parser.add_argument("--model", default=None, help="GGUF file (default: the bundled one)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--context", type=int, default=4096)
    args = parser.parse_args(argv)
    model_path = args.model or str(bundled_model_path())
    serve(model_path=model_path, port=args.port, threads=args.threads, context=args.context)


if __name__ == "__main__":
    main(sys.argv[1:])
