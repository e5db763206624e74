"""Evidence for the import mapper: what a column's header and sampled values say it holds.

Each piece of evidence is a `Candidate`: a target for the column, how sure we are, and a
reason a person can read. `import_mapping` then picks at most one column per lead field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from leads import normalize
from leads._text import fold, has_hangul, is_blank
from leads._vocab import folded_index, load_synonyms
from leads.errors import ValidationFailed

EXACT, SIMILAR, VALUES = 0, 1, 2  # ranks: on equal confidence a header synonym wins
_EXACT_BASE = 0.9  # a header synonym alone; agreeing values take it to 1.0
_CONTAINS_BASE = 0.7
_FUZZY_CUTOFF = 85.0
_MIN_KEY = 5  # shorter Latin keys are too easily part of other words or close to them
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
_CODE = re.compile(r"^[A-Za-z]{0,5}[-_#]?\d{4,}$")
_DOMAIN = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[^\W\d_]{2,}(?:[/:?#]\S*)?$", re.I)
_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,24}$")
_BARE_NUMBER = re.compile(r"^[\d.,\s]+$")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible target for a column, with confidence 0..1 and the reason for it."""

    column: str
    target: str
    confidence: float
    reason: str
    rank: int


def _parses(parse: Callable[[str], object]) -> Callable[[str], bool]:
    """A check that a value parses with a normaliser (blank counts as parsing)."""

    def check(value: str) -> bool:
        try:
            parse(value)
        except ValidationFailed:
            return False
        return True

    return check


def _money_like(value: str) -> bool:
    """Parses as money and is not a small bare number (a count of visits is not a revenue)."""
    try:
        money = normalize.parse_money(value)
    except ValidationFailed:
        return False
    return money is not None and (money.amount >= 10_000 or not _BARE_NUMBER.match(value))


def _wordlike(value: str) -> bool:
    """Text a name, title or city could be: has letters, and is no email or web address."""
    return any(c.isalpha() for c in value) and "@" not in value and "://" not in value


def _phone_like(value: str) -> bool:
    """Digits a phone number could be, in any national format (country codes are optional)."""
    digits = sum(c.isdigit() for c in value)
    return bool(_PHONE.match(value.strip())) and 7 <= digits <= 15


_yes_no = _parses(lambda v: normalize.parse_bool(v, "value"))
_TEXT = (_wordlike, "text")
# target -> (check of one value, what the values are when it passes)
CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "email": (_parses(normalize.normalize_email), "emails"),
    "revenue": (_parses(normalize.parse_money), "amounts of money"),
    "employees": (_parses(normalize.parse_int_range), "head counts"),
    "country": (_parses(normalize.normalize_country), "countries"),
    "phone": (_phone_like, "phone numbers"),
    "language": (_parses(normalize.normalize_language), "languages"),
    "timezone": (_parses(normalize.normalize_timezone), "time zones"),
    "domain": (lambda v: bool(_DOMAIN.match(v.strip())) and "@" not in v, "web addresses"),
    "consent": (_yes_no, "yes/no answers"),
    "do_not_email": (_yes_no, "yes/no answers"),
    "converted": (_yes_no, "yes/no answers"),
    **dict.fromkeys(("name", "first_name", "last_name", "company", "title", "city"), _TEXT),
}
_CONTAINABLE = frozenset(t for t, (_, noun) in CHECKS.items() if noun != "text")
# Stricter checks for a header that only resembles a synonym (`Total Sales Calls`).
_STRICT: dict[str, Callable[[str], bool]] = {"revenue": _money_like}


def header_candidates(column: str, values: Sequence[str]) -> list[Candidate]:
    """Targets the header names (a synonym, a close spelling, or a synonym inside it).

    Each is checked against the sampled values, which raise or lower its confidence.
    """
    found = [*_synonym_matches(fold(column)), *_contained_synonyms(fold(column))]
    return [
        _checked(column, target, base, f"header {column!r} {why}", rank, values)
        for target, base, why, rank in found
    ]


