"""Simulated companies with what decides ICP fit: industry, revenue, headcount and country."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from leads.simulation import names
from leads.simulation.draws import pick

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Country:
    """A market: its share of companies, time zone, currency and cities."""

    code: str
    share: float
    timezone: str
    utc_offset: float
    currency: str
    per_usd: float
    tld: str
    cities: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("KR", 0.36, "Asia/Seoul", 9, "KRW", 1350.0, "co.kr",
            ("서울", "성남", "부산", "대전", "인천")),
    Country("US", 0.26, "America/New_York", -5, "USD", 1.0, "com",
            ("New York", "Boston", "Chicago", "Austin", "San Francisco")),
    Country("JP", 0.10, "Asia/Tokyo", 9, "JPY", 150.0, "co.jp", ("Tokyo", "Osaka", "Yokohama")),
    Country("DE", 0.09, "Europe/Berlin", 1, "EUR", 0.92, "de", ("Berlin", "Munich", "Hamburg")),
    Country("GB", 0.09, "Europe/London", 0, "GBP", 0.79, "co.uk",
            ("London", "Manchester", "Edinburgh")),
    Country("SG", 0.10, "Asia/Singapore", 8, "SGD", 1.34, "com.sg", ("Singapore",)),
)  # fmt: skip
KOREA = 0
UTC_OFFSET = np.array([c.utc_offset for c in COUNTRIES])

_FALLBACK_INDUSTRIES = (
    "software", "it_services", "manufacturing", "financial_services", "healthcare", "education",
    "retail", "ecommerce", "logistics", "media",
)  # fmt: skip
# How often each industry occurs among the team's leads, and how well it fits the ICP (0..1).
_INDUSTRY_SHARE = {
    "software": 0.18, "it_services": 0.12, "manufacturing": 0.12, "financial_services": 0.09,
    "healthcare": 0.06, "education": 0.05, "retail": 0.05, "ecommerce": 0.07, "media": 0.04,
    "logistics": 0.04,
}  # fmt: skip
_INDUSTRY_FIT = {
    "software": 1.0, "it_services": 0.9, "financial_services": 0.8, "ecommerce": 0.8,
    "telecommunications": 0.6, "marketing_advertising": 0.6, "media": 0.5, "consulting": 0.5,
    "manufacturing": 0.4, "logistics": 0.4, "healthcare": 0.35, "retail": 0.35,
    "education": 0.2, "government": 0.1, "nonprofit": 0.1,
}  # fmt: skip
_SCANNER_INDUSTRIES = {"financial_services", "healthcare", "government", "legal"}


@lru_cache(maxsize=1)
def industries() -> tuple[str, ...]:
    """Industry codes: those of leads/vocab/industries.json when it exists."""
    path = resources.files("leads").joinpath("vocab/industries.json")
    if not path.is_file():
        return _FALLBACK_INDUSTRIES
    return tuple(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class Companies:
    """Companies as parallel arrays; `weight` is the chance a new lead works at each one."""

    name: list[str]
    domain: list[str]
    city: list[str]
    industry: IntArray
    country: IntArray
    revenue_usd: FloatArray
    employees: IntArray
    icp_fit: FloatArray
    scanner: NDArray[np.bool_]
    effect: FloatArray
    weight: FloatArray

    def __len__(self) -> int:
        return len(self.name)


def make_companies(rng: np.random.Generator, count: int) -> Companies:
    """`count` companies with log-normal revenue and headcount correlated with it."""
    codes = industries()
    share = np.array([_INDUSTRY_SHARE.get(code, 0.01) for code in codes])
    industry = rng.choice(len(codes), size=count, p=share / share.sum())
    country = rng.choice(len(COUNTRIES), size=count, p=[c.share for c in COUNTRIES])
    revenue = np.round(10 ** np.clip(rng.normal(7.1, 0.85, count), 5.0, 11.0), -3)
    per_head = np.exp(rng.normal(np.log(180_000.0), 0.5, count))
    employees = np.maximum(1, np.round(revenue / per_head)).astype(np.int64)
    fit = np.array([_INDUSTRY_FIT.get(code, 0.3) for code in codes])[industry]
    size_fit = np.exp(-(((np.log10(employees) - 2.6) / 0.9) ** 2))
    risky = np.isin(industry, [codes.index(c) for c in _SCANNER_INDUSTRIES if c in codes])
    scanner = rng.random(count) < 0.12 + 0.25 * risky + 0.1 * (employees > 1000)
    company_names, domains = _names(rng, country, [codes[i] for i in industry])
    weight = employees**0.35
    return Companies(
        name=company_names,
        domain=domains,
        city=[pick(rng, COUNTRIES[c].cities) for c in country.tolist()],
        industry=industry,
        country=country,
        revenue_usd=revenue,
        employees=employees,
        icp_fit=0.6 * fit + 0.4 * size_fit,
        scanner=scanner,
        effect=rng.normal(0.0, 0.5, count),
        weight=weight / weight.sum(),
    )


def _names(
    rng: np.random.Generator, country: IntArray, industry: list[str]
) -> tuple[list[str], list[str]]:
    taken: dict[str, int] = {}
    company_names, domains = [], []
    for code, sector in zip(country.tolist(), industry, strict=True):
        if code == KOREA:
            name, stem = _korean_name(rng)
        else:
            name, stem = _english_name(rng, sector, COUNTRIES[code].code)
        tld = COUNTRIES[code].tld if code != KOREA or rng.random() < 0.7 else "com"
        seen = taken.get(stem, 0)
        taken[stem] = seen + 1
        company_names.append(name)
        domains.append(f"{stem}{seen + 1 if seen else ''}.{tld}")
    return company_names, domains


def _korean_name(rng: np.random.Generator) -> tuple[str, str]:
    picks = rng.integers(0, len(names.KO_COMPANY_SYLLABLES), 2 + int(rng.random() < 0.25))
    stem = [names.KO_COMPANY_SYLLABLES[i] for i in picks.tolist()]
    suffix = pick(rng, names.KO_COMPANY_SUFFIX)
    hangul = "".join(s for s, _ in stem) + suffix[0]
    form = pick(rng, names.KO_LEGAL_FORMS)
    roman = "".join(r for _, r in stem) + ("-" + suffix[1] if suffix[1] else "")
    return form.format(hangul), roman


def _english_name(rng: np.random.Generator, industry: str, country: str) -> tuple[str, str]:
    first = pick(rng, names.EN_COMPANY_FIRST)
    second = pick(rng, names.EN_COMPANY_SECOND.get(industry, names.EN_COMPANY_GENERIC))
    return f"{first} {second} {names.LEGAL_SUFFIX[country]}", f"{first}{second}".lower()
