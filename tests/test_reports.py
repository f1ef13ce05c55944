"""Exports: each file opened with its own library and read back against the database and the
matrix the screen shows; who may download what; an empty directive and one with no progress
still give valid files."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.deadlines import today
from portal.demo import sample_pdf
from portal.extensions import db
from portal.matrix import model as queries
from portal.models import Directive, Progress, ProgressStatus, Task, Unit
from portal.reports.spreadsheet import LONG_HEADER, cell_text

from .support.apps import app_with_progress
from .support.clients import login_as
from .support.pages import Tables, dashboard
from .support.progress import make_progress, ok
from .support.records import ids_of
from .support.statements import recorded_statements

FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."
NOTE = "Đã rà soát 1.234 hồ sơ; khắc phục xong lỗi «trễ hạn» tại Bộ phận Một cửa."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def progress(app, ids) -> int:
    """make_reports_progress's work is in the app's database: the directive's id."""
    return ids.directive()


def make_reports_progress(login, ids) -> None:
    """The dashboard tests' progress, plus a note with Vietnamese punctuation on Phường 1's 1.8
    and a link on its 1.2."""
    make_progress(login, ids)
    ward = login("phuong1")
    ok(ward.post(f"/items/{ids.item('Phường 1', '1.2')}/save", {"note": NOTE}))
    ok(ward.post(f"/items/{ids.item('Phường 1', '1.2')}/links",
                 {"url": "https://sadec.dongthap.gov.vn/tin-cchc-phuong-1"}))


@pytest.fixture(scope="module")
def progress_template(databases):
    return databases.template(
        "reports", lambda app, root: make_reports_progress(login_as(app), ids_of(app)),
        base="seeded")


@pytest.fixture
def app(request, databases, tmp_path):
    """The portal; for a test that asks for `progress`, a copy of one where it was made (once per
    test process, through the routes)."""
    yield from app_with_progress(request, databases, "reports", tmp_path)


def the_matrix(app, directive: int) -> queries.Matrix:
    with app.test_request_context():
        m = queries.matrix(directive, today())
        db.session.expunge_all()
        return m


