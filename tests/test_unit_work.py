"""Work inside a unit: its head hands items to officers (phân công), officers see their work in
"Việc của tôi" and send finished items up (trình lãnh đạo đơn vị), the head sends them on to
Phòng Nội vụ or returns them with a comment. Who may do each, what every bad input answers with
nothing written, who is told, and the matrix's cost the same with all of it as without."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Assignment,
    AuditEvent,
    Directive,
    MailMessage,
    Notification,
    Progress,
    ProgressStatus,
    User,
)

from .support.databases import writes, written_since
from .support.records import audit_actions_since, last_audit_id
from .support.statements import count_statements, recorded_statements


@pytest.fixture
def head(login):
    return login("phuong1")


@pytest.fixture
def officer(login):
    return login("phuong1.cb1")


@pytest.fixture
def item(ids) -> int:
    return ids.item("Phường 1", "1.1")  # a report: a file makes it ready to send


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def name_of(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username)).display_name


def row(app, item_id: int) -> Progress:
    with app.app_context():
        found = db.session.scalar(
            select(Progress).options(
                selectinload(Progress.assignment).selectinload(Assignment.officers))
            .where(Progress.id == item_id))
        db.session.expunge_all()
        return found


def told(app, username: str, kind: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(Notification.title).join(User, User.id == Notification.user_id)
            .where(User.username == username, Notification.kind == kind)
            .order_by(Notification.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def assign(client, item_id: int, *people: int, due: str = "", note: str = "", htmx=False):
    return client.post(f"/items/{item_id}/assign",
                       {"officers": [str(p) for p in people], "due_on": due, "note": note},
                       htmx=htmx)


def ready(client, item_id: int) -> None:
    """The officer attaches the report the item asks for."""
    assert client.upload(item_id, b"%PDF-1.4\n%%EOF\n", "Báo cáo.pdf", htmx=False).status_code \
        == 303


TITLE = "Báo cáo kết quả khắc phục hạn chế theo Báo cáo kiểm tra CCHC năm 2023"  # 1.1
LATE = {"late_reason": "Chờ số liệu từ Hệ thống một cửa."}


# --- phân công ------------------------------------------------------------------------------


def test_the_head_assigns_an_item_and_the_officer_is_told_and_sees_it(app, head, officer, item):
    cb1 = user_id(app, "phuong1.cb1")
    audit_id = last_audit_id(app)
    response = assign(head, item, cb1, due="10/06/2023", note="Gửi dự thảo trước họp giao ban.")
    assert response.status_code == 303
    assert audit_actions_since(app, audit_id) == ["item.assign"]
    found = row(app, item)
    assert [u.username for u in found.assignment.officers] == ["phuong1.cb1"]
    assert found.assignment.due_on.isoformat() == "2023-06-10"
    assert told(app, "phuong1.cb1", "item.assigned") == [
        f"{name_of(app, 'phuong1')} giao cho bạn nhiệm vụ 1.1 "
        f"«{TITLE}»"]
    assert told(app, "phuong1.cb2", "item.assigned") == []
    # The item names the officer with their title; its history says who assigned what.
    page = text(officer.get(f"/items/{item}"))
    assert f"{name_of(app, 'phuong1.cb1')} · hạn nội bộ 10/06/2023" in page
    assert name_of(app, "phuong1.cb1").endswith("(Chuyên viên)") is False  # a ward's officer
    assert "(Công chức Văn phòng - Thống kê)" in page
    assert re.search(r"· " + re.escape(name_of(app, "phuong1")) + r" · Phân công: "
                     + re.escape(name_of(app, "phuong1.cb1")) + r"; hạn nội bộ 10/06/2023", page)
    # Việc của tôi: the officer's own work, with the head's note.
    mine = text(officer.get("/my-work"))
    assert "Việc được giao cho tôi (1)" in mine and "Gửi dự thảo trước họp giao ban." in mine
    assert f'href="/items/{item}"' in mine
    # Only the head hands work out: the assignment form is theirs alone.
    assert f'action="/items/{item}/assign"' in text(head.get(f"/items/{item}"))
    assert f'action="/items/{item}/assign"' not in page


def test_reassigning_tells_only_the_newly_assigned_and_history_keeps_each_change(app, head,
                                                                                item):
    cb1, cb2 = user_id(app, "phuong1.cb1"), user_id(app, "phuong1.cb2")
    assert assign(head, item, cb1).status_code == 303
    assert assign(head, item, cb1, cb2, note="Hai người cùng làm.").status_code == 303
    assert len(told(app, "phuong1.cb1", "item.assigned")) == 1
    assert len(told(app, "phuong1.cb2", "item.assigned")) == 1
    # The same again changes nothing and writes nothing.
    counted = writes(app)
    assert assign(head, item, cb1, cb2, note="Hai người cùng làm.").status_code == 303
    assert written_since(app, counted) == set()
    # None ticked takes the assignment back.
    assert assign(head, item).status_code == 303
    assert row(app, item).assignment.officers == []
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "item.assign", AuditEvent.target_id == item)
            .order_by(AuditEvent.id)).all()
        assert [e.after["officers"] for e in events] == [
            ["phuong1.cb1"], ["phuong1.cb1", "phuong1.cb2"], []]
    assert "Phân công: bỏ phân công" in text(head.get(f"/items/{item}"))


@pytest.mark.parametrize("case", ["stranger", "deactivated", "bad date", "none", "too long"])
def test_a_bad_assignment_is_refused_in_vietnamese_writing_nothing(app, head, item, case):
    cb1 = user_id(app, "phuong1.cb1")
    if case == "deactivated":
        with app.app_context():
            db.session.get(User, cb1).active = False
            db.session.commit()
    people, due, note, says = {
        "stranger": ([user_id(app, "phuong2")], "", "",
                     "không thuộc đơn vị hoặc tài khoản đã bị khoá"),
        "deactivated": ([cb1], "", "", "không thuộc đơn vị hoặc tài khoản đã bị khoá"),
        "bad date": ([cb1], "31/02/2023", "", "Ngày không hợp lệ"),
        "none": ([], "", "", "Hãy chọn ít nhất một cán bộ thực hiện."),
        "too long": ([cb1], "", "x" * 1001, "Ghi chú tối đa 1000 ký tự."),
    }[case]
    counted = writes(app)
    for htmx in (False, True):
        response = assign(head, item, *people, due=due, note=note, htmx=htmx)
        assert response.status_code == 422
        assert says in text(response)
    assert written_since(app, counted) == set()


def test_only_the_units_head_assigns_its_items(app, head, officer, login, ids, item):
    cb1 = user_id(app, "phuong1.cb1")
    other = ids.item("Phường 2", "1.1")
    counted = writes(app)
    assert assign(officer, item, cb1).status_code == 403  # an officer
    assert assign(head, other, cb1).status_code == 403  # an item of another unit
    assert assign(login("phuong2"), item, cb1).status_code == 403  # another unit's head
    assert assign(login("noivu.duyet"), item, cb1).status_code == 403
    assert written_since(app, counted) <= {"audit_events"}  # the refusals' own records


# --- trình lãnh đạo đơn vị, gửi duyệt -----------------------------------------------------------


def test_an_officer_sends_up_the_head_returns_then_sends_on(app, head, officer, login, item):
    cb1 = user_id(app, "phuong1.cb1")
    assert assign(head, item, cb1).status_code == 303
    ready(officer, item)
    # Where sign-off is asked for (the default) the officer cannot submit, and is not offered to.
    page = text(officer.get(f"/items/{item}"))
    assert f'action="/items/{item}/send-up"' in page and "Trình lãnh đạo đơn vị" in page
    assert f'action="/items/{item}/submit"' not in page
    assert officer.post(f"/items/{item}/submit", LATE).status_code == 403

    audit_id = last_audit_id(app)
    assert officer.post(f"/items/{item}/send-up", LATE).status_code == 303
    assert audit_actions_since(app, audit_id) == ["progress.send_up"]
    assert row(app, item).awaiting_head_since is not None
    assert told(app, "phuong1", "signoff.requested") == [
        f"{name_of(app, 'phuong1.cb1')} trình nhiệm vụ 1.1 "
        f"«{TITLE}»"]
    # While it waits, officers change nothing; the head has it in "Chờ tôi ký duyệt".
    locked = officer.post(f"/items/{item}/save", {"note": "Sửa thêm."}, htmx=True)
    assert locked.status_code == 409 and "chờ lãnh đạo đơn vị xem xét" in text(locked)
    assert "Chờ tôi ký duyệt (1)" in text(head.get("/my-work"))
    # Returning needs a comment; with one, the officer (who prepared it) is told.
    empty = head.post(f"/items/{item}/return-to-officer", {"comment": "  "})
    assert empty.status_code == 422 and "Hãy ghi rõ nội dung cán bộ cần sửa." in text(empty)
    assert head.post(f"/items/{item}/return-to-officer",
                     {"comment": "Bổ sung số liệu tháng 6."}).status_code == 303
    assert row(app, item).awaiting_head_since is None
    assert told(app, "phuong1.cb1", "signoff.returned") == [
        f"{name_of(app, 'phuong1')} trả lại nhiệm vụ 1.1 "
        f"«{TITLE}»"]
    assert "Bổ sung số liệu tháng 6." in text(officer.get(f"/items/{item}"))
    # A second return of what no longer waits is refused, writing nothing.
    counted = writes(app)
    again = head.post(f"/items/{item}/return-to-officer", {"comment": "Lần nữa."})
    assert again.status_code == 422 and "không ở trạng thái chờ lãnh đạo" in text(again)
    assert written_since(app, counted) == set()

    assert officer.post(f"/items/{item}/send-up", LATE).status_code == 303
    audit_id = last_audit_id(app)
    # The head sends it on: the officer's explanation goes with it.
    assert head.post(f"/items/{item}/submit", {}).status_code == 303
    assert audit_actions_since(app, audit_id) == ["progress.submit"]
    found = row(app, item)
    assert found.status is ProgressStatus.SUBMITTED and found.awaiting_head_since is None
    assert found.late_reason == LATE["late_reason"]
    assert (found.prepared_by_id, found.signed_off_by_id) == (cb1, user_id(app, "phuong1"))
    # Phòng Nội vụ's panel shows who prepared it and who signed it off, with their titles.
    panel = text(login("noivu.duyet").get(f"/items/{item}/panel"))
    assert f"người chuẩn bị: {name_of(app, 'phuong1.cb1')}" in panel
    assert f"lãnh đạo đơn vị ký duyệt: {name_of(app, 'phuong1')}" in panel
    assert "(Chủ tịch UBND phường)" in panel


def test_an_item_must_be_complete_before_it_is_sent_up(app, officer, ids):
    item = ids.item("Phường 1", "1.1")
    counted = writes(app)
    response = officer.post(f"/items/{item}/send-up", LATE)
    assert response.status_code == 422
    assert "Đính kèm tệp văn bản" in text(response)
    assert written_since(app, counted) == set()


def test_without_sign_off_an_officer_submits_and_nobody_signs(app, officer, ids, item):
    with app.app_context():
        directive = db.session.get(Directive, ids.directive())
        directive.sign_off_required = False
        db.session.commit()
    ready(officer, item)
    page = text(officer.get(f"/items/{item}"))
    assert f'action="/items/{item}/submit"' in page and "Trình lãnh đạo đơn vị" not in page
    assert officer.post(f"/items/{item}/send-up", LATE).status_code == 403
    assert officer.post(f"/items/{item}/submit", LATE).status_code == 303
    found = row(app, item)
    assert found.status is ProgressStatus.SUBMITTED
    assert (found.prepared_by_id, found.signed_off_by_id) == (user_id(app, "phuong1.cb1"), None)


def test_the_administrator_sets_sign_off_per_directive(app, login, ids):
    admin = login("quantri")
    url = f"/admin/directives/{ids.directive()}/edit"
    page = text(admin.get(url))
    assert 'name="sign_off"' in page and "Cán bộ trình lãnh đạo đơn vị" in page


# --- Việc của tôi ------------------------------------------------------------------------------


def test_my_work_lists_soonest_due_first_and_the_head_sees_the_whole_unit(app, head, officer,
                                                                          login, ids):
    cb1 = user_id(app, "phuong1.cb1")
    late, early = ids.item("Phường 1", "1.2"), ids.item("Phường 1", "1.3")
    assert assign(head, late, cb1, due="30/12/2023").status_code == 303
    assert assign(head, early, cb1, due="01/01/2023").status_code == 303
    mine = text(officer.get("/my-work"))
    assert mine.index(f'href="/items/{early}"') < mine.index(f'href="/items/{late}"')
    assert "Chờ tôi ký duyệt" not in mine and "Toàn bộ nhiệm vụ" not in mine
    whole = text(head.get("/my-work"))
    assert "Toàn bộ nhiệm vụ đang mở của đơn vị" in whole and "chưa phân công" in whole
    assert f"Người thực hiện: {name_of(app, 'phuong1.cb1')}" in whole
    # Nothing of another unit's: Phường 2's people see their own work only.
    other = text(login("phuong2").get("/my-work"))
    assert f'href="/items/{late}"' not in other and f'href="/items/{early}"' not in other


# --- who is told of a conversation, and the matrix ----------------------------------------------


def test_a_reviewers_message_tells_the_assignees_and_the_head_not_every_officer(app, head, login,
                                                                               item):
    assert assign(head, item, user_id(app, "phuong1.cb2")).status_code == 303
    reviewer = login("noivu.duyet")
    assert reviewer.post(f"/items/{item}/messages", {"body": "Đề nghị bổ sung."},
                         content_type="multipart/form-data").status_code == 303
    assert len(told(app, "phuong1.cb2", "talk.to_unit")) == 1
    assert len(told(app, "phuong1", "talk.to_unit")) == 1
    assert told(app, "phuong1.cb1", "talk.to_unit") == []


def test_an_assignment_is_mailed_to_an_officer_who_keeps_that_mail(app, head, item):
    app.config["SMTP_HOST"] = "127.0.0.1"
    cb1 = user_id(app, "phuong1.cb1")
    with app.app_context():
        db.session.get(User, cb1).email = "cb1@sadec.gov.vn"
        db.session.commit()
    assert assign(head, item, cb1).status_code == 303
    with app.app_context():
        mails = db.session.scalars(select(MailMessage.kind).where(
            MailMessage.to_address == "cb1@sadec.gov.vn")).all()
    assert mails == ["item.assigned"]


def test_assignments_and_sign_off_add_no_statement_to_the_matrix_or_its_poll(app, head, officer,
                                                                             login, ids):
    reviewer = login("noivu.duyet")
    url = f"/directives/{ids.directive()}/matrix"
    page_before = count_statements(app, reviewer, url, cold_matrix=True)
    tag = reviewer.get(url, htmx=True).headers["HX-PTag"]
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304
    poll_before = len(statements)
    cb1, cb2 = user_id(app, "phuong1.cb1"), user_id(app, "phuong1.cb2")
    for code in ("1.1", "1.2", "1.3", "1.4", "1.5"):
        assert assign(head, ids.item("Phường 1", code), cb1, cb2).status_code == 303
    # An assignment moves no revision: the poll is still 304, reading as much as before...
    with recorded_statements(engine) as statements:
        assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304
    assert len(statements) == poll_before
    # ...and with items waiting for sign-off and signed off, the matrix reads no more.
    item = ids.item("Phường 1", "1.1")
    ready(officer, item)
    assert officer.post(f"/items/{item}/send-up", LATE).status_code == 303
    assert count_statements(app, reviewer, url, cold_matrix=True) == page_before
    assert head.post(f"/items/{item}/submit", {}).status_code == 303
    assert count_statements(app, reviewer, url, cold_matrix=True) == page_before
