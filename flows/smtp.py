"""Sending over SMTP with aiosmtplib: one connection kept open, failures told apart.

The message goes in its wire form (7-bit, CRLF lines, rendered by `flows.mail`), so nothing is
flattened again here. A 5xx answer is permanent (the address bounces: suppress it); a 4xx
answer or a connection problem is temporary (retry later with backoff). Failing to reach or
log in to the relay is the relay's fault, never the address's: temporary.
"""

from __future__ import annotations

import select

import aiosmtplib

from flows.settings import FlowSettings


class SendFailed(Exception):
    """SMTP did not take the message; `permanent` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SmtpMailer:
    """A reusable SMTP connection to the configured relay (STARTTLS, TLS and login as set)."""

    def __init__(self, settings: FlowSettings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, *, sender: str, recipient: str, data: bytes) -> None:
        """Hand a message in its wire form to the relay for `recipient`; `SendFailed` when it
        is not accepted."""
        try:
            client = await self._connected()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            problem = f"no connection to the relay: {type(error).__name__}: {error}"
            raise SendFailed(problem, permanent=False) from None
        try:
            refused, _response = await client.sendmail(sender, [recipient], data)
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise _refused({r.recipient: (r.code, r.message) for r in error.recipients}) from None
        except aiosmtplib.SMTPResponseException as error:
            await self.close()
            raise SendFailed(
                f"{error.code} {error.message}", permanent=error.code >= 500, code=error.code
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            raise SendFailed(f"{type(error).__name__}: {error}", permanent=False) from None
        if refused:
            raise _refused({address: (r.code, r.message) for address, r in refused.items()})

    async def close(self) -> None:
        """Close the connection (a new one opens on the next send)."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        """The open connection, or a new one when there is none or the relay dropped it."""
        if self._client is not None and self._client.is_connected:
            if not _dropped(self._client):
                return self._client
            self._client.close()  # the relay hung up (or said it would): a new connection
            self._client = None
        await self.close()
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout,
            username=s.smtp_username or None,
            password=s.smtp_password.get_secret_value() or None,
        )
        await client.connect()
        self._client = client
        return client


def _dropped(client: aiosmtplib.SMTP) -> bool:
    """Whether the relay closed the connection (or announced it) since the last message: an
    open connection between messages has nothing to read. Checked before each message, since
    the event loop may not have run to notice the close yet."""
    transport = client.transport
    sock = transport.get_extra_info("socket") if transport is not None else None
    return sock is None or bool(select.select([sock], [], [], 0)[0])


def _refused(recipients: dict[str, tuple[int, str]]) -> SendFailed:
    """The failure of a message whose recipients were refused (permanent if all were 5xx)."""
    codes = [code for code, _ in recipients.values()]
    text = "; ".join(f"{address}: {code} {reply}" for address, (code, reply) in recipients.items())
    return SendFailed(text, permanent=all(code >= 500 for code in codes), code=codes[0])
