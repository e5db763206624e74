"""Scoring `FeatureRows` (no frame) gives exactly what scoring their frame gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier
from sqlalchemy.orm import Session

from features import (
    FeatureRows,
    TransientLead,
    batch_features,
    feature_names,
    numeric_names,
    online_features,
    online_rows,
    transient_features,
    transient_rows,
)
from leads.simulation import simulate
from leads.tables import Team, utcnow
from leads.team_settings import TeamSettings
from leads.teams import settings_of
from model.calibration import PlattCalibrator
from model.fast_scoring import SMALL_ROWS, FastScorer
from model.lead_decisions import decide_frame, decide_rows
from model.pipelines import Kind, build_pipeline
from model.policy import Decision
from model.scorer import LeadScorer, ScorerConfig
from model.training import TrainingResult
from tests.features.builders import add_deck
from tests.model.test_scorer_fast_path import (
    SMALL_TEAM,
    by_pipeline,
    messy,
    new_leads,
    served,
    small_team_scorer,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*encountered in log1p:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Skipping features without any observed values"),
]


def rows_of(frame: pd.DataFrame) -> FeatureRows:
    """A frame's catalogue columns as feature rows (ids 0, 1, ...), cells kept as they are."""
    numeric = set(numeric_names())
    columns = {
        name: (
            frame[name].to_numpy(dtype=np.float64)
            if name in numeric
            else [None if pd.isna(v) else v for v in frame[name].astype(object)]
        )
        for name in feature_names()
    }
    return FeatureRows(np.arange(len(frame), dtype=np.int64), columns)


def settings_of_model(scorer: LeadScorer) -> TeamSettings:
    """The thresholds and rules the model shipped with."""
    return TeamSettings.model_validate(scorer.config.settings)


def same_decisions(left: list[Decision], right: list[Decision]) -> bool:
    """Equal to the bit, types included (repr shows a float exactly, NaN too, and np.float64)."""
    return repr(left) == repr(right)


def uncompiled(trained: tuple[TrainingResult, str]) -> LeadScorer:
    """A scorer whose pipeline the fast path does not know: a decision tree on the catalogue."""
    result, _window = trained
    features = [*result.plan.numeric, *result.plan.categorical]
    holdout = result.holdout
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    pipeline = build_pipeline(result.plan, "logistic").set_params(classify=tree)
    pipeline.fit(holdout[features], holdout["label"])
    raw = pipeline.predict_proba(holdout[features])[:, 1]
    scorer = LeadScorer()
    scorer.pipeline = pipeline
    scorer.calibrator = PlattCalibrator().fit(raw, holdout["label"])
    scorer.config = ScorerConfig(
        numeric=list(result.plan.numeric), categorical=list(result.plan.categorical), kind="tree"
    )
    scorer.fast = FastScorer.compile(pipeline, scorer.calibrator, features)
    return scorer


def scorer_of(trained: tuple[TrainingResult, str], kind: str, folder: Path) -> LeadScorer:
    """The served LightGBM or logistic scorer, or the uncompiled tree."""
    if kind == "tree":
        return uncompiled(trained)
    return served(trained, "lightgbm" if kind == "lightgbm" else "logistic", folder)


