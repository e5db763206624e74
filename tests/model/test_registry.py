from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from mlflow import MlflowClient
from sklearn.base import BaseEstimator

from model import registry
from model.settings import ModelSettings
from model.training import TrainingResult
from model.trusted import TRUSTED_TYPES
from tests.model.conftest import make_candidate


def test_a_version_round_trips_through_the_registry_and_promote_guards_champion(
    trained: tuple[TrainingResult, str], mlflow_settings: ModelSettings, tmp_path: Path
) -> None:
    result, _window = trained
    first = make_candidate(trained, tmp_path / "v1")
    version = registry.register(first, settings=mlflow_settings)
    assert registry.alias_version("challenger", settings=mlflow_settings) == version
    assert registry.alias_version("champion", settings=mlflow_settings) is None

    promotion = registry.promote(settings=mlflow_settings)
    assert promotion.promoted
    assert registry.alias_version("champion", settings=mlflow_settings) == version

    loaded = registry.load_scorer(settings=mlflow_settings)
    assert loaded is not None
    scorer, served = loaded
    assert served == version
    expected = result.chosen.holdout_scores
    np.testing.assert_allclose(scorer.probabilities(result.holdout), expected, rtol=0, atol=1e-12)

    # A worse challenger (scores shuffled against the labels) must not replace the champion.
    worse = dataclasses.replace(
        first,
        holdout=first.holdout.assign(
            label=np.random.default_rng(0).permutation(first.holdout["label"].to_numpy())
        ),
    )
    worse_version = registry.register(worse, settings=mlflow_settings)
    kept = registry.promote(settings=mlflow_settings)
    assert not kept.promoted
    assert registry.alias_version("champion", settings=mlflow_settings) == version

    forced = registry.promote(force=True, reason="rollback drill", settings=mlflow_settings)
    assert forced.promoted
    client = MlflowClient(tracking_uri=mlflow_settings.resolved_tracking_uri())
    tags = client.get_model_version(mlflow_settings.model_name, worse_version).tags
    assert tags["forced"] == "true"
    assert tags["forced_reason"] == "rollback drill"


def test_a_version_is_reviewable_in_the_ui(
    trained: tuple[TrainingResult, str], mlflow_settings: ModelSettings, tmp_path: Path
) -> None:
    version = registry.register(make_candidate(trained, tmp_path / "v"), settings=mlflow_settings)
    client = MlflowClient(tracking_uri=mlflow_settings.resolved_tracking_uri())
    model_version = client.get_model_version(mlflow_settings.model_name, version)
    assert "| roc_auc |" in model_version.description
    assert model_version.tags["team"] == "model-tests"
    assert model_version.run_id is not None
    artifacts = {a.path for a in client.list_artifacts(model_version.run_id, "plots")}
    assert artifacts == {
        "plots/roc.png",
        "plots/calibration.png",
        "plots/lift.png",
        "plots/importance.png",
    }
    run = client.get_run(model_version.run_id)
    assert {"roc_auc", "pr_auc", "brier", "lift_top_decile"} <= set(run.data.metrics)


def test_the_served_parts_hold_only_reviewed_types(
    trained: tuple[TrainingResult, str], tmp_path: Path
) -> None:
    result, _window = trained
    for kind, model in result.candidates.items():
        for name, part in (("pipeline", model.pipeline), ("calibrator", model.calibrator)):
            path = tmp_path / f"{kind}-{name}.skops"
            sio.dump(part, path)
            unreviewed = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
            assert not unreviewed, f"review and add to model/trusted.py: {sorted(unreviewed)}"


class Unreviewed(BaseEstimator):  # type: ignore[misc]
    """An estimator type nobody has put on the trusted list."""


def test_an_unreviewed_type_refuses_to_load(tmp_path: Path) -> None:
    from model.scorer import load_trusted

    path = tmp_path / "odd.skops"
    sio.dump(Unreviewed(), path)
    with pytest.raises(ValueError, match="nobody reviewed"):
        load_trusted(path)


def test_the_compiled_inputs_of_contributions_match_the_pipelines(
    trained: tuple[TrainingResult, str],
) -> None:
    from model.fast_scoring import FastScorer

    result, _window = trained
    lightgbm = result.candidates["lightgbm"]
    features = list(result.plan.features)
    fast = FastScorer.compile(lightgbm.pipeline, lightgbm.calibrator, features)
    assert fast.compiled
    rows = result.holdout.head(50)
    prepared = lightgbm.pipeline.named_steps["prepare"].transform(rows[features])
    np.testing.assert_array_equal(fast.prepare(rows), prepared)
