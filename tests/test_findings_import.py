"""Bringing a unit's findings in from the inspection report (issue #19, point 2): a Word report
in its usual layouts, a workbook from the template with its header below a title, a CSV as Excel
writes it; a preview that matches each row to a unit and a task and names each row's errors in
Vietnamese; nothing written (no row, no file) until the confirmation, which writes every finding
audited as one added by hand, or none.

tests/data/bao-cao-kiem-tra-cchc-2023.docx (built by tests/data/make_report.py) is the report the
reading was tuned on; the second layout (units as heading rows) comes from
tests/support/findings_files.py."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Finding, FindingField, Progress, Task, Unit, UnitKind

from .support.databases import writes, written_since
from .support.findings_files import (
    findings_csv,
    findings_xlsx,
    no_table_docx,
    report_headings,
    report_merged,
    with_macro,
)
from .support.records import audit_since, last_audit_id, stored_files

REPORT = Path(__file__).parent / "data" / "bao-cao-kiem-tra-cchc-2023.docx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def reviewer(login):
    return login("noivu.duyet")


@pytest.fixture
def directive(ids) -> int:
    return ids.directive()


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, directive: int, content: bytes, name: str):
    return client.post(f"/directives/{directive}/findings/import",
                       {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def pending_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "pending-imports"
    return sorted(p for p in folder.iterdir()) if folder.exists() else []


def findings_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Finding.id)))


def findings_of(app, item_id: int) -> list[Finding]:
    with app.app_context():
        found = db.session.scalars(select(Finding).where(Finding.progress_id == item_id)
                                   .order_by(Finding.position)).all()
        db.session.expunge_all()
        return list(found)


def test_the_word_report_with_merged_cells_over_pages_is_previewed_then_written(
        app, reviewer, directive, ids):
    counted, files, audit_id = writes(app), stored_files(app), last_audit_id(app)
    response = upload(reviewer, directive, REPORT.read_bytes(), "Báo cáo kiểm tra.docx")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/directives/{directive}/findings/import/preview"
    preview = reviewer.get(response.headers["Location"])
    page = text(preview)
    assert preview.status_code == 200
    # 14 findings of 5 units, each four times: the table runs over several pages.
    assert "Tệp «Báo cáo kiểm tra.docx»: 56 hạn chế. Chưa có gì được ghi" in page
    assert page.count("Hợp lệ") == 56 and 'class="error"' not in page
    assert "Phường An Hòa · nhiệm vụ 1.1 · Cải cách tài chính công" in page
    assert "Xã Tân Khánh Đông · nhiệm vụ 1.1" in page
    assert "Bảng 2, dòng 3" in page  # the team's table (1) is read past; the numbers row too
    assert written_since(app, counted) == set() and stored_files(app) == files
    assert len(pending_files(app)) == 1

    confirmed = reviewer.post(f"/directives/{directive}/findings/import/confirm")
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] == f"/directives/{directive}/matrix"
    assert findings_count(app) == 56 and pending_files(app) == []
    ward = findings_of(app, ids.item("Phường 1", "1.1"))
    assert len(ward) == 16 and [f.code for f in ward[:3]] == ["1", "2", "3"]
    assert ward[0].text.startswith("Chưa niêm yết công khai đầy đủ thủ tục hành chính")
    events = audit_since(app, audit_id)
    assert [e.action for e in events] == ["finding.add"] * 56
    assert {(e.after["source"], e.after["file_name"]) for e in events} == {
        ("import", "Báo cáo kiểm tra.docx")}
    assert stored_files(app) == files
    matrix = text(reviewer.get(f"/directives/{directive}/matrix"))
    assert "Đã ghi 56 hạn chế từ tệp «Báo cáo kiểm tra.docx»." in matrix
    # A second click finds nothing left to write.
    again = reviewer.post(f"/directives/{directive}/findings/import/confirm")
    assert again.status_code == 303 and findings_count(app) == 56


def test_a_unit_sees_only_its_own_imported_findings(app, reviewer, login, directive, ids):
    content = findings_csv([["Phường 1", "1.1", "Chưa niêm yết TTHC.", ""],
                            ["Phường 2", "1.1", "Chưa mở hộp thư góp ý.", ""]])
    assert upload(reviewer, directive, content, "hc.csv").status_code == 303
    assert reviewer.post(f"/directives/{directive}/findings/import/confirm").status_code == 303
    own = text(login("phuong1").get(f"/items/{ids.item('Phường 1', '1.1')}"))
    assert "Chưa niêm yết TTHC." in own and "Chưa mở hộp thư góp ý." not in own
    neighbour = login("phuong2")
    assert neighbour.get(f"/items/{ids.item('Phường 1', '1.1')}").status_code == 403
    assert "Chưa mở hộp thư góp ý." in text(neighbour.get(f"/items/{ids.item('Phường 2', '1.1')}"))


def test_the_second_layout_units_as_heading_rows_and_a_repeated_header(
        app, reviewer, directive, ids):
    content = report_headings([("UBND Phường 2", "Chưa công khai số điện thoại đường dây nóng."),
                               ("UBND Phường 2", "Chưa cập nhật quy trình nội bộ."),
                               ("Phòng Tư pháp", "Chưa rà soát văn bản quy phạm pháp luật.")])
    assert upload(reviewer, directive, content, "phu-luc.docx").status_code == 303
    page = text(reviewer.get(f"/directives/{directive}/findings/import/preview"))
    assert "3 hạn chế." in page and page.count("Hợp lệ") == 3
    assert reviewer.post(f"/directives/{directive}/findings/import/confirm").status_code == 303
    assert [(f.code, f.text) for f in findings_of(app, ids.item("Phường 2", "1.1"))] == [
        ("HC1", "Chưa công khai số điện thoại đường dây nóng."),
        ("HC2", "Chưa cập nhật quy trình nội bộ.")]
    assert len(findings_of(app, ids.item("Phòng Tư pháp", "1.1"))) == 1

    merged = report_merged([("UBND Phường 3", f"Hạn chế thứ {n}.") for n in range(1, 31)],
                           repeat_header_at=15)
    assert upload(reviewer, directive, merged, "bao-cao.docx").status_code == 303
    page = text(reviewer.get(f"/directives/{directive}/findings/import/preview"))
    assert "30 hạn chế." in page and page.count("Hợp lệ") == 30


def test_a_workbook_with_its_header_on_line_4(app, reviewer, directive, ids):
    content = findings_xlsx([
        ["UBND Phường 4", "1.1", "HC1", "Chưa niêm yết TTHC.", "Cải cách thủ tục hành chính",
         "30/09/2023"],
        ["phuong an hoa", 1.1, None, "Thiếu kế hoạch tự kiểm tra.", "cong tac chi dao dieu hanh",
         date(2023, 10, 15)],
    ], header_line=4)
    assert upload(reviewer, directive, content, "mau.xlsx").status_code == 303
    page = text(reviewer.get(f"/directives/{directive}/findings/import/preview"))
    assert "Dòng 5" in page and "Dòng 6" in page and page.count("Hợp lệ") == 2
    assert reviewer.post(f"/directives/{directive}/findings/import/confirm").status_code == 303
    [first] = findings_of(app, ids.item("Phường 4", "1.1"))
    [second] = findings_of(app, ids.item("Phường An Hòa", "1.1"))
    assert (first.code, first.deadline) == ("HC1", date(2023, 9, 30))
    assert second.deadline == date(2023, 10, 15)
    with app.app_context():
        assert db.session.get(FindingField, second.field_id).name == "Công tác chỉ đạo, điều hành"


def test_a_csv_with_semicolons_and_bom(app, reviewer, directive, ids):
    content = findings_csv([["Phường 1", "", "Chưa niêm yết TTHC; thiếu 3 thủ tục.", ""]])
    assert content.startswith("\ufeff".encode())
    # The ";" inside the finding is quoted, as Excel quotes it.
    content = content.replace("Chưa niêm yết TTHC; thiếu 3 thủ tục.".encode(),
                              '"Chưa niêm yết TTHC; thiếu 3 thủ tục."'.encode())
    assert upload(reviewer, directive, content, "hc.csv").status_code == 303
    assert reviewer.post(f"/directives/{directive}/findings/import/confirm").status_code == 303
    [found] = findings_of(app, ids.item("Phường 1", "1.1"))
    assert found.text == "Chưa niêm yết TTHC; thiếu 3 thủ tục."  # no task code: 1.1


def test_each_bad_row_is_named_in_vietnamese_and_nothing_is_written(
        app, reviewer, directive):
    with app.app_context():  # a second "Tân Quy Đông": the short name names two units
        db.session.add(Unit(name="Xã Tân Quy Đông", short_name="Tân Quy Đông",
                            kind=UnitKind.COMMUNE, position=99))
        db.session.commit()
    content = findings_csv([
        ["Phường Mỹ Phú", "1.1", "Hạn chế A.", ""],
        ["Tân Quy Đông", "1.1", "Hạn chế B.", ""],
        ["Phòng Kinh tế", "1.1", "Hạn chế C.", ""],
        ["Phường 1", "1.1", "", ""],
        ["Phường 1", "1.1", "Hạn chế D.", ""],
        ["UBND Phường 1", "1.1", "Hạn chế D.", ""],
        ["Phường 2", "9.9", "Hạn chế E.", ""],
        ["Phường 2", "1.1", "Hạn chế F.", "Thể thao"],
    ])
    counted, files = writes(app), stored_files(app)
    assert upload(reviewer, directive, content, "loi.csv").status_code == 303
    page = text(reviewer.get(f"/directives/{directive}/findings/import/preview"))
    assert "7 dòng có lỗi" in page
    for message in (
        "Không có đơn vị «Phường Mỹ Phú» trong hệ thống.",
        "«Tân Quy Đông» khớp nhiều đơn vị (", "«Phường Tân Quy Đông»", "«Xã Tân Quy Đông»",
        "Nhiệm vụ 1.1 không giao cho đơn vị Phòng Kinh tế.",
        "Thiếu nội dung hạn chế.",
        "Trùng với dòng 6 (cùng đơn vị, nhiệm vụ và nội dung).",
        "Văn bản không có nhiệm vụ «9.9».",
        "Lĩnh vực «Thể thao» không có trong danh mục; dùng một trong: «Công tác chỉ đạo",
    ):
        assert message in page, message
    assert "Ghi vào hệ thống" not in page
    refused = reviewer.post(f"/directives/{directive}/findings/import/confirm")
    assert refused.status_code == 422
    assert "Không nhập được: còn 7 dòng có lỗi. Chưa ghi gì vào hệ thống." in text(refused)
    assert written_since(app, counted) == set() and stored_files(app) == files
    assert findings_count(app) == 0
    # Cancelled: the kept rows are gone, and a confirmation finds nothing to write.
    assert reviewer.post(f"/directives/{directive}/findings/import/cancel").status_code == 303
    assert pending_files(app) == []
    gone = reviewer.post(f"/directives/{directive}/findings/import/confirm")
    assert gone.status_code == 303 and gone.headers["Location"].endswith("/findings/import")


DOCX = report_merged([("Phường 1", "Hạn chế A.")])
XLSX_FILE = findings_xlsx([["Phường 1", "1.1", "", "Hạn chế A.", "", ""]])


@pytest.mark.parametrize(("content", "name", "status", "message"), [
    (no_table_docx(), "bao-cao.docx", 422,
     "không có bảng nào liệt kê đơn vị và hạn chế"),
    (with_macro(DOCX), "bao-cao.docm", 422, "có chứa macro (.docm), không được nhận"),
    (with_macro(XLSX_FILE), "bang.xlsm", 422, "có chứa macro (.xlsm), không được nhận"),
    (with_macro(XLSX_FILE), "bang.xlsx", 422, "có chứa macro, không được nhận"),
    (b"%PDF-1.4 not a word file", "bao-cao.docx", 422,
     "không phải tệp Word (.docx) như tên của nó"),
    (DOCX, "bang.xlsx", 422, "không phải tệp Excel (.xlsx) như tên của nó"),
    (XLSX_FILE, "bang.csv", 422, "không phải tệp CSV như tên của nó"),
    (b"Don vi;Han che\n", "bang.txt", 422, "Chỉ nhận báo cáo Word (.docx)"),
    (b"", "bang.csv", 422, "Tệp rỗng, không có dữ liệu."),
    (findings_csv([], header=("STT", "Ghi chú")) + b"1;x\r\n", "bang.csv", 422,
     "Không tìm thấy dòng tiêu đề có cột «Đơn vị» và «Nội dung hạn chế»"),
    (b"x" * (1024 * 1024 + 10), "bang.csv", 413, "Tệp vượt quá giới hạn 1 MB"),
], ids=["no-table", "docm", "xlsm", "macro-in-xlsx", "pdf-as-docx", "docx-as-xlsx",
        "xlsx-as-csv", "txt", "empty", "no-header", "oversized"])
def test_a_bad_file_is_refused_whole_with_nothing_written(app, reviewer, directive, content,
                                                          name, status, message):
    counted, files = writes(app), stored_files(app)
    response = upload(reviewer, directive, content, name)
    assert response.status_code == status
    assert message in text(response)
    assert written_since(app, counted) == set() and stored_files(app) == files
    assert pending_files(app) == []


def test_an_upload_past_the_request_limit_is_413(app, reviewer, directive):
    counted = writes(app)
    response = upload(reviewer, directive, b"x" * (3 * 1024 * 1024), "bang.csv")
    assert response.status_code == 413 and "vượt quá giới hạn 1 MB" in text(response)
    assert written_since(app, counted) == set() and pending_files(app) == []


def test_the_template_downloads_and_reads_back(app, reviewer, directive):
    import openpyxl

    response = reviewer.get(f"/directives/{directive}/findings/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[3]] == ["Đơn vị", "Mã nhiệm vụ", "Mã hạn chế",
                                           "Nội dung hạn chế", "Lĩnh vực", "Hạn khắc phục"]
    sheet.append(["Phường 1", "1.1", "", "Chưa niêm yết TTHC.", "", ""])
    out = io.BytesIO()
    sheet.parent.save(out)
    assert upload(reviewer, directive, out.getvalue(), "mau.xlsx").status_code == 303
    assert "Hợp lệ" in text(reviewer.get(f"/directives/{directive}/findings/import/preview"))


def test_admin_imports_too_units_and_leaders_do_not(app, login, directive):
    assert login("quantri").get(f"/directives/{directive}/findings/import").status_code == 200
    for username in ("phuong1", "phongnoivu", "lanhdao"):
        client = login(username)
        assert client.get(f"/directives/{directive}/findings/import").status_code == 403
        counted = writes(app)
        response = upload(client, directive, findings_csv([["Phường 1", "1.1", "A.", ""]]),
                          "a.csv")
        assert response.status_code == 403
        assert {table for table in written_since(app, counted)} <= {"audit_events"}
    with app.app_context():
        assert db.session.scalar(select(func.count(Progress.id))) > 0
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "finding.add")) == 0


def test_without_a_task_column_the_one_task_for_inspected_units_is_taken_else_asked(
        app, reviewer, directive, ids):
    content = report_merged([("UBND Phường 1", "Chưa niêm yết TTHC.")], with_field=False)
    assert upload(reviewer, directive, content, "bc.docx").status_code == 303
    assert "Phường 1 · nhiệm vụ 1.1" in text(
        reviewer.get(f"/directives/{directive}/findings/import/preview"))
    # A second task for the inspected units: which one is meant cannot be guessed.
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.directive_id == directive,
                                                    Task.code == "1.3"))
        task.audience = "inspected"
        db.session.commit()
    page = text(reviewer.get(f"/directives/{directive}/findings/import/preview"))
    assert "Thiếu mã nhiệm vụ: văn bản không có đúng một nhiệm vụ cho các đơn vị được kiểm " \
           "tra; hãy thêm cột «Mã nhiệm vụ»." in page
    assert reviewer.post(f"/directives/{directive}/findings/import/confirm").status_code == 422
    assert findings_count(app) == 0


def test_the_panel_and_the_directives_admin_page_link_the_import(login, directive, ids):
    # Not the matrix page itself: it is at its byte budget (tests/e2e/test_pages.py).
    link = f'href="/directives/{directive}/findings/import"'
    panel = f"/items/{ids.item('Phường 1', '1.1')}/panel"
    assert link in text(login("noivu.duyet").get(panel, htmx=True))
    assert link in text(login("quantri").get(panel, htmx=True))
    assert link not in text(login("lanhdao").get(panel, htmx=True))
    assert link in text(login("quantri").get(f"/admin/directives/{directive}"))


def test_a_closed_directive_takes_no_import(app, login, directive):
    admin = login("quantri")
    assert admin.post(f"/admin/directives/{directive}/close").status_code == 303
    counted = writes(app)
    for url in (f"/directives/{directive}/findings/import",
                f"/directives/{directive}/findings/import/template.xlsx"):
        response = admin.get(url)
        assert response.status_code == 409 and "Văn bản này đã kết thúc" in text(response)
    response = upload(admin, directive, findings_csv([["Phường 1", "1.1", "A.", ""]]), "a.csv")
    assert response.status_code == 409
    assert written_since(app, counted) <= {"audit_events"} and pending_files(app) == []
