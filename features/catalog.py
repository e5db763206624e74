"""The feature catalogue: every feature's name, kind, meaning, source and time window.

The order of `CATALOG` is the column order of every feature frame (`features.compute`), online
and in batch. Conventions the descriptions rely on:

- "human-weighted" sums the event's `human` likelihood (missing counts as 1), so a scanner
  click (0.05) adds little and a person's click (0.95) nearly one;
- "likely human" keeps only events with `human` >= 0.5 (Pulse reads, recency);
- a window of N days holds events with as_of - N days < time <= as_of;
- recency is in days; `NEVER_DAYS` (9999) when the lead never did the thing;
- unknown numeric attributes are NaN, unknown categorical attributes are `"unknown"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["numeric", "categorical"]
WINDOWS: tuple[int | None, ...] = (7, 30, 90, None)
NEVER_DAYS = 9999.0
UNKNOWN = "unknown"
LINK_KIND_FEATURES = ("pricing", "booking", "case_study", "product")
CATEGORICAL_ATTRIBUTES = ("industry", "country", "source", "language")


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One feature: `source` names the events or lead columns it is computed from."""

    name: str
    kind: Kind
    description: str
    source: str
    window_days: int | None = None


def window_suffix(window: int | None) -> str:
    """How a window shows in feature names: `7d`, `30d`, `90d` or `all`."""
    return "all" if window is None else f"{window}d"


def _windowed() -> list[FeatureSpec]:
    specs = []
    for window in WINDOWS:
        span = "all time" if window is None else f"the last {window} days"
        specs += [
            FeatureSpec(f"opens_human_{window_suffix(window)}", "numeric",
                        f"Likely-human opens (human >= 0.5) in {span}.", "email_opened", window),
            FeatureSpec(f"clicks_human_{window_suffix(window)}", "numeric",
                        f"Likely-human clicks (human >= 0.5) in {span}.", "link_clicked", window),
            FeatureSpec(f"sends_{window_suffix(window)}", "numeric",
                        f"Emails sent to the lead in {span}.", "email_sent", window),
            FeatureSpec(f"replies_{window_suffix(window)}", "numeric",
                        f"Replies from the lead in {span}.", "email_replied", window),
        ]  # fmt: skip
    return specs


def _engagement() -> list[FeatureSpec]:
    def recency(name: str, what: str, source: str) -> FeatureSpec:
        return FeatureSpec(f"days_since_{name}", "numeric",
                           f"Days since the last {what} (9999 when never).", source)  # fmt: skip

    return [
        FeatureSpec("open_rate_90d", "numeric",
                    "Likely-human opens per email sent, last 90 days (0 without sends).",
                    "email_opened, email_sent", 90),
        FeatureSpec("click_rate_90d", "numeric",
                    "Likely-human clicks per email sent, last 90 days (0 without sends).",
                    "link_clicked, email_sent", 90),
        recency("open", "likely-human open", "email_opened"),
        recency("click", "likely-human click", "link_clicked"),
        recency("reply", "reply", "email_replied"),
        recency("activity", "likely-human activity of any kind", "activity events"),
        FeatureSpec("days_since_first_event", "numeric",
                    "Days since the lead's first event of any type (9999 when none).", "events"),
        FeatureSpec("engagement_score", "numeric",
                    "Sum of weight x human x 0.5^(age / team half-life) over activity events "
                    "(see compute.ENGAGEMENT_WEIGHTS).", "activity events"),
        FeatureSpec("nonhuman_share", "numeric",
                    "Share of opens and clicks made by scanners or proxies: sum(1 - human) / "
                    "count (0 when none).", "email_opened, link_clicked"),
    ]  # fmt: skip


