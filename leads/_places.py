"""Normalise where and how a lead lives: country (ISO 3166), language (ISO 639-1), time zone."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache, lru_cache

import pycountry
from rapidfuzz import fuzz, process

from leads._text import fold, is_blank
from leads._vocab import folded_index
from leads.errors import ValidationFailed

_COUNTRY_FUZZY_CUTOFF = 90.0
# Abbreviations people write for a zone; each maps to the city zone that follows its DST rules.
_ZONE_ABBREVIATIONS = {
    "KST": "Asia/Seoul",
    "JST": "Asia/Tokyo",
    "HKT": "Asia/Hong_Kong",
    "SGT": "Asia/Singapore",
    "IST": "Asia/Kolkata",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "BST": "Europe/London",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
    "한국시간": "Asia/Seoul",
    "한국 표준시": "Asia/Seoul",
}
_UTC_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def normalize_country(value: str | None) -> str | None:
    """Return the ISO 3166-1 alpha-2 code of a country named by code, English or Korean name."""
    if value is None or is_blank(value):
        return None
    code = _country_code(value.strip())
    if code is None:
        raise ValidationFailed("country", f"{value.strip()!r} is not a country we recognise")
    return code


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str | None:
    """Look a country up by alias, code, name, then close spelling; None when unknown."""
    aliases = folded_index("countries")
    key = fold(text)
    if key in aliases:
        return aliases[key]
    country = None
    if len(key) == 2:
        country = pycountry.countries.get(alpha_2=key.upper())
    elif len(key) == 3:
        country = pycountry.countries.get(alpha_3=key.upper())
    if country is None:
        try:
            country = pycountry.countries.lookup(text)
        except LookupError:
            return _close_country(key)
    return str(country.alpha_2)


def _close_country(key: str) -> str | None:
    """The country whose name is spelled almost like key (`Untied States`), if any."""
    if len(key) < 5:
        return None
    names = _country_names()
    best = process.extractOne(
        key, names.keys(), scorer=fuzz.ratio, score_cutoff=_COUNTRY_FUZZY_CUTOFF
    )
    return names[best[0]] if best else None


@cache
def _country_names() -> dict[str, str]:
    """Folded English names (common, official) of every country, to its alpha-2 code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                names.setdefault(fold(name), country.alpha_2)
    return names


def normalize_language(value: str | None) -> str | None:
    """Return the ISO 639-1 code of a language given as a code, locale, English or Korean name."""
    if value is None or is_blank(value):
        return None
    text = value.strip()
    code = folded_index("languages").get(fold(text)) or _language_code(text)
    if code is None:
        raise ValidationFailed("language", f"{text!r} is not a language we recognise")
    return code


def _language_code(text: str) -> str | None:
    """Look a language up by ISO 639 code (`ko`, `kor`, `ko-KR`) or English name."""
    subtag = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    language = None
    if len(subtag) == 2:
        language = pycountry.languages.get(alpha_2=subtag)
    elif len(subtag) == 3:
        language = pycountry.languages.get(alpha_3=subtag) or pycountry.languages.get(
            bibliographic=subtag
        )
    if language is None:
        try:
            language = pycountry.languages.lookup(text)
        except LookupError:
            return None
    return getattr(language, "alpha_2", None)


def normalize_timezone(value: str | None) -> str | None:
    """Return the IANA name of a time zone given by name (any case), abbreviation or UTC offset.

    `KST` gives `Asia/Seoul`; a whole-hour offset such as `UTC+9` gives `Etc/GMT-9` (the
    `Etc` zones count the other way round).
    """
    if value is None or is_blank(value):
        return None
    text = value.strip()
    zone = _ZONE_ABBREVIATIONS.get(text.upper()) or _ZONE_ABBREVIATIONS.get(text)
    zone = zone or _zones_by_folded_name().get(text.casefold()) or _offset_zone(text)
    if zone is None:
        raise ValidationFailed("timezone", f"{text!r} is not a time zone we recognise")
    return zone


@cache
def _zones_by_folded_name() -> dict[str, str]:
    """Every IANA zone name, keyed by its case-folded form."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def _offset_zone(text: str) -> str | None:
    """The fixed `Etc/GMT` zone for a whole-hour UTC offset such as `UTC+9` or `+09:00`."""
    match = _UTC_OFFSET.match(text)
    if match is None:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if minutes or hours > 14 or (sign == "-" and hours > 12):
        return None
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
