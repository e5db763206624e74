"""What leads do of their own accord: arrive, fill in forms, attend webinars, sign up, book.

Leads arrive (or existed before the run) through their source: search leads fill in the
contact form, content downloads the newsletter form before reading a document, webinar leads
register for the next webinar in their language. Meetings come with what booked them: a
demo-request form, the booking page, or a reply.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from leads.simulation import batch
from leads.simulation.batch import HUMAN, Events
from leads.simulation.catalog import BOOKING, Catalog
from leads.simulation.clock import DAY_MS, HOUR_MS, MINUTE_MS, Clock
from leads.simulation.draws import uniform_ms
from leads.simulation.people import SOURCES

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

FORMS = ("demo-request", "newsletter", "contact")
DEMO, NEWSLETTER, CONTACT = range(len(FORMS))
VIA = ("demo_form", "booking_page", "reply")
SIGNUP = 0
POSITIVE = 0  # responses.TONES
_SEARCH = [SOURCES.index("organic_search"), SOURCES.index("paid_search")]
_SOCIAL = [SOURCES.index(s) for s in ("referral", "linkedin", "event")]
_WEBINAR = SOURCES.index("webinar")
_DOWNLOAD = SOURCES.index("content_download")
_MEETING_HOURS = (9.0, 17.0)  # local working hours a meeting is booked in
_AFTER_ARRIVAL_MS = (2 * HOUR_MS, 5 * HOUR_MS)  # and this long at least after the lead arrived


def arrival_times(
    rng: np.random.Generator,
    clock: Clock,
    catalog: Catalog,
    source: IntArray,
    korean: BoolArray,
    utc_offset: FloatArray,
) -> tuple[IntArray, IntArray]:
    """Each lead's arrival day and time; -1 for the 45% who existed before the run."""
    count = len(source)
    existing = rng.random(count) < 0.45
    day = np.where(existing, -1, rng.integers(0, clock.days, count))
    t = clock.local(day, utc_offset, rng.uniform(8.0, 20.0, count))
    for webinar in catalog.webinars:
        joins = ~existing & (source == _WEBINAR) & (korean == (webinar.language == "ko"))
        day = np.where(joins, webinar.day, day)
        t = np.where(joins, clock.at_utc(webinar.day, webinar.utc_hour), t)
    return day.astype(np.int64), np.where(day < 0, -1, t).astype(np.int64)


def arrivals(
    rng: np.random.Generator, source: IntArray, arrival_t: IntArray
) -> tuple[Events, IntArray, IntArray]:
    """The forms leads fill in when they arrive, and (lead, time) of the downloads they read."""
    new = arrival_t >= 0
    contact = new & (
        (np.isin(source, _SEARCH) & (rng.random(len(source)) < 0.85))
        | (np.isin(source, _SOCIAL) & (rng.random(len(source)) < 0.25))
    )
    download = np.flatnonzero(new & (source == _DOWNLOAD))
    lead = np.concatenate([np.flatnonzero(contact), download])
    form = np.concatenate([np.full(contact.sum(), CONTACT), np.full(len(download), NEWSLETTER)])
    forms = batch.make(
        "form_submitted", lead, arrival_t[lead], a=form, b=rng.integers(0, 1000, len(lead))
    )
    read_t = arrival_t[download] + uniform_ms(rng, 5_000, 2 * MINUTE_MS, len(download))
    return forms, download, read_t


def webinars(
    rng: np.random.Generator,
    clock: Clock,
    catalog: Catalog,
    intent: FloatArray,
    arrival: IntArray,
    source: IntArray,
    korean: BoolArray,
) -> Events:
    """Webinar attendance: likelier and longer with intent; registrants mostly attend."""
    parts = []
    for number, webinar in enumerate(catalog.webinars):
        if webinar.day >= clock.days:
            continue
        u = intent[:, webinar.day]
        registered = (arrival == webinar.day) & (source == _WEBINAR)
        audience = (arrival <= webinar.day) & (korean == (webinar.language == "ko"))
        p_attend = np.where(registered, 0.7, 0.01 + 0.25 * u**2)
        lead = np.flatnonzero(audience & (rng.random(len(u)) < p_attend))
        start = clock.at_utc(webinar.day, webinar.utc_hour)
        t = start + uniform_ms(rng, 0, 10 * MINUTE_MS, len(lead))
        minutes = np.clip(rng.normal(12 + 40 * u[lead], 8).round(), 3, 60)
        parts.append(batch.make("webinar_attended", lead, t, a=number, b=minutes))
    return batch.concat(parts)


