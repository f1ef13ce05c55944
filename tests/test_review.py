"""Phòng Nội vụ's side: the live matrix, review of submitted items, extensions, the queue."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    AuditEvent,
    Directive,
    Evidence,
    Extension,
    ExtensionStatus,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    UnitKind,
)
from portal.vietnamese import sort_key

from .support.records import item_row
from .support.statements import count_statements


def history(app, item_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "Progress", AuditEvent.target_id == item_id)
            .order_by(AuditEvent.id)
        ))


def loaded(item_id: int) -> Progress:
    """An item with what its deadline needs, inside an app context."""
    return db.session.scalars(
        select(Progress).options(selectinload(Progress.task), selectinload(Progress.extension))
        .where(Progress.id == item_id)
    ).one()


@pytest.fixture
def reviewer(login):
    return login("noivu.duyet")


def send_in(ward, item_id: int, note: str = "Đã thực hiện đầy đủ.") -> None:
    assert ward.post(f"/items/{item_id}/save", {"note": note}).status_code == 303
    response = ward.post(f"/items/{item_id}/submit")
    assert response.status_code == 303, response.get_data(as_text=True)


def test_review_flow_submit_return_resubmit_approve_lock_reopen(app, ward, reviewer, ids):
    item_id = ids.item("Phường 1", "1.5")
    send_in(ward, item_id)

    # Returning needs a comment, said next to the field.
    refused = reviewer.post(f"/items/{item_id}/review", {"verdict": "return"}, htmx=True)
    assert refused.status_code == 422
    assert "Hãy ghi rõ nội dung đơn vị cần bổ sung." in refused.get_data(as_text=True)
    assert item_row(app, item_id).status is ProgressStatus.SUBMITTED

    returned = reviewer.post(f"/items/{item_id}/review", {
        "verdict": "return", "comment": "Bổ sung ảnh chụp bảng niêm yết."}, htmx=True)
    assert returned.status_code == 200
    assert returned.headers["HX-Trigger"] == "matrix-changed"
    assert item_row(app, item_id).status is ProgressStatus.RETURNED

    # The unit sees the verdict and its comment first on its checklist, and can change the item.
    page = ward.get(f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}")
    html = page.get_data(as_text=True)
    assert "Cần bổ sung theo yêu cầu của Phòng Nội vụ (1)" in html
    assert html.index("Bổ sung ảnh chụp bảng niêm yết.") < html.index('class="item ')
    assert ward.post(f"/items/{item_id}/links",
                     {"url": "https://sadec.dongthap.gov.vn/niem-yet"}).status_code == 303
    send_in(ward, item_id, "Đã bổ sung ảnh.")
    assert item_row(app, item_id).status is ProgressStatus.SUBMITTED

    approved = reviewer.post(f"/items/{item_id}/review", {"verdict": "approve"}, htmx=True)
    assert approved.status_code == 200 and "Đã duyệt: Đạt." in approved.get_data(as_text=True)
    row = item_row(app, item_id)
    assert row.status is ProgressStatus.APPROVED and row.reviewed_by_id == ids.user("noivu.duyet")

    # Approved: locked for the unit.
    locked = ward.post(f"/items/{item_id}/save", {"note": "sửa"}, htmx=True)
    assert locked.status_code == 409
    assert "đơn vị không thể sửa" in locked.get_data(as_text=True)
    # A second verdict on an approved item is refused.
    again = reviewer.post(f"/items/{item_id}/review", {"verdict": "approve"}, htmx=True)
    assert again.status_code == 422 and "Chỉ duyệt được nhiệm vụ «Chờ duyệt»" in again.get_data(
        as_text=True)

    reopened = reviewer.post(f"/items/{item_id}/reopen", {"comment": "Cập nhật số liệu mới."})
    assert reopened.status_code == 303
    assert item_row(app, item_id).status is ProgressStatus.IN_PROGRESS
    assert ward.post(f"/items/{item_id}/save", {"note": "Cập nhật."}).status_code == 303

    assert history(app, item_id) == [
        "progress.save", "progress.submit", "review.return", "evidence.add", "progress.save",
        "progress.submit", "review.approve", "review.reopen", "progress.save",
    ]
    panel = reviewer.get(f"/items/{item_id}", htmx=True).get_data(as_text=True)
    assert "Lịch sử (9)" in panel and "Yêu cầu bổ sung: Bổ sung ảnh chụp bảng niêm yết." in panel


def test_reviewer_cannot_change_the_units_own_fields(app, reviewer, ids):
    item_id = ids.item("Phường 1", "1.4")
    for action, data in [("save", {"note": "x"}), ("start", {}), ("submit", {}),
                         ("links", {"url": "https://a.vn"})]:
        assert reviewer.post(f"/items/{item_id}/{action}", data).status_code == 403
    assert item_row(app, item_id).status is ProgressStatus.NOT_STARTED


def test_late_submission_needs_an_explanation_shown_to_the_reviewer(app, ward, reviewer, ids):
    item_id = ids.item("Phường 1", "1.1")  # due 16/06/2023
    ward.upload(item_id, _pdf(), "bao-cao.pdf", htmx=False)
    form = ward.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Giải trình lý do chậm" in form
    refused = ward.post(f"/items/{item_id}/submit", {"late_reason": "  "}, htmx=True)
    assert refused.status_code == 422
    assert "hãy ghi giải trình lý do chậm" in refused.get_data(as_text=True)
    assert item_row(app, item_id).status is ProgressStatus.IN_PROGRESS

    ward.post(f"/items/{item_id}/submit", {"late_reason": "Chờ số liệu từ Hệ thống một cửa."})
    row = item_row(app, item_id)
    assert row.status is ProgressStatus.SUBMITTED
    assert row.late_reason == "Chờ số liệu từ Hệ thống một cửa."
    panel = reviewer.get(f"/items/{item_id}", htmx=True).get_data(as_text=True)
    assert "Giải trình" in panel and "Chờ số liệu từ Hệ thống một cửa." in panel
    queue = reviewer.get("/review").get_data(as_text=True)
    assert "Gửi sau hạn" in queue


def test_an_explanation_is_not_asked_before_the_deadline(app, ward, ids, future_items):
    item_id = future_items["Phường 1"][0]
    assert "Giải trình lý do chậm" not in ward.get(f"/items/{item_id}").get_data(as_text=True)
    send_in(ward, item_id)
    assert item_row(app, item_id).late_reason == ""


@pytest.fixture
def future_items(app, ids, tmp_path):
    """A second directive whose two tasks reach the wards and are due in ten days."""
    due = (date.today() + timedelta(days=10)).isoformat()
    path = tmp_path / "d.yaml"
    path.write_text(
        "slug: bao-cao-quy\nyear: 2099\ntitle: Báo cáo quý\nsections:\n"
        " - number: '1'\n   audience: kind:commune\n   tasks:\n"
        f"    - {{code: '1', title: Báo cáo quý, deadline: {due}}}\n"
        f"    - {{code: '2', title: Báo cáo năm, deadline: {due}}}\n",
        encoding="utf-8",
    )
    from portal.directives.loader import load_directive

    with app.app_context():
        directive = load_directive(path)
        db.session.commit()
        rows = db.session.execute(
            select(Unit.name, Progress.id).join(Progress, Progress.unit_id == Unit.id)
            .join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive.id).order_by(Task.position)
        ).all()
    items: dict[str, list[int]] = {}
    for name, item_id in rows:
        items.setdefault(name, []).append(item_id)
    return items


def test_extension_asked_once_granted_and_counted(app, ward, reviewer, ids, future_items):
    item_id = future_items["Phường 1"][0]
    # A date that is not after the deadline is refused, with the reason.
    early = ward.post(f"/items/{item_id}/extension",
                      {"reason": "Chờ số liệu", "proposed": date.today().strftime("%d/%m/%Y")},
                      htmx=True)
    assert early.status_code == 422 and "phải sau hạn hiện tại" in early.get_data(as_text=True)
    bad = ward.post(f"/items/{item_id}/extension", {"reason": "", "proposed": "31/02/2099"},
                    htmx=True)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Hãy nêu lý do xin gia hạn." in html and "Ngày không hợp lệ" in html

    proposed = date.today() + timedelta(days=40)
    asked = ward.post(f"/items/{item_id}/extension", {
        "reason": "Chờ số liệu quý từ Sở", "proposed": proposed.strftime("%d/%m/%Y")}, htmx=True)
    assert asked.status_code == 200 and "Chờ xem xét" in asked.get_data(as_text=True)

    again = ward.post(f"/items/{item_id}/extension", {
        "reason": "Xin thêm", "proposed": proposed.strftime("%d/%m/%Y")}, htmx=True)
    assert again.status_code == 422
    assert "chỉ được xin gia hạn một lần" in again.get_data(as_text=True)

    granted_to = date.today() + timedelta(days=30)
    decided = reviewer.post(f"/items/{item_id}/extension/decision", {
        "decision": "grant", "granted": granted_to.strftime("%d/%m/%Y"), "note": "Đồng ý"},
        htmx=True)
    assert decided.status_code == 200
    html = decided.get_data(as_text=True)
    assert f"Đã đồng ý gia hạn đến {granted_to.strftime('%d/%m/%Y')}" in html
    assert "(gia hạn; hạn ban đầu" in html  # the original stays visible
    with app.app_context():
        extension = db.session.scalar(select(Extension).where(Extension.progress_id == item_id))
        assert extension.status is ExtensionStatus.GRANTED
        assert extension.granted_deadline == granted_to
        assert loaded(item_id).deadline == granted_to
    assert history(app, item_id) == ["extension.request", "extension.grant"]


def test_extension_refused_and_not_asked_after_the_deadline(app, ward, reviewer, ids,
                                                            future_items):
    item_id = future_items["Phường 1"][1]
    proposed = (date.today() + timedelta(days=40)).strftime("%d/%m/%Y")
    ward.post(f"/items/{item_id}/extension", {"reason": "Lý do", "proposed": proposed})
    refused = reviewer.post(f"/items/{item_id}/extension/decision", {"decision": "refuse"})
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Extension.status)) is ExtensionStatus.REFUSED
        item = loaded(item_id)
        assert item.deadline == item.task.deadline
    overdue = ids.item("Phường 1", "1.1")
    late = ward.post(f"/items/{overdue}/extension", {"reason": "Lý do", "proposed": "31/12/2099"},
                     htmx=True)
    assert late.status_code == 422 and "chỉ được xin gia hạn trước khi hết hạn" in late.get_data(
        as_text=True)


def test_queue_oldest_first_and_batch_approval(app, login, reviewer, ids):
    sent = []
    for username, unit in [("phuong2", "Phường 2"), ("phuong1", "Phường 1"),
                           ("phongtuphap", "Phòng Tư pháp")]:
        item_id = ids.item(unit, "1.5")
        send_in(login(username), item_id)
        sent.append(item_id)
    queue = reviewer.get("/review").get_data(as_text=True)
    assert "Nhiệm vụ chờ duyệt (3)" in queue
    order = [int(i) for i in re.findall(r'name="item" value="(\d+)"', queue)]
    assert order == sent
    nav = reviewer.get("/directives").get_data(as_text=True)
    assert ('Chờ duyệt <span id="waiting" aria-live="polite"><span class="count">3</span>'
            in nav)

    response = reviewer.post("/review/approve", {"item": [str(sent[0]), str(sent[2])]})
    assert response.status_code == 303
    page = reviewer.get("/review").get_data(as_text=True)
    assert "Đã duyệt «Đạt» 2 nhiệm vụ." in page and "Nhiệm vụ chờ duyệt (1)" in page
    statuses = [item_row(app, i).status for i in sent]
    assert statuses == [ProgressStatus.APPROVED, ProgressStatus.SUBMITTED,
                        ProgressStatus.APPROVED]
    # Approving again what is no longer waiting changes nothing and says so.
    again = reviewer.post("/review/approve", {"item": [str(sent[0])]}, follow_redirects=True)
    assert "không còn ở trạng thái chờ duyệt" in again.get_data(as_text=True)
    assert reviewer.post("/review/approve", {"item": ["abc"]}).status_code == 400
    assert history(app, sent[0]) == ["progress.save", "progress.submit", "review.approve"]


def _pdf() -> bytes:
    from portal.demo import sample_pdf

    return sample_pdf("review")


# --- the matrix ----------------------------------------------------------------------------------


def matrix_url(ids, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/directives/{ids.directive()}/matrix" + (f"?{query}" if query else "")


def unit_rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="unit"><a [^>]+>([^<]+)</a>', html)


def test_matrix_shows_every_unit_grouped_by_kind_in_vietnamese_order(app, reviewer, ids):
    html = reviewer.get(matrix_url(ids)).get_data(as_text=True)
    rows = unit_rows(html)
    assert len(rows) == 24
    offices = rows[:12]
    assert offices == sorted(offices, key=sort_key)
    assert rows.index("Phường 2") < rows.index("Phường An Hòa") < rows.index("Xã Tân Khánh Đông")
    assert html.index("Phòng chuyên môn") < html.index("Đơn vị sự nghiệp công lập") < html.index(
        "Xã, phường")
    # A column per task, code shown, title on hover and for screen readers.
    assert '<abbr title="Tỷ lệ ký số văn bản điện tử trên iDesk">1.10</abbr>' in html
    assert "hoàn thành 0/306 (0 %)" in html


def test_matrix_cell_shows_status_by_symbol_and_words_not_colour_alone(app, ward, reviewer, ids):
    item_id = ids.item("Phường 1", "1.5")
    send_in(ward, item_id)
    html = reviewer.get(matrix_url(ids)).get_data(as_text=True)
    cell = re.search(rf'<td class="([^"]+)"><a id="c{item_id}" '
                     rf'href="/items/{item_id}">(.*?)</a></td>', html)
    assert cell.group(1) == "status-submitted dl-awaiting"
    assert cell.group(2) == "→<i>Chờ duyệt</i>"
    overdue = ids.item("Phường 1", "1.1")
    cell = re.search(rf'<td class="([^"]+)"><a id="c{overdue}"[^>]*>(.*?)</a>', html)
    assert cell.group(1) == "status-not-started dl-overdue"
    assert cell.group(2) == "○!<i>Chưa thực hiện, Quá hạn chưa hoàn thành</i>"


def test_matrix_filters_and_diacritics_blind_search(app, reviewer, ids):
    assert unit_rows(reviewer.get(matrix_url(ids, q="phuong 1")).get_data(as_text=True)) == [
        "Phường 1"]
    assert unit_rows(reviewer.get(matrix_url(ids, q="TU PHAP")).get_data(as_text=True)) == [
        "Phòng Tư pháp"]
    communes = unit_rows(reviewer.get(matrix_url(ids, kind="commune")).get_data(as_text=True))
    assert len(communes) == 9
    # Every ward has its 1.1 report overdue (inspected, due 2023); offices not inspected have 1.14.
    overdue = unit_rows(reviewer.get(matrix_url(ids, overdue="1")).get_data(as_text=True))
    assert len(overdue) == 24
    none = reviewer.get(matrix_url(ids, status="approved")).get_data(as_text=True)
    assert unit_rows(none) == [] and "Không có đơn vị nào khớp bộ lọc." in none
    # Nonsense filters are ignored, not errors.
    assert reviewer.get(matrix_url(ids, kind="x", status="<b>", page="abc")).status_code == 200


def test_unchanged_poll_is_304_and_a_change_shows_on_the_next(app, ward, reviewer, ids):
    first = reviewer.get(matrix_url(ids), htmx=True)
    assert first.status_code == 200 and "<html" not in first.get_data(as_text=True)
    tag = first.headers["HX-PTag"]
    assert f'hx-ptag="{tag}"' in first.get_data(as_text=True)
    poll = reviewer.get(matrix_url(ids), htmx=True, headers={"HX-PTag": tag})
    assert poll.status_code == 304 and poll.data == b""
    assert "HX-Request" in poll.headers["Vary"]

    send_in(ward, ids.item("Phường 1", "1.5"))
    changed = reviewer.get(matrix_url(ids), htmx=True, headers={"HX-PTag": tag})
    assert changed.status_code == 200
    assert changed.headers["HX-PTag"] != tag
    assert "→" in changed.get_data(as_text=True)


def test_every_kind_of_change_moves_the_revision(app, ward, reviewer, ids):
    def revision() -> int:
        with app.app_context():
            return db.session.scalar(select(Directive.revision).where(
                Directive.id == ids.directive()))

    item_id = ids.item("Phường 1", "1.2")
    seen = [revision()]
    ward.post(f"/items/{item_id}/start")
    seen.append(revision())
    ward.post(f"/items/{item_id}/links", {"url": "https://a.vn/x"})
    seen.append(revision())
    with app.app_context():
        evidence_id = db.session.scalar(select(Evidence.id))
    ward.post(f"/items/{item_id}/evidence/{evidence_id}/delete")
    seen.append(revision())
    ward.post(f"/items/{item_id}/save", {"note": "Đã đăng tin."})
    ward.post(f"/items/{item_id}/submit")
    seen.append(revision())
    reviewer.post(f"/items/{item_id}/review", {"verdict": "approve"})
    seen.append(revision())
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    # A request that changes nothing leaves it alone.
    ward.post(f"/items/{item_id}/save", {"note": "Đã đăng tin."})
    reviewer.get(matrix_url(ids))
    assert revision() == seen[-1]


def test_matrix_statements_do_not_grow_with_units(app, reviewer, ids):
    url = matrix_url(ids)
    reviewer.get(url)  # the navigation's waiting count kept, as after the change below
    with_24_units = count_statements(app, reviewer, url, cold_matrix=True)
    with app.app_context():
        task_ids = db.session.scalars(select(Task.id).where(
            Task.directive_id == ids.directive())).all()
        for number in range(276):
            unit_id = db.session.execute(insert(Unit).values(
                name=f"Tổ dân phố {number:03d}", short_name="", kind=UnitKind.COMMUNE,
                position=100 + number)).inserted_primary_key[0]
            db.session.execute(insert(Progress), [
                {"task_id": task_id, "unit_id": unit_id,
                 "status": ProgressStatus.IN_PROGRESS} for task_id in task_ids])
        db.session.execute(Directive.__table__.update().values(revision=Directive.revision + 1))
        db.session.commit()
    html = reviewer.get(url).get_data(as_text=True)
    assert "(0 %)" in html and "trang" in html.lower()
    with_300_units = count_statements(app, reviewer, url, cold_matrix=True)
    assert with_300_units == with_24_units
    # The user; the directive's revision with the reader's counts (one statement); the shared
    # fragment's three (read it, take the render's lease, store it); the matrix's index (four:
    # directive, tasks, units, a narrow scan of the cells) and the shown rows' cells (one); the
    # page's directive. The reminder form is loaded only when opened.
    assert with_24_units <= 12


def test_matrix_is_read_only_for_leadership(app, login, ids):
    leader = login("lanhdao")
    html = leader.get(matrix_url(ids)).get_data(as_text=True)
    assert 'method="post"' not in html.split('<main id="main">')[1]
    item_id = ids.item("Phường 1", "1.5")
    panel = leader.get(f"/items/{item_id}", htmx=True).get_data(as_text=True)
    assert "<form" not in panel and "hx-post" not in panel
    assert leader.post(f"/items/{item_id}/review", {"verdict": "approve"}).status_code == 403
