"""Read numbers as people write them: `1,200`, `1.234.567,89`, `5.2M`, `3천만`, `10~50억`.

Shared by the money and head-count normalisers. Functions raise `ValueError`; the caller turns it
into a `ValidationFailed` that names its field.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

_SMALL_KO = {"십": 10.0, "백": 100.0, "천": 1_000.0}
_BIG_KO = {"만": 1e4, "억": 1e8, "조": 1e12}
_SCALE_WORDS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
}
_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)|(?P<ko>[십백천만억조])|(?P<word>[a-z]+)\.?|(?P<space>\s+)",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(?:~|～|–|—|-|\bto\b)\s*", re.IGNORECASE)


class Scaled(NamedTuple):
    """A number read from text, and whether a unit such as `M` or `억` scaled it."""

    value: float
    scaled: bool


def to_float(token: str) -> float:
    """Read digits with `,` and `.` separators, telling thousands from decimals by position.

    The last separator is the decimal point when both kinds appear (`1.234.567,89`), and a
    lone comma is one unless three digits follow it (`1,5` but `1,500`). Thousands groups must
    be whole (`12,34,567` in the Indian style is fine, `2024.01.05` is not a number).
    """
    if "," in token and "." in token:
        decimal: str | None = "," if token.rfind(",") > token.rfind(".") else "."
    elif token.count(",") == 1 and len(token.partition(",")[2]) != 3:
        decimal = ","
    elif token.count(".") == 1:
        decimal = "."
    else:
        decimal = None
    whole, fraction = token.rsplit(decimal, 1) if decimal else (token, "")
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (
        len(set(re.findall(r"[.,]", whole))) > 1
        or len(groups[0]) > 3
        or len(groups[-1]) != 3
        or any(len(g) not in (2, 3) for g in groups[1:])
    ):
        raise ValueError(f"{token!r} is not a well-formed number")
    return float("".join(groups) + (f".{fraction}" if fraction else ""))


def parse_scaled(text: str) -> Scaled:
    """Read one number with optional Korean units and English scale words."""
    total = section = 0.0
    pending: float | None = None
    seen_unit = False
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"unexpected {text[position]!r}")
        position = match.end()
        kind, token = match.lastgroup, match.group()
        if kind == "num":
            if pending is not None:
                raise ValueError("two numbers in a row")
            pending = to_float(token)
        elif kind == "ko" and token in _SMALL_KO:
            section += (1.0 if pending is None else pending) * _SMALL_KO[token]
            pending, seen_unit = None, True
        elif kind == "ko":
            section += pending or 0.0
            total += (section or 1.0) * _BIG_KO[token]
            section, pending, seen_unit = 0.0, None, True
        elif kind == "word":
            scale = _SCALE_WORDS.get(token.rstrip(".").lower())
            if scale is None or pending is None:
                raise ValueError(f"unexpected word {token!r}")
            section += pending * scale
            pending, seen_unit = None, True
    if pending is None and not seen_unit:
        raise ValueError("no number")
    return Scaled(total + section + (pending or 0.0), seen_unit)


def parse_range(text: str) -> float:
    """Read a number or a range (`50-200`, `10~50억`, `$1M - $5M`), returning its midpoint.

    A bare lower bound borrows the upper bound's unit when that keeps the range in order, so
    `10~50억` is 10억 to 50억 while `500,000-5M` stays 500,000 to 5,000,000.
    """
    parts = _RANGE.split(text.strip())
    if len(parts) == 1:
        return parse_scaled(parts[0]).value
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ValueError("not a number or a range of two numbers")
    low_text, high_text = parts
    low, high = parse_scaled(low_text), parse_scaled(high_text)
    if not low.scaled and high.scaled:
        unit = high_text[_last_digit_end(high_text) :]
        borrowed = parse_scaled(low_text + unit) if unit.strip() else low
        if borrowed.value <= high.value:
            low = borrowed
    return (low.value + high.value) / 2


def round_half_up(value: float) -> int:
    """Round to the nearest whole number, halves upwards (125.5 -> 126), unlike `round`."""
    return math.floor(value + 0.5)


def _last_digit_end(text: str) -> int:
    """Index just after the last digit in text (0 when there is none)."""
    ends = [m.end() for m in re.finditer(r"\d", text)]
    return ends[-1] if ends else 0
