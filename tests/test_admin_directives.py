"""The administrator's directives: import a letter (pasted, .txt or .docx) as a draft, write one
by hand, edit its metadata and inspected units, preview what a unit will see, publish, close,
archive, reopen, copy to the next cycle and delete a draft. Bad input gets Vietnamese messages and
a 422 with nothing written; a draft reaches no unit; a unit's recorded work is never lost."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.directives import lifecycle
from portal.directives.loader import SA_DEC_2023
from portal.extensions import db
from portal.models import (
    Directive,
    DirectiveStatus,
    Inspection,
    Progress,
    Section,
    Task,
    TaskKind,
    Unit,
)

from .support.databases import database_rows, writes, written_since
from .support.forms import form_of
from .support.records import audit_actions_since, last_audit_id

SEED = (SA_DEC_2023.parent / "sa-dec-2023-cchc.txt").read_text(encoding="utf-8")
SA_DEC_TITLE = "Chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả kiểm tra năm 2023"
CLOSED = "Văn bản này đã kết thúc"
# A letter with one addressee the portal does not have: its task stays unmatched.
WATER = """ỦY BAN NHÂN DÂN
THÀNH PHỐ SA ĐÉC

Số: 45/UBND-HC
V/v báo cáo công tác cấp nước năm 2024

Sa Đéc, ngày 03 tháng 4 năm 2024

Kính gửi:
- Trưởng phòng Nội vụ Thành phố;
- Giám đốc Công ty Cổ phần Cấp nước Đồng Tháp.

Ủy ban nhân dân thành phố Sa Đéc có ý kiến chỉ đạo như sau:

1. Trưởng phòng, phòng Nội vụ Thành phố

Tổng hợp kết quả cấp nước của Thành phố, báo cáo UBND Thành phố trước ngày 30/5/2024.

2. Giám đốc Công ty Cổ phần Cấp nước Đồng Tháp

Rà soát, sửa chữa đường ống cấp nước bị hư hỏng trên địa bàn Thành phố, báo cáo kết quả trước \
ngày 15/5/2024.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Văn Hôn
"""


# --- helpers -------------------------------------------------------------------------------------


def html(response) -> str:
    return response.get_data(as_text=True)


def says(response, text: str) -> bool:
    return str(escape(text)) in html(response)


def created_id(response) -> int:
    assert response.status_code == 303, html(response)[:3000]
    return int(re.fullmatch(r"/admin/directives/(\d+)", response.headers["Location"]).group(1))


def directive_row(app, directive_id: int) -> Directive | None:
    with app.app_context():
        found = db.session.get(Directive, directive_id)
        if found is not None:
            db.session.expunge(found)
        return found


def tasks_by_code(app, directive_id: int) -> dict[str, Task]:
    with app.app_context():
        tasks = db.session.scalars(select(Task).where(Task.directive_id == directive_id)).all()
        for task in tasks:
            db.session.expunge(task)
        return {task.code: task for task in tasks}


def progress_of(app, directive_id: int) -> dict[tuple[str, int], Progress]:
    """The directive's items by (task code, unit id), detached."""
    with app.app_context():
        rows = db.session.execute(
            select(Task.code, Progress).join(Progress, Progress.task_id == Task.id)
            .where(Task.directive_id == directive_id)
        ).all()
        for _, item in rows:
            db.session.expunge(item)
        return {(code, item.unit_id): item for code, item in rows}


def visible_task_ids(app, directive_id: int, unit_id: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(
            select(Progress.task_id).join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive_id, Progress.unit_id == unit_id,
                   Progress.hidden.is_(False))
        ))


