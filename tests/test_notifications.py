"""In-app notifications: each event tells the right people and no one else, the list shows a user
their own, opening one marks it read and leads to its item, and the bell's count shows in every
page's navigation and comes back with the matrix's polls."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.directives import lifecycle
from portal.extensions import db
from portal.models import Directive, Notification, Progress, Task, User
from portal.notifications import notify_unit

from .support.clients import PortalClient
from .support.directives import load_future
from .support.forms import form_of, new_form
from .support.records import task_row

EVERYONE = ("phuong1", "phuong2", "phongnoivu", "phongtuphap", "noivu.duyet", "lanhdao",
            "quantri")
ACTION_KINDS_FOR_UNITS = {"directive.reached", "task.added", "task.deadline", "review.returned",
                          "review.approved", "extension.decided"}


# --- helpers -------------------------------------------------------------------------------------


def notes(app, username: str) -> list[Notification]:
    """The user's notifications, newest first, detached for reading."""
    with app.app_context():
        found = db.session.scalars(
            select(Notification).join(User, User.id == Notification.user_id)
            .where(User.username == username)
            .order_by(Notification.updated_at.desc(), Notification.id.desc())
        ).all()
        for note in found:
            db.session.expunge(note)
        return list(found)


def kinds_of(app, username: str) -> list[str]:
    return [note.kind for note in notes(app, username)]


def everyone_but(app, *told: str) -> dict[str, list[str]]:
    """The kinds each account not in `told` holds: expected to be nothing new."""
    return {name: kinds_of(app, name) for name in EVERYONE if name not in told}


def send_in(ward: PortalClient, item_id: int, **data) -> None:
    assert ward.post(f"/items/{item_id}/save", {"note": "Đã thực hiện."}).status_code == 303
    response = ward.post(f"/items/{item_id}/submit", data)
    assert response.status_code == 303, response.get_data(as_text=True)


def html(response) -> str:
    return response.get_data(as_text=True)


def bell_count(page: str) -> str:
    """The count in the navigation's bell ("" when everything is read)."""
    match = re.search(r'<span id="bell" aria-live="polite">(.*?)</span></a>', page, re.S)
    assert match, "no bell in the navigation"
    count = re.search(r'class="count">(\d+)<', match.group(1))
    return count.group(1) if count else ""


@pytest.fixture
def reviewer(login) -> PortalClient:
    return login("noivu.duyet")


@pytest.fixture
def admin(login) -> PortalClient:
    return login("quantri")


@pytest.fixture
def future(app, tmp_path) -> int:
    """A letter for the communes due in 2099: deadlines still ahead, extensions possible."""
    return load_future(app, tmp_path)


def future_item(app, directive_id: int, unit_name: str, code: str) -> int:
    from portal.models import Unit

    with app.app_context():
        return db.session.scalar(
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .join(Unit, Unit.id == Progress.unit_id)
            .where(Task.directive_id == directive_id, Task.code == code, Unit.name == unit_name)
        )


# --- what each event tells whom ------------------------------------------------------------------


def test_the_demo_letter_reached_each_unit_and_told_its_staff_once(app, ids):
    [note] = notes(app, "phuong1")
    assert note.kind == "directive.reached" and note.read_at is None
    assert "Chấn chỉnh, khắc phục" in note.title and "13 nhiệm vụ" in note.body
    assert note.url == f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}"
    assert kinds_of(app, "phongnoivu") == ["directive.reached"]
    # Phòng Nội vụ's reviewer, leadership and the administrator are not a unit's staff.
    assert everyone_but(app, "phuong1", "phuong2", "phongnoivu", "phongtuphap") == {
        "noivu.duyet": [], "lanhdao": [], "quantri": []}


