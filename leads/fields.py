"""The catalogue of a lead's writable fields: what imports, forms and the API can set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["email", "text", "int", "money", "industry", "country", "phone", "list", "bool"]


@dataclass(frozen=True, slots=True)
class LeadField:
    """A lead field that input can be mapped to."""

    name: str
    kind: FieldKind
    description: str


LEAD_FIELDS: dict[str, LeadField] = {
    f.name: f
    for f in (
        LeadField("email", "email", "Email address; the person's identity within a team."),
        LeadField("external_id", "text", "Id in the system the lead came from (no email)."),
        LeadField("name", "text", "Full name as the person writes it."),
        LeadField("first_name", "text", "Given name, used in greetings."),
        LeadField("last_name", "text", "Family name; joined into `name` with first_name."),
        LeadField("company", "text", "Company or organisation name."),
        LeadField("domain", "text", "Company web domain."),
        LeadField("title", "text", "Job title or position."),
        LeadField("industry", "industry", "Industry, normalised to the industry vocabulary."),
        LeadField("revenue", "money", "Annual revenue, any currency; stored also in USD."),
        LeadField("employees", "int", "Number of employees (a range gives its midpoint)."),
        LeadField("country", "country", "Country, stored as an ISO 3166 alpha-2 code."),
        LeadField("city", "text", "City."),
        LeadField("timezone", "text", "IANA time zone, e.g. Asia/Seoul."),
        LeadField("language", "text", "Preferred language, ISO 639-1, e.g. ko."),
        LeadField("phone", "phone", "Phone number, stored in E.164."),
        LeadField("source", "text", "Where the lead came from (channel or campaign)."),
        LeadField("product_interests", "list", "Products the lead said it is interested in."),
        LeadField("consent", "bool", "Agreed to receive email (yes/no)."),
        LeadField("do_not_email", "bool", "Must never be emailed (suppresses the lead)."),
        LeadField("converted", "bool", "Known outcome, e.g. an imported label."),
    )
}

# Targets a column can map to besides a lead field.
ATTRIBUTE = "attribute"  # kept as a custom attribute under the column's name
ACTIVITY = "activity"  # each value is recorded as an `imported_activity` event
IGNORE = "ignore"  # dropped

IMPORT_TARGETS = frozenset(LEAD_FIELDS) | {ATTRIBUTE, ACTIVITY, IGNORE}
