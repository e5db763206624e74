"""Model quality on X Education's leads: cross-validated ROC AUC of our pipelines vs baselines.

The columns sales fill in after contacting a lead (`Tags`, `Lead Quality`, `Last Notable
Activity`) are dropped, and `detect_columns` drops the identifiers (`Prospect ID`, `Lead
Number`); stratified 5-fold CV is repeated over 3 seeds. The logistic baseline and LightGBM
with its library defaults run in this process on the same folds, so the differences are ours.
`--search N` adds the nested run: LightGBM parameters chosen among N candidates inside each
training fold (how `LIGHTGBM_PARAMS` was chosen), never on the fold being scored. Usage:

    .venv/bin/python bench/model_quality_tabular.py [--folds 5] [--seeds 3] [--search 12]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from model.tabular import CvReport, cross_validate, load_table

DATA = Path(__file__).resolve().parents[2] / "shared/data/x_education_leads/Leads.csv"
TARGET = "Converted"
AFTER_CONTACT = ("Tags", "Lead Quality", "Last Notable Activity")
GOAL = 0.94
REFERENCES = {
    "LightGBM untuned (reference)": 0.933,
    "logistic (reference)": 0.916,
    "published notebooks": 0.88,
}


def timed(name: str, evaluate: Callable[[], CvReport]) -> tuple[str, CvReport, float]:
    """Run one cross-validation; its name, report and seconds."""
    print(f"  {name} ...", flush=True)
    started = time.perf_counter()
    report = evaluate()
    return name, report, time.perf_counter() - started


def show(results: list[tuple[str, CvReport, float]]) -> None:
    """Print each run's figures and its ROC AUC difference from the logistic baseline."""
    baseline = results[0][1].roc_auc.mean
    print(f"\n{'run':<38} {'ROC AUC':>15} {'vs logistic':>11} {'PR AUC':>7} {'Brier':>7} {'s':>6}")
    for name, report, seconds in results:
        roc = report.roc_auc
        print(
            f"{name:<38} {roc.mean:.4f} ± {roc.std:.4f} {roc.mean - baseline:>+11.4f} "
            f"{report.pr_auc.mean:>7.4f} {report.brier.mean:>7.4f} {seconds:>6.1f}"
        )
    for name, figure in REFERENCES.items():
        print(f"{name:<38} {figure:.3f}")
    ours = results[2][1].roc_auc.mean
    verdict = "met" if ours >= GOAL else "NOT met"
    print(f"goal: LightGBM pipeline mean ROC AUC >= {GOAL}: {verdict} ({ours:.4f})")


def show_choices(chosen: tuple[Mapping[str, object], ...]) -> None:
    """Print how often the inner searches chose each candidate."""
    counts = Counter(tuple(sorted(params.items())) for params in chosen)
    print("\nparameters chosen inside the training folds (times chosen: parameters):")
    for params, times in counts.most_common():
        print(f"  {times:>2}: {dict(params)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--search", type=int, default=0, help="candidates of the nested search")
    args = parser.parse_args()
    started = time.perf_counter()
    frame = load_table(DATA)
    print(f"{DATA.name}: {len(frame):,} rows; {args.folds}-fold CV x {args.seeds} seeds")
    evaluate = partial(
        cross_validate,
        frame,
        TARGET,
        drop=AFTER_CONTACT,
        folds=args.folds,
        seeds=tuple(range(args.seeds)),
    )
    results = [
        timed("logistic baseline", partial(evaluate, kind="logistic")),
        timed("LightGBM, library defaults", partial(evaluate, params={})),
        timed("LightGBM pipeline (LIGHTGBM_PARAMS)", evaluate),
    ]
    if args.search:
        name = f"LightGBM, nested search of {args.search}"
        results.append(timed(name, partial(evaluate, search=args.search)))
    plan = results[0][1].plan
    print("left out:", ", ".join(f"{c.name} ({c.reason})" for c in plan.dropped))
    show(results)
    if args.search:
        show_choices(results[-1][1].chosen_params)
    print(f"\nrun time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
