from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.fast_scoring import PARALLEL_ROWS, SMALL_ROWS, FastScorer
from model.pipelines import Kind
from model.scorer import LeadScorer, ScorerConfig, save_parts
from model.training import TrainingResult


def served(trained: tuple[TrainingResult, str], kind: Kind, folder: Path) -> LeadScorer:
    """The `kind` candidate saved and loaded back as serving loads it."""
    result, _window = trained
    chosen = result.candidates[kind]
    config = ScorerConfig(
        numeric=list(result.plan.numeric), categorical=list(result.plan.categorical), kind=kind
    )
    parts = save_parts(
        folder, pipeline=chosen.pipeline, calibrator=chosen.calibrator, config=config
    )
    return LeadScorer().load_folder(*(Path(parts[k]) for k in ("pipeline", "calibrator", "config")))


def compiled(scorer: LeadScorer) -> FastScorer:
    return FastScorer.compile(scorer.pipeline, scorer.calibrator, scorer.config.features)


def messy(frame: pd.DataFrame, categorical: list[str], rows: int) -> pd.DataFrame:
    """`rows` rows tiled from `frame`, with cells a user's file or a new market would bring."""
    tiled = frame.iloc[np.arange(rows) % len(frame)].reset_index(drop=True)
    rng = np.random.default_rng(0)
    odd = ["Select", " N/A ", None, np.nan, "never-seen", "  software  ", "", "3.0"]
    for column in categorical:
        picked = rng.random(rows) < 0.2
        cells = tiled[column].astype(object)
        cells[picked] = rng.choice(np.array(odd, dtype=object), int(picked.sum()))
        tiled[column] = cells
    numeric = [c for c in tiled.columns if c not in categorical and c != "label"]
    values = tiled[numeric].to_numpy(dtype=np.float64)
    values[rng.random(values.shape) < 0.05] = np.nan
    values[rng.random(values.shape) < 0.01] = np.inf
    tiled[numeric] = values
    return tiled


def test_fast_path_gives_the_served_lightgbm_probabilities(
    trained: tuple[TrainingResult, str], tmp_path: Path
) -> None:
    scorer = served(trained, "lightgbm", tmp_path)
    fast = compiled(scorer)
    holdout = trained[0].holdout
    assert fast.compiled
    np.testing.assert_allclose(
        fast.probabilities(holdout), scorer.probabilities(holdout), rtol=0, atol=1e-12
    )
    prepared = scorer.pipeline.named_steps["prepare"].transform(holdout[scorer.config.features])
    np.testing.assert_array_equal(fast.prepare(holdout), prepared)


@pytest.mark.parametrize("rows", [1, SMALL_ROWS, SMALL_ROWS + 1, PARALLEL_ROWS + 500])
def test_fast_path_reads_messy_cells_as_the_pipeline_does(
    trained: tuple[TrainingResult, str], tmp_path: Path, rows: int
) -> None:
    scorer = served(trained, "lightgbm", tmp_path)
    fast = compiled(scorer)
    frame = messy(trained[0].holdout, scorer.config.categorical, rows)
    expected = scorer.probabilities(frame)
    np.testing.assert_allclose(fast.probabilities(frame), expected, rtol=0, atol=1e-12)
    # a second call reads the categories it has learned
    np.testing.assert_allclose(fast.probabilities(frame), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("rows", [3, 200])
def test_fast_path_reads_numbers_given_as_text_through_the_cleaner(
    trained: tuple[TrainingResult, str], tmp_path: Path, rows: int
) -> None:
    scorer = served(trained, "lightgbm", tmp_path)
    frame = trained[0].holdout.head(rows).copy()
    column = scorer.config.numeric[0]
    frame[column] = [None if i % 2 == 0 else f" {v} " for i, v in enumerate(frame[column])]
    expected = scorer.probabilities(frame)
    np.testing.assert_allclose(compiled(scorer).probabilities(frame), expected, rtol=0, atol=1e-12)


def test_a_pipeline_the_fast_path_does_not_know_is_scored_by_itself(
    trained: tuple[TrainingResult, str], tmp_path: Path
) -> None:
    scorer = served(trained, "logistic", tmp_path)
    fast = compiled(scorer)
    holdout = trained[0].holdout
    assert not fast.compiled
    np.testing.assert_allclose(
        fast.probabilities(holdout), scorer.probabilities(holdout), rtol=0, atol=1e-12
    )