def _synonym_matches(key: str) -> list[tuple[str, float, str, int]]:
    """The target whose synonym the folded header is, or is spelled almost like."""
    index = folded_index("headers")
    if key in index:
        return [(index[key], _EXACT_BASE, f"is a synonym of {index[key]}", EXACT)]
    if len(key) < _MIN_KEY:
        return []
    best = process.extractOne(key, index.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    if best is None:
        return []
    target, score = index[best[0]], best[1]
    base = 0.55 + 0.3 * (score - _FUZZY_CUTOFF) / (100 - _FUZZY_CUTOFF)
    why = f"is close to {_spelled(best[0], target)!r}, a synonym of {target}"
    return [(target, base, why, SIMILAR)]


def _contained_synonyms(key: str) -> list[tuple[str, float, str, int]]:
    """Targets with a distinctive synonym inside the header (`담당자 이메일` holds `이메일`).

    Only targets whose values can be checked, so `Company Type` never becomes `company`.
    """
    return [
        (target, _CONTAINS_BASE, f"contains {_spelled(synonym, target)!r} ({target})", SIMILAR)
        for synonym, target in folded_index("headers").items()
        if target in _CONTAINABLE and synonym != key and _specific(synonym) and synonym in key
    ]


def value_candidates(column: str, values: Sequence[str]) -> list[Candidate]:
    """Targets the sampled values alone point to: emails, phone numbers, countries, ids."""
    if not values:
        return []
    found: list[Candidate] = []
    for target, check, floor, span in (
        ("email", CHECKS["email"][0], 0.5, 0.45),
        ("phone", _parses(normalize.normalize_phone), 0.4, 0.4),
        ("country", _country_name, 0.4, 0.3),
    ):
        share = sum(map(check, values)) / len(values)
        if share >= 0.8:
            noun = CHECKS[target][1]
            reason = f"{share:.0%} of {len(values)} sampled values are {noun}"
            found.append(Candidate(column, target, floor + span * share, reason, VALUES))
    unique = len(set(values)) == len(values) and len(values) >= 5
    if unique and all(_UUID.match(v.strip()) for v in values):
        found.append(
            Candidate(column, "external_id", 0.8, "sampled values are unique UUIDs", VALUES)
        )
    elif unique and all(_CODE.match(v.strip()) for v in values):
        found.append(
            Candidate(column, "external_id", 0.55, "sampled values are unique ids", VALUES)
        )
    return found


def non_blank(samples: Sequence[Sequence[str]], position: int) -> list[str]:
    """The non-blank sampled values of one column."""
    return [row[position] for row in samples if position < len(row) and not is_blank(row[position])]


def _checked(
    column: str, target: str, base: float, reason: str, rank: int, values: Sequence[str]
) -> Candidate:
    """A header candidate with its confidence raised or lowered by what the values say."""
    if target == "external_id" and len(values) >= 2:
        unique = len(set(values)) == len(values)
        note = "sampled values are unique" if unique else "but sampled values repeat"
        confidence = min(1.0, base + 0.1) if unique else base * 0.6
        return Candidate(column, target, confidence, f"{reason}; {note}", rank)
    if target not in CHECKS:
        return Candidate(column, target, base, reason, rank)
    if not values:
        return Candidate(column, target, base, f"{reason}; no sampled values to check", rank)
    check, noun = CHECKS[target]
    if rank != EXACT:
        check = _STRICT.get(target, check)
    share = sum(map(check, values)) / len(values)
    confidence = min(1.0, base * (0.4 + 0.6 * share) + (0.1 if share >= 0.9 else 0.0))
    evidence = f"{share:.0%} of {len(values)} sampled values are {noun}"
    return Candidate(column, target, confidence, f"{reason}; {evidence}", rank)


def _country_name(value: str) -> bool:
    """A country written as a name (codes like `No` or `IT` say too little on their own)."""
    return len(value.strip()) > 3 and _parses(normalize.normalize_country)(value)


def _spelled(key: str, target: str) -> str:
    """The synonym of target as the vocabulary writes it, from its folded key."""
    return next((s for s in load_synonyms("headers")[target] if fold(s) == key), key)


def _specific(synonym: str) -> bool:
    """Tell whether a folded synonym is distinctive enough to count inside a longer header."""
    return len(synonym) >= _MIN_KEY or (has_hangul(synonym) and len(synonym) >= 2)