def items_in_db(app, directive: int) -> list[tuple]:
    """(unit, task code, status) of every shown item, straight from the database."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Unit.name, Task.code, Progress.status)
            .join(Progress, Progress.unit_id == Unit.id)
            .join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive, Progress.hidden.is_(False))
        )]


def download(client, url: str, mimetype: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment")
    return response.data


def workbook(client, directive: int):
    data = download(client, f"/directives/{directive}/reports/matrix.xlsx", XLSX)
    return load_workbook(io.BytesIO(data))


# --- Excel ---------------------------------------------------------------------------------------


def test_xlsx_matrix_sheet_is_the_screens_matrix(app, progress, login):
    m = the_matrix(app, progress)
    book = workbook(login("noivu.duyet"), progress)
    sheet = book["Ma trận"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[3]
    assert header[:2] == ("Đơn vị", "Loại đơn vị")
    assert [text.split(" ", 1)[0] for text in header[2:2 + len(m.columns)]] == [
        c.code for c in m.columns]
    assert header[2 + len(m.columns):] == ("Đạt", "Được giao", "Tỷ lệ hoàn thành (%)", "Quá hạn")
    assert sheet.freeze_panes == "C5"
    last = sheet.cell(4, len(header)).column_letter
    assert sheet.auto_filter.ref == f"A4:{last}{4 + len(m.rows)}"

    body = {row[0]: row for row in rows[4:4 + len(m.rows)]}
    assert list(body) == [row.name for row in m.rows]  # every unit, in the screen's order
    in_db = items_in_db(app, progress)
    assert {unit for unit, _, _ in in_db} == set(body)
    for row in m.rows:
        values = body[row.name]
        assert values[1] == row.kind.label
        assert values[-4:] == (row.done, row.assigned, row.percent, row.overdue)
        for index, column in enumerate(m.columns):
            cell = row.cells.get(column.task_id)
            assert values[2 + index] == (cell_text(cell) if cell else "– Không giao")
    # Status words and symbols, never colour alone; the colour is the screen's.
    assert body["Phường 1"][2 + codes(m).index("1.10")] == "✓ Đạt"
    assert body["Phường 1"][2 + codes(m).index("1.1")] == "✓ Đạt · Hoàn thành quá hạn"
    assert body["Phường 2"][2 + codes(m).index("1.1")] == (
        "○! Chưa thực hiện · Quá hạn chưa hoàn thành")
    approved = sheet.cell(5 + list(body).index("Phường 1"), 3 + codes(m).index("1.10"))
    assert approved.fill.fgColor.rgb.endswith("E3F3E7")
    # Completion per column, and the city's totals, below the units.
    totals = m.totals()
    footer = next(r for r in rows[4 + len(m.rows):] if r and r[0] == "Hoàn thành theo nhiệm vụ")
    assert list(footer[2:2 + len(m.columns)]) == [
        f"{c.done}/{c.assigned} ({c.percent} %)" for c in m.columns]
    assert footer[-4:] == (totals["done"], totals["assigned"], totals["percent"],
                           totals["overdue"])
    assert sum(1 for _, _, status in in_db if status is ProgressStatus.APPROVED) == totals["done"]
    tasks = list(book["Nhiệm vụ"].iter_rows(min_row=4, values_only=True))
    assert [(t[0], t[1], *t[-3:]) for t in tasks] == [
        (c.code, c.title, c.done, c.assigned, c.percent) for c in m.columns]


def codes(m: queries.Matrix) -> list[str]:
    return [c.code for c in m.columns]


def test_xlsx_long_sheet_has_one_row_per_unit_and_task_with_details(app, progress, login, ids):
    m = the_matrix(app, progress)
    sheet = workbook(login("lanhdao"), progress)["Chi tiết"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == LONG_HEADER
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    in_db = items_in_db(app, progress)
    assert sorted((r[0], r[2]) for r in rows[1:]) == sorted((u, c) for u, c, _ in in_db)
    by_key = {(r[0], r[2]): dict(zip(LONG_HEADER, r, strict=True)) for r in rows[1:]}

    rate = by_key[("Phường 1", "1.10")]
    assert (rate["Số liệu"], rate["Đơn vị tính"], rate["Tử số"], rate["Mẫu số"]) == (
        90, "%", 45, 50)
    assert (rate["Chỉ tiêu"], rate["Loại chỉ tiêu"]) == (100, "Tối thiểu (≥)")
    assert rate["Đáp ứng chỉ tiêu"] == "Chưa đáp ứng chỉ tiêu"
    assert rate["Trạng thái"] == "✓ Đạt" and rate["Tình trạng so với hạn"] == "Hoàn thành đúng hạn"
    assert rate["Gửi duyệt bởi"].endswith("(phuong1)")
    assert rate["Duyệt bởi"].endswith("(noivu.duyet)")
    assert rate["Gửi duyệt lúc"].date() == m.on and rate["Duyệt lúc"].date() == m.on
    late = by_key[("Phường 1", "1.1")]
    assert late["Hạn"].date() == date(2023, 6, 16)
    assert late["Tài liệu kiểm chứng"] == "Báo cáo khắc phục.pdf"
    assert late["Số tài liệu kiểm chứng"] == 1
    assert late["Giải trình"] == "Chờ số liệu của Đoàn kiểm tra."
    noted = by_key[("Phường 1", "1.2")]
    assert noted["Ghi chú"] == NOTE
    assert noted["Tài liệu kiểm chứng"] == "https://sadec.dongthap.gov.vn/tin-cchc-phuong-1"
    # Each row's status is the matrix cell's.
    for row in m.rows:
        for column in m.columns:
            if (cell := row.cells.get(column.task_id)) is not None:
                found = by_key[(row.name, column.code)]
                assert found["Trạng thái"] == f"{cell.status.symbol} {cell.status.label}"
                assert found["Tình trạng so với hạn"] == cell.state.label


def test_csv_is_the_long_sheet_in_utf8_with_bom(app, progress, login):
    client = login("quantri")
    data = download(client, f"/directives/{progress}/reports/details.csv", "text/csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    sheet = workbook(client, progress)["Chi tiết"]
    assert rows[0] == LONG_HEADER and len(rows) == sheet.max_row
    by_key = {(r[0], r[2]): dict(zip(LONG_HEADER, r, strict=True)) for r in rows[1:]}
    assert by_key[("Phường 1", "1.2")]["Ghi chú"] == NOTE
    assert by_key[("Phường 1", "1.1")]["Hạn"] == "16/06/2023"
    assert by_key[("Phường 1", "1.10")]["Số liệu"] == "90"
    assert by_key[("Phường 2", "1.10")]["Tình trạng so với hạn"] == "Đang thực hiện trong hạn"


def test_export_file_names_carry_the_directive_and_the_day(app, progress, login):
    client = login("noivu.duyet")
    day = the_matrix(app, progress).on.strftime("%d-%m-%Y")
    for url in ("matrix.xlsx", "details.csv", "report.docx"):
        disposition = client.get(f"/directives/{progress}/reports/{url}").headers[
            "Content-Disposition"]
        assert f"sa-dec-2023-cchc - {day}." in disposition
        assert "filename*=UTF-8''" in disposition  # the Vietnamese name, for browsers that read it


def test_exports_use_a_fixed_number_of_statements(app, progress, login, tmp_path):
    """The big directive (Sa Đéc) and a small one (2 tasks) cost the same statements."""
    small = tmp_path / "small.yaml"
    small.write_text("slug: nho\nyear: 2024\ntitle: Kế hoạch nhỏ\nsections:\n"
                     " - number: '1'\n   audience: kind:commune\n   tasks:\n"
                     "    - {code: '1', title: Báo cáo quý}\n"
                     "    - {code: '2', title: Báo cáo năm}\n",
                     encoding="utf-8")
    from portal.directives.loader import load_directive

    with app.app_context():
        small_id = load_directive(small).id
        db.session.commit()
        engine = db.engine
    client = login("noivu.duyet")
    for url in ("matrix.xlsx", "details.csv", "report.docx"):
        counts = []
        for directive in (progress, small_id):
            with recorded_statements(engine) as seen:
                assert client.get(f"/directives/{directive}/reports/{url}").status_code == 200
            counts.append(len(seen))
        assert counts[0] == counts[1], (url, counts)
        assert counts[0] <= 13, (url, counts)  # the findings are one statement of them


# --- the Word report: tests/test_official_report.py ----------------------------------------------


# --- empty directives ----------------------------------------------------------------------------


@pytest.fixture
def empty_directive(app) -> int:
    with app.app_context():
        directive = Directive(slug="trong", year=2024, title="Văn bản chưa có nhiệm vụ",
                              issuer="Ủy ban nhân dân thành phố Sa Đéc")
        db.session.add(directive)
        db.session.commit()
        return directive.id


@pytest.mark.parametrize("which", ["empty", "untouched"])
def test_directive_without_tasks_or_progress_gives_valid_files(app, login, ids, empty_directive,
                                                               which):
    directive = empty_directive if which == "empty" else ids.directive()
    client = login("lanhdao")
    book = workbook(client, directive)
    assert book.sheetnames == ["Ma trận", "Nhiệm vụ", "Chi tiết"]
    m = the_matrix(app, directive)
    assert book["Chi tiết"].max_row == 1 + sum(len(row.cells) for row in m.rows)
    data = download(client, f"/directives/{directive}/reports/details.csv", "text/csv")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("Đơn vị;Loại đơn vị")
    # The Word report of both: tests/test_official_report.py


def test_draft_directive_has_no_exports(app, login, empty_directive):
    with app.app_context():
        db.session.get(Directive, empty_directive).status = "draft"
        db.session.commit()
    client = login("quantri")
    for url in ("matrix.xlsx", "details.csv", "report.docx"):
        assert client.get(f"/directives/{empty_directive}/reports/{url}").status_code == 404


# --- a unit's ZIP -------------------------------------------------------------------------------


def test_unit_downloads_its_checklist_and_evidence_as_a_zip(app, progress, login, ids):
    unit = ids.unit("Phường 1")
    pdf = sample_pdf("phuong 1 ke hoach")
    client = login("phuong1")
    ok(client.upload(ids.item("Phường 1", "1.3"), pdf, "Kế hoạch nhân rộng.pdf", htmx=False))
    ok(client.upload(ids.item("Phường 1", "1.3"), pdf, "Kế hoạch nhân rộng.pdf", htmx=False))
    data = download(client, f"/directives/{progress}/units/{unit}/evidence.zip",
                    "application/zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {"1.1 - Báo cáo khắc phục.pdf", "1.3 - Kế hoạch nhân rộng.pdf",
            "1.3 - Kế hoạch nhân rộng (2).pdf", "Liên kết.txt", "Danh sách nhiệm vụ.csv"} == names
    assert archive.read("1.3 - Kế hoạch nhân rộng.pdf") == pdf
    assert archive.read("1.1 - Báo cáo khắc phục.pdf") == sample_pdf("khac phuc")
    links = archive.read("Liên kết.txt").decode("utf-8")
    assert "1.2 - https://sadec.dongthap.gov.vn/tin-cchc-phuong-1" in links
    rows = list(csv.reader(io.StringIO(archive.read("Danh sách nhiệm vụ.csv").decode(
        "utf-8-sig"), newline=""), delimiter=";"))
    with app.app_context():
        own = set(db.session.scalars(
            select(Task.code).join(Progress, Progress.task_id == Task.id)
            .where(Progress.unit_id == unit, Task.directive_id == progress,
                   Progress.hidden.is_(False))))
    assert {row[0] for row in rows[1:]} == own
    assert next(row for row in rows if row[0] == "1.2")[8] == NOTE


def test_unit_cannot_download_another_units_zip(app, progress, login, ids):
    url = f"/directives/{progress}/units/{ids.unit('Phường 1')}/evidence.zip"
    for username in ("phuong2", "phongnoivu"):
        response = login(username).get(url)
        assert response.status_code == 403
        assert FORBIDDEN in response.get_data(as_text=True)
        assert b"PK\x03\x04" not in response.data
    for username in ("noivu.duyet", "lanhdao", "quantri"):
        assert login(username).get(url).status_code == 200


def test_units_cannot_export_the_matrix_or_the_report(progress, login):
    for username in ("phuong1", "phongnoivu"):
        client = login(username)
        for url in ("matrix.xlsx", "details.csv", "report.docx"):
            response = client.get(f"/directives/{progress}/reports/{url}")
            assert response.status_code == 403, (username, url)
            assert "Content-Disposition" not in response.headers


def test_leadership_exports_everything(progress, login):
    client = login("lanhdao")
    for url, mimetype in (("matrix.xlsx", XLSX), ("details.csv", "text/csv"),
                          ("report.docx", DOCX)):
        assert download(client, f"/directives/{progress}/reports/{url}", mimetype)


# --- links on the pages, and the dashboard's chart over time ------------------------------------


def test_pages_link_to_their_exports(progress, login, ids):
    html = login("noivu.duyet").get(f"/directives/{progress}/matrix").get_data(as_text=True)
    for url in ("matrix.xlsx", "details.csv", "report.docx"):
        assert f'href="/directives/{progress}/reports/{url}"' in html
    html = dashboard(login("lanhdao"), progress)
    assert f'href="/directives/{progress}/reports/report.docx"' in html
    unit = ids.unit("Phường 1")
    html = login("phuong1").get(f"/directives/{progress}/units/{unit}").get_data(as_text=True)
    assert f'href="/directives/{progress}/units/{unit}/evidence.zip"' in html
    assert "reports/matrix.xlsx" not in html


def test_completion_over_time_ends_at_the_screens_figure(app, progress, login):
    m = the_matrix(app, progress)
    totals = m.totals()
    html = dashboard(login("lanhdao"), progress)
    rows = Tables(html).tables["over-time"][1:]
    assert rows[-1] == [m.on.strftime("%d/%m/%Y"), "2",
                        f"{totals['done']}/{totals['assigned']}", f"{totals['percent']} %"]
    section = html.split('id="h-time"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and f"{totals['percent']} % ({totals['done']})" in section


def test_completion_over_time_counts_a_reopening_back(app, progress, login, ids):
    reviewer = login("noivu.duyet")
    ok(reviewer.post(f"/items/{ids.item('Phường 1', '1.10')}/reopen", {"comment": "Xem lại"}))
    totals = the_matrix(app, progress).totals()
    rows = Tables(dashboard(login("lanhdao"), progress)).tables["over-time"][1:]
    assert rows[-1][1:3] == ["1", f"{totals['done']}/{totals['assigned']}"]
    assert totals["done"] == 1  # the reopened item is no longer done


def test_xlsx_written_a_batch_of_units_at_a_time_is_the_same_workbook(app, progress, login,
                                                                      monkeypatch):
    """Streamed from a temporary file, with its length; three units at a time or all at once, the
    same cells on every sheet (the batch size is the route's setting)."""
    from portal.reports import routes

    client = login("lanhdao")
    url = f"/directives/{progress}/reports/matrix.xlsx"
    at_once = client.get(url)
    assert at_once.status_code == 200 and at_once.is_streamed
    assert at_once.content_length == len(at_once.get_data()) > 0
    monkeypatch.setattr(routes, "XLSX_BATCH", 3)
    batched = client.get(url).get_data()

    def cells(data: bytes) -> dict:
        book = load_workbook(io.BytesIO(data), read_only=True)
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
                for sheet in book.worksheets}

    whole, in_batches = cells(at_once.get_data()), cells(batched)
    assert whole == in_batches
    assert len(whole["Ma trận"]) > 24 and len(whole["Chi tiết"]) > 300
