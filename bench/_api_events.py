"""The fixed-rate event phase of bench/scoring_api.py: POST /v1/events to random leads at
`EVENT_RATE`, latency measured from each event's scheduled send time (no coordinated
omission), and for a sample a GET right after that checks the answer is what is stored."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import numpy as np
import orjson
from _api_servers import auth, machine
from prometheus_client.parser import text_string_to_metric_families

EVENT_RATE, VERIFY_EVERY, SENDERS = 200, 20, 32
WARM_UP_SECONDS = 3.0  # at the same rate before the measured events: reported, not counted
TARGET_EVENT_P99_MS = 50.0
# Event mix of the fixed-rate phase: type -> weight.
EVENT_MIX = {"email_opened": 40, "link_clicked": 30, "page_dwell": 15, "doc_viewed": 5}
EVENT_MIX |= {"email_replied": 5, "api_event": 5}
JSON = {"Content-Type": "application/json"}
Payloads = dict[str, list[dict[str, Any]]]  # recorded payloads by event type


@dataclass
class EventRun:
    latencies: list[float] = field(default_factory=list)
    warm_up: list[float] = field(default_factory=list)
    send_lag: list[float] = field(default_factory=list)
    failed: int = 0
    stage_changes: int = 0
    list_changes: int = 0
    verified: int = 0
    mismatched: list[str] = field(default_factory=list)


async def one_event(
    client: aiohttp.ClientSession,
    body: dict[str, Any],
    scheduled: float,
    verify: bool | None,
    run: EventRun,
) -> None:
    """POST one event; `verify` None: a warm-up event (its latency apart, nothing checked)."""
    async with client.post("/v1/events", data=orjson.dumps(body), headers=JSON) as answer:
        text = await answer.read()
    (run.latencies if verify is not None else run.warm_up).append(time.perf_counter() - scheduled)
    if verify is None:
        return
    if answer.status != 201:
        run.failed += 1
        if run.failed <= 3:
            print(f"  POST /v1/events answered {answer.status}: {text[:200]!r}")
        return
    result = orjson.loads(text)
    run.stage_changes += result["stage"] != result["previous_stage"]
    run.list_changes += len(result["list_changes"])
    if verify:  # the lead gets no other event, so what the answer said must be what is stored
        async with client.get(f"/v1/leads/{body['lead_id']}") as got:
            detail = orjson.loads(await got.read())
        run.verified += 1
        lists = set(detail["lists"])
        wrong = [c["list"] for c in result["list_changes"] if (c["list"] in lists) != c["entered"]]
        if detail["lead"]["stage"] != result["stage"] or wrong:
            run.mismatched.append(
                f"lead {body['lead_id']}: answered {result['stage']}, stored "
                f"{detail['lead']['stage']}, lists {wrong}"
            )


Scheduled = tuple[dict[str, Any], float, bool | None]


async def sender(
    client: aiohttp.ClientSession, queue: asyncio.Queue[Scheduled], run: EventRun
) -> None:
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
    # aiohttp, not httpx: at 200 requests/s httpx's pool costs the client a whole core, and a
    # client behind its own schedule adds its lag to every latency measured.
    async with aiohttp.ClientSession(
        base_url=api,
        headers=auth(key),
        connector=aiohttp.TCPConnector(limit=SENDERS),
        timeout=aiohttp.ClientTimeout(total=600),
    ) as client:  # a saturated server queues the fixed-rate events: they still count
        senders = [asyncio.create_task(sender(client, queue, run)) for _ in range(SENDERS)]
        start = time.perf_counter() + 0.2
        warm = int(WARM_UP_SECONDS * EVENT_RATE)
        for n in range(-warm, total):
            verify = None if n < 0 else n % VERIFY_EVERY == 0
            kind = rng.choices(kinds, weights)[0]
            body = {
                "lead_id": checked[n // VERIFY_EVERY] if verify else rng.choice(others),
                "type": kind,
                "human": 0.9,
                "idempotency_key": f"bench-{seed}-{n}",
                "payload": rng.choice(payloads[kind]),
            }
            scheduled = start + (n + warm) / EVENT_RATE
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            run.send_lag.append(time.perf_counter() - scheduled)
            queue.put_nowait((body, scheduled, verify))
        await queue.join()
        for task in senders:
            task.cancel()
    return run


def server_view(api: str) -> str:
    """What the server's /metrics say of the phase: its own time per POST /v1/events (the
    latency above less the wait in its queue) and how many events each commit held."""
    text = httpx.get(f"{api}/metrics").text
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if family.name == "leadpulse_request_seconds" and labels.get("route") != "/v1/events":
                continue
            if labels.get("status", "201") == "201":
                values[sample.name] = values.get(sample.name, 0.0) + sample.value
    requests = values.get("leadpulse_request_seconds_count", 0.0)
    groups = values.get("leadpulse_event_group_size_count", 0.0)
    if not requests or not groups:
        return "  server: no POST /v1/events counted in /metrics"
    own = values["leadpulse_request_seconds_sum"] / requests * 1000
    size = values["leadpulse_event_group_size_sum"] / groups
    return (
        f"  server: {own:.1f} ms mean per request from its first byte to its answer; "
        f"{groups:,.0f} commits, {size:.2f} events each on average"
    )


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
    warm = np.array(run.warm_up) * 1000
    verdict = "met" if p99 <= TARGET_EVENT_P99_MS else "NOT met"
    print(
        f"\nevent -> decision, POST /v1/events at {EVENT_RATE}/s for {seconds:g} s after "
        f"{WARM_UP_SECONDS:g} s of warm-up ({len(ms):,} events measured, {took:.1f} s in all, "
        f"{run.failed} failed; {machine()})"
    )
    print(
        f"  warm-up, not counted (a new server's first requests build its caches): p50 "
        f"{np.percentile(warm, 50):.1f} ms  p99 {np.percentile(warm, 99):.1f} ms  "
        f"max {warm.max():.1f} ms"
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
    print(server_view(api))
    return float(p99)
