"""What the team sends, and what stops it: campaign and sequence emails, bounces, unsubscribes.

Campaigns: a weekly newsletter, product tips every two weeks, a three-step welcome sequence
for leads who arrive during the run, a product launch and webinar invitations. A lead who
clicks a pricing or booking link enters the sales sequence. Sends stop at a lead's meeting, at
its first unsubscribe, and after the first send to a bad address (which bounces).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from leads.simulation import batch
from leads.simulation.batch import Events
from leads.simulation.catalog import NURTURE_EVERY, Catalog
from leads.simulation.clock import DAY_MS, MINUTE_MS, Clock
from leads.simulation.draws import uniform_ms

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Audience:
    """What the mailing needs to know of each lead of the block."""

    arrival: IntArray  # day the lead arrived, -1 when it existed before the run
    arrival_t: IntArray  # its time (ms), -1 when it existed before
    utc_offset: FloatArray
    korean: BoolArray
    meeting_t: IntArray  # time of its meeting, NEVER when none
    bad_address: BoolArray


@dataclass(frozen=True, slots=True)
class Sends:
    """Emails to send: who, when, which message, and when the receiving server accepted it."""

    lead: IntArray
    t: IntArray
    msg: IntArray
    delivered: IntArray

    def __len__(self) -> int:
        return len(self.lead)

    def take(self, index: BoolArray | IntArray) -> Sends:
        return Sends(*(getattr(self, f.name)[index] for f in fields(self)))

    def __add__(self, other: Sends) -> Sends:
        return Sends(
            *(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self))
        )


def _on_days(
    rng: np.random.Generator,
    clock: Clock,
    audience: Audience,
    lead: IntArray,
    day: IntArray,
    msg: IntArray,
) -> Sends:
    hour = rng.uniform(9.0, 11.0, len(lead))
    return _at(rng, clock, audience, lead, clock.local(day, audience.utc_offset[lead], hour), msg)


def _at(
    rng: np.random.Generator,
    clock: Clock,
    audience: Audience,
    lead: IntArray,
    t: IntArray,
    msg: IntArray,
) -> Sends:
    keep = (t > audience.arrival_t[lead]) & (t < audience.meeting_t[lead])
    keep &= t < clock.days * DAY_MS
    delivered = t + uniform_ms(rng, 1_000, 30_000, len(lead))
    return Sends(lead, t, msg, delivered).take(keep)


def campaign_sends(
    rng: np.random.Generator, clock: Clock, audience: Audience, catalog: Catalog
) -> Sends:
    """The team's campaigns for the block: newsletter, tips, welcome, launch, invitations."""
    lead, day, msg = _campaign_plan(clock.days, audience, catalog)
    planned = _on_days(rng, clock, audience, lead, day, msg)
    new = np.flatnonzero(audience.arrival >= 0)
    welcome_t = audience.arrival_t[new] + uniform_ms(rng, MINUTE_MS, 15 * MINUTE_MS, len(new))
    welcome = np.full(len(new), catalog.index("welcome-1"), dtype=np.int64)
    return planned + _at(rng, clock, audience, new, welcome_t, welcome)


def _campaign_plan(
    days: int, audience: Audience, catalog: Catalog
) -> tuple[IntArray, IntArray, IntArray]:
    """(lead, day, message) of every campaign email but the first welcome."""
    leads = np.arange(len(audience.arrival))
    plan: list[tuple[IntArray, IntArray | int, int]] = []
    first_issue = catalog.index("newsletter-1")
    for week, day in enumerate(range(2, days, 7)):
        plan.append((leads[audience.arrival < day], day, first_issue + week))
    first_tip = catalog.index("tips-1")
    for number, day in enumerate(range(5, days, NURTURE_EVERY)):
        plan.append((leads[audience.arrival < day], day, first_tip + number))
    new = leads[audience.arrival >= 0]
    for step, gap in enumerate((3, 7)):
        plan.append((new, audience.arrival[new] + gap, catalog.index(f"welcome-{step + 2}")))
    plan.append((leads[audience.arrival < days // 2], days // 2, catalog.index("launch-1")))
    for webinar in catalog.webinars:
        day = webinar.day - 5
        invited = (audience.arrival < day) & (audience.korean == (webinar.language == "ko"))
        plan.append((leads[invited], day, catalog.index(f"{webinar.slug}-invite")))
    return (
        np.concatenate([who for who, _, _ in plan]).astype(np.int64),
        np.concatenate([np.broadcast_to(day, who.shape) for who, day, _ in plan]).astype(np.int64),
        np.concatenate([np.full(len(who), msg) for who, _, msg in plan]).astype(np.int64),
    )


def sequence_sends(
    rng: np.random.Generator,
    clock: Clock,
    audience: Audience,
    catalog: Catalog,
    trigger_t: IntArray,
) -> Sends:
    """The sales sequence, 1, 4 and 9 days after each lead's trigger time (-1: none)."""
    lead = np.flatnonzero(trigger_t >= 0)
    trigger_day = trigger_t[lead] // DAY_MS
    steps = [(gap, catalog.index(f"sales-{n + 1}")) for n, gap in enumerate((1, 4, 9))]
    return _on_days(
        rng,
        clock,
        audience,
        np.tile(lead, len(steps)),
        np.concatenate([trigger_day + gap for gap, _ in steps]),
        np.repeat([msg for _, msg in steps], len(lead)).astype(np.int64),
    )


def settle(sends: Sends, responses: Events, bad_address: BoolArray) -> Events:
    """The email events that happen: sends up to each lead's bounce or first unsubscribe.

    The first send to a bad address bounces and nothing follows it; after a lead's first
    unsubscribe nothing more is sent (responses to earlier emails still count).
    """
    count = len(bad_address)
    bounce_t = np.full(count, NEVER)
    bad = bad_address[sends.lead]
    np.minimum.at(bounce_t, sends.lead[bad], sends.t[bad])
    keep = sends.t <= bounce_t[sends.lead]
    bounced = bad & (sends.t == bounce_t[sends.lead])
    alive = keep & ~bounced
    responses = responses.take(alive[responses.parent])
    unsubscribes = responses.of_type("unsubscribed")
    first_unsub = np.full(count, NEVER)
    np.minimum.at(first_unsub, responses.lead[unsubscribes], responses.t[unsubscribes])
    keep &= sends.t <= first_unsub[sends.lead]
    responses = responses.take(
        keep[responses.parent] & (~unsubscribes | (responses.t == first_unsub[responses.lead]))
    )
    return batch.concat([responses, *_send_events(sends.take(keep), bounced[keep])])


def _send_events(sends: Sends, bounced: BoolArray) -> list[Events]:
    index = np.arange(len(sends))
    ok = ~bounced
    return [
        batch.make("email_sent", sends.lead, sends.t, a=sends.msg, parent=index),
        batch.make(
            "email_delivered",
            sends.lead[ok],
            sends.delivered[ok],
            a=sends.msg[ok],
            parent=index[ok],
        ),
        batch.make(
            "bounced",
            sends.lead[bounced],
            sends.delivered[bounced],
            a=sends.msg[bounced],
            parent=index[bounced],
        ),
    ]