def test_publishing_tells_the_units_reached_and_a_draft_tells_no_one(app, admin, future, ids):
    with app.app_context():
        draft = lifecycle.copy_for_cycle(db.session.get(Directive, future), 2100,
                                         "ke-hoach-2100", "Kế hoạch năm 2100")
        db.session.commit()
        draft_id = draft.id
    before = {name: len(notes(app, name)) for name in EVERYONE}
    # Editing a draft's tasks tells nobody either: it reaches no one yet.
    task = task_row(app, draft_id, "1")
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, deadline="15/07/2100")).status_code == 303
    assert {name: len(notes(app, name)) for name in EVERYONE} == before

    assert admin.post(f"/admin/directives/{draft_id}/publish").status_code == 303

    newest = notes(app, "phuong1")[0]
    assert (newest.kind, newest.directive_id) == ("directive.reached", draft_id)
    assert "Kế hoạch năm 2100" in newest.title and "2 nhiệm vụ" in newest.body
    assert newest.url == f"/directives/{draft_id}/units/{ids.unit('Phường 1')}"
    assert len(notes(app, "phuong2")) == before["phuong2"] + 1
    # The letter is for the communes: offices, reviewers, leaders, administrators hear nothing.
    for name in ("phongnoivu", "phongtuphap", "noivu.duyet", "lanhdao", "quantri"):
        assert len(notes(app, name)) == before[name], name


def test_a_task_added_to_the_open_letter_tells_each_unit_it_reaches(app, admin, ids):
    directive = ids.directive()
    response = admin.post(f"/admin/directives/{directive}/tasks/new",
                          new_form(audience="kind:commune", deadline="30/09/2023"))
    assert response.status_code == 303
    task = task_row(app, directive, "9.1")
    note = notes(app, "phuong2")[0]
    assert note.kind == "task.added"
    assert note.title == "Nhiệm vụ mới cho đơn vị: 9.1 «Báo cáo bổ sung về CCHC»"
    assert "Hạn: trước ngày 30/09/2023 (tính cả ngày 30/09)" in note.body
    item = ids.item("Phường 2", "9.1")
    assert (note.url, note.progress_id) == (f"/items/{item}", item)
    with app.app_context():
        assert db.session.get(Progress, item).task_id == task.id
    assert kinds_of(app, "phongtuphap") == ["directive.reached"]  # an office: not reached
    assert kinds_of(app, "noivu.duyet") == kinds_of(app, "lanhdao") == []


def test_a_widened_audience_tells_the_units_newly_reached_only(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.6")  # communes and wards
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, audience="all")).status_code == 303
    note = notes(app, "phongtuphap")[0]
    assert note.kind == "task.added" and note.title.startswith("Nhiệm vụ mới cho đơn vị: 1.6 ")
    assert note.url == f"/items/{ids.item('Phòng Tư pháp', '1.6')}"
    assert kinds_of(app, "phuong1") == ["directive.reached"]  # had it already

    # Narrowed, then widened again: the office's item comes back, and the office is told so.
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, audience="kind:commune")).status_code == 303
    assert len(notes(app, "phongtuphap")) == 2
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, audience="all")).status_code == 303
    back = notes(app, "phongtuphap")[0]
    assert back.kind == "task.added" and "được giao lại cho đơn vị" in back.title
    assert kinds_of(app, "noivu.duyet") == kinds_of(app, "quantri") == []


def test_a_moved_deadline_tells_every_unit_reached_old_and_new(app, admin, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.4")  # every unit, no deadline
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, deadline="31/07/2023")).status_code == 303
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, deadline="15/08/2023")).status_code == 303
    latest, first = notes(app, "phuong1")[:2]
    assert latest.kind == first.kind == "task.deadline"
    assert first.title.endswith("đổi từ (không có hạn) thành 31/07/2023")
    assert latest.title == ("Hạn nhiệm vụ 1.4 «Theo dõi, kiểm tra, đôn đốc thực hiện nhiệm vụ "
                            "CCHC» đổi từ 31/07/2023 thành 15/08/2023")
    assert "Hạn mới: trước ngày 15/08/2023 (tính cả ngày 15/08)." in latest.body
    assert latest.url == f"/items/{ids.item('Phường 1', '1.4')}"
    for name in ("phuong2", "phongnoivu", "phongtuphap"):
        assert kinds_of(app, name)[:2] == ["task.deadline", "task.deadline"], name
    assert kinds_of(app, "noivu.duyet") == kinds_of(app, "lanhdao") == []
    # A change that leaves the deadline alone tells nobody.
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, title="Theo dõi, đôn đốc CCHC")).status_code == 303
    assert len(notes(app, "phuong1")) == 3


