from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scipy import sparse
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from model.calibration import PlattCalibrator
from model.columns import ColumnPlan
from model.fast_scoring import PARALLEL_ROWS, SMALL_ROWS, FastScorer
from model.pipelines import Kind, build_pipeline
from model.scorer import LeadScorer, ScorerConfig, save_parts
from model.target import TargetCoding
from model.training import TrainingResult

# Both paths warn alike on the small team's leads: log1p of a negative visit count is NaN, then
# imputed; the never-filled column is dropped by the imputer (its missing indicator stays).
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*encountered in log1p:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Skipping features without any observed values"),
]

SMALL_TEAM = ColumnPlan(
    TargetCoding("label", "yes", "no"),
    numeric=("visits", "seconds", "score", "pages", "never_filled"),
    categorical=("source", "owner"),
    dropped=(),
)


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


def by_pipeline(scorer: LeadScorer, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The served probabilities the slow way: the pipeline's own `predict_proba`, calibrated."""
    raw = scorer.pipeline.predict_proba(frame[scorer.config.features])[:, 1]
    return np.asarray(scorer.calibrator.predict(raw), dtype=np.float64)


def dense(prepared: object) -> npt.NDArray[np.float64]:
    """A ColumnTransformer's output as a float matrix (the logistic one's may be sparse)."""
    matrix = prepared.toarray() if sparse.issparse(prepared) else prepared  # type: ignore[attr-defined]
    return np.asarray(matrix, dtype=np.float64)


def small_team(rows: int, seed: int) -> pd.DataFrame:
    """A small team's leads: skewed counts, gaps, a column never filled, rare answers."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "visits": rng.poisson(2, rows) * rng.exponential(4, rows),
            "seconds": rng.lognormal(5, 1.5, rows),
            "score": rng.normal(50, 10, rows),
            "pages": rng.integers(0, 12, rows),
            "never_filled": np.full(rows, np.nan),
            "source": rng.choice(
                np.array(["web", "email", "ads", "fax", "radio", "Select", None], dtype=object),
                rows,
                p=[0.4, 0.3, 0.19, 0.01, 0.01, 0.04, 0.05],
            ),
            "owner": rng.choice(np.array(["ana", "ben", "cy"], dtype=object), rows),
        }
    )
    frame.loc[rng.random(rows) < 0.15, "visits"] = np.nan
    frame.loc[rng.random(rows) < 0.2, "score"] = np.nan
    return frame


def small_team_scorer(**params: object) -> tuple[Pipeline, FastScorer]:
    """A small team's logistic pipeline, with `params` set, fitted and compiled."""
    frame = small_team(300, seed=0)
    logit = np.log1p(frame["visits"].fillna(0)) + (frame["source"] == "email") - 1.5
    labels = (np.random.default_rng(1).random(len(frame)) < 1 / (1 + np.exp(-logit))).astype(int)
    pipeline = build_pipeline(SMALL_TEAM, "logistic").set_params(**params)
    features = list(SMALL_TEAM.features)
    pipeline.fit(frame[features], labels)
    calibrator = PlattCalibrator().fit(pipeline.predict_proba(frame[features])[:, 1], labels)
    return pipeline, FastScorer.compile(pipeline, calibrator, features)


def new_leads(rows: int) -> pd.DataFrame:
    """Leads scored later: unseen and placeholder answers, gaps, numbers past the training range."""
    frame = small_team(rows, seed=2)
    rng = np.random.default_rng(3)
    odd = np.array(["never-seen", " N/A ", "  web ", "radio", None, np.nan, ""], dtype=object)
    for column in SMALL_TEAM.categorical:
        picked = rng.random(rows) < 0.3
        frame.loc[picked, column] = rng.choice(odd, int(picked.sum()))
    frame.loc[rng.random(rows) < 0.05, "seconds"] = np.inf
    frame.loc[rng.random(rows) < 0.05, "visits"] = 1e6  # clipped at the training quantile
    frame.loc[rng.random(rows) < 0.05, "visits"] = -5.0  # log1p of it is NaN, then imputed
    frame.loc[rng.random(rows) < 0.2, "never_filled"] = 3.0
    return frame


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


@pytest.mark.parametrize("kind", ["lightgbm", "logistic"])
def test_fast_path_gives_the_served_probabilities(
    trained: tuple[TrainingResult, str], tmp_path: Path, kind: Kind
) -> None:
    scorer = served(trained, kind, tmp_path)
    fast = compiled(scorer)
    holdout = trained[0].holdout
    assert fast.compiled
    np.testing.assert_allclose(
        fast.probabilities(holdout), by_pipeline(scorer, holdout), rtol=0, atol=1e-12
    )
    prepared = scorer.pipeline.named_steps["prepare"].transform(holdout[scorer.config.features])
    np.testing.assert_array_equal(fast.prepare(holdout), dense(prepared))


@pytest.mark.parametrize("kind", ["lightgbm", "logistic"])
@pytest.mark.parametrize("rows", [1, SMALL_ROWS, SMALL_ROWS + 1, PARALLEL_ROWS + 500])
def test_fast_path_reads_messy_cells_as_the_pipeline_does(
    trained: tuple[TrainingResult, str], tmp_path: Path, rows: int, kind: Kind
) -> None:
    scorer = served(trained, kind, tmp_path)
    fast = compiled(scorer)
    frame = messy(trained[0].holdout, scorer.config.categorical, rows)
    expected = by_pipeline(scorer, frame)
    np.testing.assert_allclose(fast.probabilities(frame), expected, rtol=0, atol=1e-12)
    # a second call reads the categories it has learned
    np.testing.assert_allclose(fast.probabilities(frame), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["lightgbm", "logistic"])
@pytest.mark.parametrize("rows", [3, 200])
def test_fast_path_reads_numbers_given_as_text_through_the_cleaner(
    trained: tuple[TrainingResult, str], tmp_path: Path, rows: int, kind: Kind
) -> None:
    scorer = served(trained, kind, tmp_path)
    frame = trained[0].holdout.head(rows).copy()
    column = scorer.config.numeric[0]
    frame[column] = [None if i % 2 == 0 else f" {v} " for i, v in enumerate(frame[column])]
    expected = by_pipeline(scorer, frame)
    np.testing.assert_allclose(compiled(scorer).probabilities(frame), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("sparse_threshold", [0.3, 1.0])  # the prepared matrix dense, sparse
def test_fast_logistic_path_gives_the_pipelines_probabilities_row_by_row_and_framed(
    sparse_threshold: float,
) -> None:
    pipeline, fast = small_team_scorer(prepare__sparse_threshold=sparse_threshold)
    assert pipeline.named_steps["prepare"].sparse_output_ == (sparse_threshold == 1.0)
    frame = new_leads(60)
    features = list(SMALL_TEAM.features)
    assert fast.compiled
    expected = pipeline.predict_proba(frame[features])[:, 1]
    one_by_one = np.concatenate([fast.raw(frame.iloc[[i]]) for i in range(len(frame))])
    np.testing.assert_allclose(one_by_one, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.raw(frame), expected, rtol=0, atol=1e-12)
    calibrated = fast.calibrator.predict(expected)
    np.testing.assert_allclose(fast.probabilities(frame), calibrated, rtol=0, atol=1e-12)
    prepared = pipeline.named_steps["prepare"].transform(frame[features])
    np.testing.assert_array_equal(fast.prepare(frame), dense(prepared))
    np.testing.assert_array_equal(fast.prepare(frame.head(1)), dense(prepared)[:1])


def test_fast_logistic_path_refuses_a_logged_minus_one_as_the_pipeline_does() -> None:
    pipeline, fast = small_team_scorer()
    numeric = pipeline.named_steps["prepare"].named_transformers_["numeric"]
    assert numeric.named_steps["clean"].log_[0]  # visits are read on a log scale
    frame = new_leads(3)
    frame.loc[1, "visits"] = -1.0  # log1p(-1) is -inf
    with pytest.raises(ValueError, match="infinit"):
        pipeline.predict_proba(frame[list(SMALL_TEAM.features)])
    for rows in (frame.iloc[[1]], frame, new_leads(SMALL_ROWS + 1).assign(visits=-1.0)):
        with pytest.raises(ValueError, match="infinite"):
            fast.probabilities(rows)


def test_a_pipeline_the_fast_path_does_not_know_is_scored_by_itself() -> None:
    pipeline, fast = small_team_scorer(classify=DecisionTreeClassifier(max_depth=3, random_state=0))
    frame = new_leads(40)
    assert not fast.compiled
    expected = fast.calibrator.predict(pipeline.predict_proba(frame[fast.features])[:, 1])
    np.testing.assert_allclose(fast.probabilities(frame), expected, rtol=0, atol=1e-12)
