"""An SMTP server that accepts everything and logs each recipient, run as a process of its own.

A relay is another process (usually another host); run here in a thread of the measured
process, its work would compete with the sender's for the interpreter lock, and a send would
pay for both ends. It imports only aiosmtpd, so it starts in a fraction of a second. Usage:

    python bench/_smtp_catcher.py PORT LOG    # one accepted recipient per line of LOG
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import IO

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
