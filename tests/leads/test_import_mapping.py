"""The column mapper: headers and sampled values to lead fields, with reasons."""

from __future__ import annotations

import pytest

from leads.errors import UnknownField, ValidationFailed
from leads.fields import IMPORT_TARGETS
from leads.import_mapping import ColumnMapping, apply_overrides, infer_mapping
from leads.import_reader import read_table
from leads.settings import PROJECT_ROOT

X_EDUCATION = PROJECT_ROOT.parent / "shared" / "data" / "x_education_leads" / "Leads.csv"

KOREAN_HEADERS = ["이메일", "회사명", "업종", "매출액", "직급"]
KOREAN_ROWS = [
    ["kim@acme.co.kr", "에이스전자", "제조업", "10억 원", "부장"],
    ["lee@foo.kr", "푸드랩", "식품", "5천만원", "과장"],
    ["park@bar.com", "바이오젠", "바이오", "1.5억", "대표"],
    ["choi@baz.kr", "", "", "", "팀장"],
]


def targets(mapping: dict[str, ColumnMapping]) -> dict[str, str]:
    return {column: m.target for column, m in mapping.items()}


def test_maps_korean_headers_by_synonym_confirmed_by_values() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    assert targets(mapping) == {
        "이메일": "email",
        "회사명": "company",
        "업종": "industry",
        "매출액": "revenue",
        "직급": "title",
    }
    assert mapping["이메일"] == ColumnMapping(
        "email",
        1.0,
        "header '이메일' is a synonym of email; 100% of 4 sampled values are emails",
    )
    assert mapping["매출액"].reason.endswith("100% of 3 sampled values are amounts of money")


def test_maps_english_headers_whatever_their_spelling() -> None:
    headers = ["E-mail Address", "Company Name", "Annual Revenue", "Job Title", "No. of Employees"]
    rows = [["a@acme.com", "Acme", "$5M", "CTO", "50-200"], ["b@foo.io", "Foo", "€2m", "VP", "12"]]

    assert targets(infer_mapping(headers, rows)) == {
        "E-mail Address": "email",
        "Company Name": "company",
        "Annual Revenue": "revenue",
        "Job Title": "title",
        "No. of Employees": "employees",
    }


def test_a_column_of_emails_is_email_whatever_its_header() -> None:
    rows = [["Kim", "kim@acme.com"], ["Lee", "lee@foo.kr"], ["Park", "park@bar.io"]]

    mapping = infer_mapping(["Person", "Contact"], rows)

    assert mapping["Contact"].target == "email"
    assert mapping["Contact"].reason == "100% of 3 sampled values are emails"
    assert 0.8 < mapping["Contact"].confidence < 1.0


def test_values_that_contradict_the_header_keep_the_column_as_an_attribute() -> None:
    rows = [["Yes", "Acme"], ["No", "Foo"], ["Yes", "Bar"]]

    mapping = infer_mapping(["Email", "Company"], rows)

    assert mapping["Email"].target == "attribute"
    assert "0% of 3 sampled values are emails" in mapping["Email"].reason
    assert "too unsure" in mapping["Email"].reason
    assert mapping["Company"].target == "company"


def test_each_field_goes_to_one_column_the_best() -> None:
    headers = ["Email", "Work Email", "Backup"]
    rows = [["a@x.com", "a@acme.com", "a2@x.com"], ["b@x.com", "b@acme.com", "b2@x.com"]]

    mapping = infer_mapping(headers, rows)

    assert targets(mapping) == {"Email": "email", "Work Email": "attribute", "Backup": "attribute"}
    assert "column 'Email' matched email better" in mapping["Work Email"].reason
    assert mapping["Backup"].confidence == 1.0


def test_a_close_spelling_of_a_header_maps_with_less_confidence() -> None:
    mapping = infer_mapping(["Compnay Name"], [["Acme"], ["Foo"]])

    assert mapping["Compnay Name"].target == "company"
    assert mapping["Compnay Name"].confidence < 1.0
    assert "is close to 'company name', a synonym of company" in mapping["Compnay Name"].reason


def test_a_header_containing_a_synonym_maps_when_values_agree() -> None:
    rows = [["010-1234-5678", "kim@a.kr"], ["010-2222-3333", "lee@b.kr"]]

    mapping = infer_mapping(["담당자 휴대폰 번호", "담당자 이메일"], rows)

    assert targets(mapping) == {"담당자 휴대폰 번호": "phone", "담당자 이메일": "email"}


def test_unique_uuids_can_be_the_external_id_without_a_header_synonym() -> None:
    rows = [[f"{i:08x}-8bba-4d29-b9a2-b6e0beafe620", f"u{i}@x.com"] for i in range(6)]

    mapping = infer_mapping(["Key", "Mail address"], rows)

    assert mapping["Key"] == ColumnMapping("external_id", 0.8, "sampled values are unique UUIDs")


def test_a_bool_column_without_a_known_header_stays_an_attribute() -> None:
    rows = [["0", "a@x.com"], ["1", "b@x.com"], ["0", "c@x.com"]]

    mapping = infer_mapping(["Flag", "Email"], rows)

    assert mapping["Flag"] == ColumnMapping("attribute", 1.0, "kept as custom attribute")