def test_submissions_are_grouped_per_unit_while_unread(app, ward, reviewer, login, ids):
    first, second, third = (ids.item("Phường 1", code) for code in ("1.5", "1.8", "1.4"))
    send_in(ward, first)
    [note] = notes(app, "noivu.duyet")
    assert note.kind == "items.submitted" and note.count == 1
    assert note.title == ("Phường 1 gửi duyệt nhiệm vụ 1.5 «Giải quyết TTHC đúng quy trình một "
                          "cửa, một cửa liên thông»")
    assert note.url == f"/items/{first}"

    send_in(ward, second)
    [note] = notes(app, "noivu.duyet")
    assert note.count == 2 and note.title == "Phường 1 gửi duyệt 2 nhiệm vụ"
    assert note.url == f"/directives/{ids.directive()}/matrix?q=Ph%C6%B0%E1%BB%9Dng+1"
    assert "1.8" in note.body

    # Another unit's submissions are a line of their own.
    send_in(login("phuong2"), ids.item("Phường 2", "1.5"))
    titles = [n.title for n in notes(app, "noivu.duyet")]
    assert titles[0].startswith("Phường 2 gửi duyệt nhiệm vụ 1.5") and len(titles) == 2

    # Once read, the next submission starts a new line.
    assert reviewer.get(f"/notifications/{note.id}/open").status_code == 303
    send_in(ward, third)
    newest = notes(app, "noivu.duyet")[0]
    assert newest.id != note.id and newest.count == 1 and "1.4" in newest.title
    # Units, leaders and administrators are told nothing of submissions.
    assert kinds_of(app, "phuong1") == kinds_of(app, "phuong2") == ["directive.reached"]
    assert kinds_of(app, "lanhdao") == kinds_of(app, "quantri") == []


def test_a_late_submission_brings_its_explanation(app, ward, ids):
    item = ids.item("Phường 1", "1.1")  # a report, due 16/06/2023
    assert ward.upload(item, b"%PDF-1.4 bao cao", "Báo cáo.pdf", htmx=False).status_code == 303
    response = ward.post(f"/items/{item}/submit", {"late_reason": "Chờ số liệu một cửa."})
    assert response.status_code == 303
    late, submitted = notes(app, "noivu.duyet")
    assert submitted.kind == "items.submitted"
    assert late.kind == "late.explained" and late.url == f"/items/{item}"
    assert late.title.startswith("Phường 1 gửi sau hạn nhiệm vụ 1.1 ")
    assert late.body == "Giải trình: Chờ số liệu một cửa."
    # An item without a deadline is never late: no explanation to bring.
    send_in(ward, ids.item("Phường 1", "1.5"))
    assert kinds_of(app, "noivu.duyet").count("late.explained") == 1


