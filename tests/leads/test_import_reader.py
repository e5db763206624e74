"""Reading CSV and XLSX files into rows that know their line in the file."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from leads.errors import ImportFailed
from leads.import_reader import Row, clean_headers, read_table
from leads.settings import PROJECT_ROOT

X_EDUCATION = PROJECT_ROOT.parent / "shared" / "data" / "x_education_leads" / "Leads.csv"
KOREAN_HEADERS = ["이메일", "회사명", "업종", "매출액", "직급"]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_reads_a_korean_csv_saved_by_excel_in_cp949(tmp_path: Path) -> None:
    text = "이메일,회사명,업종,매출액,직급\nkim@acme.co.kr,에이스전자,제조업,10억 원,부장\n"
    path = write(tmp_path, "leads.csv", text.encode("cp949"))

    table = read_table(path)

    assert table.format == "csv"
    assert table.encoding == "cp949"
    assert table.delimiter == ","
    assert table.headers == KOREAN_HEADERS
    assert table.rows == [Row(2, ["kim@acme.co.kr", "에이스전자", "제조업", "10억 원", "부장"])]


def test_reads_utf8_with_a_bom_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", "\ufeffEmail,Name\na@b.com,Kim\n".encode())

    table = read_table(path)

    assert table.encoding == "utf-8-sig"
    assert table.headers == ["Email", "Name"]
    assert table.rows[0].values == ["a@b.com", "Kim"]


def test_reads_plain_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.csv", "Email,회사\na@b.com,에이스\n".encode())

    table = read_table(path)

    assert (table.encoding, table.headers) == ("utf-8", ["Email", "회사"])


def test_reads_utf16_unicode_text_exported_by_excel(tmp_path: Path) -> None:
    path = write(tmp_path, "unicode.txt", "Email\t이름\r\na@b.com\t김민수\r\n".encode("utf-16"))

    table = read_table(path)

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows == [Row(2, ["a@b.com", "김민수"])]


def test_bytes_that_only_happen_to_decode_as_cp949_are_detected_instead(tmp_path: Path) -> None:
    content = "Πόλη,Χώρα\nΕλλάδα,Ελλάδα\n".encode("cp1253")
    assert content.decode("cp949")  # valid CP949, but it reads as Hanja nonsense
    table = read_table(write(tmp_path, "greek.csv", content))

    assert table.encoding != "cp949"
    assert table.headers == ["Πόλη", "Χώρα"]
    assert table.rows == [Row(2, ["Ελλάδα", "Ελλάδα"])]


@pytest.mark.parametrize(
    ("delimiter", "content"),
    [
        (";", "Email;Revenue;Country\na@b.com;1,5;KR\nc@d.com;2,25;US\n"),
        ("\t", "Email\tRevenue, EUR\tCountry\na@b.com\t1,000\tKR\nc@d.com\t2,000\tUS\n"),
        ("|", "Email|Revenue|Country\na@b.com|1000|KR\nc@d.com|2000|US\n"),
        (",", 'Email,Revenue,Country\na@b.com,"1,000",KR\nc@d.com,2000,US\n'),
    ],
)
def test_finds_the_delimiter(tmp_path: Path, delimiter: str, content: str) -> None:
    table = read_table(write(tmp_path, "d.csv", content.encode()))

    assert table.delimiter == delimiter
    assert len(table.headers) == 3
    assert [row.values[0] for row in table.rows if row.values] == ["a@b.com", "c@d.com"]
    assert all(row.error is None for row in table.rows)


def test_a_single_column_file_has_the_comma_as_delimiter(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "one.csv", b"Email\na@b.com\nc@d.com\n"))

    assert table.delimiter == ","
    assert table.headers == ["Email"]
    assert [row.line for row in table.rows] == [2, 3]


def test_line_numbers_count_physical_lines_of_multi_line_fields(tmp_path: Path) -> None:
    content = (
        "Email,Notes,Country\r\n"  # line 1
        'a@b.com,"first line\r\nsecond line",KR\r\n'  # lines 2-3
        'c@d.com,"one\ntwo\nthree",US\r\n'  # lines 4-6
        "\r\n"  # line 7: empty, skipped
        "e@f.com,short\r\n"  # line 8: malformed
        "g@h.com,fine,JP\r\n"  # line 9
    )
    table = read_table(write(tmp_path, "multi.csv", content.encode()))

    assert [row.line for row in table.rows] == [2, 4, 8, 9]
    assert table.rows[0].values == ["a@b.com", "first line\r\nsecond line", "KR"]
    assert table.rows[1].values == ["c@d.com", "one\ntwo\nthree", "US"]
    assert table.rows[2] == Row(8, None, "expected 3 fields, found 2")
    assert table.rows[3] == Row(9, ["g@h.com", "fine", "JP"])


def test_a_row_with_too_many_fields_is_an_error_but_trailing_empty_fields_are_not(
    tmp_path: Path,
) -> None:
    content = "a,b\n1,2,\n3,4,5\n6,7\n"
    table = read_table(write(tmp_path, "extra.csv", content.encode()))

    assert table.rows == [
        Row(2, ["1", "2"]),
        Row(3, None, "expected 2 fields, found 3"),
        Row(4, ["6", "7"]),
    ]


def test_completely_empty_rows_are_skipped(tmp_path: Path) -> None:
    content = "Email,Name\n,\n  ,  \n\na@b.com,Kim\n"
    table = read_table(write(tmp_path, "gaps.csv", content.encode()))

    assert table.rows == [Row(5, ["a@b.com", "Kim"])]


def test_headers_are_trimmed_numbered_and_made_unique(tmp_path: Path) -> None:
    content = " Email ,,Email,Name,email, Email \n1,2,3,4,5,6\n"
    table = read_table(write(tmp_path, "headers.csv", content.encode()))

    assert table.headers == ["Email", "column 2", "Email (2)", "Name", "email", "Email (3)"]


def test_clean_headers_does_not_collide_with_an_existing_suffixed_name() -> None:
    assert clean_headers(["A", "A (2)", "A"]) == ["A", "A (2)", "A (3)"]


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf", b",,,\n,,\n"])
def test_an_empty_file_fails_the_import(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(ImportFailed, match=r"empty\.csv: the file is empty \(no header row\)"):
        read_table(write(tmp_path, "empty.csv", content))


def test_a_header_without_rows_is_an_empty_table(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "header.csv", b"Email,Name\n"))

    assert (table.headers, table.rows) == (["Email", "Name"], [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "this is a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old-style Office file"),
        (bytes(range(256)) * 4, "this is a binary file"),
    ],
)
def test_a_binary_file_fails_the_import(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        read_table(write(tmp_path, "leads.csv", content))


def test_a_zip_that_is_no_workbook_fails_the_import(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")

    with pytest.raises(ImportFailed, match="not a readable XLSX workbook"):
        read_table(path)


def test_a_missing_file_fails_the_import(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"nowhere\.csv: cannot be read"):
        read_table(tmp_path / "nowhere.csv")


def make_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Leads"
    sheet.append(["이메일", "회사명", "Employees", "Revenue", "Signed up", "Opted in", None])
    sheet.append(["kim@acme.co.kr", "에이스", 250, 1.5, datetime(2024, 3, 5), True])
    sheet.append([])
    sheet.append(["lee@foo.kr", None, 1200.0, 0.1, datetime(2024, 3, 5, 14, 30), False])
    sheet.append(["park@bar.kr", "바", 3, None, date(2023, 12, 31), None, None, "surplus"])
    other = workbook.create_sheet("Other")
    other.append(["Email"])
    other.append(["x@y.com"])
    workbook.save(path)


def test_reads_the_first_sheet_of_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path)

    table = read_table(path)

    assert (table.format, table.encoding, table.delimiter, table.sheet) == (
        "xlsx",
        None,
        None,
        "Leads",
    )
    assert table.headers == ["이메일", "회사명", "Employees", "Revenue", "Signed up", "Opted in"]
    assert table.rows == [
        Row(2, ["kim@acme.co.kr", "에이스", "250", "1.5", "2024-03-05", "TRUE"]),
        Row(4, ["lee@foo.kr", "", "1200", "0.1", "2024-03-05T14:30:00", "FALSE"]),
        Row(5, None, "expected 6 fields, found 8"),
    ]


def test_reads_a_named_sheet_and_refuses_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    make_workbook(path)

    assert read_table(path, sheet="Other").rows == [Row(2, ["x@y.com"])]
    with pytest.raises(ImportFailed, match="no sheet 'Nope'; the sheets are 'Leads', 'Other'"):
        read_table(path, sheet="Nope")


def test_an_xlsx_renamed_csv_is_read_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    make_workbook(path)

    table = read_table(path)

    assert table.format == "xlsx"
    assert table.rows[0].values is not None
    assert table.rows[0].values[0] == "kim@acme.co.kr"


def test_a_workbook_whose_data_starts_lower_keeps_excel_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "low.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["B3"] = "Email"
    sheet["B4"] = "a@b.com"
    workbook.save(path)

    table = read_table(path)

    assert table.headers == ["column 1", "Email"]
    assert table.rows == [Row(4, ["", "a@b.com"])]


def test_reads_the_x_education_file_quickly_and_whole() -> None:
    started = time.perf_counter()
    table = read_table(X_EDUCATION)
    elapsed = time.perf_counter() - started

    assert len(table.headers) == 37
    assert len(table.rows) == 9240
    assert [row for row in table.rows if row.error is not None] == []
    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    assert table.headers[0] == "Prospect ID"
    assert table.rows[0].line == 2
    assert table.rows[-1].line == 9241
    assert elapsed < 1.0
