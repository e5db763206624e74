"""The one mapping from domain errors to HTTP status codes and bodies.

Every error body is `{"detail": text, "errors": [{"field": ..., "problem": ...}]}`; a 422
always names the field. Nothing a client sends can produce a 500: anything unexpected is
logged and answered with a plain 500 that reveals nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from leads.errors import (
    Conflict,
    ImportFailed,
    InvalidInput,
    LeadsError,
    NotFound,
    ValidationFailed,
)
from model.errors import ModelError

log = logging.getLogger(__name__)


def _body(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "errors": errors or []}, status_code=status)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "body"


async def _leads_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        return _body(404, str(exc))
    if isinstance(exc, ValidationFailed):
        return _body(422, str(exc), [{"field": exc.field, "problem": exc.problem}])
    if isinstance(exc, InvalidInput):
        errors = [{"field": e.field, "problem": e.problem} for e in exc.errors]
        return _body(422, str(exc), errors)
    if isinstance(exc, Conflict):
        return _body(409, str(exc))
    if isinstance(exc, ImportFailed):
        return _body(422, str(exc), [{"field": "file", "problem": str(exc)}])
    return _body(400, str(exc))


async def _request_invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "problem": e["msg"]} for e in exc.errors()]
    return _body(422, "; ".join(f"{e['field']}: {e['problem']}" for e in errors), errors)


async def _model_error(_request: Request, exc: Exception) -> JSONResponse:
    return _body(422, str(exc))


async def _integrity(_request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error answered 409: %s", exc)
    return _body(409, "the change conflicts with data that exists already")


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = _body(exc.status_code, str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    """Register the mapping on `app`."""
    app.add_exception_handler(LeadsError, _leads_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(ModelError, _model_error)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(HTTPException, _http)