def test_the_unit_is_told_of_approval_and_return_and_no_one_else(app, ward, reviewer, ids):
    approved, returned = ids.item("Phường 1", "1.5"), ids.item("Phường 1", "1.8")
    send_in(ward, approved)
    send_in(ward, returned)
    before = everyone_but(app, "phuong1", "noivu.duyet")
    assert reviewer.post(f"/items/{approved}/review",
                         {"verdict": "approve", "comment": "Tốt."}).status_code == 303
    assert reviewer.post(f"/items/{returned}/review", {
        "verdict": "return", "comment": "Bổ sung ảnh chụp bảng niêm yết."}).status_code == 303

    back, ok = notes(app, "phuong1")[:2]
    assert ok.kind == "review.approved" and ok.url == f"/items/{approved}"
    assert ok.title.startswith("Nhiệm vụ 1.5 ") and ok.title.endswith("được duyệt: Đạt")
    assert ok.body == "Tốt."
    assert back.kind == "review.returned" and back.url == f"/items/{returned}"
    assert back.title.endswith("bị trả lại: Yêu cầu bổ sung")
    assert back.body == "Nội dung cần bổ sung: Bổ sung ảnh chụp bảng niêm yết."
    # Phường 2, Phòng Nội vụ's own staff, leadership and the administrator: nothing new.
    assert everyone_but(app, "phuong1", "noivu.duyet") == before


def test_approving_many_tells_the_unit_on_one_line(app, ward, reviewer, ids):
    items = [ids.item("Phường 1", code) for code in ("1.4", "1.5", "1.8")]
    for item in items:
        send_in(ward, item)
    response = reviewer.post("/review/approve", {"item": [str(i) for i in items]})
    assert response.status_code == 303
    [note] = [n for n in notes(app, "phuong1") if n.kind == "review.approved"]
    assert note.count == 3
    assert note.title == ("3 nhiệm vụ của văn bản «Chấn chỉnh, khắc phục thực hiện công tác CCHC "
                          "qua kết quả kiểm tra năm 2023» được duyệt: Đạt")
    assert note.url == f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}"
    assert kinds_of(app, "lanhdao") == kinds_of(app, "quantri") == []


def test_extension_requests_go_to_reviewers_and_decisions_to_the_unit(app, ward, reviewer,
                                                                       future):
    granted, refused = (future_item(app, future, "Phường 1", code) for code in ("1", "2"))
    for item in (granted, refused):
        response = ward.post(f"/items/{item}/extension",
                             {"reason": "Chờ số liệu quý IV", "proposed": "31/12/2099"})
        assert response.status_code == 303
    asked = notes(app, "noivu.duyet")[0]
    assert asked.kind == "extension.requested" and asked.url == f"/items/{refused}"
    assert asked.title == "Phường 1 xin gia hạn nhiệm vụ 2 «Báo cáo năm» đến 31/12/2099"
    assert asked.body == "Lý do: Chờ số liệu quý IV (hạn hiện tại: 30/06/2099)"

    assert reviewer.post(f"/items/{granted}/extension/decision", {
        "decision": "grant", "granted": "15/12/2099", "note": "Đồng ý."}).status_code == 303
    assert reviewer.post(f"/items/{refused}/extension/decision", {
        "decision": "refuse", "note": "Hạn của Tỉnh không đổi."}).status_code == 303
    no, yes = notes(app, "phuong1")[:2]
    assert yes.kind == no.kind == "extension.decided"
    assert yes.title == "Đồng ý gia hạn nhiệm vụ 1 «Báo cáo quý» đến 15/12/2099"
    assert yes.url == f"/items/{granted}"
    assert no.title == "Không đồng ý gia hạn nhiệm vụ 2 «Báo cáo năm»; hạn vẫn là 30/06/2099"
    assert no.body == "Hạn của Tỉnh không đổi."
    assert kinds_of(app, "phuong2") == ["directive.reached", "directive.reached"]
    assert kinds_of(app, "lanhdao") == kinds_of(app, "quantri") == []


