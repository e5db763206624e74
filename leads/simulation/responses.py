"""How recipients and their mail systems react to each delivered email.

- People open (human=0.95) minutes to days after delivery, more often the higher their intent
  and the more appealing the subject; they may open again, click one or two links (pricing and
  booking links the more the higher their intent), reply, or unsubscribe.
- Image proxies (a quarter of mailboxes) fetch the open pixel within two minutes of delivery:
  human=0.3, agent "proxy".
- Security scanners (at some companies) open and click every link of every message within
  seconds of delivery: human=0.05, agent "scanner".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from leads.simulation import batch
from leads.simulation.batch import HUMAN, PROXY, SCANNER, Events
from leads.simulation.catalog import LINK_KIND, LINK_KINDS, Catalog
from leads.simulation.clock import HOUR_MS, SECOND_MS
from leads.simulation.draws import delay_ms, uniform_ms
from leads.simulation.mailing import Sends

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

AGENT_HUMAN, AGENT_PROXY, AGENT_SCANNER = 0, 1, 2
TONES = ("positive", "neutral", "negative")
# Link appeal as (base, slope with intent), in LINK_KINDS order.
_LINK_APPEAL = np.array([(0.5, 3.0), (1.0, 1.0), (0.8, 1.5), (2.0, -1.5), (0.2, 3.0)])
assert len(_LINK_APPEAL) == len(LINK_KINDS)


@dataclass(frozen=True, slots=True)
class Recipients:
    """Per send: the recipient's intent that day and how its mail is handled."""

    intent: FloatArray
    proxy: BoolArray
    scanner: BoolArray


def react(
    rng: np.random.Generator, sends: Sends, first: int, who: Recipients, catalog: Catalog
) -> Events:
    """Every reaction to `sends`, whose `parent` is the send's index plus `first`."""
    parent = np.arange(len(sends)) + first
    opens, opened, open_t = _human_opens(rng, sends, parent, who.intent, catalog)
    return batch.concat(
        [
            opens,
            _clicks(rng, sends, parent, who.intent, opened, open_t, catalog),
            _replies(rng, sends, parent, who.intent, opened, open_t, catalog),
            _unsubscribes(rng, sends, parent, who.intent, catalog),
            _proxies(rng, sends, parent, who),
            *_scanners(rng, sends, parent, who, catalog),
        ]
    )


def _human_opens(
    rng: np.random.Generator, sends: Sends, parent: IntArray, u: FloatArray, catalog: Catalog
) -> tuple[Events, BoolArray, IntArray]:
    p_open = np.clip((0.06 + 0.55 * u) * catalog.appeal[sends.msg], 0.0, 0.95)
    opened = rng.random(len(sends)) < p_open
    open_t = sends.delivered + delay_ms(rng, 2 * HOUR_MS, 1.5, len(sends))
    again = np.where(opened, rng.poisson(0.15 + 0.6 * u), 0)
    repeat = np.repeat(np.arange(len(sends)), again)
    later = open_t[repeat] + delay_ms(rng, 20 * HOUR_MS, 1.2, len(repeat))
    index = np.concatenate([np.flatnonzero(opened), repeat])
    t = np.concatenate([open_t[opened], later])
    events = _answers("email_opened", sends, parent, index, t, b=AGENT_HUMAN, human=HUMAN)
    return events, opened, open_t


def choose_links(
    rng: np.random.Generator, msg: IntArray, u: FloatArray, catalog: Catalog
) -> IntArray:
    """For each (message, intent), one of the message's links, weighted by intent."""
    links = catalog.links[msg]
    appeal = _LINK_APPEAL[LINK_KIND[links]]
    weight = np.where(links >= 0, appeal[..., 0] + appeal[..., 1] * u[:, None], 0.0)
    cumulative = np.cumsum(np.maximum(weight, 0.01 * (links >= 0)), axis=1)
    draw = rng.random(len(msg)) * cumulative[:, -1]
    column = np.minimum((cumulative < draw[:, None]).sum(axis=1), links.shape[1] - 1)
    chosen: IntArray = links[np.arange(len(msg)), column]
    return chosen


