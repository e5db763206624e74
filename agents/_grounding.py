"""Claim-like tokens of a text, normalised so a draft's tokens can be looked up in its sources.

Numbers (digits, English number words, Korean native numerals before a counter), currency
marks, calendar words, claim words ("free", "guarantee", "할인", ...) and names (capitalised
or all-capital Latin words that do not start a sentence). Korean names written in Hangul are
not detected: the facts check cannot tell them from ordinary words.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(?<![A-Za-z0-9.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twice": 2, "thrice": 3, "dozen": 12,
    "hundred": 100, "thousand": 1000, "million": 1_000_000,
}  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# "한 번" (once, also "take a look") is everyday Korean: only two and up count as numbers.
_KOREAN_NUMERALS = {
    "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
}  # fmt: skip
_KOREAN_COUNT = re.compile(
    r"(?<![가-힣])(" + "|".join(_KOREAN_NUMERALS) + r")\s?(번|통|회|개|분|명|곳|가지|건|주|달|시간)"
)
_CURRENCY = re.compile(
    r"[$€£¥₩]|\b(?:usd|krw|eur|gbp|jpy|dollars?|euros?|won)\b|\d\s*원|만\s*원", re.IGNORECASE
)
_CALENDAR = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|May(?=\s+\d)"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|[월화수목금토일]요일"
)
_CLAIMS = re.compile(
    r"(?<!feel )\bfree\b|\b(?:discount(?:s|ed)?|guarantee[sd]?|cheapest|refunds?|coupons?"
    r"|promo(?:tion)?s?|award(?:s|-winning)?|certified|risk-free|no-cost)\b|#\s?1\b"
    r"|무료|할인|보장|최저가|환불|쿠폰|프로모션|수상|인증|1위",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&'’-]*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]\s*|\n\s*)$")
_COMMON_CAPITALS = frozenset({"i", "i'm", "i'd", "i'll", "i've", "ok"})
# Words that often open a sentence; any other capitalised opener is checked like a name
# (and passes when the sources hold the word in any case).
_OPENERS = frozenset(
    """a about after all also an and any are as at be because before but by can could did do
    does each every feel for from glad happy has have here hope how if in is it it's its just
    let let's many may maybe more most no not now of on once one or our perhaps please quick
    should since so some that thank thanks the their there these they this those to we we'd
    we'll we're we've what when where which while who why will with would yes you you'd you'll
    you're you've your""".split()  # noqa: SIM905 - a word list reads better as prose
)


def numbers(text: str) -> set[str]:
    """Numbers in the text as canonical strings: "1,200" and "1200.0" both give "1200"."""
    found = set()
    for match in _NUMBER.finditer(text):
        whole, fraction = match.group(1).replace(",", ""), (match.group(2) or "").rstrip("0")
        found.add(f"{int(whole)}.{fraction}" if fraction else str(int(whole)))
    found |= {str(_NUMBER_WORDS[m.group(1).lower()]) for m in _WORD.finditer(text)}
    found |= {str(_KOREAN_NUMERALS[m.group(1)]) for m in _KOREAN_COUNT.finditer(text)}
    return found


def currencies(text: str) -> set[str]:
    """Currency marks, normalised to a symbol ("USD", "dollars" and "$" are all "$")."""
    marks = {"usd": "$", "dollar": "$", "dollars": "$", "krw": "₩", "won": "₩", "원": "₩"}
    marks |= {"eur": "€", "euro": "€", "euros": "€", "gbp": "£", "jpy": "¥"}
    found = set()
    for match in _CURRENCY.finditer(text):
        token = match.group(0).lower()
        token = "원" if token.endswith("원") else token
        found.add(marks.get(token, token))
    return found


def calendar_words(text: str) -> set[str]:
    """Month and weekday names (English and Korean), lower-cased."""
    return {match.group(0).lower() for match in _CALENDAR.finditer(text)}


def claim_words(text: str) -> set[str]:
    """Promotional or factual claim words, lower-cased."""
    return {" ".join(match.group(0).lower().split()) for match in _CLAIMS.finditer(text)}


def names(text: str) -> set[str]:
    """Latin words that look like names: capitalised (unless a common sentence opener), or in
    capitals."""
    found = set()
    for match in _LATIN_WORD.finditer(text):
        word = match.group(0).rstrip("'’-")
        if word.lower().endswith(("'s", "’s")):
            word = word[:-2]
        if len(word) < 2 or word.lower() in _COMMON_CAPITALS:
            continue
        if sum(char.isupper() for char in word) >= 2:
            found.add(word)
        elif word[0].isupper():
            opener = _SENTENCE_END.search(text[: match.start()]) is not None
            if not opener or word.lower() not in _OPENERS:
                found.add(word)
    return found
