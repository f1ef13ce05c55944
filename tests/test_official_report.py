"""The official Word report (portal/reports/official.py, layout.py) and who signs it
(/admin/report, portal/admin/report_settings.py): read back from the .docx, and laid out by
LibreOffice Writer into a PDF whose text and lines are measured (pdfplumber)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date

import pdfplumber
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from sqlalchemy import select

from portal import demo
from portal.deadlines import today
from portal.extensions import db
from portal.matrix import model as queries
from portal.models import AuditEvent, Directive, ReportSettings, Role, User

from .support.apps import app_with_progress, copied_app
from .support.clients import login_as
from .support.databases import writes, written_since
from .support.marks import SERVERS
from .support.progress import make_progress, ok
from .support.records import audit_since, ids_of, last_audit_id

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Straight quotes and a spaced percent sign, as a unit may type them.
NOTE = 'Đã rà soát 1.234 hồ sơ; khắc phục xong lỗi "trễ hạn", đạt 98 % tại Bộ phận Một cửa.'
SIGNER = {
    "office": "Phòng Nội vụ",
    "number_symbol": "BC-PNV",
    "authority_line": "KT. Trưởng phòng",
    "signer_title": "Phó Trưởng phòng",
    "signer_name": "Nguyễn Thị Phượng",
    "recipients": "- Thường trực UBND Thành phố (CT, các PCT);\r\n"
                  "Các phòng chuyên môn, đơn vị sự nghiệp, UBND các xã, phường\r\n\r\n"
                  "  Lưu: VT, PNV.",
}


def make_report_progress(login, ids) -> None:
    """The dashboard tests' progress, and a note typed with straight quotes on Phường 1's 1.2."""
    make_progress(login, ids)
    ok(login("phuong1").post(f"/items/{ids.item('Phường 1', '1.2')}/save", {"note": NOTE}))


@pytest.fixture(scope="module")
def progress_template(databases):
    return databases.template(
        "official-report", lambda app, root: make_report_progress(login_as(app), ids_of(app)),
        base="seeded")


@pytest.fixture
def app(request, databases, tmp_path):
    yield from app_with_progress(request, databases, "official-report", tmp_path)


@pytest.fixture
def progress(app, ids) -> int:
    return ids.directive()


def the_matrix(app, directive: int) -> queries.Matrix:
    with app.test_request_context():
        m = queries.matrix(directive, today())
        db.session.expunge_all()
        return m


def report_bytes(client, directive: int) -> bytes:
    response = client.get(f"/directives/{directive}/reports/report.docx")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == DOCX
    return response.data


def report(client, directive: int):
    return Document(io.BytesIO(report_bytes(client, directive)))


def styled_paragraphs(document) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph in reading order, tables' cells included."""
    names = {style.style_id: style.name for style in document.styles}
    found = []
    for p in document.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        found.append((names.get(style.get(qn("w:val"))) if style is not None else "Normal", text))
    return found


def all_text(document) -> str:
    return "\n".join(text for _, text in styled_paragraphs(document))


