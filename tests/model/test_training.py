from __future__ import annotations

import numpy as np

from model.training import TrainingResult


def test_candidates_are_compared_on_one_holdout_split_by_lead(
    trained: tuple[TrainingResult, str],
) -> None:
    result, window = trained
    assert set(result.candidates) == {"logistic", "lightgbm"}
    assert result.chosen.metrics["roc_auc"] == max(
        c.metrics["roc_auc"] for c in result.candidates.values()
    )
    summary = result.summary
    assert (
        summary["fit_rows"] + summary["calibration_rows"] + summary["holdout_rows"]
        == summary["rows"]
    )
    assert len(result.holdout) == summary["holdout_rows"]
    assert "horizon 30 days" in window


def test_the_model_learns_the_simulated_intent(trained: tuple[TrainingResult, str]) -> None:
    result, _window = trained
    metrics = result.chosen.metrics
    assert metrics["roc_auc"] > 0.6
    assert metrics["lift_top_decile"] > 1.5


def test_calibrated_probabilities_match_the_observed_rate(
    trained: tuple[TrainingResult, str],
) -> None:
    result, _window = trained
    scores = result.chosen.holdout_scores
    labels = result.holdout["label"].to_numpy()
    assert abs(scores.mean() - labels.mean()) < 0.02
    assert np.all((scores > 0) & (scores < 1))
