"""One block of leads simulated end to end: hidden intent, then everything it leads to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from leads.simulation import batch
from leads.simulation.batch import Events
from leads.simulation.catalog import LINK_KIND, LINK_KINDS, Catalog
from leads.simulation.clock import Clock, day_of
from leads.simulation.companies import UTC_OFFSET, Companies
from leads.simulation.draws import sigmoid
from leads.simulation.inbound import (
    arrival_times,
    arrivals,
    booked_meetings,
    product_actions,
    webinars,
)
from leads.simulation.intent import IntentPaths, Outcome, base_intent, draw_intent, meetings
from leads.simulation.mailing import Audience, Sends, campaign_sends, sequence_sends, settle
from leads.simulation.people import People
from leads.simulation.pulse import from_clicks, spontaneous, views
from leads.simulation.responses import AGENT_HUMAN, Recipients, react

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
_TRIGGERS = [LINK_KINDS.index("pricing"), LINK_KINDS.index("booking")]
_DOWNLOADS = np.array([1, 2])  # case study, whitepaper (catalog.DOCUMENTS)


@dataclass(frozen=True, slots=True)
class Block:
    """A simulated block: its events (sorted, not yet cut at the clock's limit) and truth."""

    events: Events
    outcome: Outcome
    final_intent: FloatArray


@dataclass(frozen=True, slots=True)
class Hidden:
    """What a block draws before anything happens: intent paths, arrivals, UTC offsets."""

    intent: IntentPaths
    arrival: IntArray
    arrival_t: IntArray
    utc_offset: FloatArray

    @property
    def x(self) -> FloatArray:
        """Intent logits x[i, d]."""
        return self.intent.x


def hidden_state(
    rng: np.random.Generator,
    people: People,
    companies: Companies,
    catalog: Catalog,
    clock: Clock,
) -> Hidden:
    """The block's intent paths and arrivals: the first draws `simulate_block` makes."""
    intent = _intent(rng, people, companies, clock)
    offset = UTC_OFFSET[companies.country[people.company]]
    arrival, arrival_t = arrival_times(rng, clock, catalog, people.source, people.korean, offset)
    return Hidden(intent, arrival, arrival_t, offset)


def simulate_block(
    rng: np.random.Generator,
    people: People,
    companies: Companies,
    catalog: Catalog,
    clock: Clock,
) -> Block:
    """Draw intent paths and meetings for `people`, then their email, Pulse and inbound events."""
    hidden = hidden_state(rng, people, companies, catalog, clock)
    x, offset, arrival, arrival_t = hidden.x, hidden.utc_offset, hidden.arrival, hidden.arrival_t
    u = sigmoid(x)
    outcome = meetings(rng, x, arrival, clock.full_days)
    booked, meeting_t = booked_meetings(rng, clock, outcome.meeting_day, arrival_t, offset)
    audience = Audience(arrival, arrival_t, offset, people.korean, meeting_t, people.bad_address)
    mail = (people.proxy, companies.scanner[people.company])
    email = _email(rng, clock, audience, catalog, u, mail)
    clicks = email.take(email.of_type("link_clicked"))
    events = batch.concat(
        [
            email,
            booked,
            from_clicks(rng, clicks, u, clock),
            *_own_accord(rng, clock, catalog, audience, people.source, u),
        ]
    )
    events = events.take(events.t >= arrival_t[events.lead])
    return Block(events.sorted(), outcome, u[:, -1])


def _intent(
    rng: np.random.Generator, people: People, companies: Companies, clock: Clock
) -> IntentPaths:
    company = people.company
    base = base_intent(
        rng,
        icp_fit=companies.icp_fit[company],
        company_effect=companies.effect[company],
        seniority=people.seniority,
        source=people.source,
        interests=people.interests,
    )
    return draw_intent(rng, base, clock.days)


def _own_accord(
    rng: np.random.Generator,
    clock: Clock,
    catalog: Catalog,
    audience: Audience,
    source: IntArray,
    u: FloatArray,
) -> list[Events]:
    """Forms, document reads, webinars and product actions that no email prompted."""
    forms, readers, read_t = arrivals(rng, source, audience.arrival_t)
    shared_lead, shared_t, shared_doc = spontaneous(
        rng, u, audience.arrival, clock, audience.utc_offset
    )
    reads = views(
        rng,
        np.concatenate([readers, shared_lead]),
        np.concatenate([read_t, shared_t]),
        np.concatenate([rng.choice(_DOWNLOADS, len(readers)), shared_doc]),
        u,
        clock,
    )
    return [
        forms,
        reads,
        webinars(rng, clock, catalog, u, audience.arrival, source, audience.korean),
        product_actions(rng, clock, u, audience.arrival, audience.utc_offset),
    ]


def _email(
    rng: np.random.Generator,
    clock: Clock,
    audience: Audience,
    catalog: Catalog,
    u: FloatArray,
    mail: tuple[BoolArray, BoolArray],
) -> Events:
    """Sends, reactions and the sales sequence they trigger; `mail` is (proxy, scanner) per lead."""
    campaigns = campaign_sends(rng, clock, audience, catalog)
    answers = react(rng, campaigns, 0, _recipients(campaigns, u, mail, clock), catalog)
    sequence = sequence_sends(rng, clock, audience, catalog, _triggers(answers, len(u)))
    more = react(rng, sequence, len(campaigns), _recipients(sequence, u, mail, clock), catalog)
    return settle(campaigns + sequence, batch.concat([answers, more]), audience.bad_address)


def _recipients(
    sends: Sends, u: FloatArray, mail: tuple[BoolArray, BoolArray], clock: Clock
) -> Recipients:
    proxy, scanner = mail
    return Recipients(
        intent=u[sends.lead, day_of(sends.t, clock.days)],
        proxy=proxy[sends.lead],
        scanner=scanner[sends.lead],
    )


def _triggers(answers: Events, count: int) -> IntArray:
    """Each lead's first human click on a pricing or booking link, or -1."""
    clicks = answers.take(answers.of_type("link_clicked") & (answers.b == AGENT_HUMAN))
    hot = np.isin(LINK_KIND[clicks.c], _TRIGGERS)
    first = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first, clicks.lead[hot], clicks.t[hot])
    return np.where(first == np.iinfo(np.int64).max, -1, first)
