"""The SQL/MQL policy: team rules plus the model's probability, every decision with its reasons.

A lead is SQL when a team rule fires (explicit product interest on a form, a full ICP match
with a clear source, human clicks at or over the team's threshold, repeated opens) or when the
model's calibrated probability reaches the team's threshold; otherwise it is MQL, and the
reasons say why it still needs nurturing. Without a model the rules alone decide, and the
decision says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from leads.team_settings import TeamSettings

Stage = Literal["sql", "mql"]


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired (or explains an MQL), with the values that fired it."""

    rule: str
    detail: str
    values: dict[str, Any] = field(default_factory=dict)
    points_to: Stage = "sql"


@dataclass(frozen=True, slots=True)
class Factor:
    """A feature's contribution to this lead's model score (log-odds)."""

    feature: str
    value: Any
    contribution: float


@dataclass(frozen=True, slots=True)
class Decision:
    """SQL or MQL, and everything that led there."""

    stage: Stage
    probability: float | None
    fit_grade: str
    engagement: float
    reasons: list[Reason]
    top_positive: list[Factor] = field(default_factory=list)
    top_negative: list[Factor] = field(default_factory=list)
    model_version: str | None = None
    rules_only: bool = False

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON-ready data."""
        return asdict(self)


def fit_grade(icp_fit: float) -> str:
    """A (every ICP criterion met) to D (none), from the share of criteria met."""
    if icp_fit >= 0.999:
        return "A"
    if icp_fit >= 0.66:
        return "B"
    if icp_fit >= 0.33:
        return "C"
    return "D"


def _number(features: Mapping[str, Any], name: str) -> float:
    value = features.get(name)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if number != number else number  # NaN counts as nothing


def sql_rules(features: Mapping[str, Any], settings: TeamSettings) -> list[Reason]:
    """The team rules that make this lead SQL, each with the values that fired it."""
    reasons = []
    interests, forms = _number(features, "product_interests"), _number(features, "forms_submitted")
    if interests >= 1 and forms >= 1:
        reasons.append(
            Reason(
                "product_interest",
                "named a product of interest on a form",
                {"product_interests": interests, "forms_submitted": forms},
            )
        )
    icp, source = _number(features, "icp_fit"), str(features.get("source") or "unknown")
    if icp >= 0.999 and source != "unknown":  # icp_fit is 0.5 when no criteria are set
        reasons.append(
            Reason(
                "icp_clear_source",
                f"meets every ICP criterion; came via {source}",
                {"icp_fit": icp, "source": source},
            )
        )
    clicks = _number(features, "clicks_human_all")
    if clicks >= settings.click_threshold:
        reasons.append(
            Reason(
                "clicks",
                f"{clicks:.1f} human clicks >= {settings.click_threshold}",
                {"clicks_human_all": clicks, "threshold": settings.click_threshold},
            )
        )
    opens = _number(features, "opens_human_all")
    if opens >= settings.open_threshold:
        reasons.append(
            Reason(
                "repeated_opens",
                f"{opens:.1f} human opens >= {settings.open_threshold}",
                {"opens_human_all": opens, "threshold": settings.open_threshold},
            )
        )
    return reasons


def mql_reasons(features: Mapping[str, Any]) -> list[Reason]:
    """Why a lead that no rule made SQL still needs its interest confirmed."""
    opens, clicks = _number(features, "opens_human_all"), _number(features, "clicks_human_all")
    replies, depth = _number(features, "replies_all"), _number(features, "read_depth_max")
    webinars, minutes = _number(features, "webinars_attended"), _number(features, "webinar_minutes")
    found = []
    if opens > 0 and clicks < 0.5 and replies == 0:
        found.append(
            (
                "opened_only",
                "opened emails without clicking or replying",
                {"opens_human_all": opens},
            )
        )
    if 0 < depth < 0.5:
        found.append(("partial_read", f"read {depth:.0%} of a document", {"read_depth_max": depth}))
    if webinars > 0 and minutes < 30 * webinars:
        found.append(("brief_webinar", "attended a webinar briefly", {"webinar_minutes": minutes}))
    if 0 < clicks < 1.5 or (opens > 0 and _number(features, "open_rate_90d") < 0.3):
        found.append(
            (
                "intermittent",
                "reacts to campaigns now and then",
                {"open_rate_90d": _number(features, "open_rate_90d")},
            )
        )
    if not found:
        found.append(("no_engagement", "no sign of interest yet", {}))
    return [Reason(rule, detail, values, "mql") for rule, detail, values in found]


def decide(
    features: Mapping[str, Any],
    settings: TeamSettings,
    *,
    probability: float | None = None,
    factors: Sequence[Factor] = (),
    model_version: str | None = None,
) -> Decision:
    """SQL or MQL for one lead's features, with rule hits, model reasons and top factors."""
    reasons = sql_rules(features, settings)
    if probability is not None and probability >= settings.model_threshold:
        reasons.append(
            Reason(
                "model",
                f"model probability {probability:.2f} >= {settings.model_threshold:.2f}",
                {"probability": probability, "threshold": settings.model_threshold},
            )
        )
    stage: Stage = "sql" if reasons else "mql"
    if stage == "mql":
        reasons = mql_reasons(features)
    ordered = sorted(factors, key=lambda f: f.contribution)
    return Decision(
        stage=stage,
        probability=probability,
        fit_grade=fit_grade(_number(features, "icp_fit")),
        engagement=_number(features, "engagement_score"),
        reasons=reasons,
        top_positive=[f for f in reversed(ordered) if f.contribution > 0][:5],
        top_negative=[f for f in ordered if f.contribution < 0][:5],
        model_version=model_version,
        rules_only=probability is None,
    )
