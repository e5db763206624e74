"""Read amounts of money in English and Korean notation and convert them to US dollars."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pycountry

from leads._numbers import parse_range
from leads._text import is_blank
from leads.errors import ValidationFailed

USD_RATES: Mapping[str, float] = MappingProxyType(
    {
        "USD": 1.0,
        "KRW": 1 / 1380,
        "EUR": 1.08,
        "GBP": 1.27,
        "JPY": 1 / 150,
        "CNY": 1 / 7.2,
        "INR": 1 / 83,
        "BRL": 1 / 5.0,
        "CAD": 0.73,
        "AUD": 0.66,
        "NZD": 0.60,
        "SGD": 0.74,
        "HKD": 0.128,
        "TWD": 1 / 32,
        "CHF": 1.12,
        "VND": 1 / 25_000,
    }
)
"""US dollars per unit of each currency: fixed, approximate reference rates (2024-2025 levels).

Good enough to compare company sizes across currencies; never use them for accounting.
"""

# Symbols and words naming one currency for certain (ASCII words are matched case-insensitively).
_MARKS = {
    "US$": "USD",
    "HK$": "HKD",
    "NT$": "TWD",
    "C$": "CAD",
    "A$": "AUD",
    "S$": "SGD",
    "NZ$": "NZD",
    "R$": "BRL",
    "CN¥": "CNY",
    "₩": "KRW",
    "￦": "KRW",
    "원": "KRW",
    "€": "EUR",
    "유로": "EUR",
    "£": "GBP",
    "파운드": "GBP",
    "₹": "INR",
    "円": "JPY",
    "엔": "JPY",
    "元": "CNY",
    "위안": "CNY",
    "rmb": "CNY",
    "won": "KRW",
    "yen": "JPY",
    "yuan": "CNY",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "rupee": "INR",
    "rupees": "INR",
}
# Symbols shared by several currencies: their default, unless a code says which one.
_DOLLARS = ("USD", frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD"}))
_YEN = ("JPY", frozenset({"JPY", "CNY"}))
_AMBIGUOUS = {
    "$": _DOLLARS,
    "달러": _DOLLARS,
    "dollar": _DOLLARS,
    "dollars": _DOLLARS,
    "¥": _YEN,
    "￥": _YEN,
}
_WORDS = sorted((m for m in [*_MARKS, *_AMBIGUOUS] if m.isascii() and m.isalpha()), key=len)
_SYMBOLS = sorted((m for m in [*_MARKS, *_AMBIGUOUS] if m not in _WORDS), key=len)
_CURRENCY = re.compile(
    "|".join(re.escape(s) for s in reversed(_SYMBOLS))
    + r"|(?<![A-Za-z])(?:"
    + "|".join(reversed(_WORDS))
    + r"|[A-Za-z]{3})(?![A-Za-z])",
    re.IGNORECASE,
)
_KOREAN_UNITS = re.compile("[십백천만억조]")
_HEDGES = re.compile(
    r"\b(?:approx(?:imately|\.)?|about|around|over|under|more than|less than|up to|"
    r"per (?:year|annum)|a year|annually|annual)\b|/\s*(?:yr|year)\b|p\.a\.|"
    r"약|대략|정도|내외|이상|이하|미만|초과|연간|[()\[\]+<>≈]",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in its own currency (ISO 4217) and its approximate value in US dollars."""

    amount: float
    currency: str
    usd: float


def parse_money(
    value: str | None, default_currency: str = "USD", *, field: str = "revenue"
) -> Money | None:
    """Read an amount such as `10억 원`, `$5M`, `€3.5m` or `$1M-$5M` (a range gives its midpoint).

    A bare number is in `default_currency`; one written with Korean units (천, 만, 억, 조) and no
    currency is in won. Blank input gives None.
    """
    if value is None or is_blank(value):
        return None
    text = value.strip()
    default = "KRW" if _KOREAN_UNITS.search(text) else default_currency.upper()
    currency, rest = _take_currency(text, default, field)
    if currency not in USD_RATES:
        raise ValidationFailed(field, f"{text!r} is in {currency}, which has no reference rate")
    try:
        amount = parse_range(_HEDGES.sub(" ", rest))
    except ValueError:
        raise ValidationFailed(field, f"{text!r} is not an amount of money") from None
    return Money(round(amount, 2), currency, round(amount * USD_RATES[currency], 2))


def _take_currency(text: str, default: str, field: str) -> tuple[str, str]:
    """Find the one currency text names and return it with the text stripped of currency marks."""
    certain: set[str] = set()
    ambiguous: list[tuple[str, frozenset[str]]] = []

    def strip(match: re.Match[str]) -> str:
        """Note the currency a mark names and blank the mark out; leave other words alone."""
        token = match.group()
        key = token.lower() if token.isascii() and token.isalpha() else token
        if key in _AMBIGUOUS:
            ambiguous.append(_AMBIGUOUS[key])
        elif key in _MARKS:
            certain.add(_MARKS[key])
        elif len(token) == 3 and (token.upper() in USD_RATES or _is_iso_currency(token)):
            certain.add(token.upper())
        else:
            return token  # a word such as "mil" or "bn": not a currency
        return " "

    rest = _CURRENCY.sub(strip, text)
    if len(certain) > 1:
        raise ValidationFailed(field, f"{text!r} names several currencies")
    for fallback, compatible in ambiguous:
        if certain and not certain <= compatible:
            raise ValidationFailed(field, f"{text!r} names several currencies")
        certain = certain or {fallback}
    return (certain.pop() if certain else default), rest


def _is_iso_currency(token: str) -> bool:
    """Tell whether a three-letter word is an ISO 4217 currency code."""
    return pycountry.currencies.get(alpha_3=token.upper()) is not None
