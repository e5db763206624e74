"""The one served artefact: preprocessing, model, calibration, thresholds and rules together.

`LeadScorer` is an MLflow pyfunc ("models from code": nothing of it is pickled). Its fitted
parts are skops files that load only with the reviewed types of `model.trusted`. Serving
loads it once and calls `probabilities` / `decisions` on feature frames, or on a few leads'
`features.FeatureRows` (no frame built: the online paths); `predict` is the pyfunc face of
the same code for `mlflow.pyfunc.load_model(...).predict(frame)`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import skops.io as sio
from mlflow.pyfunc.model import PythonModel
from sklearn.pipeline import Pipeline

from features import FeatureRows, records
from leads.team_settings import TeamSettings
from model.calibration import PlattCalibrator
from model.fast_scoring import FastScorer
from model.policy import Decision, Factor, decide
from model.trusted import TRUSTED_TYPES

PIPELINE_FILE = "pipeline.skops"
CALIBRATOR_FILE = "calibrator.skops"
CONFIG_FILE = "scorer.json"
Features = pd.DataFrame | FeatureRows  # what a scorer scores: a feature frame, or a few rows


@dataclass(frozen=True, slots=True)
class ScorerConfig:
    """What the artefact needs besides its fitted parts."""

    numeric: list[str]
    categorical: list[str]
    kind: str
    settings: dict[str, Any] = field(default_factory=dict)  # thresholds and rules (TeamSettings)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]


def save_parts(
    folder: Path, *, pipeline: Pipeline, calibrator: PlattCalibrator, config: ScorerConfig
) -> dict[str, str]:
    """Write the fitted parts to `folder`; the artifacts map for `mlflow.pyfunc.log_model`."""
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, folder / PIPELINE_FILE)
    sio.dump(calibrator, folder / CALIBRATOR_FILE)
    (folder / CONFIG_FILE).write_text(json.dumps(asdict(config), indent=2), encoding="utf-8")
    return {
        "pipeline": str(folder / PIPELINE_FILE),
        "calibrator": str(folder / CALIBRATOR_FILE),
        "config": str(folder / CONFIG_FILE),
    }


def load_trusted(path: Path) -> Any:
    """A skops file, refusing any type that is not on the reviewed list."""
    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise ValueError(f"{path.name} holds types nobody reviewed: {sorted(untrusted)}")
    return sio.load(path, trusted=list(TRUSTED_TYPES))


def input_names(prepared: Sequence[str]) -> list[str]:
    """Input columns behind a one-column-per-input ColumnTransformer's outputs (`step__name`)."""
    return [str(name).split("__", 1)[-1] for name in prepared]


class LeadScorer(PythonModel):
    """Scores feature frames: calibrated probability, SQL/MQL with reasons, top factors."""

    pipeline: Pipeline
    calibrator: PlattCalibrator
    config: ScorerConfig
    fast: FastScorer

    def load_context(self, context: Any) -> None:
        self.load_folder(
            Path(context.artifacts["pipeline"]),
            Path(context.artifacts["calibrator"]),
            Path(context.artifacts["config"]),
        )

    def load_folder(self, pipeline: Path, calibrator: Path, config: Path) -> LeadScorer:
        """Load the fitted parts from their files."""
        self.pipeline = load_trusted(pipeline)
        self.calibrator = load_trusted(calibrator)
        self.config = ScorerConfig(**json.loads(config.read_text(encoding="utf-8")))
        self.fast = FastScorer.compile(self.pipeline, self.calibrator, self.config.features)
        return self

    def probabilities(self, features: Features) -> npt.NDArray[np.float64]:
        """Calibrated probabilities for the rows of a feature frame (or feature rows)."""
        return self.fast.probabilities(features)  # the pipeline's values, compiled (1e-12 tested)

    @property
    def explains(self) -> bool:
        """Whether `factors` gives per-lead contributions (LightGBM does; others give none)."""
        return hasattr(self.pipeline.named_steps["classify"], "booster_")

    def factors(self, features: Features, top: int = 5) -> list[list[Factor]]:
        """Each row's largest feature contributions (LightGBM log-odds); empty for others."""
        classifier = self.pipeline.named_steps["classify"]
        if not self.explains:
            return [[] for _ in range(len(features))]
        prepared = self.fast.prepare(features)  # the pipeline's `prepare` output, compiled
        contributions = classifier.booster_.predict(
            prepared, pred_contrib=True, num_threads=1 if len(features) < 2000 else 0
        )[:, :-1]
        names = self._input_names()
        rows = records(features)
        out = []
        for row, values in zip(rows, contributions, strict=True):
            order = np.argsort(-np.abs(values))[: top * 2]
            out.append([Factor(names[i], row[names[i]], float(values[i])) for i in order])
        return out

    def _input_names(self) -> list[str]:
        """The raw feature behind each model input (computed once: it costs a millisecond)."""
        names: list[str] | None = getattr(self, "_names", None)
        if names is None:
            prepared = self.pipeline.named_steps["prepare"].get_feature_names_out()
            names = self._names = input_names(prepared)
        return names

    def decisions(
        self,
        features: Features,
        settings: TeamSettings | None = None,
        model_version: str | None = None,
    ) -> list[Decision]:
        """SQL/MQL for each row under `settings` (default: the thresholds the model shipped)."""
        settings = settings or TeamSettings.model_validate(self.config.settings)
        probabilities = self.probabilities(features)
        factors = self.factors(features)
        rows = records(features)
        return [
            decide(row, settings, probability=float(p), factors=f, model_version=model_version)
            for row, p, f in zip(rows, probabilities, factors, strict=True)
        ]

    def predict(
        self,
        context: Any,  # noqa: ARG002 - the pyfunc interface
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,  # noqa: ARG002
    ) -> pd.DataFrame:
        decisions = self.decisions(model_input)
        return pd.DataFrame(
            {
                "probability": [d.probability for d in decisions],
                "stage": [d.stage for d in decisions],
                "fit_grade": [d.fit_grade for d in decisions],
                "reasons": [json.dumps([r.rule for r in d.reasons]) for d in decisions],
            },
            index=model_input.index,
        )
