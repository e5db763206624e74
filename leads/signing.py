"""HMAC signatures for values the service hands out and must recognise when they come back
(form keys here; tracking and unsubscribe tokens in `flows`)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(key: bytes, purpose: str, value: str, *, size: int = 16) -> str:
    """A URL-safe signature of `value` for `purpose` (the purpose keeps signatures apart)."""
    digest = hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:size]).decode().rstrip("=")


def verify(key: bytes, purpose: str, value: str, signature: str, *, size: int = 16) -> bool:
    """Whether `signature` is `sign(key, purpose, value)` (compared in constant time)."""
    return hmac.compare_digest(sign(key, purpose, value, size=size), signature)