def test_a_moved_deadline_tells_a_unit_with_an_extension_that_it_stands(
        app, ward, reviewer, admin, future):
    item = future_item(app, future, "Phường 1", "1")
    assert ward.post(f"/items/{item}/extension", {"reason": "Chờ số liệu",
                                                  "proposed": "15/12/2099"}).status_code == 303
    assert reviewer.post(f"/items/{item}/extension/decision",
                         {"decision": "grant"}).status_code == 303
    task = task_row(app, future, "1")
    assert admin.post(f"/admin/tasks/{task.id}/edit",
                      form_of(app, task.id, deadline="31/07/2099")).status_code == 303
    mine, theirs = notes(app, "phuong1")[0], notes(app, "phuong2")[0]
    assert mine.kind == theirs.kind == "task.deadline"
    assert mine.title.endswith("đổi từ 30/06/2099 thành 31/07/2099") and mine.title == theirs.title
    assert mine.body.endswith("Đơn vị đã được gia hạn đến 15/12/2099; hạn này vẫn áp dụng.")
    assert theirs.body == ("Văn bản «Kế hoạch năm 2099». Hạn mới: trước ngày 31/07/2099 "
                           "(tính cả ngày 31/07).")


def test_leaders_and_administrators_never_receive_anything_that_asks_for_action(
        app, ward, reviewer, admin, ids):
    item = ids.item("Phường 1", "1.5")
    send_in(ward, item)
    reviewer.post(f"/items/{item}/review", {"verdict": "return", "comment": "Bổ sung."})
    task = task_row(app, ids.directive(), "1.4")
    admin.post(f"/admin/tasks/{task.id}/edit", form_of(app, task.id, deadline="31/07/2023"))
    assert kinds_of(app, "lanhdao") == kinds_of(app, "quantri") == []
    assert set(kinds_of(app, "phuong1")) <= ACTION_KINDS_FOR_UNITS
    # Phòng Nội vụ's reviewer is told as a reviewer, never as the unit it belongs to.
    assert set(kinds_of(app, "noivu.duyet")) == {"items.submitted"}


def test_a_long_title_is_cut_to_fit_its_column(app, ids):
    with app.app_context():
        notes = notify_unit(ids.unit("Phường 1"), "task.added", "Nhiệm vụ " + "rất dài " * 60,
                            url="/items/1")
        db.session.commit()
        assert len(notes) == 3  # one for each of the unit's people: its head and two officers
        assert all(len(note.title) == 300 and note.title.endswith("…") for note in notes)


# --- the list, opening, marking read -------------------------------------------------------------


def test_the_list_shows_only_the_users_own_newest_first(app, ward, login, ids):
    send_in(login("phuong2"), ids.item("Phường 2", "1.5"))
    login("noivu.duyet").post(f"/items/{ids.item('Phường 2', '1.5')}/review",
                              {"verdict": "return", "comment": "Thiếu tài liệu."})
    page = html(ward.get("/notifications"))
    assert "<h1>Thông báo</h1>" in page
    assert "Văn bản mới giao nhiệm vụ cho đơn vị" in page and "Chưa đọc" in page
    assert "Văn bản chỉ đạo mới giao cho đơn vị" in page  # the kind's label
    mine = notes(app, "phuong1")[0]
    assert f'href="/notifications/{mine.id}/open"' in page
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}", page)  # the city's time
    # Phường 2's return is not on Phường 1's list, nor the reviewer's submissions.
    assert "Thiếu tài liệu" not in page and "gửi duyệt" not in page
    theirs = html(login("phuong2").get("/notifications"))
    assert "Thiếu tài liệu" in theirs
    assert theirs.index("bị trả lại") < theirs.index("Văn bản mới giao nhiệm vụ")  # newest first


def test_a_leader_has_a_list_with_nothing_asking_for_action(app, login):
    page = html(login("lanhdao").get("/notifications"))
    assert "Chưa có thông báo nào." in page and "/notifications/" not in page.split("<main")[1]
    assert bell_count(page) == ""