def docx_letter(text: str) -> bytes:
    """The letter as a Word document: one paragraph per block of the text."""
    from docx import Document

    document = Document()
    for block in text.replace("**", "").replace("*", "").split("\n\n"):
        document.add_paragraph(block.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def import_letter(admin, text: str = "", file: tuple[bytes, str] | None = None, slug: str = ""):
    data = {"text": text, "slug": slug}
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    return admin.post("/admin/directives/import", data, content_type="multipart/form-data")


# --- the list ------------------------------------------------------------------------------------


def test_admin_lists_directives_by_status_drafts_and_open_first(app, login):
    admin = login("quantri")
    draft = created_id(import_letter(admin, WATER))
    response = admin.get("/admin/directives")
    assert response.status_code == 200
    page = html(response)
    headings = re.findall(r'<h2 class="section" id="status-(\w+)">', page)
    assert headings == ["draft", "open", "closed", "archived"]
    assert page.index(f'id="directive-{draft}"') < page.index("id=\"status-open\"")
    assert says(response, SA_DEC_TITLE)
    assert says(response, "Văn bản chỉ đạo") and 'href="/admin/directives/import"' in page


# --- importing a letter --------------------------------------------------------------------------


def assert_seed_draft(app, directive_id: int) -> None:
    directive = directive_row(app, directive_id)
    assert directive.status is DirectiveStatus.DRAFT and directive.published_at is None
    assert directive.title == SA_DEC_TITLE and directive.year == 2023
    assert directive.signer == "Nguyễn Văn Hôn" and directive.number == ""
    assert "Kính gửi" in directive.full_text
    with app.app_context():
        sections = db.session.scalars(select(Section.number).where(
            Section.directive_id == directive_id).order_by(Section.position)).all()
    assert sections == ["1", "2", "3", "4", "5"]
    tasks = tasks_by_code(app, directive_id)
    assert len(tasks) == 24
    assert tasks["1.1"].deadline == date(2023, 6, 16) and tasks["1.1"].audience == "inspected"
    assert tasks["1.1"].kind is TaskKind.REPORT
    assert tasks["1.14"].deadline == date(2023, 6, 20)
    assert tasks["1.14"].audience == "not_inspected"
    assert tasks["1.6"].audience == "kind:commune"
    assert tasks["2.1"].audience == "unit:Phòng Văn hóa và Thông tin"
    assert tasks["1.10"].kind is TaskKind.METRIC and tasks["1.10"].measure.value == "percent"
    assert all(tasks[code].deadline is None for code in tasks if code not in ("1.1", "1.14"))
    assert progress_of(app, directive_id) == {}  # a draft reaches nobody


def test_pasted_letter_becomes_an_editable_draft(app, login, ids):
    admin = login("quantri")
    audit_id = last_audit_id(app)

    response = import_letter(admin, SEED)

    draft = created_id(response)
    assert_seed_draft(app, draft)
    assert audit_actions_since(app, audit_id) == ["directive.import"]
    page = admin.get(f"/admin/directives/{draft}")
    assert page.status_code == 200
    assert says(page, "Đã nhập công văn thành bản nháp") and says(page, "24 nhiệm vụ")
    assert says(page, "Bản nháp") and says(page, "Ban hành")
    # no inspected unit chosen yet: the inspected-only task reaches nobody, which blocks publishing
    assert says(page, "Nhiệm vụ 1.1 chưa giao cho đơn vị nào.")
    assert says(page, "hãy chọn các đơn vị được kiểm tra")  # the importer's warning, reworded
    assert says(page, "chưa chọn đơn vị nào được kiểm tra")
    assert "«inspected»" not in html(page)
    # units never see a draft
    unit = ids.unit("Phường 1")
    assert login("phuong1").get(f"/directives/{draft}/units/{unit}").status_code == 404


@pytest.mark.parametrize("name,content", [
    ("cong-van.txt", SEED.encode("utf-8")),
    ("cong-van.docx", docx_letter(SEED)),
], ids=["txt", "docx"])
def test_uploaded_letter_becomes_a_draft(app, login, name, content):
    admin = login("quantri")
    audit_id = last_audit_id(app)

    draft = created_id(import_letter(admin, file=(content, name), slug="sa-dec-2023-nhap"))

    assert directive_row(app, draft).slug == "sa-dec-2023-nhap"
    assert_seed_draft(app, draft)
    assert audit_actions_since(app, audit_id) == ["directive.import"]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


@pytest.mark.parametrize("text,file,field,message", [
    ("", None, "text", "Hãy dán nội dung công văn hoặc chọn tệp công văn."),
    ("   \n\n ", None, "text", "Hãy dán nội dung công văn hoặc chọn tệp công văn."),
    ("... ; ---", None, "text", "Văn bản trống: không có nội dung nào để nhập."),
    ("", (PNG, "anh.txt"), "file", "không phải văn bản đọc được"),
    ("", (b"\xd0\xcf\x11\xe0" + bytes(600), "cong-van.doc"), "file",
     "không phải văn bản Word 97-2003"),
    ("", (b"", "trong.txt"), "file", "trống, không có nội dung để nhập"),
    ("a" * 200_001, None, "text", "Văn bản quá dài (200.001 ký tự)"),
    ("", (("Công văn. " * 25_000).encode(), "dai.txt"), "file", "Văn bản quá dài"),
    (SEED, (SEED.encode(), "cv.txt"), "text", "Chỉ dán nội dung hoặc chọn tệp, không cả hai."),
], ids=["empty", "blank", "no-words", "binary", "doc", "empty-file", "too-long",
        "too-long-file", "both"])
def test_bad_letter_is_refused_with_nothing_written(app, login, text, file, field, message):
    admin = login("quantri")
    counted = writes(app)

    response = import_letter(admin, text, file)

    assert response.status_code == 422
    page = html(response)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and str(escape(message)) in error.group(1), page[:4000]
    assert written_since(app, counted) == set()


def test_the_draft_shows_its_letter_beside_it_and_is_made_again_from_corrected_text(app, login):
    admin = login("quantri")
    directive_id = created_id(import_letter(admin, SEED))
    page = html(admin.get(f"/admin/directives/{directive_id}"))
    assert 'class="draft-and-letter"' in page and "Văn bản công văn đã đọc" in page
    assert 'name="text"' in page and "Nhập lại từ văn bản này" in page
    assert str(escape("trước ngày 16/6/2023")) in page

    # A slip read from a scan, corrected: the deadline of 1.1 is the corrected one.
    counted, last = writes(app), last_audit_id(app)
    corrected = SEED.replace("16/6/2023", "18/6/2023")
    response = admin.post(f"/admin/directives/{directive_id}/text", {"text": corrected})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{directive_id}"
    tasks = tasks_by_code(app, directive_id)
    assert len(tasks) == 24 and tasks["1.1"].deadline == date(2023, 6, 18)
    assert "18/6/2023" in directive_row(app, directive_id).full_text
    assert audit_actions_since(app, last) == ["directive.reimport"]
    assert {"tasks", "sections", "directives"} <= written_since(app, counted)

    # Text that gives no draft is refused with its message, and nothing changes.
    counted = writes(app)
    for bad, words in (("   ", "Văn bản trống"), ("... ; ---", "Văn bản trống")):
        response = admin.post(f"/admin/directives/{directive_id}/text", {"text": bad})
        assert response.status_code == 422 and says(response, words)
    assert written_since(app, counted) == set()


NO_YEAR = ("Chủ tịch UBND thành phố yêu cầu Phòng Nội vụ rà soát thủ tục hành chính, báo cáo "
           "trước 15-6.\n")


def test_a_letter_with_no_year_takes_its_dates_from_the_day_it_reached_the_portal(app, login):
    admin = login("quantri")
    app.config["FROZEN_NOW"] = datetime(2026, 12, 7, 2, 0)
    directive_id = created_id(import_letter(admin, NO_YEAR, slug="khong-ghi-nam"))
    (task,) = tasks_by_code(app, directive_id).values()
    assert task.deadline == date(2027, 6, 15)  # 15/6 is past on 07/12/2026: the next one
    assert "ngày nhập văn bản (07/12/2026)" in task.import_notes
    assert directive_row(app, directive_id).year == 2026
    # made again from its text half a year later: still from the day it reached the portal
    app.config["FROZEN_NOW"] = datetime(2027, 7, 1, 2, 0)
    response = admin.post(f"/admin/directives/{directive_id}/text", {"text": NO_YEAR})
    assert response.status_code == 303
    (task,) = tasks_by_code(app, directive_id).values()
    assert task.deadline == date(2027, 6, 15)


def test_a_published_directive_is_not_made_again_from_text(app, login):
    admin = login("quantri")
    with app.app_context():
        published = db.session.scalar(
            select(Directive.id).where(Directive.slug == "sa-dec-2023-cchc"))
    counted = writes(app)
    response = admin.post(f"/admin/directives/{published}/text", {"text": SEED})
    assert response.status_code == 422
    assert says(response, "Chỉ nhập lại được bản nháp chưa ban hành.")
    assert written_since(app, counted) == set()


def test_import_refuses_a_slug_already_taken(app, login):
    admin = login("quantri")
    counted = writes(app)
    response = import_letter(admin, SEED, slug="sa-dec-2023-cchc")
    assert response.status_code == 422
    assert says(response, "Đã có văn bản với mã «sa-dec-2023-cchc»")
    assert written_since(app, counted) == set()
    # left blank, the code is made from the title, and never clashes
    first = directive_row(app, created_id(import_letter(admin, SEED)))
    second = directive_row(app, created_id(import_letter(admin, SEED)))
    assert first.slug.startswith("chan-chinh-khac-phuc") and second.slug == first.slug + "-2"


# --- writing one by hand, editing metadata ----------------------------------------------------

GOOD = {"title": "Kế hoạch CCHC năm 2024", "subject": "V/v triển khai kế hoạch CCHC năm 2024",
        "number": "12/KH-UBND", "issuer": "Ủy ban nhân dân thành phố Sa Đéc",
        "date_line": "Sa Đéc, ngày 05 tháng 01 năm 2024", "issued_on": "05/01/2024",
        "year": "2024", "signer": "Nguyễn Văn Hôn", "signer_title": "Chủ tịch",
        "slug": "ke-hoach-cchc-2024"}


@pytest.mark.parametrize("change,field,message", [
    ({"title": "  "}, "title", "Hãy nhập tiêu đề văn bản."),
    ({"issued_on": "31/02/2024"}, "issued_on", "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy"),
    ({"year": "24"}, "year", "Năm là số có bốn chữ số, ví dụ 2024."),
    ({"slug": "sa-dec-2023-cchc"}, "slug", "Đã có văn bản với mã «sa-dec-2023-cchc»"),
    ({"slug": "Kế hoạch"}, "slug", "Mã văn bản chỉ gồm chữ thường không dấu"),
    ({"number": "x" * 81}, "number", "Số, ký hiệu tối đa 80 ký tự."),
], ids=["no-title", "bad-date", "bad-year", "duplicate-slug", "bad-slug", "long-number"])
def test_directive_by_hand_with_bad_fields_is_refused(app, login, change, field, message):
    admin = login("quantri")
    counted = writes(app)

    response = admin.post("/admin/directives/new", GOOD | change)

    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html(response))
    assert error and str(escape(message)) in error.group(1), html(response)[:4000]
    assert written_since(app, counted) == set()


