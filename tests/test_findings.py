"""Each unit's own findings (hạn chế, khuyết điểm): Phòng Nội vụ records them under the unit's
item, the unit answers each (fixed, with its evidence; or not, with a reason), the item is sent
only when every finding is answered, Phòng Nội vụ reviews them one by one or with the item, the
matrix and its JSON show the share fixed, and every bad input is refused with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.demo import sample_pdf
from portal.extensions import db
from portal.models import Evidence, Finding, FindingAnswer, FindingReview, Progress, ProgressStatus

from .support.databases import writes, written_since
from .support.records import audit_actions_since, last_audit_id
from .support.statements import count_statements, recorded_statements

PDF = sample_pdf("han che")
LATE = {"late_reason": "Chờ số liệu từ Hệ thống một cửa."}


@pytest.fixture
def reviewer(login):
    return login("noivu.duyet")


@pytest.fixture
def item(ids) -> int:
    return ids.item("Phường 1", "1.1")


def text(response) -> str:
    return response.get_data(as_text=True)


def add(client, item_id: int, words: str, **more):
    return client.post(f"/items/{item_id}/findings", {"text": words, "field": "3"} | more)


def findings_of(app, item_id: int) -> list[Finding]:
    with app.app_context():
        found = db.session.scalars(select(Finding).where(Finding.progress_id == item_id)
                                   .order_by(Finding.id)).all()
        db.session.expunge_all()
        return list(found)


def status(app, item_id: int) -> ProgressStatus:
    with app.app_context():
        return db.session.get(Progress, item_id).status


def attach(ward, finding_id: int, name: str = "Kế hoạch kiểm tra.pdf"):
    import io
    return ward.post(f"/findings/{finding_id}/files", {"file": (io.BytesIO(PDF), name)},
                     content_type="multipart/form-data")


def test_a_finding_is_answered_with_evidence_before_its_item_is_sent(app, ward, reviewer, item):
    audit_id = last_audit_id(app)
    assert add(reviewer, item, "Chưa niêm yết TTHC tại Bộ phận một cửa.",
               code="HC1").status_code == 303
    assert add(reviewer, item, "Tỷ lệ hồ sơ trễ hạn còn cao.").status_code == 303
    assert audit_actions_since(app, audit_id) == ["finding.add", "finding.add"]
    first, second = findings_of(app, item)
    assert (first.code, second.code) == ("HC1", "2")
    page = text(ward.get(f"/items/{item}"))
    assert "Hạn chế, khuyết điểm cần khắc phục (0/2 đã khắc phục)" in page
    assert "Chưa niêm yết TTHC tại Bộ phận một cửa." in page
    assert "Cải cách thủ tục hành chính" in page
    # The item cannot go while a finding is unanswered.
    assert ward.upload(item, PDF, "Báo cáo.pdf", htmx=False).status_code == 303
    refused = ward.post(f"/items/{item}/submit", LATE)
    assert refused.status_code == 422 and "Trả lời 2 hạn chế còn lại" in text(refused)
    # "Fixed" needs the finding's own evidence; "not fixed" its reason.
    counted = writes(app)
    bare = ward.post(f"/findings/{first.id}/answer", {"answer": "fixed", "note": ""})
    assert bare.status_code == 422 and "Đính kèm tài liệu kiểm chứng cho hạn chế này" in text(bare)
    silent = ward.post(f"/findings/{second.id}/answer", {"answer": "not_fixed", "note": " "})
    assert silent.status_code == 422 and "Hãy giải trình lý do chưa khắc phục được." in text(silent)
    neither = ward.post(f"/findings/{second.id}/answer", {"answer": "", "note": "x"})
    assert neither.status_code == 422 and "Hãy chọn «Đã khắc phục»" in text(neither)
    assert written_since(app, counted) == set()
    assert attach(ward, first.id).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Evidence.finding_id).where(
            Evidence.file_name == "Kế hoạch kiểm tra.pdf")) == first.id
    assert ward.post(f"/findings/{first.id}/answer",
                     {"answer": "fixed", "note": "Đã niêm yết 45 TTHC."}).status_code == 303
    assert ward.post(f"/findings/{second.id}/answer",
                     {"answer": "not_fixed", "note": "Chờ nâng cấp phần mềm."}).status_code == 303
    page = text(ward.get(f"/items/{item}"))
    assert "(1/2 đã khắc phục)" in page
    # The finding's file is listed under the finding, not among the item's own evidence.
    assert "Tài liệu kiểm chứng (1)" in page
    assert ward.post(f"/items/{item}/submit", LATE).status_code == 303
    assert status(app, item) is ProgressStatus.SUBMITTED


def test_returning_one_finding_returns_its_item_and_approving_the_item_approves_them(
        app, ward, reviewer, item):
    assert add(reviewer, item, "Chưa có kế hoạch nhân rộng mô hình.", code="HC1").status_code \
        == 303
    [finding] = findings_of(app, item)
    assert ward.upload(item, PDF, "Báo cáo.pdf", htmx=False).status_code == 303
    assert ward.post(f"/findings/{finding.id}/answer",
                     {"answer": "not_fixed", "note": "Chờ kinh phí."}).status_code == 303
    assert ward.post(f"/items/{item}/submit", LATE).status_code == 303
    empty = reviewer.post(f"/findings/{finding.id}/review", {"verdict": "return", "comment": ""})
    assert empty.status_code == 422 and "Hãy ghi rõ nội dung đơn vị cần bổ sung." in text(empty)
    assert reviewer.post(f"/findings/{finding.id}/review",
                         {"verdict": "return", "comment": "Nêu rõ thời hạn."}).status_code == 303
    assert status(app, item) is ProgressStatus.RETURNED
    assert "Hạn chế HC1: Nêu rõ thời hạn." in text(ward.get(f"/items/{item}"))
    [finding] = findings_of(app, item)
    assert finding.review is FindingReview.RETURNED
    # Answered again, it waits for review; the item goes, and approving it approves the finding.
    assert ward.post(f"/findings/{finding.id}/answer",
                     {"answer": "not_fixed", "note": "Chờ kinh phí quý III."}).status_code == 303
    assert findings_of(app, item)[0].review is None
    assert ward.post(f"/items/{item}/submit", LATE).status_code == 303
    assert reviewer.post(f"/items/{item}/review", {"verdict": "approve"}).status_code == 303
    assert findings_of(app, item)[0].review is FindingReview.APPROVED


def test_a_withdrawn_finding_is_kept_but_neither_shown_nor_counted(app, ward, reviewer, item,
                                                                  ids):
    assert add(reviewer, item, "Chưa công khai kết quả giải quyết TTHC.").status_code == 303
    [finding] = findings_of(app, item)
    assert reviewer.post(f"/findings/{finding.id}/withdraw",
                         {"withdrawn": "1"}).status_code == 303
    assert findings_of(app, item)[0].withdrawn
    page = text(ward.get(f"/items/{item}"))
    assert 'class="findings"' not in page  # the item's history keeps it, its findings do not
    api = reviewer.get(f"/api/directives/{ids.directive()}/matrix").get_json()
    cell = next(c for c in api["cells"] if c["item_id"] == item)
    assert cell["findings"] == {"total": 0, "fixed": 0}
    assert reviewer.post(f"/findings/{finding.id}/withdraw",
                         {"withdrawn": "0"}).status_code == 303
    api = reviewer.get(f"/api/directives/{ids.directive()}/matrix").get_json()
    cell = next(c for c in api["cells"] if c["item_id"] == item)
    assert cell["findings"] == {"total": 1, "fixed": 0}


@pytest.mark.parametrize("case", ["empty", "bad date", "unknown field", "too long"])
def test_a_bad_finding_is_refused_in_vietnamese_writing_nothing(app, reviewer, item, case):
    values, says = {
        "empty": ({"text": "  "}, "Hãy nhập nội dung hạn chế, khuyết điểm."),
        "bad date": ({"text": "x", "deadline": "31/02/2023"}, "Ngày không hợp lệ"),
        "unknown field": ({"text": "x", "field": "999"}, "Lĩnh vực không có trong danh sách."),
        "too long": ({"text": "x" * 2001}, "Nội dung tối đa 2000 ký tự."),
    }[case]
    counted = writes(app)
    for htmx in (False, True):
        response = reviewer.post(f"/items/{item}/findings", values, htmx=htmx)
        assert response.status_code == 422 and says in text(response)
    assert written_since(app, counted) == set()


def test_only_phong_noi_vu_records_and_only_the_unit_answers(app, ward, reviewer, login, item,
                                                            ids):
    assert add(reviewer, item, "Chưa số hoá hồ sơ.").status_code == 303
    [finding] = findings_of(app, item)
    counted = writes(app)
    for username in ("phuong1", "phuong1.cb1", "lanhdao", "phuong2"):
        assert add(login(username), item, "Thử.").status_code == 403
    for username in ("phuong2", "noivu.duyet", "lanhdao", "quantri"):
        assert login(username).post(f"/findings/{finding.id}/answer", {
            "answer": "not_fixed", "note": "Thử."}).status_code == 403
    assert written_since(app, counted) <= {"audit_events"}
    # Phường 2 does not even see Phường 1's findings.
    assert "Chưa số hoá hồ sơ." not in text(login("phuong2").get(
        f"/directives/{ids.directive()}/units/{ids.unit('Phường 2')}"))


def test_the_matrix_shows_the_share_fixed_at_the_same_cost(app, ward, reviewer, ids, item):
    url = f"/directives/{ids.directive()}/matrix"
    page_before = count_statements(app, reviewer, url, cold_matrix=True)
    for code in ("1.1", "1.3"):
        for unit in ("Phường 1", "Phường 2"):
            for n in range(3):
                assert add(reviewer, ids.item(unit, code), f"Hạn chế {n}.").status_code == 303
    first = findings_of(app, item)[0]
    assert attach(ward, first.id).status_code == 303
    assert ward.post(f"/findings/{first.id}/answer",
                     {"answer": "fixed", "note": "Xong."}).status_code == 303
    assert count_statements(app, reviewer, url, cold_matrix=True) == page_before
    html = text(reviewer.get(url))
    assert f'<a id="c{item}" href="/items/{item}">' in html
    assert "<b>1/3</b>" in html and "đã khắc phục 1/3 hạn chế" in html
    tag = reviewer.get(url, htmx=True).headers["HX-PTag"]
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304
    assert len(statements) <= 5
    with app.app_context():
        assert db.session.scalar(select(Finding.answer).where(Finding.id == first.id)) \
            is FindingAnswer.FIXED


def test_the_list_shows_every_units_findings_by_field_state_and_unit(app, ward, reviewer, login,
                                                                    ids, item):
    other = ids.item("Phường 2", "1.1")
    assert add(reviewer, item, "Chưa niêm yết TTHC.", field="3").status_code == 303
    assert add(reviewer, other, "Tỷ lệ ký số thấp.", field="7").status_code == 303
    [mine] = findings_of(app, item)
    assert ward.post(f"/findings/{mine.id}/answer",
                     {"answer": "not_fixed", "note": "Chờ bảng niêm yết mới."}).status_code == 303
    url = f"/directives/{ids.directive()}/findings"
    page = text(login("lanhdao").get(url))
    assert "Chưa niêm yết TTHC." in page and "Tỷ lệ ký số thấp." in page
    assert "2 hạn chế, 0 đã khắc phục." in page and "Chờ bảng niêm yết mới." in page
    assert page.index("Phường 1") < page.index("Phường 2")
    by_field = text(reviewer.get(url + "?field=7"))
    assert "Tỷ lệ ký số thấp." in by_field and "Chưa niêm yết TTHC." not in by_field
    open_only = text(reviewer.get(url + "?state=open"))
    assert "Tỷ lệ ký số thấp." in open_only and "Chưa niêm yết TTHC." not in open_only
    by_unit = text(reviewer.get(url + f"?unit={ids.unit('Phường 1')}"))
    assert "Chưa niêm yết TTHC." in by_unit and "Tỷ lệ ký số thấp." not in by_unit
    # Nonsense in the query string is no filter, never an error; units are refused the list.
    assert reviewer.get(url + "?field=abc&state=zzz&unit=99999999999999999999").status_code == 200
    assert ward.get(url).status_code == 403


def test_phong_noi_vu_corrects_a_finding_and_its_answer_stays(app, ward, reviewer, item):
    assert add(reviewer, item, "Chưa niem yet TTHC.", code="HC1").status_code == 303
    [finding] = findings_of(app, item)
    assert ward.post(f"/findings/{finding.id}/answer",
                     {"answer": "not_fixed", "note": "Chờ bảng mới."}).status_code == 303
    audit_id = last_audit_id(app)
    assert reviewer.post(f"/findings/{finding.id}/edit", {
        "code": "HC1", "text": "Chưa niêm yết TTHC.", "field": "3", "deadline": "30/06/2023",
    }).status_code == 303
    assert audit_actions_since(app, audit_id) == ["finding.edit"]
    [finding] = findings_of(app, item)
    assert (finding.text, finding.field_id, finding.deadline.isoformat()) == (
        "Chưa niêm yết TTHC.", 3, "2023-06-30")
    assert finding.answer is FindingAnswer.NOT_FIXED
    counted = writes(app)
    bad = reviewer.post(f"/findings/{finding.id}/edit", {"text": "", "field": ""})
    assert bad.status_code == 422 and "Hãy nhập nội dung hạn chế, khuyết điểm." in text(bad)
    assert ward.post(f"/findings/{finding.id}/edit", {"text": "x"}).status_code == 403
    assert written_since(app, counted) <= {"audit_events"}


def test_a_unit_that_inspects_itself_records_its_own_findings(app, login, reviewer, ids):
    office = login("phongyte")  # Phòng Y tế: not inspected, so it inspects itself (1.14)
    own = ids.item("Phòng Y tế", "1.14")
    audit_id = last_audit_id(app)
    assert add(office, own, "Chưa rà soát quy trình nội bộ giải quyết TTHC.",
               code="TKT1").status_code == 303
    assert audit_actions_since(app, audit_id) == ["finding.add"]
    [finding] = findings_of(app, own)
    assert office.post(f"/findings/{finding.id}/answer",
                       {"answer": "not_fixed", "note": "Đang rà soát."}).status_code == 303
    # Phòng Nội vụ sees it with every other unit's.
    listing = text(reviewer.get(f"/directives/{ids.directive()}/findings"))
    assert "Chưa rà soát quy trình nội bộ giải quyết TTHC." in listing and "Phòng Y tế" in listing
    # Only on the task by which it inspects itself, and only its own.
    counted = writes(app)
    assert add(office, ids.item("Phòng Y tế", "1.4"), "Thử.").status_code == 403
    assert add(login("phongtuphap"), own, "Thử.").status_code == 403
    assert add(login("phuong1"), ids.item("Phường 1", "1.1"), "Thử.").status_code == 403
    assert written_since(app, counted) <= {"audit_events"}


def test_the_administrator_extends_the_fields(app, login):
    admin = login("quantri")
    assert admin.post("/admin/finding-fields",
                      {"name": "Cải cách hành chính trong doanh nghiệp"}).status_code == 303
    page = text(admin.get("/admin/finding-fields"))
    assert "Cải cách hành chính trong doanh nghiệp" in page
    counted = writes(app)
    for name, says in (("  ", "Hãy nhập tên lĩnh vực."),
                       ("cai cach the che", "Đã có lĩnh vực «cai cach the che»."),
                       ("x" * 201, "Tên lĩnh vực tối đa 200 ký tự.")):
        response = admin.post("/admin/finding-fields", {"name": name})
        assert response.status_code == 422 and says in text(response)
    assert written_since(app, counted) == set()


def test_the_workbook_and_the_word_report_carry_the_findings(app, ward, reviewer, ids, item):
    import io

    from docx import Document
    from openpyxl import load_workbook

    assert add(reviewer, item, "Chưa niêm yết TTHC.", code="HC1").status_code == 303
    assert add(reviewer, item, "Tỷ lệ ký số thấp.", code="HC2", field="7").status_code == 303
    first, second = findings_of(app, item)
    assert attach(ward, first.id).status_code == 303
    assert ward.post(f"/findings/{first.id}/answer",
                     {"answer": "fixed", "note": "Đã niêm yết 45 TTHC."}).status_code == 303
    assert ward.post(f"/findings/{second.id}/answer",
                     {"answer": "not_fixed", "note": "Chờ cấp chữ ký số."}).status_code == 303
    base = f"/directives/{ids.directive()}/reports"
    book = load_workbook(io.BytesIO(reviewer.get(f"{base}/matrix.xlsx").data), read_only=True)
    rows = [tuple(row) for row in book["Hạn chế"].iter_rows(values_only=True)]
    assert rows[0][:5] == ("Đơn vị", "Loại đơn vị", "Mã nhiệm vụ", "Mã hạn chế",
                           "Hạn chế, khuyết điểm")
    assert rows[1][:8] == ("Phường 1", "Xã, phường", "1.1", "HC1", "Chưa niêm yết TTHC.",
                           "Cải cách thủ tục hành chính", "Đã khắc phục", "Đã niêm yết 45 TTHC.")
    assert rows[2][6:8] == ("Chưa khắc phục được", "Chờ cấp chữ ký số.")
    document = Document(io.BytesIO(reviewer.get(f"{base}/report.docx").data))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM CỦA CÁC ĐƠN VỊ" in words
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Phường 1: đã khắc phục 1/2 hạn chế" in cells
    assert "Chưa khắc phục được: Chờ cấp chữ ký số." in cells


def test_a_units_scorecard_counts_its_findings_fixed(app, ward, reviewer, ids, item):
    assert add(reviewer, item, "Chưa niêm yết TTHC.").status_code == 303
    assert add(reviewer, item, "Tỷ lệ ký số thấp.").status_code == 303
    first, _ = findings_of(app, item)
    assert attach(ward, first.id).status_code == 303
    assert ward.post(f"/findings/{first.id}/answer",
                     {"answer": "fixed", "note": "Đã niêm yết."}).status_code == 303
    page = text(ward.get(f"/units/{ids.unit('Phường 1')}?year=2023"))
    assert 'Hạn chế, khuyết điểm đã khắc phục</th><td class="num">1/2</td>' in page


def test_the_dashboard_shows_findings_fixed_by_field(app, ward, reviewer, login, ids, item):
    dashboard = f"/directives/{ids.directive()}/dashboard"
    assert "Hạn chế, khuyết điểm đã khắc phục theo lĩnh vực" not in text(
        login("lanhdao").get(dashboard))  # none yet: no table
    assert add(reviewer, item, "Chưa niêm yết TTHC.", field="3").status_code == 303
    assert add(reviewer, item, "Còn hồ sơ trễ hạn.", field="3").status_code == 303
    assert add(reviewer, item, "Tỷ lệ ký số thấp.", field="").status_code == 303
    first = findings_of(app, item)[0]
    assert attach(ward, first.id).status_code == 303
    assert ward.post(f"/findings/{first.id}/answer",
                     {"answer": "fixed", "note": "Xong."}).status_code == 303
    page = text(login("lanhdao").get(dashboard))
    assert ('<tr><th scope="row">Cải cách thủ tục hành chính</th><td class="num">1/2</td>'
            '<td class="num">50 %</td></tr>') in page
    assert '<th scope="row">Chưa xếp lĩnh vực</th><td class="num">0/1</td>' in page


def test_a_copy_to_the_next_cycle_carries_the_findings_not_fixed(app, ward, reviewer, login, ids,
                                                                 item):
    assert add(reviewer, item, "Chưa niêm yết TTHC.", code="HC1").status_code == 303
    assert add(reviewer, item, "Tỷ lệ ký số thấp.", code="HC2", field="7").status_code == 303
    fixed, open_one = findings_of(app, item)
    assert attach(ward, fixed.id).status_code == 303
    assert ward.post(f"/findings/{fixed.id}/answer",
                     {"answer": "fixed", "note": "Đã niêm yết."}).status_code == 303
    admin = login("quantri")
    copies = {}
    for slug, carry in (("ke-hoach-2024-mang-theo", "y"), ("ke-hoach-2024-khong", "")):
        response = admin.post(f"/admin/directives/{ids.directive()}/copy", {
            "year": "2024", "title": f"Kế hoạch 2024 ({slug})", "slug": slug,
            **({"carry_findings": carry} if carry else {})})
        assert response.status_code == 303, text(response)[:2000]
        copies[slug] = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        assert admin.post(f"/admin/directives/{copies[slug]}/publish").status_code == 303
    with app.app_context():
        def new_item(directive_id: int) -> int:
            from portal.models import Task
            return db.session.scalar(
                select(Progress.id).join(Task, Task.id == Progress.task_id)
                .where(Task.directive_id == directive_id, Task.code == "1.1",
                       Progress.unit_id == ids.unit("Phường 1")))
        carried_to, plain = new_item(copies["ke-hoach-2024-mang-theo"]), \
            new_item(copies["ke-hoach-2024-khong"])
    [carried] = findings_of(app, carried_to)
    assert (carried.code, carried.text, carried.field_id) == ("HC2", "Tỷ lệ ký số thấp.", 7)
    assert carried.answer is None and carried.review is None
    assert findings_of(app, plain) == []
    assert "Tỷ lệ ký số thấp." in text(ward.get(f"/items/{carried_to}"))