def _clicks(
    rng: np.random.Generator,
    sends: Sends,
    parent: IntArray,
    u: FloatArray,
    opened: BoolArray,
    open_t: IntArray,
    catalog: Catalog,
) -> Events:
    clicked = opened & (rng.random(len(sends)) < 0.03 + 0.35 * u)
    twice = clicked & (rng.random(len(sends)) < 0.25 * u)
    index = np.concatenate([np.flatnonzero(clicked), np.flatnonzero(twice)])
    t = open_t[index] + delay_ms(rng, 40 * SECOND_MS, 1.0, len(index))
    link = choose_links(rng, sends.msg[index], u[index], catalog)
    return _answers("link_clicked", sends, parent, index, t, b=AGENT_HUMAN, c=link, human=HUMAN)


def _replies(
    rng: np.random.Generator,
    sends: Sends,
    parent: IntArray,
    u: FloatArray,
    opened: BoolArray,
    open_t: IntArray,
    catalog: Catalog,
) -> Events:
    p_reply = (0.003 + 0.05 * u**2) * np.where(catalog.is_sales[sends.msg], 4.0, 1.0)
    index = np.flatnonzero(opened & (rng.random(len(sends)) < p_reply))
    tone = tones(rng, u[index])
    t = open_t[index] + delay_ms(rng, 3 * HOUR_MS, 1.0, len(index))
    variant = rng.integers(0, 1000, len(index))
    return _answers("email_replied", sends, parent, index, t, b=tone, c=variant)


def tones(rng: np.random.Generator, u: FloatArray) -> IntArray:
    """A reply's tone (index into TONES): positive the more likely the higher the intent."""
    draw = rng.random(len(u))
    return np.where(draw < u, 0, np.where(draw < u + 0.3 * (1 - u), 2, 1)).astype(np.int64)


def _unsubscribes(
    rng: np.random.Generator, sends: Sends, parent: IntArray, u: FloatArray, catalog: Catalog
) -> Events:
    p_unsub = (0.001 + 0.004 * (1 - u)) * np.where(catalog.is_newsletter[sends.msg], 1.5, 1.0)
    index = np.flatnonzero(rng.random(len(sends)) < p_unsub)
    t = sends.delivered[index] + delay_ms(rng, 3 * HOUR_MS, 1.2, len(index))
    return _answers("unsubscribed", sends, parent, index, t)


def _proxies(rng: np.random.Generator, sends: Sends, parent: IntArray, who: Recipients) -> Events:
    index = np.flatnonzero(who.proxy)
    t = sends.delivered[index] + uniform_ms(rng, 2 * SECOND_MS, 90 * SECOND_MS, len(index))
    return _answers("email_opened", sends, parent, index, t, b=AGENT_PROXY, human=PROXY)


def _scanners(
    rng: np.random.Generator, sends: Sends, parent: IntArray, who: Recipients, catalog: Catalog
) -> list[Events]:
    index = np.flatnonzero(who.scanner)
    t = sends.delivered[index] + uniform_ms(rng, SECOND_MS, 6 * SECOND_MS, len(index))
    links = catalog.links[sends.msg[index]]
    row, column = np.nonzero(links >= 0)
    click_t = t[row] + uniform_ms(rng, SECOND_MS, 6 * SECOND_MS, len(row))
    return [
        _answers("email_opened", sends, parent, index, t, b=AGENT_SCANNER, human=SCANNER),
        _answers(
            "link_clicked",
            sends,
            parent,
            index[row],
            click_t,
            b=AGENT_SCANNER,
            c=links[row, column],
            human=SCANNER,
        ),
    ]


def _answers(
    kind: str,
    sends: Sends,
    parent: IntArray,
    index: IntArray,
    t: IntArray,
    *,
    b: ArrayLike = 0,
    c: ArrayLike = 0,
    human: float = batch.NO_HUMAN,
) -> Events:
    """Events of type `kind` answering the sends at `index`, at times `t`."""
    return batch.make(
        kind, sends.lead[index], t, a=sends.msg[index], b=b, c=c, parent=parent[index], human=human
    )