def test_directive_by_hand_is_a_draft_without_tasks(app, login):
    admin = login("quantri")
    assert admin.get("/admin/directives/new").status_code == 200
    audit_id = last_audit_id(app)

    draft = created_id(admin.post("/admin/directives/new", GOOD | {"slug": ""}))

    row = directive_row(app, draft)
    assert row.status is DirectiveStatus.DRAFT
    assert (row.title, row.number, row.issued_on, row.year) == (
        "Kế hoạch CCHC năm 2024", "12/KH-UBND", date(2024, 1, 5), 2024)
    assert row.slug == "ke-hoach-cchc-nam-2024"  # made from the title
    assert tasks_by_code(app, draft) == {}
    assert audit_actions_since(app, audit_id) == ["directive.create"]
    page = admin.get(f"/admin/directives/{draft}")
    assert says(page, "Văn bản chưa có nhiệm vụ nào.") and says(page, "05/01/2024")


def test_metadata_edit_changes_the_slug_only_while_draft(app, login, ids):
    admin = login("quantri")
    draft = created_id(import_letter(admin, WATER))
    form = admin.get(f"/admin/directives/{draft}/edit")
    assert 'name="slug"' in html(form) and 'value="03/04/2024"' in html(form)
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/directives/{draft}/edit", GOOD | {"slug": "cap-nuoc-2024"})
    assert response.headers["Location"] == f"/admin/directives/{draft}"
    row = directive_row(app, draft)
    assert (row.slug, row.title, row.issued_on) == ("cap-nuoc-2024", GOOD["title"],
                                                    date(2024, 1, 5))
    assert audit_actions_since(app, audit_id) == ["directive.update"]

    published = ids.directive()
    form = admin.get(f"/admin/directives/{published}/edit")
    assert 'name="slug"' not in html(form) and says(form, "sa-dec-2023-cchc")
    response = admin.post(f"/admin/directives/{published}/edit",
                          GOOD | {"slug": "doi-ma", "issued_on": "", "year": "2023"})
    assert response.status_code == 303
    row = directive_row(app, published)
    assert (row.slug, row.title, row.number) == ("sa-dec-2023-cchc", GOOD["title"], "12/KH-UBND")
    # saved again unchanged: nothing to audit
    audit_id = last_audit_id(app)
    admin.post(f"/admin/directives/{published}/edit",
               GOOD | {"slug": "doi-ma", "issued_on": "", "year": "2023"})
    assert audit_actions_since(app, audit_id) == []


