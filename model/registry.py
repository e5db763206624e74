"""The MLflow registry of `lead-scorer`: log a candidate, alias it, promote it, load it.

Aliases, never stages: a new version becomes `challenger`; `promote` moves `champion` to it
only when it beats the champion on the challenger's own holdout (both scored on the same rows),
or when forced, which is recorded on the version with the reason.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature

from model.evaluation import roc_auc
from model.scorer import LeadScorer
from model.settings import ModelSettings, get_settings

CHAMPION = "champion"
CHALLENGER = "challenger"
HOLDOUT_FILE = "holdout.parquet"
ENTRY = Path(__file__).resolve().parent / "pyfunc_entry.py"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A trained scorer ready to log: its parts, holdout, metrics, plots and description."""

    artifacts: dict[str, str]
    holdout: pd.DataFrame  # features + `label`
    metrics: dict[str, float]
    plots: list[Path]
    description: str
    tags: dict[str, str]
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Promotion:
    """What `promote` did and the figures it compared."""

    promoted: bool
    challenger: str
    champion: str | None
    challenger_auc: float
    champion_auc: float | None
    message: str


def client(settings: ModelSettings | None = None) -> MlflowClient:
    """A client on the configured tracking store and registry."""
    settings = settings or get_settings()
    uri = settings.resolved_tracking_uri()
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _experiment_id(mlflow_client: MlflowClient, settings: ModelSettings) -> str:
    experiment = mlflow_client.get_experiment_by_name(settings.experiment)
    if experiment is not None:
        return str(experiment.experiment_id)
    settings.mlflow_artifacts.mkdir(parents=True, exist_ok=True)
    return str(
        mlflow_client.create_experiment(
            settings.experiment, artifact_location=settings.mlflow_artifacts.as_uri()
        )
    )


def register(candidate: Candidate, *, settings: ModelSettings | None = None) -> str:
    """Log the candidate as a run, register it as a new version, alias it `challenger`."""
    settings = settings or get_settings()
    mlflow_client = client(settings)
    example = candidate.holdout.drop(columns=["label"]).head(5)
    scorer = LeadScorer().load_folder(
        *(Path(candidate.artifacts[k]) for k in ("pipeline", "calibrator", "config"))
    )
    signature = infer_signature(example, scorer.predict(None, example))
    with mlflow.start_run(experiment_id=_experiment_id(mlflow_client, settings)) as run:
        mlflow.log_params(candidate.params)
        mlflow.log_metrics(candidate.metrics)
        mlflow.set_tags(candidate.tags)
        for plot in candidate.plots:
            mlflow.log_artifact(str(plot), artifact_path="plots")
        with tempfile.TemporaryDirectory() as folder:
            holdout = Path(folder) / HOLDOUT_FILE
            candidate.holdout.to_parquet(holdout)
            mlflow.log_artifact(str(holdout))
        info = mlflow.pyfunc.log_model(
            name="scorer",
            python_model=str(ENTRY),
            artifacts=candidate.artifacts,
            signature=signature,
            input_example=example,
            pip_requirements=["leadpulse", "mlflow", "lightgbm", "scikit-learn", "skops"],
            registered_model_name=settings.model_name,
        )
    version = str(info.registered_model_version)
    mlflow_client.update_model_version(
        settings.model_name, version, description=_describe(candidate, mlflow_client, settings)
    )
    for key, value in {**candidate.tags, "run_id": run.info.run_id}.items():
        mlflow_client.set_model_version_tag(settings.model_name, version, key, value)
    mlflow_client.set_registered_model_alias(settings.model_name, CHALLENGER, version)
    return version


def _describe(candidate: Candidate, mlflow_client: MlflowClient, settings: ModelSettings) -> str:
    champion = alias_version(CHAMPION, mlflow_client=mlflow_client, settings=settings)
    lines = [candidate.description, "", "| metric | this version | champion |", "|---|---|---|"]
    champion_metrics: dict[str, float] = {}
    if champion is not None:
        run_id = _run_id(mlflow_client, settings, champion)
        champion_metrics = mlflow_client.get_run(run_id).data.metrics
    for name, value in sorted(candidate.metrics.items()):
        other = champion_metrics.get(name)
        lines.append(f"| {name} | {value:.4f} | {'-' if other is None else f'{other:.4f}'} |")
    return "\n".join(lines)