def test_every_header_gets_a_mapping_to_a_known_target_even_without_samples() -> None:
    headers = ["email", "이름", "Mystery", "국가", "Last Activity"]

    mapping = infer_mapping(headers, [])

    assert list(mapping) == headers
    assert all(m.target in IMPORT_TARGETS and 0 <= m.confidence <= 1 for m in mapping.values())
    assert targets(mapping) == {
        "email": "email",
        "이름": "name",
        "Mystery": "attribute",
        "국가": "country",
        "Last Activity": "activity",
    }
    assert (
        mapping["email"].reason
        == "header 'email' is a synonym of email; no sampled values to check"
    )


@pytest.fixture(scope="module")
def x_education() -> dict[str, ColumnMapping]:
    table = read_table(X_EDUCATION)
    return infer_mapping(table.headers, [row.values for row in table.rows[:200] if row.values])


def test_maps_the_x_education_file_without_help(x_education: dict[str, ColumnMapping]) -> None:
    mapped = {column: m.target for column, m in x_education.items() if m.target != "attribute"}

    assert mapped == {
        "Prospect ID": "external_id",
        "Lead Source": "source",
        "Do Not Email": "do_not_email",
        "Converted": "converted",
        "Country": "country",
        "City": "city",
        "Last Activity": "activity",
        "Last Notable Activity": "activity",
    }
    assert len(x_education) == 37


def test_x_education_prospect_id_wins_the_external_id_over_lead_number(
    x_education: dict[str, ColumnMapping],
) -> None:
    assert x_education["Prospect ID"].confidence == 1.0
    assert x_education["Lead Number"].target == "attribute"
    assert "column 'Prospect ID' matched external_id better" in x_education["Lead Number"].reason


X_EDUCATION_ATTRIBUTES = ["Lead Origin", "TotalVisits", "Total Time Spent on Website", "Tags"]


@pytest.mark.parametrize(
    "column",
    [*X_EDUCATION_ATTRIBUTES, "Page Views Per Visit", "Specialization", "Do Not Call", "Search"],
)
def test_x_education_keeps_the_other_columns_as_attributes(
    x_education: dict[str, ColumnMapping], column: str
) -> None:
    assert x_education[column].target == "attribute"


def test_overrides_set_a_column_and_free_the_field_elsewhere() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    result = apply_overrides(mapping, {"직급": "ignore", "회사명": "name", "업종": "company"})

    assert result["직급"] == ColumnMapping("ignore", 1.0, "set by you")
    assert result["회사명"] == ColumnMapping("name", 1.0, "set by you")
    assert result["업종"] == ColumnMapping("company", 1.0, "set by you")
    assert result["이메일"] == mapping["이메일"]


def test_an_override_taking_a_field_turns_the_previous_column_into_an_attribute() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    result = apply_overrides(mapping, {"직급": "email"})

    assert result["직급"].target == "email"
    assert result["이메일"].target == "attribute"
    assert result["이메일"].reason == "kept as custom attribute: you mapped email to another column"


def test_overrides_find_columns_and_fields_ignoring_case_and_punctuation() -> None:
    mapping = infer_mapping(["E-mail Address", "Opt"], [["a@b.com", "yes"]])

    result = apply_overrides(mapping, {"e-mail address": "email", "OPT": "Do Not Email"})

    assert targets(result) == {"E-mail Address": "email", "Opt": "do_not_email"}


def test_an_override_of_an_unknown_column_lists_the_columns() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    with pytest.raises(UnknownField) as caught:
        apply_overrides(mapping, {"담당자 메일": "email"})

    assert caught.value.field == "담당자 메일"
    assert caught.value.problem == (
        "no such column in the file; columns are: '이메일', '회사명', '업종', '매출액', '직급'"
    )


def test_an_override_to_an_unknown_field_lists_the_fields() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    with pytest.raises(UnknownField) as caught:
        apply_overrides(mapping, {"직급": "rank"})

    assert caught.value.field == "직급"
    assert caught.value.problem.startswith(
        "unknown field 'rank'; choose one of activity, attribute"
    )
    assert "title" in caught.value.problem


def test_two_overrides_cannot_take_the_same_field() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    with pytest.raises(ValidationFailed, match="email is already mapped to column '이메일'"):
        apply_overrides(mapping, {"이메일": "email", "직급": "email"})


def test_many_columns_may_be_overridden_to_attribute_or_activity() -> None:
    mapping = infer_mapping(KOREAN_HEADERS, KOREAN_ROWS)

    result = apply_overrides(
        mapping, {"업종": "activity", "직급": "activity", "매출액": "attribute"}
    )

    assert targets(result)["업종"] == targets(result)["직급"] == "activity"
    assert result["매출액"] == ColumnMapping("attribute", 1.0, "set by you")


def test_small_bare_numbers_do_not_make_a_look_alike_header_a_revenue() -> None:
    rows = [["3", "5"], ["12", "40"], ["7", "120"]]

    mapping = infer_mapping(["Total Sales Calls", "Revenue"], rows)

    assert mapping["Total Sales Calls"].target == "attribute"
    assert mapping["Revenue"].target == "revenue"
