from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leads.errors import UnknownField
from leads.importer import import_file
from leads.tables import Event, Lead, Team

X_EDUCATION = Path(__file__).resolve().parents[3] / "shared/data/x_education_leads/Leads.csv"


def leads_of(session: Session, team: Team) -> list[Lead]:
    return list(session.scalars(select(Lead).where(Lead.team_id == team.id).order_by(Lead.id)))


@pytest.mark.skipif(not X_EDUCATION.exists(), reason="../shared/data is not beside the checkout")
def test_x_education_imports_every_lead_with_no_manual_mapping(
    session: Session, team: Team
) -> None:
    report = import_file(session, team_id=team.id, path=X_EDUCATION)

    assert (report.imported, report.updated, report.rejected) == (9240, 0, [])
    assert report.mapping["Prospect ID"].target == "external_id"
    assert report.mapping["Converted"].target == "converted"
    assert report.mapping["Last Activity"].target == "activity"
    converted = session.scalar(
        select(func.count()).where(Lead.team_id == team.id, Lead.converted.is_(True))
    )
    assert converted == 3561
    lead = session.scalar(
        select(Lead).where(
            Lead.team_id == team.id, Lead.external_id == "7927b2df-8bba-4d29-b9a2-b6e0beafe620"
        )
    )
    assert lead is not None
    assert lead.source == "Olark Chat"
    assert lead.attributes["Lead Number"] == 660737
    assert lead.attributes["Lead Origin"] == "API"
    assert "Specialization" not in lead.attributes  # its value is the placeholder 'Select'
    suppressed = session.scalar(
        select(func.count()).where(Lead.team_id == team.id, Lead.flow_state == "suppressed")
    )
    assert suppressed == 734  # 'Do Not Email' = Yes
    activities = session.scalar(
        select(func.count()).where(Event.team_id == team.id, Event.type == "imported_activity")
    )
    assert activities == report.events > 9000

    again = import_file(session, team_id=team.id, path=X_EDUCATION)
    assert (again.imported, again.updated, again.events) == (0, 9240, 0)
    assert len(leads_of(session, team)) == 9240


def test_korean_headers_in_cp949_map_and_normalise(
    session: Session, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "고객목록.csv"
    path.write_bytes(
        "이메일,성명,회사명,업종,매출액,직급,국가,연락처\n"
        "kim@samsung-like.co.kr,김민수,한빛전자,제조업,10억,팀장,대한민국,010-1234-5678\n"
        'lee@fin.kr,이영희,누리금융,금융,"5,000,000 KRW",이사,한국,02-555-1234\n'.encode("cp949")
    )
    report = import_file(session, team_id=team.id, path=path)

    assert report.file["encoding"] == "cp949"
    assert {c: m.target for c, m in report.mapping.items()} == {
        "이메일": "email",
        "성명": "name",
        "회사명": "company",
        "업종": "industry",
        "매출액": "revenue",
        "직급": "title",
        "국가": "country",
        "연락처": "phone",
    }
    kim, lee = leads_of(session, team)
    assert (kim.email, kim.name, kim.company, kim.title) == (
        "kim@samsung-like.co.kr",
        "김민수",
        "한빛전자",
        "팀장",
    )
    assert (kim.industry, kim.country, kim.phone) == ("manufacturing", "KR", "+821012345678")
    assert (kim.revenue_amount, kim.revenue_currency) == (1e9, "KRW")
    assert kim.revenue_usd == pytest.approx(1e9 / 1380, rel=0.05)
    assert (lee.industry, lee.revenue_amount) == ("financial_services", 5e6)


def test_xlsx_imports_like_csv(session: Session, team: Team, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["E-mail Address", "Company Name", "Annual Revenue", "Employees", "Industry"])
    sheet.append(["ana@acme.com", "Acme", "$5M", 120, "Computer Software"])
    sheet.append(["bo@beta.de", "Beta GmbH", "€3.5m", "50-200", "Manufacturing"])
    sheet.append([None, None, None, None, None])
    sheet.append(["not an email", "Gamma", "1", 1, "Retail"])
    path = tmp_path / "accounts.xlsx"
    book.save(path)

    report = import_file(session, team_id=team.id, path=path)

    assert report.file["format"] == "xlsx"
    assert (report.imported, [p.line for p in report.rejected]) == (2, [5])
    assert "email" in report.rejected[0].reason
    ana, bo = leads_of(session, team)
    assert (ana.company, ana.revenue_usd, ana.employees, ana.industry) == (
        "Acme",
        5e6,
        120,
        "software",
    )
    assert (bo.revenue_currency, bo.employees) == ("EUR", 125)


def test_bad_rows_are_reported_by_line_and_good_rows_kept(
    session: Session, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(
        "email;company;revenue;notes\n"  # line 1
        "a@ok.io;A;$1M;fine\n"  # line 2
        "b@ok.io;B;$2M;too;many;fields\n"  # line 3: malformed
        'c@ok.io;C;lots;"a note\nover two lines"\n'  # lines 4-5: bad revenue, row kept
        "not-an-email;D;$1M;x\n"  # line 6: no valid identity
        ";E;$1M;no email at all\n"  # line 7
        "f@ok.io;F;$3M;fine\n",  # line 8
        encoding="utf-8",
    )
    report = import_file(session, team_id=team.id, path=path)

    assert report.file["delimiter"] == ";"
    assert [p.line for p in report.rejected] == [3, 6, 7]
    assert "fields" in report.rejected[0].reason
    assert report.rejected[1].reason.startswith("email:")
    assert "no email" in report.rejected[2].reason
    assert [(w.line, w.reason.split(":")[0]) for w in report.warnings] == [(4, "revenue")]
    emails = [lead.email for lead in leads_of(session, team)]
    assert emails == ["a@ok.io", "c@ok.io", "f@ok.io"]
    c = leads_of(session, team)[1]
    assert c.revenue_usd is None
    assert c.attributes["notes"] == "a note\nover two lines"


def test_overrides_take_a_column_where_the_user_says(
    session: Session, team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("담당자 메일,Org\nkim@x.kr,Acme\n", encoding="utf-8-sig")
    report = import_file(
        session, team_id=team.id, path=path, overrides={"담당자 메일": "email", "Org": "company"}
    )
    assert report.mapping["Org"].target == "company"
    assert report.mapping["Org"].reason == "set by you"
    (lead,) = leads_of(session, team)
    assert (lead.email, lead.company) == ("kim@x.kr", "Acme")
    with pytest.raises(UnknownField) as info:
        import_file(session, team_id=team.id, path=path, overrides={"Org": "organisation"})
    assert info.value.field == "Org"


def test_a_dry_run_writes_nothing(session: Session, team: Team, tmp_path: Path) -> None:
    path = tmp_path / "dry.csv"
    path.write_text("email\na@x.io\nb@x.io\n", encoding="utf-8")
    report = import_file(session, team_id=team.id, path=path, dry_run=True)
    assert report.imported == 2
    assert leads_of(session, team) == []