# --- preview -------------------------------------------------------------------------------------


def previewed_task_ids(response) -> set[int]:
    return {int(i) for i in re.findall(r'id="preview-task-(\d+)"', html(response))}


def test_preview_shows_exactly_the_tasks_that_reach_the_unit(app, login, ids):
    admin = login("quantri")
    directive = ids.directive()
    tasks = tasks_by_code(app, directive)
    assert admin.get(f"/admin/directives/{directive}/preview").status_code == 200
    for name in ("Phường 1", "Phòng Nội vụ", "Phòng Văn hóa và Thông tin", "Phòng Tư pháp"):
        unit = ids.unit(name)
        response = admin.get(f"/admin/directives/{directive}/preview?unit={unit}")
        assert response.status_code == 200
        # what the unit's checklist holds, no more, no less
        assert previewed_task_ids(response) == visible_task_ids(app, directive, unit), name
    ward = admin.get(f"/admin/directives/{directive}/preview?unit={ids.unit('Phường 1')}")
    office = admin.get(f"/admin/directives/{directive}/preview?unit={ids.unit('Phòng Nội vụ')}")
    # 1.1 reaches the inspected units only (Phường 1), 1.14 the others (Phòng Nội vụ)
    assert tasks["1.1"].id in previewed_task_ids(ward)
    assert tasks["1.1"].id not in previewed_task_ids(office)
    assert tasks["1.14"].id in previewed_task_ids(office)
    assert tasks["1.14"].id not in previewed_task_ids(ward)
    assert says(ward, "16/06/2023") and says(ward, "Báo cáo") and says(ward, "Thực hiện")
    assert says(office, "20/06/2023")
    assert admin.get(f"/admin/directives/{directive}/preview?unit=99999").status_code == 404


def test_preview_of_a_draft_shows_roles_and_unresolved_tasks(app, login, ids):
    admin = login("quantri")
    draft = created_id(import_letter(admin, WATER))
    tasks, lead = tasks_by_code(app, draft), ids.unit("Phòng Nội vụ")
    with app.app_context():
        task = db.session.get(Task, tasks["1.1"].id)
        lifecycle.change_task(task, task_directive(task), lead_unit_id=lead,
                              audience="kind:commune")
        db.session.commit()
    ward = admin.get(f"/admin/directives/{draft}/preview?unit={ids.unit('Phường 1')}")
    lead = admin.get(f"/admin/directives/{draft}/preview?unit={ids.unit('Phòng Nội vụ')}")
    assert previewed_task_ids(ward) == previewed_task_ids(lead) == {tasks["1.1"].id}
    assert says(ward, "Phối hợp (chủ trì: Phòng Nội vụ)") and says(lead, "Chủ trì")
    assert says(ward, "30/05/2024")
    assert says(ward, "Còn 1 nhiệm vụ chưa xác định đơn vị thực hiện (2.1)")