def test_the_list_pages_at_thirty(app, ward, ids):
    with app.app_context():
        for number in range(35):
            notify_unit(ids.unit("Phường 1"), "task.added", f"Thông báo số {number:02d}")
        db.session.commit()
    first = html(ward.get("/notifications"))
    assert first.count('class="unread"') == 30 and "Thông báo số 34" in first
    second = html(ward.get("/notifications?page=2"))
    assert second.count('class="unread"') == 6 and "Văn bản mới giao" in second
    assert 'aria-current="page">2<' in second
    assert ward.get("/notifications?page=abc").status_code == 200
    assert ward.get("/notifications?page=99").status_code == 200


def test_opening_marks_read_and_leads_to_the_item(app, ward, ids):
    [note] = notes(app, "phuong1")
    response = ward.get(f"/notifications/{note.id}/open")
    assert response.status_code == 303 and response.headers["Location"] == note.url
    [read] = notes(app, "phuong1")
    assert read.read_at is not None
    # Opened again: still where it leads; the first reading is kept.
    again = ward.get(f"/notifications/{note.id}/open")
    assert again.status_code == 303 and notes(app, "phuong1")[0].read_at == read.read_at
    page = html(ward.get("/notifications"))
    assert "Chưa đọc" not in page and 'class="read"' in page


def test_opening_another_users_notification_is_404_and_writes_nothing(app, login, ward):
    [theirs] = notes(app, "phuong2")
    for username in ("phuong1", "noivu.duyet", "lanhdao", "quantri"):
        response = login(username).get(f"/notifications/{theirs.id}/open")
        assert response.status_code == 404, username
        assert "Location" not in response.headers
    assert notes(app, "phuong2")[0].read_at is None
    assert ward.get("/notifications/999999/open").status_code == 404


def test_a_visitor_is_sent_to_log_in(visitor, app):
    [note] = notes(app, "phuong1")
    for url in ("/notifications", f"/notifications/{note.id}/open"):
        response = visitor.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert visitor.post("/notifications/read-all").status_code == 302
    assert notes(app, "phuong1")[0].read_at is None


def test_read_all_marks_everything_shown_read(app, ward, ids):
    with app.app_context():
        notify_unit(ids.unit("Phường 1"), "task.added", "Nhiệm vụ thứ hai")
        db.session.commit()
    page = html(ward.get("/notifications"))
    upto = re.search(r'name="upto" value="(\d+)"', page).group(1)
    # One more arrives after the page was shown: "mark all read" leaves it unread.
    with app.app_context():
        notify_unit(ids.unit("Phường 1"), "task.added", "Nhiệm vụ đến sau")
        db.session.commit()
    response = ward.post("/notifications/read-all", {"upto": upto})
    assert response.status_code == 303 and response.headers["Location"] == "/notifications"
    unread = [n.title for n in notes(app, "phuong1") if n.read_at is None]
    assert unread == ["Nhiệm vụ đến sau"]
    page = html(ward.get("/notifications"))
    assert "Đã đánh dấu 2 thông báo là đã đọc." in page and bell_count(page) == "1"
    # Without a limit, everything; other users' notifications are left alone.
    assert ward.post("/notifications/read-all").status_code == 303
    assert all(n.read_at for n in notes(app, "phuong1"))
    assert notes(app, "phuong2")[0].read_at is None


def test_read_all_under_htmx_answers_the_list_and_empties_the_bell(app, ward):
    response = ward.post("/notifications/read-all", htmx=True)
    assert response.status_code == 200
    body = html(response)
    assert "<html" not in body
    assert 'id="notifications"' in body and "Đã đánh dấu 1 thông báo là đã đọc." in body
    assert '<span id="bell" data-hx-swap-oob="innerHTML"></span>' in body
    assert "Đánh dấu tất cả" not in body  # nothing left to mark
    again = ward.post("/notifications/read-all", htmx=True)
    assert "Không có thông báo nào chưa đọc." in html(again)


def test_read_all_refuses_a_malformed_limit_and_writes_nothing(app, ward):
    for bad in ("abc", "-1", "1.5"):
        assert ward.post("/notifications/read-all", {"upto": bad}).status_code == 400
    assert notes(app, "phuong1")[0].read_at is None
    # Without the CSRF token: refused too.
    assert ward.post("/notifications/read-all", csrf=False).status_code == 400
    assert notes(app, "phuong1")[0].read_at is None


