"""Prometheus metrics of one app: request latency, decisions by stage, events by type, model."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

GROUP_BUCKETS = (1, 2, 4, 8, 16, 32)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class Metrics:
    """The app's collectors, in a registry of its own (two apps in one process don't clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "leadpulse_request_seconds",
            "Request latency by route and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "leadpulse_decisions",
            "Leads scored, by the stage decided.",
            ["stage"],
            registry=self.registry,
        )
        self.events = Counter(
            "leadpulse_events",
            "Events accepted (stored the first time), by type.",
            ["type"],
            registry=self.registry,
        )
        self.event_groups = Histogram(
            "leadpulse_event_group_size",
            "Events of POST /v1/events committed together (group commit).",
            buckets=GROUP_BUCKETS,
            registry=self.registry,
        )
        self.model_version = Gauge(
            "leadpulse_model_version",
            "The champion version served (0: rules only).",
            registry=self.registry,
        )

    def event_stored(self, event_type: str) -> None:
        """An event was stored for the first time."""
        self.events.labels(event_type).inc()

    def event_group(self, size: int) -> None:
        """`size` events of POST /v1/events were committed in one transaction."""
        self.event_groups.observe(size)

    def decided(self, stage: str) -> None:
        """A lead was classified."""
        self.decisions.labels(stage).inc()


@dataclass(slots=True)
class Pending:
    """The loop's observer for one transaction: counted into the metrics only once it has
    committed (work that is rolled back, then run again, would otherwise count twice)."""

    stored: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)

    def event_stored(self, event_type: str) -> None:
        self.stored.append(event_type)

    def decided(self, stage: str) -> None:
        self.stages.append(stage)

    def count_into(self, metrics: Metrics) -> None:
        for event_type in self.stored:
            metrics.event_stored(event_type)
        for stage in self.stages:
            metrics.decided(stage)