def alias_version(
    alias: str,
    *,
    mlflow_client: MlflowClient | None = None,
    settings: ModelSettings | None = None,
) -> str | None:
    """The version an alias points to, or None."""
    settings = settings or get_settings()
    mlflow_client = mlflow_client or client(settings)
    try:
        return str(mlflow_client.get_model_version_by_alias(settings.model_name, alias).version)
    except MlflowException:
        return None


def load_scorer(
    alias: str = CHAMPION, *, settings: ModelSettings | None = None
) -> tuple[LeadScorer, str] | None:
    """The scorer behind an alias and its version, or None when nothing is registered."""
    settings = settings or get_settings()
    mlflow_client = client(settings)
    version = alias_version(alias, mlflow_client=mlflow_client, settings=settings)
    if version is None:
        return None
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@{alias}")
    scorer: LeadScorer = model.unwrap_python_model()
    return scorer, version


def promote(
    *, force: bool = False, reason: str = "", settings: ModelSettings | None = None
) -> Promotion:
    """Move `champion` to the challenger if it scores better on the challenger's holdout."""
    settings = settings or get_settings()
    mlflow_client = client(settings)
    challenger = alias_version(CHALLENGER, mlflow_client=mlflow_client, settings=settings)
    if challenger is None:
        raise LookupError(f"{settings.model_name} has no {CHALLENGER}: train one first")
    champion = alias_version(CHAMPION, mlflow_client=mlflow_client, settings=settings)
    holdout = _holdout(mlflow_client, settings, challenger)
    challenger_auc = _auc(CHALLENGER, holdout, settings)
    champion_auc = None if champion is None else _auc(CHAMPION, holdout, settings)
    better = champion_auc is None or challenger_auc > champion_auc
    if not (better or force) or champion == challenger:
        message = (
            f"kept champion v{champion}: challenger v{challenger} ROC AUC "
            f"{challenger_auc:.4f} <= champion {champion_auc:.4f} on the same holdout"
        )
        return Promotion(False, challenger, champion, challenger_auc, champion_auc, message)
    mlflow_client.set_registered_model_alias(settings.model_name, CHAMPION, challenger)
    tags = {
        "promoted_at": datetime.now(UTC).isoformat(),
        "previous_champion": champion or "",
        "holdout_auc": f"{challenger_auc:.4f}",
        "champion_holdout_auc": f"{champion_auc}",
    }
    if force and not better:
        tags |= {"forced": "true", "forced_reason": reason or "no reason given"}
    for key, value in tags.items():
        mlflow_client.set_model_version_tag(settings.model_name, challenger, key, value)
    verb = "forced" if force and not better else "promoted"
    message = f"{verb} v{challenger} to champion (holdout ROC AUC {challenger_auc:.4f}"
    message += ")" if champion_auc is None else f" vs {champion_auc:.4f} of v{champion})"
    return Promotion(True, challenger, champion, challenger_auc, champion_auc, message)


def _run_id(mlflow_client: MlflowClient, settings: ModelSettings, version: str) -> str:
    run_id = mlflow_client.get_model_version(settings.model_name, version).run_id
    if run_id is None:
        raise LookupError(f"{settings.model_name} v{version} was not logged from a run")
    return str(run_id)


def _holdout(mlflow_client: MlflowClient, settings: ModelSettings, version: str) -> pd.DataFrame:
    run_id = _run_id(mlflow_client, settings, version)
    with tempfile.TemporaryDirectory() as folder:
        path = mlflow_client.download_artifacts(run_id, HOLDOUT_FILE, folder)
        return pd.read_parquet(path)


def _auc(alias: str, holdout: pd.DataFrame, settings: ModelSettings) -> float:
    loaded = load_scorer(alias, settings=settings)
    assert loaded is not None
    scorer, _version = loaded
    return roc_auc(holdout["label"].to_numpy(), scorer.probabilities(holdout))
