from __future__ import annotations

from typing import Any

import pytest

from leads.team_settings import IcpCriteria, TeamSettings
from model.policy import Factor, decide, fit_grade

QUIET: dict[str, Any] = {
    "product_interests": 0,
    "forms_submitted": 0,
    "icp_fit": 0.5,
    "source": "unknown",
    "clicks_human_all": 0.0,
    "opens_human_all": 0.0,
    "replies_all": 0,
    "read_depth_max": 0.0,
    "webinars_attended": 0,
    "webinar_minutes": 0.0,
    "open_rate_90d": 0.0,
    "engagement_score": 0.0,
}


def lead(**changes: Any) -> dict[str, Any]:
    return {**QUIET, **changes}


@pytest.mark.parametrize(
    ("features", "rule", "values"),
    [
        (
            lead(product_interests=1, forms_submitted=1),
            "product_interest",
            {"product_interests": 1.0, "forms_submitted": 1.0},
        ),
        (
            lead(icp_fit=1.0, source="webinar"),
            "icp_clear_source",
            {"icp_fit": 1.0, "source": "webinar"},
        ),
        (lead(clicks_human_all=3.0), "clicks", {"clicks_human_all": 3.0, "threshold": 3}),
        (lead(opens_human_all=3.2), "repeated_opens", {"opens_human_all": 3.2, "threshold": 3}),
    ],
)
def test_each_team_rule_makes_a_lead_sql_with_the_values_that_fired_it(
    features: dict[str, Any], rule: str, values: dict[str, Any]
) -> None:
    decision = decide(features, TeamSettings())
    assert decision.stage == "sql"
    assert [(r.rule, r.values) for r in decision.reasons] == [(rule, values)]
    assert decision.rules_only


def test_rules_that_almost_fire_leave_the_lead_mql() -> None:
    near = lead(
        product_interests=1,
        icp_fit=0.75,
        source="webinar",
        clicks_human_all=2.9,
        opens_human_all=2.5,
        open_rate_90d=0.2,
    )
    decision = decide(near, TeamSettings())
    assert decision.stage == "mql"
    assert {r.points_to for r in decision.reasons} == {"mql"}
    assert "intermittent" in {r.rule for r in decision.reasons}
    assert decide(lead(opens_human_all=2.0), TeamSettings()).reasons[0].rule == "opened_only"


def test_the_click_threshold_is_the_teams() -> None:
    features = lead(clicks_human_all=3.0)
    assert decide(features, TeamSettings(click_threshold=5)).stage == "mql"
    assert decide(lead(clicks_human_all=5.0), TeamSettings(click_threshold=5)).stage == "sql"


def test_the_model_decides_above_the_teams_threshold_with_its_factors() -> None:
    factors = [
        Factor("clicks_pricing", 2.0, 0.8),
        Factor("days_since_open", 40.0, -0.3),
        Factor("sends_30d", 4.0, 0.1),
    ]
    decision = decide(
        lead(),
        TeamSettings(model_threshold=0.6),
        probability=0.71,
        factors=factors,
        model_version="3",
    )
    assert decision.stage == "sql"
    assert decision.reasons[0].rule == "model"
    assert [f.feature for f in decision.top_positive] == ["clicks_pricing", "sends_30d"]
    assert [f.feature for f in decision.top_negative] == ["days_since_open"]
    assert not decision.rules_only
    assert decision.model_version == "3"
    below = decide(lead(), TeamSettings(model_threshold=0.6), probability=0.59)
    assert below.stage == "mql"


def test_icp_grade_and_no_criteria() -> None:
    assert [fit_grade(x) for x in (1.0, 0.75, 0.5, 0.0)] == ["A", "B", "C", "D"]
    settings = TeamSettings(icp=IcpCriteria(industries=["software"]))
    assert decide(lead(icp_fit=1.0, source="unknown"), settings).stage == "mql"


def test_mql_reasons_explain_partial_interest() -> None:
    decision = decide(
        lead(read_depth_max=0.3, webinars_attended=1, webinar_minutes=10), TeamSettings()
    )
    assert {r.rule for r in decision.reasons} == {"partial_read", "brief_webinar"}
    assert decide(lead(), TeamSettings()).reasons[0].rule == "no_engagement"
