"""Speed of the HTTP API under load, next to the framework's ceiling and raw LightGBM.

Simulates a team (default 3,000 leads over 90 days) in a temporary SQLite database (or
`--db-url`), trains LightGBM, registers and promotes it as champion in a temporary MLflow
store, scores the team and creates six dynamic lists typical of the product. Then starts, on
loopback with uvicorn (one worker, access log off, OMP_NUM_THREADS=1), `leadpulse serve` and a
trivial FastAPI app (constant answer to a small JSON body: the framework ceiling), and prints:

- wrk (1 thread, 8 connections, `--duration` s per phase) req/s and p50/p99 of the ceiling, of
  POST /v1/score by `lead_id` and of POST /v1/score with the lead inline (fields and ~10
  events), with each ratio to the ceiling (target >= 0.6);
- rows/s of POST /v1/score:batch with 10,000 inline leads (factors off) and with the team's
  `lead_ids`, next to raw `lightgbm.Booster.predict` on the same prepared matrix in this
  process (1 thread, as the server has; 2 threads for reference), ratio target >= 0.4, and
  where the same batch's time goes in process;
- POST /v1/events at a fixed 200 events/s to random leads: latency from each event's
  scheduled send time to its answer (no coordinated omission), p50/p99 (target p99 <= 50 ms),
  and for a sample a GET /v1/leads/{id} right after checking that the answered stage and list
  changes are committed and visible;

then a summary of targets met. Nothing is asserted. Usage:

    .venv/bin/python bench/scoring_api.py [--duration 10] [--leads 3000] [--days 90]
        [--seed 1] [--db-url URL] [--workers N] [--phases single,batch,events]
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
from _api_events import TARGET_EVENT_P99_MS, events
from _api_servers import CONNECTIONS, auth, machine, serve_ceiling, servers, wrk
from _api_world import INLINE_EVENTS, Setup, create_lists, prepare, server_variables

from features import TransientLead, online_features, transient_features
from leads import db
from leads.lead_input import parse_lead_fields
from leads.tables import Team
from leads.teams import settings_of
from model.lead_decisions import decide_frame
from serving.api.convert import decision_out
from serving.schemas import ScoreBatchIn, ScoreBatchOut, ScoreIn, ScoreOut

BATCH_LEADS, BATCH_EVENTS, INLINE_BODIES = 10_000, 4, 400
BATCH_REPEATS = 3
TARGET_RATIO, TARGET_BATCH_RATIO = 0.6, 0.4


# --- single lead ---------------------------------------------------------------------------


def single_lead(
    api: str, ceiling: str, setup: Setup, seconds: float, folder: Path
) -> dict[str, float]:
    headers = auth(setup.key) | {"Content-Type": "application/json"}
    rng = random.Random(1)
    by_id = [orjson.dumps({"lead_id": i}) for i in setup.lead_ids]
    inline = [orjson.dumps(rng.choice(setup.inline)) for _ in range(INLINE_BODIES)]
    for body in (by_id[0], inline[0]):  # warm-up and a check the bodies are accepted
        answer = httpx.post(f"{api}/v1/score", content=body, headers=headers, timeout=30)
        if answer.status_code != 200:
            print(f"  POST /v1/score answered {answer.status_code}: {answer.text[:300]}")
    phases = {
        "ceiling GET (constant)": (ceiling, "/v1/score", []),
        "ceiling POST (small body)": (ceiling, "/v1/score", by_id),
        "POST /v1/score lead_id": (api, "/v1/score", by_id),
        f"POST /v1/score inline (~{INLINE_EVENTS} events)": (api, "/v1/score", inline),
    }
    print(
        f"\nsingle lead, wrk 1 thread x {CONNECTIONS} connections, {seconds:g} s each ({machine()})"
    )
    loads = {}
    for label, (url, path, bodies) in phases.items():
        wrk(url, path, bodies, setup.key, min(2.0, seconds), folder)  # warm-up
        loads[label] = load = wrk(url, path, bodies, setup.key, seconds, folder)
        errors = f"  {load.errors} errors" if load.errors else ""
        print(
            f"  {label:<38} {load.rps:>8,.0f} req/s  p50 {load.p50_ms:6.2f} ms  "
            f"p99 {load.p99_ms:6.2f} ms{errors}"
        )
    ceiling_rps = loads["ceiling POST (small body)"].rps
    ratios = {}
    for label in list(loads)[2:]:
        ratios[label] = ratio = loads[label].rps / ceiling_rps
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"  ratio {label} / ceiling POST: {ratio:.2f}  (target >= {TARGET_RATIO}: {verdict})")
    one_lead_steps(setup)
    return ratios


def one_lead_steps(setup: Setup, calls: int = 200) -> None:
    """Print the median time of each step POST /v1/score takes, run here per call."""
    scorer, version, rng = setup.scorer, setup.version, random.Random(3)
    engine = db.make_engine(setup.db_url)
    with db.unit_of_work(engine) as session:
        settings = settings_of(session.get_one(Team, setup.team_id))
        lead_id, item = rng.choice(setup.lead_ids), rng.choice(setup.inline)
        inline = ScoreIn.model_validate(item)
        transient = TransientLead(
            parse_lead_fields(inline.lead or {}).values, [e.model_dump() for e in inline.events]
        )
        row = online_features(session, team_id=setup.team_id, lead_id=lead_id)
        decision = decide_frame(row, settings, scorer=scorer, version=version)[0]
        steps: dict[str, Callable[[], object]] = {
            "online_features (lead_id)": lambda: online_features(
                session, team_id=setup.team_id, lead_id=lead_id
            ),
            "ScoreIn + parse (inline)": lambda: ScoreIn.model_validate(item),
            "transient_features (inline)": lambda: transient_features(
                session, team_id=setup.team_id, leads=[transient]
            ),
            "decide_frame(factors=True), as served": lambda: decide_frame(
                row, settings, scorer=scorer, version=version
            ),
            "  decide_frame(factors=False)": lambda: decide_frame(
                row, settings, scorer=scorer, version=version, factors=False
            ),
            "  scorer.probabilities": lambda: scorer.probabilities(row),
            "  scorer.factors (pred_contrib)": lambda: scorer.factors(row),
            "  row.to_dict('records')": lambda: row.to_dict("records"),
            "ScoreOut to JSON": lambda: ScoreOut(
                lead_id=lead_id, decision=decision_out(decision)
            ).model_dump_json(),
        }
        print(f"  where one lead's time goes, run here (median of {calls} calls):")
        for label, work in steps.items():
            times = []
            for _ in range(calls):
                began = time.perf_counter()
                work()
                times.append(time.perf_counter() - began)
            print(f"    {label:<44} {np.median(times) * 1000:7.2f} ms")
    engine.dispose()


# --- batch ---------------------------------------------------------------------------------


def best_of(work: Any, repeats: int = BATCH_REPEATS) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def post_batch(client: httpx.Client, body: bytes, rows: int | None = None) -> None:
    """One batch request; with `rows`, also checks the answer has that many results (its
    decoding is the client's time, so timed calls leave it out)."""
    answer = client.post("/v1/score:batch", content=body)
    if answer.status_code != 200 or (rows and len(orjson.loads(answer.content)["results"]) != rows):
        raise RuntimeError(f"score:batch answered {answer.status_code}: {answer.text[:300]}")


def batch(api: str, setup: Setup) -> dict[str, float]:
    rng = random.Random(2)
    leads = [
        {"lead": item["lead"], "events": item["events"][-BATCH_EVENTS:]}
        for item in rng.choices(setup.inline, k=BATCH_LEADS)
    ]
    inline_body = orjson.dumps({"leads": leads, "factors": False})
    ids = setup.lead_ids[:BATCH_LEADS]
    ids_body = orjson.dumps({"lead_ids": ids, "factors": False})
    raw1, raw2, spent = in_process(setup, leads)
    headers = auth(setup.key) | {"Content-Type": "application/json"}
    with httpx.Client(base_url=api, headers=headers, timeout=600) as client:
        post_batch(client, inline_body, len(leads))  # warm-up and checks
        post_batch(client, ids_body, len(ids))
        inline = best_of(lambda: post_batch(client, inline_body))
        by_ids = best_of(lambda: post_batch(client, ids_body))
    print(
        f"\nbatch scoring, POST /v1/score:batch factors=false (best of {BATCH_REPEATS}; "
        f"{machine()})"
    )
    ratios = {}
    for label, rows, took in (
        (f"{len(leads):,} inline leads x {BATCH_EVENTS} events", len(leads), inline),
        (f"{len(ids):,} lead_ids", len(ids), by_ids),
    ):
        ratios[label] = ratio = rows / took / raw1
        verdict = "met" if ratio >= TARGET_BATCH_RATIO else "NOT met"
        print(
            f"  {label:<34} {rows / took:>9,.0f} rows/s  ({took:.3f} s, "
            f"{len(inline_body if 'inline' in label else ids_body) / 1e6:.1f} MB body)  "
            f"ratio to raw 1 thread {ratio:.3f} (target >= {TARGET_BATCH_RATIO}: {verdict})"
        )
    print(f"  raw Booster.predict, 1 thread     {raw1:>9,.0f} rows/s")
    print(f"  raw Booster.predict, 2 threads    {raw2:>9,.0f} rows/s  (reference)")
    print(f"  the same {len(leads):,} inline leads in this process (best of {BATCH_REPEATS}):")
    for step, took in spent.items():
        print(f"    {step:<44} {took:7.3f} s")
    return ratios


def in_process(setup: Setup, leads: list[dict[str, Any]]) -> tuple[float, float, dict[str, float]]:
    """Raw LightGBM rows/s (1 and 2 threads) on the batch's prepared matrix, and the time of
    each step the batch endpoint takes, run here one after the other."""
    scorer, version = setup.scorer, setup.version
    body = orjson.dumps({"leads": leads, "factors": False})
    request = ScoreBatchIn.model_validate_json(body)
    spent = {"ScoreBatchIn from JSON (request body)": 0.0}
    spent["ScoreBatchIn from JSON (request body)"] = best_of(
        lambda: ScoreBatchIn.model_validate_json(body)
    )

    def parse() -> list[TransientLead]:
        return [
            TransientLead(parse_lead_fields(i.lead).values, [e.model_dump() for e in i.events])
            for i in request.leads or []
        ]

    spent["parse_lead_fields + events model_dump"] = best_of(parse)
    engine = db.make_engine(setup.db_url)
    with db.unit_of_work(engine) as session:
        settings = settings_of(session.get_one(Team, setup.team_id))
        transients = parse()
        frame = transient_features(session, team_id=setup.team_id, leads=transients)
        spent["transient_features"] = best_of(
            lambda: transient_features(session, team_id=setup.team_id, leads=transients)
        )
    engine.dispose()
    decisions = decide_frame(frame, settings, scorer=scorer, version=version, factors=False)
    spent["decide_frame(factors=False)"] = best_of(
        lambda: decide_frame(frame, settings, scorer=scorer, version=version, factors=False)
    )
    spent["  of which scorer.probabilities"] = best_of(lambda: scorer.probabilities(frame))
    spent["decision_out (Decision.to_json = asdict)"] = best_of(
        lambda: [decision_out(d) for d in decisions]
    )
    out = ScoreBatchOut(
        model_version=version,
        results=[ScoreOut(lead_id=None, decision=decision_out(d)) for d in decisions],
    )
    spent["ScoreBatchOut to JSON (response body)"] = best_of(out.model_dump_json)
    prepared = np.ascontiguousarray(
        scorer.pipeline.named_steps["prepare"].transform(frame[scorer.config.features]),
        np.float64,
    )
    booster = scorer.pipeline.named_steps["classify"].booster_
    raw1 = len(frame) / best_of(lambda: booster.predict(prepared, num_threads=1))
    raw2 = len(frame) / best_of(lambda: booster.predict(prepared, num_threads=2))
    return raw1, raw2, spent


# --- main ----------------------------------------------------------------------------------


def summary(ratios: dict[str, float], batch_ratios: dict[str, float], p99: float | None) -> None:
    rows = [
        (f"{k} / ceiling", f"{v:.2f}", f">= {TARGET_RATIO}", v >= TARGET_RATIO)
        for k, v in ratios.items()
    ]
    rows += [
        (f"batch {k} / raw", f"{v:.3f}", f">= {TARGET_BATCH_RATIO}", v >= TARGET_BATCH_RATIO)
        for k, v in batch_ratios.items()
    ]
    if p99 is not None:
        rows.append(
            (
                "event -> decision p99",
                f"{p99:.1f} ms",
                f"<= {TARGET_EVENT_P99_MS:g} ms",
                p99 <= TARGET_EVENT_P99_MS,
            )
        )
    print("\nsummary")
    print(f"  {'figure':<52} {'value':>9}  {'target':>10}  verdict")
    for label, value, target, met in rows:
        print(f"  {label:<52} {value:>9}  {target:>10}  {'met' if met else 'NOT met'}")


def run(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="lp-api-bench-") as tmp:
        folder = Path(tmp)
        setup = prepare(arguments, folder)
        phases = set(arguments.phases.split(","))
        ratios: dict[str, float] = {}
        batch_ratios: dict[str, float] = {}
        p99 = None
        with servers(server_variables(setup), setup.workers, folder) as (api, ceiling):
            create_lists(api, auth(setup.key))
            if "single" in phases:
                ratios = single_lead(api, ceiling, setup, arguments.duration, folder)
            if "batch" in phases:
                batch_ratios = batch(api, setup)
            if "events" in phases:
                p99 = events(
                    api,
                    setup.key,
                    setup.lead_ids,
                    setup.payloads,
                    arguments.duration,
                    arguments.seed,
                )
        summary(ratios, batch_ratios, p99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--leads", type=int, default=3_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-url", default=None, help="a database to use instead of SQLite")
    parser.add_argument(
        "--workers", type=int, default=1, help="API server processes (more than one: PostgreSQL)"
    )
    parser.add_argument(
        "--phases", default="single,batch,events", help="which of single,batch,events to run"
    )
    parser.add_argument("--ceiling-port", type=int, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.ceiling_port is not None:
        serve_ceiling(arguments.ceiling_port)
        return
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="mlflow")
    run(arguments)


if __name__ == "__main__":
    main()