def test_the_draft_shows_what_the_importer_read_for_each_task(app, login):
    admin = login("quantri")
    page = ("Chuyển đổi số\n\nChủ tịch UBND thành phố yêu cầu Phòng Nội vụ rà soát thủ tục hành "
            "chính trước ngày 30/6/2024.\n\nBan Quản lý chợ Sa Đéc bố trí điểm thanh toán không "
            "dùng tiền mặt.\n")
    draft = created_id(import_letter(admin, page, slug="chuyen-doi-so-2024"))
    tasks = list(tasks_by_code(app, draft).values())
    placed = next(task for task in tasks if task.audience != "unmatched")
    unplaced = next(task for task in tasks if task.audience == "unmatched")
    # kept with the task: the words its deadline and its addressees came from
    assert "Hạn lấy từ «trước ngày 30/6/2024»." in placed.import_notes.splitlines()
    assert "Ban Quản lý chợ Sa Đéc" in unplaced.import_notes
    listing = html(admin.get(f"/admin/directives/{draft}"))
    row = listing[listing.index(f'id="task-{unplaced.id}"'):]
    row = row[:row.index("</tr>")]
    # the unmatched task says which words the importer could not place, its notes open
    assert "Văn bản ghi: «Ban Quản lý chợ Sa Đéc»" in row
    assert '<details class="import-notes" open>' in row
    row = listing[listing.index(f'id="task-{placed.id}"'):]
    assert "Hạn lấy từ «trước ngày 30/6/2024»." in row[:row.index("</tr>")]
    edit = admin.get(f"/admin/tasks/{unplaced.id}/edit")
    assert says(edit, "Văn bản ghi: «Ban Quản lý chợ Sa Đéc»")
    # a task written by hand has no such notes; nor does a published directive show them
    with app.app_context():
        task = db.session.get(Task, unplaced.id)
        lifecycle.change_task(task, task_directive(task), audience="all")
        db.session.commit()
    assert admin.post(f"/admin/directives/{draft}/publish").status_code == 303
    assert "import-notes" not in html(admin.get(f"/admin/directives/{draft}"))


RALLY = ("Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn phường.\n\n"
         "Đề nghị Phòng Nội vụ rà soát danh sách cán bộ tham gia trước ngày 30/7/2024.\n")


def test_the_draft_keeps_what_the_importer_noted_and_the_passages_it_set_aside(app, login):
    admin = login("quantri")
    response = import_letter(admin, RALLY, slug="ra-quan-2024")
    draft = created_id(response)
    with app.app_context():
        directive = db.session.get(Directive, draft)
        # in the editor's words: no YAML key, no passage quoted twice
        assert any("hãy nhập trích yếu" in warning for warning in directive.import_warnings)
        assert not any("«subject»" in w or "Đoạn «" in w for w in directive.import_warnings)
        assert directive.set_aside == [{
            "text": "Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn "
                    "phường.", "order": False}]
    page = admin.get(f"/admin/directives/{draft}")
    assert says(page, "Máy đọc văn bản ghi nhận") and says(page, "Đoạn chưa lấy làm nhiệm vụ (1)")
    add = f"/admin/directives/{draft}/tasks/new?passage=1"
    assert f'href="{add}"' in html(page)
    # the form starts from the passage's words and a title made of them
    form = admin.get(add)
    assert form.status_code == 200
    assert says(form, "Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn "
                      "phường.")
    assert 'value="Phường Ba Đình tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn ' \
        'phường"' in html(form)
    # no such passage: not found, nothing written
    counted = writes(app)
    for number in ("0", "2", "x", ""):
        assert admin.get(f"/admin/directives/{draft}/tasks/new?passage={number}").status_code \
            == 404
    assert written_since(app, counted) == set()
    created = admin.post(add, {"code": "3", "title": "Ra quân tổng vệ sinh môi trường",
                               "text": directive.set_aside[0]["text"], "kind": "action",
                               "audience": "all", "section": ""})
    assert created.status_code == 303
    page = admin.get(f"/admin/directives/{draft}")
    assert says(page, "Đã thêm làm nhiệm vụ") and f'href="{add}"' not in html(page)
    # made again from its text, the draft's remarks are the new text's; published, none shown
    again = admin.post(f"/admin/directives/{draft}/text",
                       {"text": "V/v rà soát cán bộ\n\n" + RALLY.split("\n\n")[1]})
    assert again.status_code == 303
    with app.app_context():
        assert db.session.get(Directive, draft).set_aside == []
    assert "Đoạn chưa lấy làm nhiệm vụ" not in html(admin.get(f"/admin/directives/{draft}"))


