"""Simulated people at the companies: names, unique emails, titles, sources and interests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from leads.records import LeadChange
from leads.simulation import names
from leads.simulation.companies import COUNTRIES, KOREA, Companies, industries
from leads.simulation.draws import pick

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

SENIORITIES = ("c_level", "vp", "director", "manager", "staff")
_SENIORITY_SHARE = (0.08, 0.10, 0.17, 0.30, 0.35)
SOURCES = (
    "organic_search",
    "paid_search",
    "webinar",
    "referral",
    "linkedin",
    "event",
    "content_download",
    "cold_outbound",
)
_SOURCE_SHARE = (0.19, 0.12, 0.10, 0.06, 0.12, 0.08, 0.13, 0.20)
PRODUCTS = ("Product A", "Product B")
# product_interests code: 0 none, 1 A, 2 B, 3 both
INTERESTS: tuple[tuple[str, ...], ...] = (
    (),
    ("Product A",),
    ("Product B",),
    ("Product A", "Product B"),
)
_INTEREST_SHARE = (0.55, 0.27, 0.11, 0.07)
_KO_FAMILY_P = np.array([w for _, _, w in names.KO_FAMILY]) / sum(w for _, _, w in names.KO_FAMILY)


@dataclass(frozen=True, slots=True)
class People:
    """One block of simulated people as parallel arrays (index = position in the block)."""

    company: IntArray
    seniority: IntArray
    department: IntArray
    source: IntArray
    interests: IntArray
    korean: BoolArray
    proxy: BoolArray
    bad_address: BoolArray
    email: list[str]
    name: list[str]
    first_name: list[str]
    title: list[str]

    def __len__(self) -> int:
        return len(self.email)


def make_people(
    rng: np.random.Generator, companies: Companies, count: int, taken: set[str]
) -> People:
    """`count` people at `companies`; emails are unique against and added to `taken`."""
    company = rng.choice(len(companies), size=count, p=companies.weight)
    korean = companies.country[company] == KOREA
    seniority = rng.choice(len(SENIORITIES), size=count, p=_SENIORITY_SHARE)
    department = rng.integers(0, len(names.DEPARTMENTS), count)
    full, first, local = _person_names(rng, korean)
    email = [
        _unique(f"{part}@{companies.domain[c]}", taken)
        for part, c in zip(local, company.tolist(), strict=True)
    ]
    return People(
        company=company,
        seniority=seniority,
        department=department,
        source=rng.choice(len(SOURCES), size=count, p=_SOURCE_SHARE),
        interests=rng.choice(len(INTERESTS), size=count, p=_INTEREST_SHARE),
        korean=korean,
        proxy=rng.random(count) < 0.25,
        bad_address=rng.random(count) < 0.02,
        email=email,
        name=full,
        first_name=first,
        title=_titles(rng, korean, seniority, department),
    )


def _person_names(
    rng: np.random.Generator, korean: BoolArray
) -> tuple[list[str], list[str], list[str]]:
    full, first, local = [], [], []
    for is_korean in korean.tolist():
        if is_korean:
            family, family_roman, _ = names.KO_FAMILY[
                rng.choice(len(names.KO_FAMILY), p=_KO_FAMILY_P)
            ]
            a, b = pick(rng, names.KO_GIVEN), pick(rng, names.KO_GIVEN)
            given, given_roman, initials = a[0] + b[0], a[1] + b[1], a[1][0] + b[1][0]
            full.append(family + given)
        else:
            given, family_roman = pick(rng, names.EN_FIRST), pick(rng, names.EN_LAST)
            given_roman, initials = given.lower(), given[0].lower()
            family_roman = family_roman.lower()
            full.append(f"{given} {family_roman.capitalize()}")
        first.append(given)
        style = rng.random()
        if style < 0.6:
            local.append(f"{given_roman}.{family_roman}")
        elif style < 0.85:
            local.append(f"{initials}{family_roman}")
        else:
            local.append(f"{given_roman}{family_roman}")
    return full, first, local


def _unique(email: str, taken: set[str]) -> str:
    candidate, n = email, 1
    while candidate in taken:
        n += 1
        local, domain = email.split("@")
        candidate = f"{local}{n}@{domain}"
    taken.add(candidate)
    return candidate


def _titles(
    rng: np.random.Generator, korean: BoolArray, seniority: IntArray, department: IntArray
) -> list[str]:
    titles = []
    for is_korean, level, dept in zip(
        korean.tolist(), seniority.tolist(), department.tolist(), strict=True
    ):
        _code, english, team, clevel = names.DEPARTMENTS[dept]
        templates = (names.KO_TITLES if is_korean else names.EN_TITLES)[SENIORITIES[level]]
        titles.append(pick(rng, templates).format(dept=english, team=team, clevel=clevel))
    return titles


def lead_changes(people: People, companies: Companies) -> list[LeadChange]:
    """The `upsert_leads` input for a block of people."""
    codes = industries()
    changes = []
    for i, c in enumerate(people.company.tolist()):
        country = COUNTRIES[int(companies.country[c])]
        revenue = float(companies.revenue_usd[c])
        values: dict[str, Any] = {
            "email": people.email[i],
            "name": people.name[i],
            "first_name": people.first_name[i],
            "company": companies.name[c],
            "domain": companies.domain[c],
            "title": people.title[i],
            "industry": codes[int(companies.industry[c])],
            "revenue_usd": revenue,
            "revenue_amount": round(revenue * country.per_usd, -3),
            "revenue_currency": country.currency,
            "employees": int(companies.employees[c]),
            "country": country.code,
            "city": companies.city[c],
            "timezone": country.timezone,
            "language": "ko" if country.code == "KR" else "en",
            "source": SOURCES[int(people.source[i])],
            "product_interests": list(INTERESTS[int(people.interests[i])]),
        }
        attributes = {
            "seniority": SENIORITIES[int(people.seniority[i])],
            "department": names.DEPARTMENTS[int(people.department[i])][0],
        }
        changes.append(LeadChange(values=values, attributes=attributes))
    return changes
