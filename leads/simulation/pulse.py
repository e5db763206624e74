"""Pulse document views and the time spent on each page read.

A person who opens a document reads from page 1 on; how many pages grows with intent, and
readers of the product deck who stop early may jump to its pricing page, the more likely the
higher their intent. Dwell per page is log-normal, longer with intent and longest on pricing.
A security scanner that follows a document link loads it (human=0.05) but reads nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from leads.simulation import batch
from leads.simulation.batch import HUMAN, SCANNER, Events
from leads.simulation.catalog import DOC_PAGES, DOC_PRICING, LINK_DOC
from leads.simulation.clock import SECOND_MS, Clock, day_of
from leads.simulation.draws import uniform_ms
from leads.simulation.responses import AGENT_HUMAN, AGENT_SCANNER

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_DOC_SHARE = np.array([0.55, 0.25, 0.20])  # deck, case study, whitepaper


def from_clicks(
    rng: np.random.Generator, clicks: Events, intent: FloatArray, clock: Clock
) -> Events:
    """The views that clicks on document links lead to (and their page dwell)."""
    doc = LINK_DOC[clicks.c]
    to_doc = doc >= 0
    t = clicks.t + uniform_ms(rng, 2 * SECOND_MS, 8 * SECOND_MS, len(clicks))
    scanner = to_doc & (clicks.b == AGENT_SCANNER)
    person = to_doc & (clicks.b == AGENT_HUMAN)
    fetched = batch.make(
        "doc_viewed",
        clicks.lead[scanner],
        t[scanner],
        a=doc[scanner],
        b=AGENT_SCANNER,
        human=SCANNER,
    )
    return batch.concat(
        [fetched, views(rng, clicks.lead[person], t[person], doc[person], intent, clock)]
    )


def spontaneous(
    rng: np.random.Generator,
    intent: FloatArray,
    arrival: IntArray,
    clock: Clock,
    utc_offset: FloatArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """Views of documents shared outside email (by sales, on the site): lead, time, document."""
    day = np.arange(clock.days)[None, :]
    p_view = np.where(day > arrival[:, None], 0.001 + 0.02 * intent**2, 0.0)
    lead, when = np.nonzero(rng.random(intent.shape) < p_view)
    t = clock.local(when, utc_offset[lead], rng.uniform(9.0, 18.0, len(lead)))
    doc = rng.choice(len(_DOC_SHARE), size=len(lead), p=_DOC_SHARE)
    return lead, t, doc


def views(
    rng: np.random.Generator,
    lead: IntArray,
    t: IntArray,
    doc: IntArray,
    intent: FloatArray,
    clock: Clock,
) -> Events:
    """People opening documents at `t`, then one page_dwell per page they read."""
    u = intent[lead, day_of(t, clock.days)]
    view, page = _pages_read(rng, doc, u)
    pricing = page == DOC_PRICING[doc][view]
    median = (12.0 + 45.0 * u[view]) * np.where(pricing, 1.0 + 1.5 * u[view], 1.0)
    seconds = np.maximum(1, np.exp(rng.normal(np.log(median), 0.7)).round()).astype(np.int64)
    elapsed = np.cumsum(seconds)
    first = np.searchsorted(view, view, side="left")
    so_far = (
        elapsed - elapsed[first] + seconds[first]
    )  # seconds read in this view, this page included
    return batch.concat(
        [
            batch.make("doc_viewed", lead, t, a=doc, b=AGENT_HUMAN, human=HUMAN),
            batch.make(
                "page_dwell",
                lead[view],
                t[view] + so_far * SECOND_MS,
                a=doc[view],
                b=page,
                c=seconds,
                human=HUMAN,
            ),
        ]
    )


def _pages_read(
    rng: np.random.Generator, doc: IntArray, u: FloatArray
) -> tuple[IntArray, IntArray]:
    """(view, page) pairs in reading order: pages 1..k, and perhaps a jump to pricing."""
    read = 1 + rng.binomial(DOC_PAGES[doc] - 1, 0.15 + 0.7 * u)
    jump = (DOC_PRICING[doc] > read) & (rng.random(len(doc)) < 0.6 * u)
    view = np.repeat(np.arange(len(doc)), read)
    page = np.arange(len(view)) - np.repeat(np.cumsum(read) - read, read) + 1
    view = np.concatenate([view, np.flatnonzero(jump)])
    page = np.concatenate([page, DOC_PRICING[doc][jump]])
    order = np.lexsort((page, view))
    return view[order], page[order]
