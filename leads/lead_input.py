"""Raw lead input (strings from a form, a file or JSON) -> checked, normalised column values.

One parser serves every way in, so a revenue of `10억` or a country of `대한민국` means the
same from an import, a form and the API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leads import normalize
from leads.errors import UnknownField, ValidationFailed
from leads.fields import LEAD_FIELDS

_TEXT_LIMITS = {
    "external_id": 200,
    "name": 200,
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "domain": 255,
    "title": 200,
    "city": 100,
    "source": 100,
}


@dataclass(slots=True)
class ParsedLead:
    """Column values ready for the `leads` table, and what could not be parsed."""

    values: dict[str, Any] = field(default_factory=dict)
    do_not_email: bool = False
    errors: list[ValidationFailed] = field(default_factory=list)


def parse_lead_fields(raw: Mapping[str, Any]) -> ParsedLead:
    """Normalise `raw` (lead field name -> value); unknown names and bad values become errors.

    Blank values are left out, so that merging never blanks data the record already has.
    """
    parsed = ParsedLead()
    country = _country_first(raw, parsed)
    for name, value in raw.items():
        if name not in LEAD_FIELDS:
            parsed.errors.append(UnknownField(name, "not a lead field"))
            continue
        if name == "country" or _blank(value):
            continue
        try:
            _parse_one(parsed, name, value, country)
        except ValidationFailed as exc:
            parsed.errors.append(exc)
    _join_name(parsed.values)
    return parsed


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list | tuple):
        return not value
    return isinstance(value, str) and normalize.is_blank(value)


def _country_first(raw: Mapping[str, Any], parsed: ParsedLead) -> str | None:
    value = raw.get("country")
    if _blank(value):
        return None
    try:
        country = normalize.normalize_country(str(value))
    except ValidationFailed as exc:
        parsed.errors.append(exc)
        return None
    parsed.values["country"] = country
    return country


def _text(name: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = " ".join(str(value).split())
        limit = _TEXT_LIMITS.get(name)
        if limit is not None and len(text) > limit:
            raise ValidationFailed(name, f"longer than {limit} characters")
        return text

    return parse


def _parse_one(parsed: ParsedLead, name: str, value: Any, country: str | None) -> None:
    values = parsed.values
    text = value if isinstance(value, str) else str(value)
    if name == "email":
        values["email"] = normalize.normalize_email(text)
    elif name == "revenue":
        money = normalize.parse_money(text)
        if money is not None:
            values["revenue_amount"] = money.amount
            values["revenue_currency"] = money.currency
            values["revenue_usd"] = money.usd
    elif name == "employees":
        values["employees"] = normalize.parse_int_range(text, "employees")
    elif name == "industry":
        values["industry"] = normalize.normalize_industry(text)
    elif name == "phone":
        values["phone"] = normalize.normalize_phone(text, country)
    elif name == "language":
        values["language"] = normalize.normalize_language(text)
    elif name == "timezone":
        values["timezone"] = normalize.normalize_timezone(text)
    elif name == "product_interests":
        values["product_interests"] = _interests(value)
    elif name in ("consent", "do_not_email", "converted"):
        flag = value if isinstance(value, bool) else normalize.parse_bool(text, name)
        if flag is None:
            return
        if name == "consent":
            values["consent"] = "granted" if flag else "denied"
        elif name == "do_not_email":
            parsed.do_not_email = flag
        else:
            values["converted"] = flag
    elif name == "domain":
        values["domain"] = _domain(text)
    else:
        values[name] = _text(name)(value)


def _interests(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value).replace(";", ",").split(",")
    seen: dict[str, None] = {}
    for item in items:
        cleaned = " ".join(str(item).split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def _domain(text: str) -> str:
    host = text.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    host = host.split("/", 1)[0].removeprefix("www.")
    if "." not in host or " " in host:
        raise ValidationFailed("domain", f"{text!r} is not a web domain")
    return host


def _join_name(values: dict[str, Any]) -> None:
    last = values.pop("last_name", None)
    if "name" not in values and (values.get("first_name") or last):
        values["name"] = " ".join(p for p in (values.get("first_name"), last) if p)
