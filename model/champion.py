"""The scorer a serving process uses: `lead-scorer@champion`, reloaded when the alias moves.

`Champion.refresh()` asks the registry which version the alias names (one cheap query) and
loads that version only when it differs from the one held; requests keep using the old scorer
until the new one is loaded, then the reference is swapped in one assignment. A registry that
cannot be reached keeps the current scorer and records the error; with nothing registered the
rules decide alone.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

import mlflow

from leads.tables import utcnow
from model.registry import CHAMPION, alias_version, client
from model.scorer import LeadScorer
from model.settings import ModelSettings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Served:
    """A loaded scorer, its version, its logged metrics, and since when it serves."""

    scorer: LeadScorer
    version: str
    since: datetime
    metrics: dict[str, float] = field(default_factory=dict)


class Champion:
    """Holds the scorer behind an alias and reloads it when the alias moves."""

    def __init__(self, settings: ModelSettings | None = None, alias: str = CHAMPION) -> None:
        self.settings = settings or get_settings()
        self.alias = alias
        self.current: Served | None = None
        self.checked_at: datetime | None = None
        self.last_error: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, scorer: LeadScorer | None, version: str | None) -> Champion:
        """A holder that serves `scorer` and never reloads (benchmarks, tests, offline use)."""
        holder = cls(alias="")
        if scorer is not None and version is not None:
            holder.current = Served(scorer, version, utcnow())
        return holder

    @property
    def scorer(self) -> LeadScorer | None:
        served = self.current
        return served.scorer if served else None

    @property
    def version(self) -> str | None:
        served = self.current
        return served.version if served else None

    def refresh(self) -> bool:
        """Load the version the alias names if it changed; True when a new scorer was swapped in."""
        if not self.alias:
            return False
        with self._lock:  # one load at a time; readers never wait
            try:
                mlflow_client = client(self.settings)
                version = alias_version(
                    self.alias, mlflow_client=mlflow_client, settings=self.settings
                )
                self.checked_at = utcnow()
                if version is None:
                    changed = self.current is not None
                    self.current = None
                    return changed
                if self.current is not None and self.current.version == version:
                    return False
                uri = f"models:/{self.settings.model_name}/{version}"
                scorer: LeadScorer = mlflow.pyfunc.load_model(uri).unwrap_python_model()
                run_id = mlflow_client.get_model_version(self.settings.model_name, version).run_id
                metrics = dict(mlflow_client.get_run(run_id).data.metrics) if run_id else {}
                self.current = Served(scorer, version, utcnow(), metrics)
                self.last_error = None
                log.info("serving %s v%s", self.settings.model_name, version)
                return True
            except Exception as error:  # the registry may be down: keep serving what we have
                self.last_error = f"{type(error).__name__}: {error}"
                log.warning("could not refresh the %s scorer: %s", self.alias, self.last_error)
                return False