# --- the bell ------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_page(app, ward, ids):
    page = html(ward.get(f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}"))
    assert bell_count(page) == "1"
    assert '<a href="/notifications" class="bell">Thông báo' in page
    assert "chưa đọc" in page  # said in words, not by a badge alone
    [note] = notes(app, "phuong1")
    ward.get(f"/notifications/{note.id}/open")
    assert bell_count(html(ward.get("/notifications"))) == ""


def test_the_matrix_poll_brings_the_bell_and_stays_304_while_nothing_changes(
        app, ward, reviewer, ids):
    url = f"/directives/{ids.directive()}/matrix"
    page = reviewer.get(url)
    assert bell_count(html(page)) == ""
    # The page's poll tag is the matrix's and the reader's counts (unread, waiting for review):
    # its first poll is a 304.
    tag = re.search(r'hx-ptag="([^"]+)"', html(page)).group(1)
    assert tag == page.headers["HX-PTag"] and tag.endswith(".0-0")
    assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304

    # A submission changes the matrix, the bell and the waiting count: all come back, the
    # counts out of band.
    send_in(ward, ids.item("Phường 1", "1.5"))
    changed = reviewer.get(url, htmx=True, headers={"HX-PTag": tag})
    body = html(changed)
    assert changed.status_code == 200 and 'id="matrix"' in body
    assert body.endswith('<span id="bell" data-hx-swap-oob="innerHTML"><span class="count">1</span>'
                         '<span class="visually-hidden"> chưa đọc</span></span>' + WAITING_1)
    tag = changed.headers["HX-PTag"]
    assert f'hx-ptag="{tag}"' in body and tag.endswith(".1-1")
    assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304

    # Reading the notification changes only the bell: no matrix is sent, the bell is emptied.
    [note] = notes(app, "noivu.duyet")
    reviewer.get(f"/notifications/{note.id}/open")
    bell_only = reviewer.get(url, htmx=True, headers={"HX-PTag": tag})
    assert bell_only.status_code == 200
    assert html(bell_only) == '<span id="bell" data-hx-swap-oob="innerHTML"></span>' + WAITING_1
    tag = bell_only.headers["HX-PTag"]
    assert tag.endswith(".0-1")
    assert reviewer.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304
    # A poll with the matrix's tag alone (no count) gets the counts alone too.
    matrix_tag = tag.rpartition(".")[0]
    assert html(reviewer.get(url, htmx=True, headers={"HX-PTag": matrix_tag})) == html(bell_only)


WAITING_1 = '<span id="waiting" data-hx-swap-oob="innerHTML"><span class="count">1</span></span>'


def test_the_cached_matrix_holds_nothing_of_the_user(app, ward, reviewer, login, ids):
    """Two readers with different counts share the cached matrix; each gets their own bell."""
    send_in(ward, ids.item("Phường 1", "1.5"))
    url = f"/directives/{ids.directive()}/matrix"
    for_reviewer = html(reviewer.get(url, htmx=True))
    for_leader = html(login("lanhdao").get(url, htmx=True))
    assert for_reviewer.endswith('chưa đọc</span></span>' + WAITING_1)
    # Leadership reviews nothing: the bell alone, no waiting count.
    assert for_leader.endswith('<span id="bell" data-hx-swap-oob="innerHTML"></span>')

    def matrix_of(body: str) -> str:
        return re.sub(r'hx-ptag="[^"]+"', "", body[:body.index('<span id="bell"')])

    assert matrix_of(for_reviewer) == matrix_of(for_leader)
    [cached] = app.extensions["matrix_cache"].values()
    assert matrix_of(for_leader) == re.sub(r'hx-ptag="[^"]+"', "", cached.html)
