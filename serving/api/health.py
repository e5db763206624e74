"""Liveness, readiness, the served model, and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from serving.deps import ServiceDep, TeamId
from serving.schemas import ModelOut

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(service: ServiceDep) -> JSONResponse:
    """Ready when the database answers; says whether a model or the rules alone decide."""
    try:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means not ready
        return JSONResponse({"status": "unavailable", "database": str(error)}, 503)
    return JSONResponse(
        {"status": "ready", "database": "ok", "model_version": service.champion.version}
    )


@router.get("/v1/model", response_model=ModelOut)
async def model(team_id: TeamId, service: ServiceDep) -> ModelOut:  # noqa: ARG001 - auth only
    """The model that scores: version, metrics and since when (or rules only)."""
    champion = service.champion
    served = champion.current
    return ModelOut(
        name=champion.settings.model_name,
        version=served.version if served else None,
        since=served.since if served else None,
        metrics=served.metrics if served else {},
        rules_only=served is None,
        checked_at=champion.checked_at,
        last_error=champion.last_error,
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(service: ServiceDep) -> Response:
    """Prometheus metrics (request latency, decisions by stage, events by type, model)."""
    version = service.champion.version
    service.metrics.model_version.set(float(version) if version and version.isdigit() else 0)
    return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)