def rows_of(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def set_letter(app, directive: int, **fields) -> None:
    with app.app_context():
        found = db.session.get(Directive, directive)
        for name, value in fields.items():
            setattr(found, name, value)
        db.session.commit()


# --- the document, read back ---------------------------------------------------------------------


def test_docx_is_an_administrative_document_in_the_decrees_order(app, progress, login):
    document = report(login("lanhdao"), progress)
    section = document.sections[0]
    # A4 (Word keeps sizes in twentieths of a point: a few EMU off a millimetre figure)
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    margins = {side: round(getattr(section, f"{side}_margin").mm, 1)
               for side in ("top", "bottom", "left", "right")}
    assert 20 <= margins["top"] <= 25 and 20 <= margins["bottom"] <= 25, margins
    assert 30 <= margins["left"] <= 35 and 15 <= margins["right"] <= 20, margins
    for name in ("Normal", "Report Body", "Report Title"):
        assert document.styles[name].font.name == "Times New Roman"
    assert 13 <= document.styles["Report Body"].font.size.pt <= 14

    paragraphs = [(style, text) for style, text in styled_paragraphs(document) if text]
    order = [
        ("Report Issuer", "UBND THÀNH PHỐ SA ĐÉC"),
        ("Report Office", "PHÒNG NỘI VỤ"),
        ("Report Motto", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("Report Motto Line", "Độc lập - Tự do - Hạnh phúc"),
        ("Report Number", "Số:"),
        ("Report Place Date", "Sa Đéc, ngày"),
        ("Report Title", "BÁO CÁO"),
        ("Report Subject", "Kết quả thực hiện Công văn số"),
        ("Report Body", "Thực hiện Công văn số"),
        ("Report Heading", "I. NỘI DUNG YÊU CẦU"),
        ("Report Heading", "II. KẾT QUẢ CHUNG"),
        ("Report Heading", "III. TÌNH HÌNH THỰC HIỆN CỦA CÁC ĐƠN VỊ"),
        ("Report Heading", "IV. SỐ LIỆU CÁC NHIỆM VỤ CÓ CHỈ TIÊU"),
        ("Report Heading", "V. KẾT QUẢ THEO TỪNG NỘI DUNG"),
        ("Report Body", "Trên đây là báo cáo"),
        ("Report Recipients Heading", "Nơi nhận:"),
        ("Report Recipients", "- Lưu: VT, PNV."),
        ("Report Signature", "TRƯỞNG PHÒNG"),
        ("Report Annex Number", "Phụ lục I"),
        ("Report Annex Title", "KẾT QUẢ THỰC HIỆN CỦA TỪNG ĐƠN VỊ"),
        ("Report Annex Number", "Phụ lục II"),
        ("Report Annex Number", "Phụ lục III"),
        ("Report Annex Number", "Phụ lục IV"),
    ]
    position = 0
    for style, start in order:
        while position < len(paragraphs) and not (
                paragraphs[position][0] == style and paragraphs[position][1].startswith(start)):
            position += 1
        assert position < len(paragraphs), f"missing, or out of order: {style} «{start}»"
    headings = [text for style, text in paragraphs if style == "Report Heading"]
    assert len(headings) == 5


def test_header_has_the_decrees_two_columns_and_its_lines(app, progress, login):
    """Issuing body | Quốc hiệu in a borderless table whose grid (which LibreOffice follows) has
    the fixed widths; the motto underlined; a short rule under the issuing office and under the
    trích yếu, a paragraph's top border narrowed by its indents."""
    document = report(login("lanhdao"), progress)
    header = document.tables[0]
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and {b.get(qn("w:val")) for b in borders} == {"nil"}
    grid = [round(column.w.mm) for column in header._tbl.tblGrid.gridCol_lst]
    assert grid == [63, 102]
    assert header._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    left, right = header.rows[0].cells
    motto = next(p for p in right.paragraphs if p.text == "Độc lập - Tự do - Hạnh phúc")
    assert [run.font.underline for run in motto.runs] == [True]
    texts = [p.text for p in left.paragraphs]
    office = left.paragraphs[texts.index("PHÒNG NỘI VỤ")]
    assert not any(run.font.underline for run in office.runs)
    rule = left.paragraphs[texts.index("PHÒNG NỘI VỤ") + 1]
    assert rule.text == "" and rule._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:top')}") \
        is not None
    line = Mm(63) - Mm(3.8) - rule.paragraph_format.left_indent \
        - rule.paragraph_format.right_indent
    assert Mm(8) < line < Mm(18)  # a third to a half of the name's 31 mm
    assert header.rows[1].cells[0].text == "Số:        /BC-PNV"
    assert re.fullmatch(r"Sa Đéc, ngày \d\d tháng \d{1,2} năm \d{4}", header.rows[1].cells[1].text)
    paragraphs = document.paragraphs
    subject = next(i for i, p in enumerate(paragraphs) if p.style.name == "Report Subject")
    assert paragraphs[subject + 1].style.name == "Report Rule"


@pytest.mark.parametrize("letter, cited", [
    ({"number": "1234/UBND-HC", "issued_on": date(2023, 12, 5)},
     "Công văn số 1234/UBND-HC ngày 05/12/2023 của UBND thành phố Sa Đéc"),
    # The seed letter as filed: number and day blank, "ngày tháng 6 năm 2023".
    ({}, "Công văn số …/… ngày … tháng 6 năm 2023 của UBND thành phố Sa Đéc"),
    ({"number": "/UBND-HC", "date_line": ""},
     "Công văn số …/UBND-HC ngày … tháng … năm … của UBND thành phố Sa Đéc"),
])
def test_trich_yeu_and_opening_cite_the_letter_by_number_and_date(app, progress, login, letter,
                                                                  cited):
    set_letter(app, progress, **letter)
    paragraphs = styled_paragraphs(report(login("noivu.duyet"), progress))
    subject = next(text for style, text in paragraphs if style == "Report Subject")
    assert subject == (f"Kết quả thực hiện {cited} về việc chấn chỉnh, khắc phục thực hiện công "
                       "tác CCHC qua kết quả kiểm tra năm 2023")
    opening = next(text for style, text in paragraphs if style == "Report Body" and text)
    assert opening.startswith(f"Thực hiện {cited} về việc chấn chỉnh")
    closing = next(text for style, text in paragraphs if text.startswith("Trên đây"))
    assert closing.startswith(f"Trên đây là báo cáo kết quả thực hiện {cited}; Phòng Nội vụ")


def test_body_gives_leadership_the_matrixs_figures(app, progress, login):
    m = the_matrix(app, progress)
    totals = m.totals()
    text = all_text(report(login("noivu.duyet"), progress))
    body = text.split("Nơi nhận:")[0]
    assert (f"hoàn thành (được duyệt “Đạt”) {totals['done']}/{totals['assigned']} lượt nhiệm vụ, "
            f"đạt {totals['percent']}%") in body
    assert f"Văn bản giao {len(m.columns)} nhiệm vụ cho {totals['units']} đơn vị" in body
    for state, count, share in m.by_state():
        if count:
            assert f"{state.label.lower()}: {count} ({share}%)" in body
    # Still overdue, by task: 1.1 of the letter, due 16/06/2023, with Phường 2 among them.
    overdue = [row for row in m.rows if row.overdue]
    assert f"3. Còn nhiệm vụ quá hạn chưa hoàn thành: {len(overdue)} đơn vị, theo nhiệm vụ:" in body
    late = re.search(r"- Nhiệm vụ 1\.1 \(hạn 16/06/2023\): (\d+) đơn vị \(([^)]*)", body)
    assert late and "Phường 2" in late.group(2) and "Phường 4" not in late.group(2)
    # Metric tasks: how many units reach the target; each unit's figure is in the annex.
    rate = next(c for c in m.metric_columns if c.code == "1.10")
    assert re.search(r"- 1\.10 Tỷ lệ ký số văn bản điện tử trên iDesk \(chỉ tiêu ≥ 100%\): "
                     rf"0/{len(m.figures(rate))} đơn vị đáp ứng chỉ tiêu", body)
    assert "Số liệu của từng đơn vị tại Phụ lục III." in body
    # Per section of the letter, not per unit: the notes are in the annex.
    assert "- Mục 1 (" in body and NOTE[:20] not in body


def test_annexes_hold_the_tables_behind_the_body(app, progress, login):
    m = the_matrix(app, progress)
    document = report(login("noivu.duyet"), progress)
    units, tasks, figures, notes = (rows_of(table) for table in document.tables[2:])
    assert units[0][:3] == ["STT", "Đơn vị", "Nhiệm vụ được giao"]
    by_unit = {row[1]: row for row in units[1:] if len(set(row)) > 1}
    first = next(row for row in m.rows if row.name == "Phường 1")
    assert by_unit["Phường 1"][2] == str(first.assigned)
    assert by_unit["Phường 1"][8] == f"{first.percent}%"
    assert by_unit["Phường 2"][9] == "1.1"  # its overdue task
    assert by_unit["Tổng cộng"][2] == str(m.totals()["assigned"])
    assert {"Phòng chuyên môn (12 đơn vị)", "Xã, phường (9 đơn vị)"} <= {
        row[0] for row in units if len(set(row)) == 1}
    assert [row[0] for row in tasks[1:]] == [column.code for column in m.columns]
    rate = next(column for column in m.columns if column.code == "1.1")
    assert next(row for row in tasks if row[0] == "1.1")[2:6] == [
        "16/06/2023", str(rate.assigned), str(rate.done), f"{rate.percent}%"]
    header = figures[0]
    assert header[0] == "Đơn vị" and header[1:] == [c.code for c in m.metric_columns][:6]
    figure = {row[0]: row[header.index("1.10")] for row in figures[1:]}
    assert figure["Phường 1"] == "90% ✗" and figure["Phường 2"] == "50% ✗"
    assert figure["Phường 3"] == "Chưa có số liệu"
    assert ["Phường 1", NOTE.replace('"trễ hạn"', "“trễ hạn”").replace("98 %", "98%")] in notes


def test_annexes_are_landscape_sections_numbered_on_their_own(app, progress, login):
    document = report(login("lanhdao"), progress)
    first, *annexes = document.sections
    assert first.orientation == WD_ORIENT.PORTRAIT and len(annexes) == 4
    for section in annexes:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    notes = [text for style, text in styled_paragraphs(document) if style == "Report Annex Note"]
    assert len(notes) == 4 and all(
        re.fullmatch(r"\(Kèm theo Báo cáo số +/BC-PNV ngày \d\d tháng \d+ năm \d{4} của Phòng "
                     r"Nội vụ\)", note) for note in notes)


def test_charts_are_png_pictures_with_their_numbers_as_text(app, progress, login):
    m = the_matrix(app, progress)
    document = report(login("noivu.duyet"), progress)
    pictures = [part for part in document.part.package.parts if part.partname.endswith(".png")]
    assert len(pictures) == 4  # by kind, deadline states, over time, targets reached
    assert all(part.blob.startswith(b"\x89PNG\r\n\x1a\n") for part in pictures)
    captions = [text for style, text in styled_paragraphs(document) if style == "Report Caption"]
    assert [c.split(". ", 1)[0] for c in captions] == [f"Biểu đồ {n}" for n in range(1, 5)]
    descriptions = [p.get("descr") for p in document.element.body.iter(qn("wp:docPr"))]
    totals = m.totals()
    assert f"Toàn thành phố: {totals['percent']}% ({totals['done']}/{totals['assigned']})" in (
        descriptions[0])
    assert len(descriptions) == 4 and all("%" in d and " %" not in d for d in descriptions)


def test_report_uses_vietnamese_typography(app, progress, login):
    """“ ” for quotes (a unit's straight quotes too), "21%", no « » and no straight quote."""
    text = all_text(report(login("noivu.duyet"), progress))
    assert "“trễ hạn”" in text and "“Đạt”" in text and "đạt 98%" in text
    assert not re.search(r"[\"'«»]", text), re.findall(r".{20}[\"'«»].{20}", text)
    assert not re.search(r"\d %", text)


# --- who signs ----------------------------------------------------------------------------------


def closing_table(document):
    return next(table for table in document.tables
                if table.rows[0].cells[0].text.startswith("Nơi nhận:"))


def test_signature_block_and_recipients_are_the_administrators(app, progress, login):
    ok(login("quantri").post("/admin/report", SIGNER))
    document = report(login("lanhdao"), progress)
    table = closing_table(document)
    left, right = table.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "Nơi nhận:", "- Thường trực UBND Thành phố (CT, các PCT);",
        "- Các phòng chuyên môn, đơn vị sự nghiệp, UBND các xã, phường;", "- Lưu: VT, PNV."]
    said = [p.text for p in right.paragraphs]
    assert said[:2] == ["KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"]
    assert said[-1] == "Nguyễn Thị Phượng" and said[2:-1] == [""] * 4
    # Never split across pages: one row that may not break, the body's last paragraph kept
    # with it.
    assert table.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    body = table._tbl.getprevious()
    assert body.pPr.find(qn("w:keepNext")) is not None
    assert "".join(body.itertext()).startswith("Trên đây là báo cáo")


def test_without_settings_the_report_has_the_default_signer(app, progress, login):
    right = closing_table(report(login("lanhdao"), progress)).rows[0].cells[1]
    assert [p.text for p in right.paragraphs][:1] == ["TRƯỞNG PHÒNG"]


def test_administrator_sets_who_signs_and_it_is_audited(app, login):
    admin = login("quantri")
    page = admin.get("/admin/report").get_data(as_text=True)
    assert 'value="Phòng Nội vụ"' in page and 'value="TRƯỞNG PHÒNG"' in page
    assert 'href="/admin/report"' in page  # the administration's menu
    before = last_audit_id(app)
    response = admin.post("/admin/report", SIGNER)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/report"
    assert "Đã lưu người ký và nơi nhận của báo cáo." in admin.get("/admin/report").get_data(
        as_text=True)
    with app.app_context():
        (stored,) = db.session.scalars(select(ReportSettings)).all()
        assert (stored.number_symbol, stored.authority_line, stored.signer_name) == (
            "BC-PNV", "KT. Trưởng phòng", "Nguyễn Thị Phượng")
        assert stored.recipients == ("Thường trực UBND Thành phố (CT, các PCT)\n"
                                     "Các phòng chuyên môn, đơn vị sự nghiệp, UBND các xã, "
                                     "phường\nLưu: VT, PNV")
        admin_id = db.session.scalar(select(User.id).where(User.role == Role.ADMIN))
        assert stored.updated_by_id == admin_id and stored.updated_at is not None
    (event,) = audit_since(app, before)
    assert event.action == "report_settings.update" and event.username == "quantri"
    # What changed, from the defaults; "Nơi nhận" was typed as the default reads.
    assert event.before == {"authority_line": "", "signer_title": "TRƯỞNG PHÒNG",
                            "signer_name": ""}
    assert event.after == {"authority_line": "KT. Trưởng phòng",
                           "signer_title": "Phó Trưởng phòng",
                           "signer_name": "Nguyễn Thị Phượng"}

    # The same again changes nothing and writes nothing.
    counted = writes(app)
    response = admin.post("/admin/report", SIGNER)
    assert response.status_code == 303
    assert "Không có gì thay đổi." in admin.get("/admin/report").get_data(as_text=True)
    assert written_since(app, counted) == set()
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == (
            event.id)


@pytest.mark.parametrize("changes, message", [
    ({"office": "  "}, "Hãy nhập tên cơ quan ban hành báo cáo."),
    ({"number_symbol": "BC PNV"}, "Ký hiệu gồm chữ in hoa và chữ số, nối bằng dấu gạch ngang"),
    ({"number_symbol": ""}, "Hãy nhập ký hiệu của báo cáo"),
    ({"authority_line": "Trưởng phòng"}, "Dòng quyền hạn bắt đầu bằng TM., KT., TL., TUQ. hoặc Q."),
    ({"signer_title": ""}, "Hãy nhập chức vụ người ký."),
    ({"signer_name": "\u200b"}, "Hãy nhập họ và tên người ký."),
    ({"signer_name": "Nguyễn " * 40}, "Họ và tên tối đa 200 ký tự."),
    ({"recipients": " - \r\n ; "}, "Hãy nhập ít nhất một nơi nhận"),
    ({"recipients": "\n".join(f"Phòng {n}" for n in range(21))}, "Nơi nhận tối đa 20 dòng."),
    ({"recipients": "Lưu: " + "VT, " * 60}, "Mỗi dòng nơi nhận tối đa 200 ký tự."),
])
def test_bad_report_settings_are_refused_in_vietnamese_and_nothing_is_written(app, login, changes,
                                                                             message):
    admin = login("quantri")
    counted = writes(app)
    response = admin.post("/admin/report", SIGNER | changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert written_since(app, counted) == set()


def test_report_of_a_directive_without_tasks_has_no_annex(app, login):
    with app.app_context():
        directive = Directive(slug="trong", year=2024, title="Văn bản chưa có nhiệm vụ",
                              issuer="Ủy ban nhân dân thành phố Sa Đéc")
        db.session.add(directive)
        db.session.commit()
        directive_id = directive.id
    document = report(login("lanhdao"), directive_id)
    text = all_text(document)
    assert "Văn bản chưa giao nhiệm vụ nào cho các đơn vị." in text
    assert "Công văn số …/… ngày … tháng … năm … của UBND thành phố Sa Đéc" in text
    assert "TRƯỞNG PHÒNG" in text and "Phụ lục" not in text
    assert len(document.sections) == 1


# --- laid out by LibreOffice ---------------------------------------------------------------------


def seed_demo_progress(app, root) -> None:
    """The demo's sample progress (`make run`'s), through the same actions units take."""
    with app.app_context():
        users = db.session.scalars(select(User).order_by(User.id)).all()
        people: dict[int, list[User]] = {}
        for user in users:
            if user.role is Role.UNIT:
                people.setdefault(user.unit_id, []).append(user)
        demo.fill_sample_progress(people)
        demo.review_sample(next(u for u in users if u.role is Role.REVIEWER))
        db.session.remove()


@pytest.fixture
def demo_app(databases, tmp_path):
    """The portal on the demo city with the demo's progress (built once per test process)."""
    databases.template("official-demo", seed_demo_progress, base="seeded")
    yield from copied_app(databases, "official-demo", tmp_path)


def lines_of(page, box=None) -> list[dict]:
    """The lines of text of a page (or of the part `box` of it), each with its text and box."""
    return (page.crop(box) if box else page).extract_text_lines()


@SERVERS
def test_libreoffice_lays_the_report_out_as_the_decree_asks(demo_app, tmp_path):
    """LibreOffice Writer (as the offices have it) turns the seed letter's report, with the
    demo's progress and a signer set, into a PDF that reads: the Quốc hiệu on one line with the
    motto's line as long as the motto; the issuing office's line a third to a half of it; a body
    of two to four pages ending with the signature block (authority, title, name) and "Nơi nhận"
    on one page; then the annexes, in landscape."""
    soffice = shutil.which("soffice")
    if not soffice:
        message = "needs LibreOffice Writer (soffice); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    login = login_as(demo_app)
    ok(login("quantri").post("/admin/report", SIGNER))
    directive = ids_of(demo_app).directive()
    (tmp_path / "bao-cao.docx").write_bytes(report_bytes(login("noivu.duyet"), directive))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "bao-cao.docx")],
                   check=True, timeout=240, capture_output=True)

    with pdfplumber.open(tmp_path / "bao-cao.pdf") as pdf:
        pages = pdf.pages
        first = pages[0]
        column = (30 + 63) / 25.4 * 72  # where the Quốc hiệu's column begins, in points
        right = lines_of(first, (column, 0, first.width, 150))
        assert [line["text"] for line in right[:2]] == [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
        motto = right[1]
        rules = [line for line in first.lines if abs(line["top"] - line["bottom"]) < 1]
        under_motto = [line for line in rules if 0 <= line["top"] - motto["bottom"] < 6]
        assert under_motto, "no line under the motto"
        assert abs((under_motto[0]["x1"] - under_motto[0]["x0"])
                   - (motto["x1"] - motto["x0"])) < 3
        left = lines_of(first, (0, 0, column, 150))
        office = next(line for line in left if line["text"] == "PHÒNG NỘI VỤ")
        under_office = [line for line in rules if 0 <= line["top"] - office["bottom"] < 12
                        and line["x1"] < column]
        assert under_office, "no line under the issuing office"
        share = (under_office[0]["x1"] - under_office[0]["x0"]) / (office["x1"] - office["x0"])
        assert 1 / 3 <= share <= 1 / 2, share
        centre = (under_office[0]["x0"] + under_office[0]["x1"]) / 2
        assert abs(centre - (office["x0"] + office["x1"]) / 2) < 3

        texts = [page.extract_text() or "" for page in pages]
        signed = [n for n, text in enumerate(texts) if "Nguyễn Thị Phượng" in text]
        assert len(signed) == 1, "the signer's name, once"
        last = signed[0]
        for words in ("Nơi nhận:", "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "- Lưu: VT, PNV."):
            assert words in texts[last], f"{words!r} is not on the signer's page"
        assert 2 <= last + 1 <= 4, f"the body is {last + 1} pages"
        assert all(page.width < page.height for page in pages[:last + 1])
        annexes = pages[last + 1:]
        assert annexes and all(page.width > page.height for page in annexes)
        assert texts[last + 1].lstrip().startswith("Phụ lục I")
        for number in ("II", "III", "IV"):
            assert any(re.search(rf"^Phụ lục {number}$", text, re.M)
                       for text in texts[last + 1:]), f"Phụ lục {number}"
        body = " ".join(" ".join(texts[:last + 1]).split())
        assert "BÁO CÁO" in body and "Công văn số …/… ngày … tháng 6 năm 2023" in body