def _content() -> list[FeatureSpec]:
    clicks = [
        FeatureSpec(f"clicks_{kind}", "numeric",
                    f"Likely-human clicks on {kind.replace('_', ' ')} links, all time.",
                    "link_clicked.link_kind")
        for kind in LINK_KIND_FEATURES
    ]  # fmt: skip
    pulse = [
        ("docs_viewed", "Distinct documents the lead opened (likely human).", "doc_viewed"),
        ("dwell_seconds", "Total seconds on document pages (likely human).", "page_dwell"),
        ("pages_read", "Distinct document pages read (likely human).", "page_dwell"),
        ("read_depth_max", "Largest share of one document's pages read (0..1).", "page_dwell"),
        ("page_dwell_max", "Longest total time on a single page, seconds.", "page_dwell"),
        ("dwell_pricing_seconds", "Seconds on pricing pages.", "page_dwell, document_pages"),
        ("dwell_product_seconds", "Seconds on product pages.", "page_dwell, document_pages"),
        ("webinars_attended", "Webinars attended.", "webinar_attended"),
        ("webinar_minutes", "Minutes spent in webinars.", "webinar_attended"),
        ("forms_submitted", "Forms submitted.", "form_submitted"),
        ("demo_requested", "1 when a demo-request form was submitted.", "form_submitted"),
        ("signups", "Sign-ups reported by API.", "api_event"),
        ("unsubscribed", "1 when the lead unsubscribed.", "unsubscribed"),
        ("bounced", "1 when an email to the lead bounced.", "bounced"),
        ("imported_activities", "Activities named in imported files.", "imported_activity"),
    ]
    return clicks + [FeatureSpec(name, "numeric", text, source) for name, text, source in pulse]


def _profile() -> list[FeatureSpec]:
    categorical = [
        FeatureSpec(name, "categorical", f"The lead's {name} ('unknown' when missing).",
                    f"leads.{name}")
        for name in CATEGORICAL_ATTRIBUTES
    ]  # fmt: skip
    return [
        *categorical,
        FeatureSpec("log_revenue_usd", "numeric",
                    "log1p of the company's annual revenue in USD (NaN when unknown).",
                    "leads.revenue_usd"),
        FeatureSpec("log_employees", "numeric",
                    "log1p of the company's head count (NaN when unknown).", "leads.employees"),
        FeatureSpec("seniority_level", "numeric",
                    "From the title: 5 C-level, 4 VP, 3 director, 2 manager, 1 other, "
                    "0 no title (English and Korean keywords).", "leads.title"),
        FeatureSpec("product_interests", "numeric", "Number of products the lead named.",
                    "leads.product_interests"),
        FeatureSpec("icp_fit", "numeric",
                    "Share of the team's ICP criteria the lead meets (0..1; 0.5 when the team "
                    "set none; an unknown value does not meet its criterion).",
                    "leads, team settings.icp"),
    ]  # fmt: skip


def _recent() -> list[FeatureSpec]:
    activity = "ENGAGEMENT_WEIGHTS x likely-human activity events"
    specs = []
    for window in (7, 30):
        specs += [
            FeatureSpec(f"activity_{window}d", "numeric",
                        f"Sum of engagement weights of likely-human activity in the last {window} "
                        "days (no decay).", activity, window),
            FeatureSpec(f"active_days_{window}d", "numeric",
                        f"Distinct days (counted back from as_of) with likely-human activity in "
                        f"the last {window} days.", activity, window),
        ]  # fmt: skip
    return [
        *specs,
        FeatureSpec("open_rate_30d", "numeric",
                    "Likely-human opens per email sent, last 30 days (0 without sends).",
                    "email_opened, email_sent", 30),
        FeatureSpec("click_rate_30d", "numeric",
                    "Likely-human clicks per email sent, last 30 days (0 without sends).",
                    "link_clicked, email_sent", 30),
        FeatureSpec("engagement_fast", "numeric",
                    "Like engagement_score (likely-human events only) with a 3-day half-life.",
                    activity),
        FeatureSpec("dwell_per_page", "numeric",
                    "Mean seconds per likely-human page dwell (0 when none).", "page_dwell"),
        FeatureSpec("webinar_minutes_per_session", "numeric",
                    "Mean minutes per webinar attended (0 when none).", "webinar_attended"),
    ]  # fmt: skip


CATALOG: tuple[FeatureSpec, ...] = (
    *_windowed(), *_engagement(), *_recent(), *_content(), *_profile()
)  # fmt: skip


def feature_names() -> list[str]:
    """The names of all features, in column order."""
    return [spec.name for spec in CATALOG]


def categorical_names() -> list[str]:
    """The names of the categorical features, in column order."""
    return [spec.name for spec in CATALOG if spec.kind == "categorical"]


def numeric_names() -> list[str]:
    """The names of the numeric features, in column order."""
    return [spec.name for spec in CATALOG if spec.kind == "numeric"]