UNREAD_ORDER = ("Thành phố giao nhiệm vụ cụ thể cho UBND các xã, phường chủ động phối hợp với "
                "các phòng rà soát, cập nhật thông tin trụ sở làm việc.")


def test_the_draft_lists_the_orders_it_could_not_read_apart_from_passages_with_no_order(
        app, login):
    admin = login("quantri")
    draft = created_id(import_letter(admin, RALLY + "\n" + UNREAD_ORDER + "\n",
                                     slug="chua-doc-duoc"))
    with app.app_context():
        assert [entry["order"] for entry in db.session.get(Directive, draft).set_aside] == [
            False, True]
    page = html(admin.get(f"/admin/directives/{draft}"))
    orders = page[page.index("Lời giao việc máy chưa đọc được (1)"):]
    others = page[page.index("Đoạn chưa lấy làm nhiệm vụ (1)"):]
    others = others[:others.index("</section>")]
    assert orders.index(UNREAD_ORDER[:60]) < orders.index("Đoạn chưa lấy làm nhiệm vụ")
    assert "Phường Ba Đình tổ chức ra quân" in others and UNREAD_ORDER[:60] not in others
    # each keeps its own number for the new-task form
    assert f'href="/admin/directives/{draft}/tasks/new?passage=2"' in orders
    form = admin.get(f"/admin/directives/{draft}/tasks/new?passage=2")
    assert says(form, UNREAD_ORDER)
    # a few passages with no order are shown open; past five they start folded
    assert '<details class="passages-none" open>' in page
    with app.app_context():
        directive = db.session.get(Directive, draft)
        # a draft imported before passages said whether they order: bare texts, none an order
        directive.set_aside = [f"Đoạn thứ {n} kể việc đã làm." for n in range(1, 7)]
        db.session.commit()
    page = html(admin.get(f"/admin/directives/{draft}"))
    assert "Đoạn chưa lấy làm nhiệm vụ (6)" in page and "Lời giao việc máy chưa" not in page
    assert '<details class="passages-none">' in page and "Đoạn thứ 6 kể việc đã làm." in page


CONCLUSIONS = ("UBND thành phố họp phiên thường kỳ tháng 4\n\n"
               "Kết luận phiên họp, Chủ tịch UBND thành phố yêu cầu tăng cường bảo đảm an ninh "
               "trật tự dịp 30/4 và 1/5.\n")


def test_an_order_that_names_no_one_in_a_page_with_no_recipients_is_every_unit_s_to_check(
        app, login):
    admin = login("quantri")
    draft = created_id(import_letter(admin, CONCLUSIONS, slug="thuong-ky-thang-4"))
    (task,) = tasks_by_code(app, draft).values()
    assert task.audience == "all"
    page = html(admin.get(f"/admin/directives/{draft}"))
    row = page[page.index(f'id="task-{task.id}"'):]
    row = row[:row.index("</tr>")]
    # the guess is shown: a badge by the units, the importer's note open beneath the task
    assert "Cần kiểm tra" in row and '<details class="import-notes" open>' in row
    assert "tạm giao mọi đơn vị; kiểm tra lại trước khi ban hành." in row
    assert "tạm giao mọi đơn vị (1.1)" in page  # and among the draft's remarks
    # the editor saves the task's form, its units in view: no longer flagged
    assert admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id)).status_code == 303
    page = html(admin.get(f"/admin/directives/{draft}"))
    row = page[page.index(f'id="task-{task.id}"'):]
    assert "Cần kiểm tra" not in row[:row.index("</tr>")]
    with app.app_context():
        notes = db.session.get(Task, task.id).import_notes.splitlines()
    assert notes[-1] == "Người soạn đã xem lại đơn vị thực hiện."


def task_directive(task: Task) -> Directive:
    return db.session.get(Directive, task.directive_id)


# --- publishing ----------------------------------------------------------------------------------


def test_publish_is_refused_while_a_task_is_unmatched_then_reaches_the_units(app, login, ids):
    admin = login("quantri")
    draft = created_id(import_letter(admin, WATER))
    page = admin.get(f"/admin/directives/{draft}")
    # the unresolved task is shown with the addressee the letter named
    assert says(page, "Chưa xác định đơn vị thực hiện (1 nhiệm vụ)")
    assert says(page, "Mục 2. Giám đốc Công ty Cổ phần Cấp nước Đồng Tháp")
    counted = writes(app)

    response = admin.post(f"/admin/directives/{draft}/publish")

    assert response.status_code == 422
    assert says(response, "Chưa ban hành được: Nhiệm vụ 2.1: Chưa xác định đơn vị thực hiện.")
    assert written_since(app, counted) == set()

    water = tasks_by_code(app, draft)["2.1"]
    with app.app_context():
        task = db.session.get(Task, water.id)
        lifecycle.change_task(task, task_directive(task), audience="kind:commune")
        db.session.commit()
    audit_id = last_audit_id(app)

    response = admin.post(f"/admin/directives/{draft}/publish")

    assert response.headers["Location"] == f"/admin/directives/{draft}"
    assert audit_actions_since(app, audit_id) == ["directive.publish"]
    row = directive_row(app, draft)
    assert row.status is DirectiveStatus.OPEN and row.published_at is not None
    with app.app_context():
        communes = set(db.session.scalars(
            select(Unit.id).where(Unit.kind == "commune", Unit.active)))
    items = progress_of(app, draft)
    assert set(items) == {("1.1", ids.unit("Phòng Nội vụ"))} | {("2.1", c) for c in communes}
    assert not any(item.hidden for item in items.values())
    ward = login("phuong1")
    checklist = ward.get(f"/directives/{draft}/units/{ids.unit('Phường 1')}")
    assert checklist.status_code == 200 and says(checklist, "Rà soát, sửa chữa đường ống")
    # published once is published: a second publish is refused and writes nothing
    counted = writes(app)
    again = admin.post(f"/admin/directives/{draft}/publish")
    assert again.status_code == 422 and says(again, "Văn bản này đã được ban hành.")
    assert written_since(app, counted) == set()