def product_actions(
    rng: np.random.Generator,
    clock: Clock,
    intent: FloatArray,
    arrival: IntArray,
    utc_offset: FloatArray,
) -> Events:
    """Trial sign-ups reported by API (at most one per lead) and demo requests."""
    day = np.arange(clock.days)[None, :]
    after = day > arrival[:, None]
    signing = after & (rng.random(intent.shape) < 0.0004 + 0.006 * intent**2)
    first = np.flatnonzero(signing.any(axis=1))
    signup_day = signing[first].argmax(axis=1)
    asking = after & (rng.random(intent.shape) < 0.0008 * intent**2)
    demo_lead, demo_day = np.nonzero(asking)
    lead = np.concatenate([first, demo_lead])
    when = np.concatenate([signup_day, demo_day])
    t = clock.local(when, utc_offset[lead], rng.uniform(8.0, 22.0, len(lead)))
    signups = slice(0, len(first))
    demos = slice(len(first), len(lead))
    return batch.concat(
        [
            batch.make("api_event", lead[signups], t[signups], a=SIGNUP),
            batch.make(
                "form_submitted",
                lead[demos],
                t[demos],
                a=DEMO,
                b=rng.integers(0, 1000, len(demo_lead)),
            ),
        ]
    )


def booked_meetings(
    rng: np.random.Generator,
    clock: Clock,
    meeting_day: IntArray,
    arrival_t: IntArray,
    utc_offset: FloatArray,
) -> tuple[Events, IntArray]:
    """meeting_booked events with what led to each; returns them and each lead's meeting time.

    A meeting falls in working hours on its day, and at least two hours after the lead arrived.
    """
    lead = np.flatnonzero(meeting_day >= 0)
    t = clock.local(meeting_day[lead], utc_offset[lead], rng.uniform(*_MEETING_HOURS, len(lead)))
    t = np.maximum(t, arrival_t[lead] + uniform_ms(rng, *_AFTER_ARRIVAL_MS, len(lead)))
    via = rng.choice(len(VIA), size=len(lead), p=[0.4, 0.45, 0.15])
    meeting_t = np.full(len(meeting_day), np.iinfo(np.int64).max)
    meeting_t[lead] = t
    booked = batch.make("meeting_booked", lead, t, a=via)
    return batch.concat([booked, *_lead_ups(rng, lead, t, via)]), meeting_t


def meeting_time_cdf(
    clock: Clock, day: IntArray, utc_offset: FloatArray, arrival_t: IntArray, t: FloatArray
) -> FloatArray:
    """P(a meeting booked on `day` falls at or before offset `t`), as `booked_meetings` draws it.

    The meeting time is the later of a uniform working hour on that day and a uniform delay
    after arrival, two independent draws, so its CDF is the product of theirs (to the ms).
    """
    low, high = _MEETING_HOURS
    span = (high - low) * HOUR_MS
    first = clock.local(day, utc_offset, np.full(len(day), low)).astype(np.float64)
    into = t - first  # working hours run [first, first + span), wrapping past the day's end
    wrap = first + span - (day + 1) * DAY_MS
    within = np.clip(into, 0.0, span) + np.clip(t - day * DAY_MS, 0.0, np.maximum(wrap, 0.0))
    soonest, latest = _AFTER_ARRIVAL_MS
    after = np.clip((t - arrival_t - soonest) / (latest - soonest), 0.0, 1.0)
    cdf: FloatArray = np.clip(within / span, 0.0, 1.0) * after
    return cdf


def _lead_ups(
    rng: np.random.Generator, lead: IntArray, meeting_t: IntArray, via: IntArray
) -> list[Events]:
    """What each booking came through, up to an hour before the meeting was booked."""
    t = meeting_t - uniform_ms(rng, MINUTE_MS, 60 * MINUTE_MS, len(lead))
    variant = rng.integers(0, 1000, len(lead))
    demo, booking, reply = (via == n for n in range(len(VIA)))
    return [
        batch.make("form_submitted", lead[demo], t[demo], a=DEMO, b=variant[demo]),
        batch.make("link_clicked", lead[booking], t[booking], a=-1, c=BOOKING, human=HUMAN),
        batch.make("email_replied", lead[reply], t[reply], a=-1, b=POSITIVE, c=variant[reply]),
    ]
