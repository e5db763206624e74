"""Lead-supplied text as quoted data, and the text with that data taken out."""

from __future__ import annotations

import re

QUOTE_MAX = 160
_QUOTED = re.compile(r'"[^"]*"')


def quote(text: str) -> str:
    """Lead-supplied text as quoted data: one line, no inner double quotes, bounded length."""
    flat = " ".join(text.replace('"', "'").split())
    if len(flat) > QUOTE_MAX:
        flat = flat[: QUOTE_MAX - 1].rstrip() + "…"
    return f'"{flat}"'


def unquoted(text: str) -> str:
    """The text with quoted data removed: what the system itself states."""
    return _QUOTED.sub(" ", text)
