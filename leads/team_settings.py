"""A team's settings: ICP criteria, thresholds, send windows, language.

Stored as JSON on the team row and validated by these models on the way in and out, so a
setting that is wrong is refused with the field that is wrong, and an old row gains new
defaults when the model grows.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FlowKind = Literal["sequence", "campaign", "nurture"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class IcpCriteria(BaseModel):
    """What an ideal customer looks like for this team."""

    model_config = ConfigDict(extra="forbid")

    industries: list[str] = Field(default_factory=list, description="Industry codes that fit.")
    revenue_min_usd: float | None = Field(default=None, ge=0)
    revenue_max_usd: float | None = Field(default=None, ge=0)
    employees_min: int | None = Field(default=None, ge=0)
    employees_max: int | None = Field(default=None, ge=0)
    countries: list[str] = Field(default_factory=list, description="ISO 3166 alpha-2 codes.")

    @model_validator(mode="after")
    def _ranges_are_ordered(self) -> IcpCriteria:
        for low, high, name in (
            (self.revenue_min_usd, self.revenue_max_usd, "revenue_max_usd"),
            (self.employees_min, self.employees_max, "employees_max"),
        ):
            if low is not None and high is not None and high < low:
                raise ValueError(f"{name} is below its minimum")
        return self


class SendWindow(BaseModel):
    """When email may go out, in the lead's time zone."""

    model_config = ConfigDict(extra="forbid")

    days: list[Weekday] = Field(default_factory=lambda: list(WORKDAYS))
    start: time = time(9, 0)
    end: time = time(17, 0)
    holidays: list[str] = Field(default_factory=list, description="ISO dates with no sending.")

    @model_validator(mode="after")
    def _window_is_not_empty(self) -> SendWindow:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if not self.days:
            raise ValueError("days must name at least one weekday")
        return self


class Sender(BaseModel):
    """Who the team's emails come from, where replies go, and the footer's postal address."""

    model_config = ConfigDict(extra="forbid")

    from_name: str = Field(default="", max_length=100)
    from_email: str = Field(default="", max_length=320, description="Empty: nothing is sent.")
    reply_domain: str = Field(
        default="", max_length=255, description="Replies go to reply+TOKEN@this domain."
    )
    postal_address: str = Field(default="", max_length=300, description="Shown in the footer.")
    signature: str = Field(default="", max_length=1000)


class MeetingHours(BaseModel):
    """The slots the booking page offers, in the team's time zone."""

    model_config = ConfigDict(extra="forbid")

    days: list[Weekday] = Field(default_factory=lambda: list(WORKDAYS))
    start: time = time(10, 0)
    end: time = time(17, 0)
    minutes: int = Field(default=30, ge=10, le=240)
    horizon_days: int = Field(default=14, ge=1, le=90)
    title: str = Field(default="Introductory call", max_length=200)

    @model_validator(mode="after")
    def _hours_are_ordered(self) -> MeetingHours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class TeamSettings(BaseModel):
    """Everything a team can tune."""

    model_config = ConfigDict(extra="forbid")

    icp: IcpCriteria = Field(default_factory=IcpCriteria)
    click_threshold: int = Field(default=3, ge=1, description="Human clicks that make a lead SQL.")
    open_threshold: int = Field(default=3, ge=1, description="Repeated opens that make a lead SQL.")
    model_threshold: float = Field(default=0.5, gt=0, lt=1)
    engagement_half_life_days: float = Field(default=14.0, gt=0)
    send_window: SendWindow = Field(default_factory=SendWindow)
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    timezone: str = "UTC"
    company_description: str = ""
    sender: Sender = Field(default_factory=Sender)
    meetings: MeetingHours = Field(default_factory=MeetingHours)
    max_emails_per_week: int = Field(
        default=3, ge=1, le=50, description="Frequency cap of campaign and nurture emails."
    )
    auto_send: list[FlowKind] = Field(
        default_factory=lambda: list[FlowKind](["nurture"]),
        description="Flows whose agent drafts go out without review (when every check passes).",
    )
    stop_on_colleague_reply: bool = Field(
        default=False, description="Stop a sequence when someone at the lead's company replies."
    )
