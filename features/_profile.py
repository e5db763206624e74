"""Profile features from lead attributes: categories, size, seniority, interests, ICP fit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from features.arrays import FloatArray, LeadArrays
from features.catalog import CATEGORICAL_ATTRIBUTES, UNKNOWN
from leads.team_settings import IcpCriteria

# Checked from the top: the first level whose pattern matches the title wins, so "대표이사"
# is 5 before "이사" can make it 4, and "Vice President" is kept out of level 5.
SENIORITY_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"\b(ceo|cto|cfo|coo|cmo|cio|cro|cso|cpo|chief|founder|co-founder|owner)\b"
                   r"|(?<!vice )(?<!vice-)\bpresident\b|대표|(?<!부)사장|회장", re.IGNORECASE)),
    (4, re.compile(r"\b(vp|svp|evp|avp|vice[ -]president)\b|부사장|이사|상무|전무",
                   re.IGNORECASE)),
    (3, re.compile(r"\b(director|head)\b|본부장|실장|부장|센터장", re.IGNORECASE)),
    (2, re.compile(r"\b(manager|team lead)\b|팀장|매니저|과장|차장", re.IGNORECASE)),
)  # fmt: skip


@lru_cache(maxsize=4096)  # titles repeat across a team's leads, event after event
def seniority_level(title: str | None) -> int:
    """5 C-level, 4 VP, 3 director, 2 manager, 1 any other title, 0 no title."""
    if title is None or not title.strip():
        return 0
    for level, pattern in SENIORITY_PATTERNS:
        if pattern.search(title):
            return level
    return 1


def profile_features(leads: LeadArrays, icp: IcpCriteria) -> dict[str, FloatArray | list[str]]:
    """The profile features of every lead."""
    out: dict[str, FloatArray | list[str]] = {
        name: [_category(v) for v in getattr(leads, name)] for name in CATEGORICAL_ATTRIBUTES
    }
    titles = {title: float(seniority_level(title)) for title in set(leads.title)}
    # Both sizes in one pass: the same element-wise calls, half as many of them.
    log_revenue, log_employees = _log_size(np.stack((leads.revenue_usd, leads.employees)))
    out.update(
        log_revenue_usd=log_revenue,
        log_employees=log_employees,
        seniority_level=np.array([titles[t] for t in leads.title], dtype=np.float64),
        product_interests=leads.interests.astype(np.float64),
        icp_fit=icp_fit(leads, icp),
    )
    return out


def _category(value: str | None) -> str:
    return value.strip() if value and value.strip() else UNKNOWN


def _log_size(values: FloatArray) -> FloatArray:
    known = np.isfinite(values) & (values >= 0)
    return np.where(known, np.log1p(np.where(known, values, 0.0)), np.nan)


def icp_fit(leads: LeadArrays, icp: IcpCriteria) -> FloatArray:
    """Share of the criteria the team set that each lead meets; 0.5 when it set none.

    A criterion is set when its list is not empty or either bound of its range is given; a
    lead whose value is unknown does not meet it.
    """
    criteria = [
        _in_list(leads.industry, icp.industries),
        _in_list(leads.country, icp.countries),
        _in_range(leads.revenue_usd, icp.revenue_min_usd, icp.revenue_max_usd),
        _in_range(leads.employees, icp.employees_min, icp.employees_max),
    ]
    given = [met for met in criteria if met is not None]
    if not given:
        return np.full(len(leads), 0.5)
    total = np.zeros(len(leads), dtype=np.float64)
    for met in given:
        total += met
    return total / len(given)


def _in_range(values: FloatArray, low: float | None, high: float | None) -> FloatArray | None:
    """1.0 where low <= value <= high (NaN meets nothing); None when no bound is set."""
    if low is None and high is None:
        return None
    above = values >= (-np.inf if low is None else low)
    return (above & (values <= (np.inf if high is None else high))).astype(np.float64)


def _in_list(values: Sequence[str | None], wanted: Sequence[str]) -> FloatArray | None:
    """1.0 where the value is in `wanted` (case-insensitive); None when `wanted` is empty."""
    if not wanted:
        return None
    wanted_ = {w.strip().casefold() for w in wanted}
    return np.array([v is not None and v.strip().casefold() in wanted_ for v in values],
                    dtype=np.float64)  # fmt: skip
