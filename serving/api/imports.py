"""Imports: upload a CSV/XLSX file -> preview the column mapping -> commit -> per-row report."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from leads.errors import Conflict, NotFound, ValidationFailed
from leads.import_reader import read_table
from leads.importer import import_file, plan_mapping
from leads.list_membership import rebuild_list
from leads.tables import ImportUpload, LeadList, Team, utcnow
from model.bulk_scoring import score_team
from serving.deps import ServiceDep, TeamId
from serving.schemas import ImportCommitIn, ImportPreview

router = APIRouter(prefix="/v1/imports", tags=["imports"])
MAX_BYTES = 50 * 1024 * 1024
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
SAMPLE = 5


def _upload(session: Session, team_id: int, upload_id: int) -> ImportUpload:
    found = session.get(ImportUpload, upload_id)
    if found is None or found.team_id != team_id:
        raise NotFound("import", upload_id)
    return found


def _saved(upload: ImportUpload, folder: str) -> Path:
    path = Path(folder) / f"upload{Path(upload.filename).suffix.lower()}"
    path.write_bytes(upload.content)
    return path


@router.post("", status_code=201, response_model=ImportPreview)
async def upload(file: UploadFile, team_id: TeamId, service: ServiceDep) -> ImportPreview:
    """Store the file and show how its columns map to lead fields (nothing is imported yet)."""
    name = Path(file.filename or "").name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise ValidationFailed("file", f"{name!r}: send a {', '.join(SUFFIXES)} file")
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ValidationFailed("file", f"larger than {MAX_BYTES // 1024 // 1024} MB")
    record = ImportUpload(team_id=team_id, filename=name[:300], content=content)
    with tempfile.TemporaryDirectory() as folder:
        table = read_table(_saved(record, folder))
    mapping = {col: asdict(m) for col, m in plan_mapping(table).items()}
    record.mapping = mapping
    with service.transaction() as session:
        session.add(record)
        session.flush()
        upload_id = record.id
    sample = [
        dict(zip(table.headers, row.values, strict=False))
        for row in table.rows[:SAMPLE]
        if row.values is not None
    ]
    return ImportPreview(
        upload_id=upload_id, filename=name, rows=len(table.rows), mapping=mapping, sample=sample
    )


@router.post("/{upload_id}:commit")
async def commit(
    upload_id: int,
    team_id: TeamId,
    service: ServiceDep,
    body: Annotated[ImportCommitIn, Body(examples=[{"overrides": {"회사명": "company"}}])] = (
        ImportCommitIn()
    ),
) -> dict[str, Any]:
    """Import every good row (bad rows are reported by line and lose nothing else), then
    classify the team's leads and rebuild its dynamic lists."""
    with service.transaction() as session:
        record = _upload(session, team_id, upload_id)
        if record.status == "committed":
            raise Conflict(f"import {upload_id} was committed already")
        team = session.get_one(Team, team_id)
        with tempfile.TemporaryDirectory() as folder:
            report = import_file(
                session, team_id=team_id, path=_saved(record, folder),
                overrides=body.overrides or None,
            )  # fmt: skip
        report.file["name"] = record.filename
        served = service.champion.current
        score_team(
            session, team=team, scorer=served.scorer if served else None,
            version=served.version if served else None,
        )  # fmt: skip
        dynamic = session.scalars(
            select(LeadList.id).where(LeadList.team_id == team_id, LeadList.kind == "dynamic")
        )
        for list_id in list(dynamic):
            rebuild_list(session, team_id=team_id, list_id=list_id)
        record.status = "committed"
        record.report = report.to_json()
        record.committed_at = utcnow()
        return {"upload_id": upload_id, "status": record.status, "report": record.report}


@router.get("/{upload_id}")
async def status(upload_id: int, team_id: TeamId, service: ServiceDep) -> dict[str, Any]:
    """An upload's status, mapping and (once committed) its report."""
    with service.transaction() as session:
        record = _upload(session, team_id, upload_id)
        return {
            "upload_id": record.id,
            "filename": record.filename,
            "status": record.status,
            "mapping": record.mapping,
            "report": record.report,
        }