# --- closing, archiving, reopening ---------------------------------------------------------------


def test_closed_and_archived_directive_is_read_only_then_reopened(app, login, ids):
    admin, ward = login("quantri"), login("phuong1")
    directive, unit = ids.directive(), ids.unit("Phường 1")
    item = ids.item("Phường 1", "1.4")
    checklist = f"/directives/{directive}/units/{unit}"
    counted = writes(app)
    for action, refusal in (("reopen", "Chỉ văn bản đã kết thúc mới mở lại được."),
                            ("archive", "Hãy kết thúc văn bản trước khi lưu trữ."),
                            ("unarchive", "Văn bản này không ở trong lưu trữ.")):
        response = admin.post(f"/admin/directives/{directive}/{action}")
        assert response.status_code == 422 and says(response, refusal), action
    assert written_since(app, counted) == set()

    audit_id = last_audit_id(app)
    assert admin.post(f"/admin/directives/{directive}/close").status_code == 303
    assert audit_actions_since(app, audit_id) == ["directive.close"]
    assert directive_row(app, directive).status is DirectiveStatus.CLOSED
    counted = writes(app)
    refused = ward.post(f"/items/{item}/save", {"note": "Sau khi kết thúc"})
    assert refused.status_code == 409 and says(refused, CLOSED)
    assert written_since(app, counted) == set()
    assert ward.get(checklist).status_code == 200

    assert admin.post(f"/admin/directives/{directive}/archive").status_code == 303
    assert directive_row(app, directive).status is DirectiveStatus.ARCHIVED
    assert ward.get(checklist).status_code == 200
    assert ward.post(f"/items/{item}/save", {"note": "x"}).status_code == 409
    assert says(admin.get("/admin/directives"), SA_DEC_TITLE)

    assert admin.post(f"/admin/directives/{directive}/unarchive").status_code == 303
    assert directive_row(app, directive).status is DirectiveStatus.CLOSED
    audit_id = last_audit_id(app)
    assert admin.post(f"/admin/directives/{directive}/reopen").status_code == 303
    assert audit_actions_since(app, audit_id) == ["directive.reopen"]
    row = directive_row(app, directive)
    assert row.status is DirectiveStatus.OPEN and row.closed_at is None
    assert ward.post(f"/items/{item}/save", {"note": "Đã mở lại"}).status_code == 303


# --- copying to the next cycle -------------------------------------------------------------------


def test_copy_to_next_cycle_is_a_new_draft_and_leaves_the_source_alone(app, login, ids):
    admin, ward = login("quantri"), login("phuong1")
    source = ids.directive()
    for code in ("1.4", "1.5"):
        assert ward.post(f"/items/{ids.item('Phường 1', code)}/save",
                         {"note": "Đã thực hiện."}).status_code == 303
    assert ward.post(f"/items/{ids.item('Phường 1', '1.5')}/submit").status_code == 303
    form = admin.get(f"/admin/directives/{source}/copy")
    assert form.status_code == 200
    assert 'value="2024"' in html(form) and 'value="sa-dec-2024-cchc"' in html(form)
    assert says(form, "Chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả kiểm tra năm 2024")
    before = database_rows(app)
    audit_id = last_audit_id(app)

    copy = created_id(admin.post(f"/admin/directives/{source}/copy", {
        "year": "2024", "slug": "sa-dec-2024-cchc",
        "title": "Chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả kiểm tra năm 2024"}))

    assert audit_actions_since(app, audit_id) == ["directive.copy"]
    row = directive_row(app, copy)
    assert (row.status, row.year, row.slug, row.copied_from_id) == (
        DirectiveStatus.DRAFT, 2024, "sa-dec-2024-cchc", source)
    old, new = tasks_by_code(app, source), tasks_by_code(app, copy)
    assert set(new) == set(old)
    assert new["1.1"].deadline == date(2024, 6, 16) and new["1.14"].deadline == date(2024, 6, 20)
    assert all(new[code].audience == old[code].audience for code in old)
    assert progress_of(app, copy) == {}
    with app.app_context():
        inspected = [set(db.session.scalars(select(Inspection.unit_id).where(
            Inspection.directive_id == d))) for d in (source, copy)]
    assert inspected[0] == inspected[1] and inspected[0]
    # the source: every row as it was; only the copy's rows and the audit event were added
    after = database_rows(app)
    for table, rows in before.items():
        assert after[table][:len(rows)] == rows, table  # new rows have higher keys
        if table not in ("directives", "sections", "tasks", "inspections", "audit_events",
                         "matrix_unit_changes"):  # the copy's tasks, recorded as its change
            assert after[table] == rows, table
    assert says(admin.get(f"/admin/directives/{copy}"), "Sao chép từ")

    counted = writes(app)
    again = admin.post(f"/admin/directives/{source}/copy", {
        "year": "2024", "slug": "sa-dec-2024-cchc", "title": "Lần nữa"})
    assert again.status_code == 422 and says(again, "Đã có văn bản với mã «sa-dec-2024-cchc»")
    bad = admin.post(f"/admin/directives/{source}/copy", {"year": "", "slug": "", "title": ""})
    assert bad.status_code == 422 and says(bad, "Hãy nhập năm") and says(bad, "Hãy nhập tiêu đề")
    assert written_since(app, counted) == set()


