"""Text helpers shared by the normalisers and the import mapper: blanks and lookup keys."""

from __future__ import annotations

import re
import unicodedata

# Values web-form and spreadsheet exports write for "nothing entered".
PLACEHOLDERS = frozenset(
    {
        "select", "please select", "select one", "-select-", "n/a", "na", "#n/a", "nan",
        "null", "none", "unknown", "-", "--", "?", "없음", "해당없음", "미입력", "모름",
    }
)  # fmt: skip

_NOT_ALNUM = re.compile(r"[\W_]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def is_blank(value: str | None) -> bool:
    """Tell whether a raw value means "nothing entered" (empty, whitespace or a placeholder)."""
    if value is None:
        return True
    text = value.strip()
    return not text or text.casefold() in PLACEHOLDERS


def fold(text: str) -> str:
    """Reduce text to a lookup key: NFKC, case-folded, punctuation and spacing removed."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def has_hangul(text: str) -> bool:
    """Tell whether text contains a Korean syllable (short Korean words are still specific)."""
    return _HANGUL.search(text) is not None
