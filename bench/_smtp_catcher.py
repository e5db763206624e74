"""An SMTP server that accepts everything and logs each recipient, run as a process of its own;
and `smtp_catcher`, which the benches use to start one (or, to compare, a thread of theirs).

A relay is another process (usually another host); run here in a thread of the measured
process, its work would compete with the sender's for the interpreter lock, and a send would
pay for both ends. It imports only aiosmtpd and the standard library, so it starts in a
fraction of a second. Usage:

    python bench/_smtp_catcher.py PORT LOG    # one accepted recipient per line of LOG
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class RecipientLog:
    """aiosmtpd handler: appends the recipients of every accepted message to a file."""

    def __init__(self, log: IO[str]) -> None:
        self.log = log

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, _server: SMTP, _session: Session, envelope: Envelope
    ) -> str:
        self.log.write("".join(f"{str(address).lower()}\n" for address in envelope.rcpt_tos))
        self.log.flush()  # a message counts once it is accepted, as a reader sees the file
        return "250 Message accepted"


class Catcher(Protocol):
    """What an SMTP catcher accepted."""

    @property
    def recipients(self) -> list[str]: ...

    @property
    def count(self) -> int: ...


@dataclass
class ThreadCatcher:
    """An SMTP server's handler that keeps the recipients of every accepted message."""

    recipients: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, _server: SMTP, _session: Session, envelope: Envelope
    ) -> str:
        with self._lock:
            self.recipients.extend(str(address).lower() for address in envelope.rcpt_tos)
        return "250 Message accepted"

    @property
    def count(self) -> int:
        return len(self.recipients)


@dataclass
class ProcessCatcher:
    """The recipients a catcher process (`bench/_smtp_catcher.py`) logged (kept when it
    stops)."""

    log: Path
    final: list[str] | None = None

    @property
    def recipients(self) -> list[str]:
        if self.final is not None:
            return self.final
        return self.log.read_text(encoding="utf-8").splitlines()

    @property
    def count(self) -> int:
        return len(self.recipients)


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_catcher(*, in_thread: bool = False) -> Iterator[tuple[Catcher, int]]:
    """An aiosmtpd server on a free loopback port, stopped on exit: a process of its own, or
    with `in_thread` a thread of this process."""
    port = free_port()
    with _thread_catcher(port) if in_thread else _process_catcher(port) as catcher:
        yield catcher, port


@contextmanager
def _thread_catcher(port: int) -> Iterator[Catcher]:
    catcher = ThreadCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()


@contextmanager
def _process_catcher(port: int) -> Iterator[Catcher]:
    with tempfile.TemporaryDirectory() as tmp:
        catcher = ProcessCatcher(Path(tmp) / "recipients.log")
        catcher.log.touch()
        server = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_smtp_catcher.py")), str(port),
             str(catcher.log)], stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            if server.stdout.readline().strip() != "ready":
                raise RuntimeError("the SMTP catcher did not start")
            yield catcher
        finally:
            server.terminate()
            server.wait(timeout=10)
        catcher.final = catcher.recipients  # the log goes with the folder


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open(path, "a", encoding="utf-8") as log:
        controller = Controller(RecipientLog(log), hostname="127.0.0.1", port=port)
        controller.start()
        print("ready", flush=True)
        stop.wait()
        controller.stop()


if __name__ == "__main__":
    main()