# --- deleting a draft ----------------------------------------------------------------------------


def test_a_draft_can_be_deleted_and_a_published_directive_cannot(app, login, ids):
    admin = login("quantri")
    draft = created_id(import_letter(admin, SEED))
    assert admin.post(f"/admin/directives/{draft}/inspected",
                      {"units": [str(ids.unit("Phường 1"))]}).status_code == 303
    audit_id = last_audit_id(app)

    response = admin.post(f"/admin/directives/{draft}/delete")

    assert response.headers["Location"] == "/admin/directives"
    assert audit_actions_since(app, audit_id) == ["directive.delete"]
    assert directive_row(app, draft) is None and tasks_by_code(app, draft) == {}
    with app.app_context():
        assert db.session.scalar(select(Section.id).where(Section.directive_id == draft)) is None
    assert admin.get(f"/admin/directives/{draft}").status_code == 404

    published = ids.directive()
    for closed in (False, True):
        if closed:
            assert admin.post(f"/admin/directives/{published}/close").status_code == 303
        counted = writes(app)
        refused = admin.post(f"/admin/directives/{published}/delete")
        assert refused.status_code == 422 and says(refused, "Chỉ xoá được bản nháp.")
        assert written_since(app, counted) == set()
    assert directive_row(app, published).status is DirectiveStatus.CLOSED


# --- inspected units ------------------------------------------------------------------------------


def test_inspected_units_of_a_published_directive_move_items_and_keep_progress(app, login, ids):
    admin, ward = login("quantri"), login("phuong1")
    directive, ward_unit = ids.directive(), ids.unit("Phường 1")
    report = ids.item("Phường 1", "1.1")
    assert ward.post(f"/items/{report}/save", {"note": "Đang tổng hợp."}).status_code == 303
    form = admin.get(f"/admin/directives/{directive}/inspected")
    assert form.status_code == 200
    checked = set(re.findall(r'name="units" value="(\d+)" id="unit-\d+" checked', html(form)))
    assert str(ward_unit) in checked
    audit_id = last_audit_id(app)

    response = admin.post(f"/admin/directives/{directive}/inspected",
                          {"units": sorted(checked - {str(ward_unit)})})

    assert response.headers["Location"] == f"/admin/directives/{directive}"
    actions = audit_actions_since(app, audit_id)
    assert actions[0] == "directive.inspected"
    assert set(actions[1:]) == {"progress.hidden", "progress.added"}
    items = progress_of(app, directive)
    assert items[("1.1", ward_unit)].hidden and items[("1.1", ward_unit)].note == "Đang tổng hợp."
    assert not items[("1.14", ward_unit)].hidden
    preview = admin.get(f"/admin/directives/{directive}/preview?unit={ward_unit}")
    assert previewed_task_ids(preview) == visible_task_ids(app, directive, ward_unit)

    # inspected again: the report comes back with what was written on it
    assert admin.post(f"/admin/directives/{directive}/inspected",
                      {"units": sorted(checked)}).status_code == 303
    items = progress_of(app, directive)
    assert not items[("1.1", ward_unit)].hidden
    assert items[("1.1", ward_unit)].note == "Đang tổng hợp."
    assert items[("1.14", ward_unit)].hidden

    counted = writes(app)
    bad = admin.post(f"/admin/directives/{directive}/inspected", {"units": ["99999"]})
    assert bad.status_code == 422 and says(bad, "Đơn vị không có hoặc đã ngừng hoạt động")
    assert admin.post(f"/admin/directives/{directive}/close").status_code == 303
    counted = writes(app)
    closed = admin.post(f"/admin/directives/{directive}/inspected", {"units": []})
    assert closed.status_code == 422 and says(closed, "Văn bản đã kết thúc")
    assert written_since(app, counted) == set()
