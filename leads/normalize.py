"""Normalise raw lead values from imports and forms, written in English or Korean.

Every normaliser takes raw text (None, blank or a placeholder such as `Select` or `없음` give
None) and returns the stored form. Text that cannot be read raises `ValidationFailed` naming the
lead field and quoting the value. Money, industries and places live in private modules and are
re-exported here, so callers import from this one module.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from leads._industry import INDUSTRIES, normalize_industry
from leads._money import USD_RATES, Money, parse_money
from leads._numbers import parse_range, round_half_up
from leads._places import normalize_country, normalize_language, normalize_timezone
from leads._text import PLACEHOLDERS, is_blank
from leads.errors import InvalidEmail, ValidationFailed

__all__ = [
    "INDUSTRIES",
    "PLACEHOLDERS",
    "USD_RATES",
    "Money",
    "is_blank",
    "normalize_country",
    "normalize_email",
    "normalize_industry",
    "normalize_language",
    "normalize_phone",
    "normalize_timezone",
    "parse_bool",
    "parse_int_range",
    "parse_money",
]

_TRUE = frozenset({"yes", "y", "true", "t", "1", "on", "o", "✓", "✔", "예", "네", "동의", "동의함"})
_FALSE = frozenset(
    {"no", "n", "false", "f", "0", "off", "x", "✗", "✘", "아니오", "아니요", "미동의", "비동의"}
)
_HEADCOUNT_WORDS = re.compile(
    r"\b(?:employees?|people|persons?|staff|about|approx(?:imately|\.)?|around|over|under|"
    r"more than|less than|up to)\b|명|인|약|대략|정도|내외|이상|이하|미만|초과|[+<>≈()]",
    re.IGNORECASE,
)
_KOREAN_DOMESTIC = re.compile(r"^0\d{8,10}$")


# Plain ASCII addresses (dot-atom local part, letter-digit-hyphen labels, alphabetic TLD) that
# email-validator accepts unchanged except for case; checked here because validating a big
# import's every address through IDNA costs more than the rest of the import together.
_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(text: str) -> bool:
    if len(text) > 254 or not _PLAIN_EMAIL.match(text):
        return False
    local, _, domain = text.rpartition("@")
    labels = domain.lower().split(".")
    special = any(".".join(labels[i:]) in _SPECIAL_USE for i in range(len(labels)))
    idna_like = any(label[2:4] == "--" for label in labels)  # xn-- and reserved forms
    return len(local) <= 64 and not special and not idna_like


def normalize_email(value: str | None) -> str | None:
    """Validate an email address (syntax only, no DNS) and return it normalised and lower-cased.

    Local parts are treated case-insensitively, as most CRMs do; internationalised domains are
    kept in Unicode.
    """
    if value is None or is_blank(value):
        return None
    text = value.strip()
    if _plain_email(text):
        return text.lower()
    try:
        address = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail("email", f"{text!r} is not a valid email address: {exc}") from None
    return address.normalized.lower()


def parse_int_range(value: str | None, field: str = "employees") -> int | None:
    """Read a head count such as `1,200`, `50-200` (midpoint), `1000+`, `약 300명` or `1천명`."""
    if value is None or is_blank(value):
        return None
    text = value.strip()
    try:
        number = parse_range(_HEADCOUNT_WORDS.sub(" ", text))
    except ValueError:
        raise ValidationFailed(field, f"{text!r} is not a number or a range of numbers") from None
    return round_half_up(number)


def normalize_phone(value: str | None, country: str | None = None) -> str | None:
    """Return a phone number in E.164 (`+821012345678`).

    The number's country comes from a leading `+`, else from `country` (ISO alpha-2), else a
    number written the Korean domestic way (`010-1234-5678`) is taken as Korean.
    """
    if value is None or is_blank(value):
        return None
    text = value.strip()
    region = country.upper() if country else None
    if region is None and _KOREAN_DOMESTIC.match(re.sub(r"[\s().-]", "", text)):
        region = "KR"
    if region is None and not text.startswith("+"):
        raise ValidationFailed("phone", f"{text!r} has no country code; write it as +<code> ...")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationFailed("phone", f"{text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed("phone", f"{text!r} is not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def parse_bool(value: str | None, field: str) -> bool | None:
    """Read a yes/no answer in English or Korean (`yes`, `N`, `1`, `예`, `아니오`, `동의`, `O`)."""
    if value is None or is_blank(value):
        return None
    key = value.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationFailed(field, f"{value.strip()!r} is not yes or no")
