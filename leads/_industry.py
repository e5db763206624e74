"""Map free-text industries (English or Korean) to the fixed industry vocabulary."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from leads._text import fold, has_hangul, is_blank
from leads._vocab import folded_index, load_synonyms

INDUSTRIES: tuple[str, ...] = tuple(load_synonyms("industries"))
"""The industry codes, in vocabulary order; `other` is the catch-all."""

OTHER = "other"
_FUZZY_CUTOFF = 85.0
_MIN_FUZZY_LENGTH = 4


def normalize_industry(value: str | None) -> str | None:
    """Map an industry name to its code; unknown names give `other`, blank gives None.

    Exact synonym first (ignoring case, spacing and punctuation), then a close spelling
    (`Manufacturng`), then the longest synonym the text contains (`Enterprise Software`).
    """
    if value is None or is_blank(value):
        return None
    return _industry_code(fold(value))


@lru_cache(maxsize=4096)
def _industry_code(key: str) -> str:
    """Find the code for a folded industry name."""
    index = folded_index("industries")
    if key in index:
        return index[key]
    if len(key) >= _MIN_FUZZY_LENGTH:
        best = process.extractOne(key, index.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        if best is not None:
            return index[best[0]]
    contained = [s for s in index if _is_specific(s) and s in key]
    if contained:
        return index[max(contained, key=len)]
    return OTHER


def _is_specific(synonym: str) -> bool:
    """Tell whether a synonym is long enough to be trusted inside longer text."""
    return len(synonym) >= _MIN_FUZZY_LENGTH or (has_hangul(synonym) and len(synonym) >= 2)
