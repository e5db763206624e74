"""The fixed-rate event phase of bench/scoring_api.py: POST /v1/events to random leads at
`EVENT_RATE`, latency measured from each event's scheduled send time (no coordinated
omission), and for a sample a GET right after that checks the answer is what is stored."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from _api_servers import auth, machine

EVENT_RATE, VERIFY_EVERY, SENDERS = 200, 20, 32
TARGET_EVENT_P99_MS = 50.0
# Event mix of the fixed-rate phase: type -> weight.
EVENT_MIX = {"email_opened": 40, "link_clicked": 30, "page_dwell": 15, "doc_viewed": 5}
EVENT_MIX |= {"email_replied": 5, "api_event": 5}
Payloads = dict[str, list[dict[str, Any]]]  # recorded payloads by event type


@dataclass
class EventRun:
    latencies: list[float] = field(default_factory=list)
    send_lag: list[float] = field(default_factory=list)
    failed: int = 0
    stage_changes: int = 0
    list_changes: int = 0
    verified: int = 0
    mismatched: list[str] = field(default_factory=list)


async def one_event(
    client: httpx.AsyncClient, body: dict[str, Any], scheduled: float, verify: bool, run: EventRun
) -> None:
    answer = await client.post("/v1/events", json=body)
    run.latencies.append(time.perf_counter() - scheduled)
    if answer.status_code != 201:
        run.failed += 1
        if run.failed <= 3:
            print(f"  POST /v1/events answered {answer.status_code}: {answer.text[:200]}")
        return
    result = answer.json()
    run.stage_changes += result["stage"] != result["previous_stage"]
    run.list_changes += len(result["list_changes"])
    if verify:  # the lead gets no other event, so what the answer said must be what is stored
        detail = (await client.get(f"/v1/leads/{body['lead_id']}")).json()
        run.verified += 1
        lists = set(detail["lists"])
        wrong = [c["list"] for c in result["list_changes"] if (c["list"] in lists) != c["entered"]]
        if detail["lead"]["stage"] != result["stage"] or wrong:
            run.mismatched.append(
                f"lead {body['lead_id']}: answered {result['stage']}, stored "
                f"{detail['lead']['stage']}, lists {wrong}"
            )


Scheduled = tuple[dict[str, Any], float, bool]


async def sender(client: httpx.AsyncClient, queue: asyncio.Queue[Scheduled], run: EventRun) -> None:
    """One connection: sends events in their scheduled order as soon as it is free."""
    while True:
        body, scheduled, verify = await queue.get()
        try:
            await one_event(client, body, scheduled, verify, run)
        finally:
            queue.task_done()


async def event_load(
    api: str, key: str, lead_ids: list[int], payloads: Payloads, seconds: float, seed: int
) -> EventRun:
    """Events due at a fixed rate, queued when due and sent by a fixed pool of connections
    (an unbounded task per event makes the client's own pool the bottleneck)."""
    rng, total = random.Random(seed), int(seconds * EVENT_RATE)
    kinds = [k for k in EVENT_MIX if payloads.get(k)]
    weights = [EVENT_MIX[k] for k in kinds]
    checked = rng.sample(lead_ids, total // VERIFY_EVERY + 1)  # one event each, no other
    others = sorted(set(lead_ids) - set(checked))
    run, queue = EventRun(), asyncio.Queue[Scheduled]()
    limits = httpx.Limits(max_connections=SENDERS, max_keepalive_connections=SENDERS)
    async with httpx.AsyncClient(
        base_url=api, headers=auth(key), limits=limits, timeout=600
    ) as client:  # a saturated server queues the fixed-rate events: they still count
        senders = [asyncio.create_task(sender(client, queue, run)) for _ in range(SENDERS)]
        start = time.perf_counter() + 0.2
        for n in range(total):
            verify = n % VERIFY_EVERY == 0
            kind = rng.choices(kinds, weights)[0]
            body = {
                "lead_id": checked[n // VERIFY_EVERY] if verify else rng.choice(others),
                "type": kind,
                "human": 0.9,
                "idempotency_key": f"bench-{seed}-{n}",
                "payload": rng.choice(payloads[kind]),
            }
            scheduled = start + n / EVENT_RATE
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            run.send_lag.append(time.perf_counter() - scheduled)
            queue.put_nowait((body, scheduled, verify))
        await queue.join()
        for task in senders:
            task.cancel()
    return run


def events(
    api: str, key: str, lead_ids: list[int], payloads: Payloads, seconds: float, seed: int
) -> float:
    """POST /v1/events at `EVENT_RATE` for `seconds`; prints latency and checks; the p99 (ms)."""
    began = time.perf_counter()
    run = asyncio.run(event_load(api, key, lead_ids, payloads, seconds, seed))
    took = time.perf_counter() - began
    ms = np.array(run.latencies) * 1000
    p50, p99, worst = np.percentile(ms, [50, 99, 100])
    late = int((ms > TARGET_EVENT_P99_MS).sum())
    lag = np.array(run.send_lag) * 1000
    verdict = "met" if p99 <= TARGET_EVENT_P99_MS else "NOT met"
    print(
        f"\nevent -> decision, POST /v1/events at {EVENT_RATE}/s for {seconds:g} s "
        f"({len(ms):,} events answered in {took:.1f} s, {run.failed} failed; {machine()})"
    )
    print(
        f"  latency from scheduled send: p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {worst:.1f} ms "
        f"(p99 <= {TARGET_EVENT_P99_MS:g}: {verdict})"
    )
    print(
        f"  answered later than {TARGET_EVENT_P99_MS:g} ms: {late:,} ({late / len(ms):.1%}); "
        f"client behind schedule p99 {np.percentile(lag, 99):.1f} ms, max {lag.max():.1f} ms"
    )
    print(
        f"  stage changes {run.stage_changes:,}, list changes {run.list_changes:,}; verified "
        f"{run.verified} by GET right after: {len(run.mismatched)} mismatched"
    )
    for line in run.mismatched[:5]:
        print(f"    {line}")
    return float(p99)