@pytest.mark.parametrize("kind", ["lightgbm", "logistic"])
@pytest.mark.parametrize("size", [1, 3, SMALL_ROWS, SMALL_ROWS + 1])
def test_rows_score_and_decide_as_their_frame_does(
    trained: tuple[TrainingResult, str], tmp_path: Path, kind: Kind, size: int
) -> None:
    scorer = served(trained, kind, tmp_path)
    assert scorer.fast.compiled
    # missing, unknown and placeholder categories; NaN and infinite numbers
    rows = rows_of(messy(trained[0].holdout, scorer.config.categorical, size))
    frame = rows.frame()
    expected = by_pipeline(scorer, frame)
    for _ in range(2):  # the second time, the categories are remembered
        np.testing.assert_array_equal(scorer.probabilities(rows), scorer.probabilities(frame))
        np.testing.assert_allclose(scorer.probabilities(rows), expected, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(scorer.fast.prepare(rows), scorer.fast.prepare(frame))
    settings = settings_of_model(scorer)
    for factors in (False, True):
        by_rows = decide_rows(rows, settings, scorer=scorer, version="7", factors=factors)
        by_frame = decide_frame(frame, settings, scorer=scorer, version="7", factors=factors)
        assert same_decisions(by_rows, by_frame)
        assert any(d.top_positive or d.top_negative for d in by_rows) == (
            factors and kind == "lightgbm"
        )


@pytest.mark.parametrize("kind", ["lightgbm", "logistic"])
def test_a_compiled_scorer_builds_no_frame_for_a_lead(
    trained: tuple[TrainingResult, str], tmp_path: Path, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorer = served(trained, kind, tmp_path)
    rows = rows_of(trained[0].holdout.head(1))
    expected = by_pipeline(scorer, rows.frame())

    def no_frame(self: FeatureRows) -> pd.DataFrame:
        raise AssertionError("a frame was built")

    monkeypatch.setattr(FeatureRows, "frame", no_frame)
    np.testing.assert_allclose(scorer.probabilities(rows), expected, rtol=0, atol=1e-12)
    for factors in (False, True):
        assert decide_rows(rows, settings_of_model(scorer), scorer=scorer, version="1",
                           factors=factors)  # fmt: skip


@pytest.mark.parametrize("size", [1, SMALL_ROWS + 1])
def test_an_uncompiled_scorer_scores_rows_through_their_frame(
    trained: tuple[TrainingResult, str], size: int
) -> None:
    scorer = uncompiled(trained)
    assert not scorer.fast.compiled
    rows = rows_of(messy(trained[0].holdout, scorer.config.categorical, size))
    frame = rows.frame()
    np.testing.assert_allclose(
        scorer.probabilities(rows), by_pipeline(scorer, frame), rtol=0, atol=1e-12
    )
    settings = settings_of_model(scorer)
    for factors in (False, True):
        by_rows = decide_rows(rows, settings, scorer=scorer, version="2", factors=factors)
        by_frame = decide_frame(frame, settings, scorer=scorer, version="2", factors=factors)
        assert same_decisions(by_rows, by_frame)


@pytest.mark.parametrize("kind", ["lightgbm", "logistic", "tree", "rules"])
def test_stored_and_inline_leads_decide_alike_by_rows_and_by_frame(
    session: Session, team: Team, trained: tuple[TrainingResult, str], tmp_path: Path, kind: str
) -> None:
    scorer = None if kind == "rules" else scorer_of(trained, kind, tmp_path)
    add_deck(session, team)
    simulate(session, team_id=team.id, leads=20, days=30, seed=4)
    settings = settings_of(team)
    now = utcnow()
    cases: list[tuple[FeatureRows, pd.DataFrame]] = []
    for lead_id in [int(i) for i in batch_features(session, team_id=team.id, as_of=now).index]:
        rows = online_rows(session, team_id=team.id, lead_id=lead_id, as_of=now)
        frame = online_features(session, team_id=team.id, lead_id=lead_id, as_of=now)
        cases.append((rows, frame))
    for lead in inline_leads(now):
        rows = transient_rows(session, team_id=team.id, leads=[lead], as_of=now)
        frame = transient_features(session, team_id=team.id, leads=[lead], as_of=now)
        cases.append((rows, frame))
    for rows, frame in cases:
        if scorer is not None:
            np.testing.assert_array_equal(scorer.probabilities(rows), scorer.probabilities(frame))
        for factors in (False, True):
            by_rows = decide_rows(rows, settings, scorer=scorer, version="3", factors=factors)
            by_frame = decide_frame(frame, settings, scorer=scorer, version="3", factors=factors)
            assert same_decisions(by_rows, by_frame)


def inline_leads(at: datetime) -> list[TransientLead]:
    """Leads given in a request: nothing known, unknown categories, NaN and odd numbers."""
    return [
        TransientLead({}),
        TransientLead(
            {"industry": "never-seen-industry", "country": "KR", "source": "webinar",
             "revenue_usd": float("nan"), "employees": 0, "title": "VP Sales",
             "product_interests": ["crm"]},
            [
                {"type": "email_opened", "occurred_at": at - timedelta(days=2), "human": None},
                {"type": "link_clicked", "occurred_at": at - timedelta(days=1), "human": 0.9,
                 "payload": {"link_kind": "pricing"}},
                {"type": "page_dwell", "occurred_at": at - timedelta(hours=3),
                 "payload": {"document": "deck", "page": 9, "seconds": 30}},
                {"type": "form_submitted", "occurred_at": at - timedelta(hours=1),
                 "payload": {"form": "demo_request"}},
            ],
        ),
        TransientLead({"source": "  ", "language": "ko", "revenue_usd": 1e15, "employees": -3}),
    ]  # fmt: skip


@dataclass(frozen=True)
class FrameCells:
    """Another table read as `Cells`: a frame's object matrix, its numeric columns named."""

    table: pd.DataFrame
    numeric: frozenset[str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(str(name) for name in self.table.columns)

    def __len__(self) -> int:
        return len(self.table)

    def cells(self) -> npt.NDArray[np.object_]:
        return self.table.to_numpy(dtype=object)

    def frame(self) -> pd.DataFrame:
        return self.table


@pytest.mark.parametrize("tree", [False, True])
def test_cells_of_any_columns_score_as_their_frame_does(tree: bool) -> None:
    params = {"classify": DecisionTreeClassifier(max_depth=3, random_state=0)} if tree else {}
    pipeline, fast = small_team_scorer(**params)
    assert fast.compiled != tree
    frame = new_leads(SMALL_ROWS)
    texts = [None if i % 2 else f" {v} " for i, v in enumerate(frame["visits"])]
    as_text = frame.assign(visits=pd.Series(texts, index=frame.index, dtype=object))
    numeric = frozenset(SMALL_TEAM.numeric)
    for table, declared in ((frame, numeric), (as_text, numeric - {"visits"})):
        expected = fast.calibrator.predict(pipeline.predict_proba(table[fast.features])[:, 1])
        for size in (1, 2, SMALL_ROWS):
            cells = FrameCells(table.head(size), declared)
            np.testing.assert_allclose(
                fast.probabilities(cells), expected[:size], rtol=0, atol=1e-12
            )
            np.testing.assert_array_equal(
                fast.probabilities(cells), fast.probabilities(table.head(size))
            )
