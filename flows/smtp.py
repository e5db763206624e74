"""Sending over SMTP with aiosmtplib: one connection kept open, failures told apart.

A 5xx answer is permanent (the address bounces: suppress it); a 4xx answer or a connection
problem is temporary (retry later with backoff).
"""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from flows.settings import FlowSettings


class SendFailed(Exception):
    """SMTP did not take the message; `permanent` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SmtpMailer:
    """A reusable SMTP connection to the configured relay."""

    def __init__(self, settings: FlowSettings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
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

    async def send(self, message: EmailMessage) -> None:
        """Hand the message to the relay; `SendFailed` when it is not accepted."""
        try:
            client = await self._connected()
            errors, _response = await client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [r.code for r in error.recipients]
            permanent = all(code >= 500 for code in codes)
            raise SendFailed(
                str(error), permanent=permanent, code=codes[0] if codes else None
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            await self.close()
            raise SendFailed(
                f"{error.code} {error.message}", permanent=error.code >= 500, code=error.code
            ) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            raise SendFailed(f"{type(error).__name__}: {error}", permanent=False) from None
        refused = dict(errors)
        if refused:
            codes = [r.code for r in refused.values()]
            raise SendFailed(str(refused), permanent=all(c >= 500 for c in codes), code=codes[0])

    async def close(self) -> None:
        """Close the connection (a new one opens on the next send)."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
