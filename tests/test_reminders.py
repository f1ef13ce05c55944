"""Deadline reminders and digests (`flask --app portal remind`) and Phòng Nội vụ's reminders
("Nhắc nhở") from the matrix.

Dates are frozen: `remind(on)` is given the day, the command `--today`, and the clock itself is
fixed with the setting FROZEN_NOW where the city's day must come from "now". In the demo letter,
task 1.1 (the inspected units, Phường 1 among them) is due 16/06/2023 and task 1.14 (the others,
Phòng Nội vụ among them) 20/06/2023; the other tasks have no deadline.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event, func, insert, select, update

from portal.demo import sample_pdf
from portal.directives.loader import load_directive
from portal.extensions import db
from portal.models import (
    AuditEvent,
    DeadlineReminder,
    Notification,
    Progress,
    ProgressStatus,
    Role,
    Task,
    Unit,
    UnitKind,
    User,
)
from portal.notifications.reminders import OVERDUE, open_items, remind, threshold_due

DUE = date(2023, 6, 16)  # task 1.1's deadline
CLOSED_DIRECTIVE = "Văn bản này đã kết thúc"
# The kinds of notification made here.
OURS = ("deadline.soon", "deadline.passed", "digest.unit", "digest.overdue", "reminder")
MESSAGE = "Đề nghị đơn vị khẩn trương hoàn thành, gửi Phòng Nội vụ trước 17 giờ thứ Sáu."


# --- helpers -------------------------------------------------------------------------------------


def run(app, on: date):
    with app.app_context():
        return remind(on)


def counts(app) -> dict[str, int]:
    """What a run or a reminder writes: notifications, reminders given, reminder events."""
    with app.app_context():
        return {
            "notifications": db.session.scalar(select(func.count(Notification.id))),
            "deadline_reminders": db.session.scalar(select(func.count(DeadlineReminder.id))),
            "reminder_events": db.session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "reminder.send")),
        }


def given(app, item_id: int) -> list[tuple[str, date]]:
    """The deadline reminders given for an item: (threshold, deadline), in order."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(DeadlineReminder.threshold, DeadlineReminder.deadline)
            .where(DeadlineReminder.progress_id == item_id).order_by(DeadlineReminder.id)
        )]


def told(app, username: str, kind: str | None = None) -> list[Notification]:
    """The notifications of a kind a user has (of the kinds made here if none is named), oldest
    first, detached for reading."""
    with app.app_context():
        query = (select(Notification).join(User, User.id == Notification.user_id)
                 .where(User.username == username,
                        Notification.kind == kind if kind else Notification.kind.in_(OURS))
                 .order_by(Notification.id))
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def set_status(app, item_ids, status: ProgressStatus) -> None:
    with app.app_context():
        db.session.execute(update(Progress).where(Progress.id.in_(list(item_ids)))
                           .values(status=status))
        db.session.commit()


def items_of_task(app, directive_id: int, code: str) -> dict[str, int]:
    """Unit name: item id, for every shown item of a task."""
    with app.app_context():
        return dict(db.session.execute(
            select(Unit.name, Progress.id).join(Progress, Progress.unit_id == Unit.id)
            .join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == directive_id, Task.code == code,
                   Progress.hidden.is_(False))
        ).all())


def freeze(app, moment: datetime) -> None:
    """Stand at a moment (naive UTC) from now on, for the whole portal."""
    app.config["FROZEN_NOW"] = moment


# --- when a reminder is due ----------------------------------------------------------------------


@pytest.mark.parametrize("left, expected", [
    (8, None), (7, "7"), (4, "7"), (3, "3"), (2, "3"), (1, "1"), (0, "1"), (-1, OVERDUE),
    (-400, OVERDUE),
])
def test_the_window_a_day_is_in(left, expected):
    assert threshold_due(date(2023, 6, 16), date.fromordinal(DUE.toordinal() - left)) == expected


def test_reminders_at_7_3_1_days_and_the_day_after_the_deadline(app, ids):
    item = ids.item("Phường 1", "1.1")
    expected_on = {
        date(2023, 6, 8): [],
        date(2023, 6, 9): [("7", DUE)],
        date(2023, 6, 12): [("7", DUE)],
        date(2023, 6, 13): [("7", DUE), ("3", DUE)],
        date(2023, 6, 14): [("7", DUE), ("3", DUE)],
        date(2023, 6, 15): [("7", DUE), ("3", DUE), ("1", DUE)],
        # The deadline day itself is on time, as every screen says.
        date(2023, 6, 16): [("7", DUE), ("3", DUE), ("1", DUE)],
        date(2023, 6, 17): [("7", DUE), ("3", DUE), ("1", DUE), (OVERDUE, DUE)],
        date(2023, 6, 30): [("7", DUE), ("3", DUE), ("1", DUE), (OVERDUE, DUE)],
    }
    for on, reminders in expected_on.items():
        run(app, on)
        assert given(app, item) == reminders, on

    titles = [(n.kind, n.title, n.url, n.progress_id)
              for n in told(app, "phuong1") if n.kind.startswith("deadline.")]
    name = "1.1 Báo cáo kết quả khắc phục hạn chế theo Báo cáo kiểm tra CCHC năm 2023"
    url = f"/items/{item}"
    assert titles == [
        ("deadline.soon", f"Còn 7 ngày đến hạn: {name}", url, item),
        ("deadline.soon", f"Còn 3 ngày đến hạn: {name}", url, item),
        ("deadline.soon", f"Còn 1 ngày đến hạn: {name}", url, item),
        ("deadline.passed", f"Đã quá hạn: {name}", url, item),
    ]
    [passed] = told(app, "phuong1", "deadline.passed")
    assert "Hạn: trước ngày 16/06/2023 (tính cả ngày 16/06)" in passed.body
    assert "giải trình nộp muộn" in passed.body
    # Phòng Nội vụ's staff are reminded of their own task 1.14 (20/06) only: 7 days before on
    # the 13th, 3 days on the 17th; no run on the 19th or 20th, so its 1-day reminder is
    # skipped and the run of the 30th says it has passed.
    assert [n.title.split(": ")[0] for n in told(app, "phongnoivu")
            if n.kind.startswith("deadline.")] == [
        "Còn 7 ngày đến hạn", "Còn 3 ngày đến hạn", "Đã quá hạn"]
    assert all("1.14" in n.title for n in told(app, "phongnoivu")
               if n.kind.startswith("deadline."))


def test_a_missed_run_catches_up_the_current_window_only(app, ids):
    item = ids.item("Phường 1", "1.1")
    other = ids.item("Phường 2", "1.1")
    # Down on the 7-day day and the next: two days later, 5 days left, its window is open.
    run(app, date(2023, 6, 11))
    assert given(app, item) == [("7", DUE)]
    assert told(app, "phuong1", "deadline.soon")[0].title.startswith("Còn 5 ngày đến hạn: 1.1")
    # Down from the 4th day to the 14th: two days left, the 3-day reminder, never the 1-day one
    # early, and nothing stale.
    run(app, date(2023, 6, 14))
    assert given(app, item) == [("7", DUE), ("3", DUE)]
    # Down again until after the deadline: the first run after it says it has passed, no more.
    run(app, date(2023, 6, 20))
    assert given(app, item)[-1] == (OVERDUE, DUE) and len(given(app, item)) == 3
    assert given(app, other) == [("7", DUE), ("3", DUE), (OVERDUE, DUE)]
    assert "Đã quá hạn 4 ngày." in told(app, "phuong1", "deadline.passed")[0].body


def test_running_twice_the_same_day_creates_nothing_twice(app):
    first = run(app, date(2023, 6, 17))
    assert first.soon and first.overdue and first.unit_digests and first.overdue_digest
    after_first = counts(app)
    again = run(app, date(2023, 6, 17))
    assert counts(app) == after_first
    assert not again.created_anything
    assert again.soon == again.overdue == again.notifications == again.unit_digests == 0
    assert "không có gì mới" in again.summary()[0]
    # The next day: the digests again (one per day), no deadline reminder twice.
    third = run(app, date(2023, 6, 18))
    assert third.soon == 0 and third.overdue == 0 and third.unit_digests == first.unit_digests
    assert counts(app)["deadline_reminders"] == after_first["deadline_reminders"]


def test_a_moved_deadline_is_reminded_afresh(app, ids):
    item = ids.item("Phường 1", "1.1")
    run(app, date(2023, 6, 9))
    assert given(app, item) == [("7", DUE)]
    with app.app_context():  # the administrator moves the task's deadline four days on
        db.session.execute(update(Task).where(Task.directive_id == ids.directive(),
                                              Task.code == "1.1")
                           .values(deadline=date(2023, 6, 20)))
        db.session.commit()
    run(app, date(2023, 6, 13))  # 7 days before the new deadline
    assert given(app, item) == [("7", DUE), ("7", date(2023, 6, 20))]
    run(app, date(2023, 6, 13))
    assert len(given(app, item)) == 2
    run(app, date(2023, 6, 17))  # on time now: the 3-day window of the new deadline
    assert given(app, item)[-1] == ("3", date(2023, 6, 20))


def test_a_granted_extension_moves_the_reminders(app, login, ids):
    item = ids.item("Phường 1", "1.1")
    freeze(app, datetime(2023, 6, 10, 3, 0))  # 10:00 on 10/06 in Sa Đéc
    asked = login("phuong1").post(f"/items/{item}/extension",
                                  {"reason": "Chờ số liệu từ Sở", "proposed": "30/06/2023"})
    assert asked.status_code == 303, asked.get_data(as_text=True)
    run(app, date(2023, 6, 13))  # still pending: the task's deadline counts
    assert given(app, item) == [("3", DUE)]
    granted = login("noivu.duyet").post(f"/items/{item}/extension/decision",
                                        {"decision": "grant"})
    assert granted.status_code == 303
    for day in (date(2023, 6, 15), date(2023, 6, 17)):  # 1 day before, and after the old one
        run(app, day)
    assert given(app, item) == [("3", DUE)]
    run(app, date(2023, 6, 23))
    assert given(app, item) == [("3", DUE), ("7", date(2023, 6, 30))]
    assert "Hạn (đã gia hạn): trước ngày 30/06/2023 (tính cả ngày 30/06)" in told(
        app, "phuong1", "deadline.soon")[-1].body
    run(app, date(2023, 7, 1))
    assert given(app, item)[-1] == (OVERDUE, date(2023, 6, 30))


def test_submitted_approved_and_supporting_items_get_no_reminder(app, login, ids):
    freeze(app, datetime(2023, 6, 5, 3, 0))
    ward, reviewer = login("phuong1"), login("noivu.duyet")
    sent, approved = ids.item("Phường 1", "1.1"), ids.item("Phường 2", "1.1")
    supporting, returned = ids.item("Phường 3", "1.1"), ids.item("Phường 4", "1.1")
    for client, item in ((ward, sent), (login("phuong2"), approved), (login("phuong4"), returned)):
        assert client.upload(item, sample_pdf("bao cao"), "Báo cáo.pdf",
                             htmx=False).status_code == 303
        assert client.post(f"/items/{item}/submit").status_code == 303
    assert reviewer.post(f"/items/{approved}/review", {"verdict": "approve"}).status_code == 303
    assert reviewer.post(f"/items/{returned}/review",
                         {"verdict": "return", "comment": "Thiếu chữ ký."}).status_code == 303
    with app.app_context():
        db.session.execute(update(Progress).where(Progress.id == supporting)
                           .values(supporting=True))
        db.session.commit()

    for day in (date(2023, 6, 9), date(2023, 6, 13), date(2023, 6, 15), date(2023, 6, 17)):
        run(app, day)
    assert given(app, sent) == given(app, approved) == given(app, supporting) == []
    # Returned for more ("Yêu cầu bổ sung") is the unit's to act on again: reminded.
    assert [threshold for threshold, _ in given(app, returned)] == ["7", "3", "1", OVERDUE]
    # Nor are they in the unit's digest.
    digest = told(app, "phuong1", "digest.unit")[-1]
    assert "1.1 " not in digest.body and "1.2 " in digest.body
    assert "1.1 " not in told(app, "phuong3", "digest.unit")[-1].body


def test_closed_directives_and_hidden_items_are_not_reminded(app, login, ids):
    item = ids.item("Phường 1", "1.1")
    with app.app_context():
        db.session.execute(update(Progress).where(Progress.id == item).values(hidden=True))
        db.session.commit()
    run(app, date(2023, 6, 17))
    assert given(app, item) == []
    assert login("quantri").post(f"/admin/directives/{ids.directive()}/close").status_code == 303
    before = counts(app)
    outcome = run(app, date(2023, 6, 18))
    assert counts(app) == before and not outcome.created_anything


def test_a_unit_is_told_only_of_its_own_items_and_leaders_of_nothing(app, reviewer, ids):
    for day in (date(2023, 6, 9), date(2023, 6, 13), date(2023, 6, 17)):
        run(app, day)
    assert reviewer.post(remind_url(ids.directive()),
                         {"scope": "overdue", "message": MESSAGE}).status_code == 303
    with app.app_context():
        rows = db.session.execute(
            select(User.username, User.role, User.unit_id, Notification.kind,
                   Notification.unit_id, Progress.unit_id)
            .join(Notification, Notification.user_id == User.id)
            .outerjoin(Progress, Progress.id == Notification.progress_id)
            .where(Notification.kind.in_(OURS))
        ).all()
    assert {row.kind for row in rows} == set(OURS)
    for username, role, unit_id, kind, notified_unit, item_unit in rows:
        if role is Role.UNIT:
            assert notified_unit == unit_id, (username, kind)
            assert item_unit in (None, unit_id), (username, kind)
            assert kind != "digest.overdue"
        else:  # Phòng Nội vụ's reviewer: only the digest of overdue units
            assert role is Role.REVIEWER and kind == "digest.overdue", (username, kind)
    assert told(app, "lanhdao") == [] and told(app, "quantri") == []


# --- digests -------------------------------------------------------------------------------------


def test_a_units_digest_lists_its_open_items_with_their_deadline_state(app, ids):
    set_status(app, items_of_task(app, ids.directive(), "1.5").values(), ProgressStatus.SUBMITTED)
    run(app, date(2023, 6, 17))
    [digest] = told(app, "phuong1", "digest.unit")
    with app.app_context():
        open_count = db.session.scalar(
            select(func.count(Progress.id)).where(
                Progress.unit_id == ids.unit("Phường 1"),
                Progress.status.not_in([ProgressStatus.SUBMITTED, ProgressStatus.APPROVED])))
    assert digest.title == f"Tổng hợp ngày 17/06/2023: {open_count} nhiệm vụ còn mở, 1 quá hạn"
    assert digest.url == f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}"
    lines = digest.body.splitlines()
    assert lines[0].startswith("Văn bản: Chấn chỉnh, khắc phục")
    # The most urgent first; the item sent for review is not the unit's to do.
    assert lines[1] == ("- 1.1 Báo cáo kết quả khắc phục hạn chế theo Báo cáo kiểm tra CCHC năm "
                        "2023: Quá hạn chưa hoàn thành, hạn trước ngày 16/06/2023 "
                        "(tính cả ngày 16/06)")
    # Nobody started 1.2, which has no deadline: not "trong hạn".
    assert "- 1.2 " in digest.body and "Chưa thực hiện, không có hạn" in digest.body
    assert "Đang thực hiện trong hạn, không có hạn" not in digest.body
    assert "- 1.5 " not in digest.body
    # Due soon reads so three days before.
    run(app, date(2023, 6, 13))
    assert ", 1 sắp đến hạn" in told(app, "phuong1", "digest.unit")[-1].title


def test_no_digest_for_a_unit_with_nothing_open(app, ids):
    with app.app_context():
        own = db.session.scalars(select(Progress.id).where(
            Progress.unit_id == ids.unit("Phòng Nội vụ"))).all()
    set_status(app, own, ProgressStatus.APPROVED)
    outcome = run(app, date(2023, 6, 17))
    assert told(app, "phongnoivu") == []
    assert told(app, "phuong1", "digest.unit")
    with app.app_context():
        units_with_work = len({item.unit_id for item in open_items(date(2023, 6, 17))})
    assert outcome.unit_digests == units_with_work


def test_reviewers_digest_lists_units_with_overdue_items(app, ids):
    run(app, date(2023, 6, 16))  # nothing is overdue yet: no digest for Phòng Nội vụ
    assert told(app, "noivu.duyet", "digest.overdue") == []
    run(app, date(2023, 6, 17))  # 1.1 has passed for the inspected units
    [digest] = told(app, "noivu.duyet", "digest.overdue")
    inspected = items_of_task(app, ids.directive(), "1.1")
    assert digest.title == (f"Tổng hợp ngày 17/06/2023: {len(inspected)} đơn vị có "
                            f"{len(inspected)} nhiệm vụ quá hạn")
    assert digest.url == f"/directives/{ids.directive()}/matrix?overdue=1"
    assert "- Phường 1: 1 nhiệm vụ quá hạn" in digest.body
    assert "Phòng Nội vụ:" not in digest.body  # its 1.14 is due on 20/06
    run(app, date(2023, 6, 21))
    body = told(app, "noivu.duyet", "digest.overdue")[-1].body
    assert "- Phòng Nội vụ: 1 nhiệm vụ quá hạn" in body and "- Phường 1: 1 nhiệm vụ" in body
    # Once a day, whatever the number of runs.
    run(app, date(2023, 6, 21))
    assert len(told(app, "noivu.duyet", "digest.overdue")) == 2


# --- the command ---------------------------------------------------------------------------------


def test_command_with_today_prints_a_summary_and_is_idempotent(app, ids):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind", "--today", "17/06/2023"])
    assert result.exit_code == 0, result.output
    assert "Nhắc hạn ngày 17/06/2023:" in result.output
    inspected = len(items_of_task(app, ids.directive(), "1.1"))
    assert f"- quá hạn: {inspected} nhiệm vụ" in result.output
    assert "- tổng hợp đơn vị có nhiệm vụ quá hạn cho Phòng Nội vụ: đã gửi" in result.output
    before = counts(app)
    again = runner.invoke(args=["remind", "--today", "2023-06-17"])  # ISO too
    assert again.exit_code == 0 and "không có gì mới" in again.output
    assert counts(app) == before


def test_command_refuses_a_date_it_cannot_read(app):
    before = counts(app)
    result = app.test_cli_runner().invoke(args=["remind", "--today", "31/02/2023"])
    assert result.exit_code == 2 and "Ngày không hợp lệ" in result.output
    assert counts(app) == before


@pytest.mark.parametrize("now, day, threshold", [
    # 23:30 UTC on the 12th is 06:30 on the 13th in Sa Đéc: three days before, not four.
    (datetime(2023, 6, 12, 23, 30), "13/06/2023", "3"),
    (datetime(2023, 6, 12, 16, 59), "12/06/2023", "7"),
    # 23:59 on the deadline day in Sa Đéc is still on time; a minute later it has passed.
    (datetime(2023, 6, 16, 16, 59), "16/06/2023", "1"),
    (datetime(2023, 6, 16, 17, 0), "17/06/2023", OVERDUE),
])
def test_command_without_today_uses_the_citys_day(app, ids, now, day, threshold):
    item = ids.item("Phường 1", "1.1")
    freeze(app, now)
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert f"Nhắc hạn ngày {day}:" in result.output
    assert given(app, item) == [(threshold, DUE)]


# --- "Nhắc nhở" from the matrix --------------------------------------------------------------


@pytest.fixture
def reviewer(login):
    return login("noivu.duyet")


def remind_url(directive_id: int) -> str:
    return f"/directives/{directive_id}/reminders"


def reminder_events(app) -> list[tuple[int, int, dict, str]]:
    """(item, unit, after, username) of every reminder recorded, in order."""
    with app.app_context():
        return [(e.target_id, e.unit_id, e.after, e.username) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "reminder.send",
                                     AuditEvent.target_type == "Progress")
            .order_by(AuditEvent.id))]


def test_matrix_page_offers_the_form_outside_the_polled_fragment(app, reviewer, login, ids):
    """The page carries the section, closed, with a link to the form's own page; the form (every
    unit, every task) is loaded when the section is opened (htmx) or on that page."""
    url = f"/directives/{ids.directive()}/matrix"
    page = reviewer.get(url).get_data(as_text=True)
    assert 'id="remind"' in page and f'href="{remind_url(ids.directive())}"' in page
    assert page.index('id="remind"') < page.index('id="matrix"')
    assert 'data-hx-trigger="toggle once"' in page
    assert ">Phường 1</option>" not in page and "csrf_token" not in page.split('id="remind"')[1]
    section = reviewer.get(remind_url(ids.directive()), htmx=True).get_data(as_text=True)
    assert section.startswith('<section id="remind"') or '<section id="remind"' in section[:400]
    assert "<details class=\"work\" open>" in section
    assert f'action="{remind_url(ids.directive())}"' in section
    assert ">Phường 1</option>" in section and "1.14 Tự kiểm tra" in section
    own_page = reviewer.get(remind_url(ids.directive())).get_data(as_text=True)
    assert "<h1>Nhắc nhở đơn vị" in own_page and ">Phường 1</option>" in own_page
    fragment = reviewer.get(url, htmx=True).get_data(as_text=True)
    assert "remind" not in fragment and "csrf" not in fragment
    for username in ("lanhdao", "quantri"):
        assert 'id="remind"' not in login(username).get(url).get_data(as_text=True)
        assert login(username).get(remind_url(ids.directive())).status_code == 403


def test_remind_one_unit(app, reviewer, ids):
    unit = ids.unit("Phường 1")
    response = reviewer.post(remind_url(ids.directive()),
                             {"scope": "unit", "unit": unit, "message": MESSAGE})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/directives/{ids.directive()}/matrix"
    page = reviewer.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        open_count = len([i for i in open_items(date.today(), ids.directive())
                          if i.unit_id == unit])
    assert f"Đã nhắc 1 đơn vị ({open_count} nhiệm vụ)." in page

    [note] = told(app, "phuong1", "reminder")
    assert note.title == f"Phòng Nội vụ nhắc nhở: {MESSAGE}"
    assert note.body.startswith(MESSAGE) and "- 1.1 " in note.body
    assert note.url == f"/directives/{ids.directive()}/units/{unit}"
    assert told(app, "phuong2") == [] and told(app, "lanhdao") == []
    events = reminder_events(app)
    assert len(events) == open_count
    assert {e[1] for e in events} == {unit} and {e[3] for e in events} == {"noivu.duyet"}
    assert events[0][2] == {"message": MESSAGE, "scope": "unit"}

    # The item's history says who reminded, when and what, to the reviewer and to the unit.
    item = ids.item("Phường 1", "1.1")
    assert item in {e[0] for e in events}
    for client in (reviewer,):
        html = client.get(f"/items/{item}").get_data(as_text=True)
        assert f"Chuyên viên Phòng Nội vụ · Nhắc nhở: {MESSAGE}" in html


def test_unit_sees_the_reminder_on_its_items_history(app, reviewer, login, ids):
    reviewer.post(remind_url(ids.directive()),
                  {"scope": "unit", "unit": ids.unit("Phường 1"), "message": MESSAGE})
    html = login("phuong1").get(f"/items/{ids.item('Phường 1', '1.1')}").get_data(as_text=True)
    assert f"Nhắc nhở: {MESSAGE}" in html


def test_remind_the_units_of_a_column_under_htmx(app, reviewer, ids):
    directive = ids.directive()
    column = items_of_task(app, directive, "1.1")
    set_status(app, [column["Phường 2"]], ProgressStatus.APPROVED)
    set_status(app, [column["Phường 3"]], ProgressStatus.SUBMITTED)
    with app.app_context():
        task = db.session.scalar(select(Task.id).where(Task.directive_id == directive,
                                                       Task.code == "1.1"))
    response = reviewer.post(remind_url(directive),
                             {"scope": "task", "task": task, "message": MESSAGE}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    reminded = len(column) - 2
    assert f"Đã nhắc {reminded} đơn vị ({reminded} nhiệm vụ)." in html
    assert 'id="remind"' in html and MESSAGE not in html  # a fresh form for the next one
    assert sorted(e[0] for e in reminder_events(app)) == sorted(
        item for name, item in column.items() if name not in ("Phường 2", "Phường 3"))
    [note] = told(app, "phuong1", "reminder")
    assert note.url == f"/items/{column['Phường 1']}" and note.progress_id == column["Phường 1"]
    assert told(app, "phuong2", "reminder") == told(app, "phuong3", "reminder") == []
    assert told(app, "phongnoivu", "reminder") == []  # 1.1 does not reach it


def test_remind_every_unit_with_overdue_items(app, reviewer, ids):
    directive = ids.directive()
    done = ids.item("Phường 1", "1.1")
    set_status(app, [done], ProgressStatus.APPROVED)
    response = reviewer.post(remind_url(directive), {"scope": "overdue", "message": MESSAGE})
    assert response.status_code == 303
    with app.app_context():  # every 2023 deadline has passed: each 1.1 and 1.14 left open
        overdue = {i.id: i.unit_id for i in open_items(date.today(), directive)
                   if i.state.is_overdue}
    events = reminder_events(app)
    assert {e[0]: e[1] for e in events} == overdue and len(events) == len(overdue)
    assert done not in overdue
    assert told(app, "phuong1", "reminder") == []
    assert len(told(app, "phuong2", "reminder")) == 1
    assert len(told(app, "phongnoivu", "reminder")) == 1
    assert events[0][2]["scope"] == "overdue"


@pytest.mark.parametrize("data, says", [
    ({"scope": "unit", "message": ""}, "Hãy nhập lời nhắc."),
    ({"scope": "unit", "message": "   \n "}, "Hãy nhập lời nhắc."),
    ({"scope": "unit", "message": "x" * 501}, "Lời nhắc tối đa 500 ký tự."),
    ({"scope": "unit", "unit": "", "message": MESSAGE}, "Hãy chọn đơn vị cần nhắc."),
    ({"scope": "unit", "unit": "99999", "message": MESSAGE}, "Đơn vị này không nhận văn bản này."),
    ({"scope": "unit", "unit": "abc", "message": MESSAGE}, "Đơn vị này không nhận văn bản này."),
    ({"scope": "task", "task": "", "message": MESSAGE}, "Hãy chọn nhiệm vụ."),
    ({"scope": "task", "task": "99999", "message": MESSAGE},
     "Nhiệm vụ này không thuộc văn bản này."),
    ({"scope": "everyone", "message": MESSAGE}, "Hãy chọn nhắc ai."),
    ({"message": MESSAGE}, "Hãy chọn nhắc ai."),
])
def test_bad_reminders_are_refused_and_write_nothing(app, reviewer, ids, data, says):
    data = {"unit": str(ids.unit("Phường 1")), **data}
    before = counts(app)
    for htmx in (True, False):
        response = reviewer.post(remind_url(ids.directive()), data, htmx=htmx)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, html
        assert says in html
        assert ("<html" in html) is not htmx  # the fragment, or a page of its own without JS
        if data.get("message", "").strip() and len(data["message"]) <= 500:
            assert MESSAGE in html  # what was typed is kept
    assert counts(app) == before


def test_another_directives_task_or_unit_is_refused(app, reviewer, ids, tmp_path):
    path = tmp_path / "khac.yaml"
    path.write_text(
        "slug: khac-2099\nyear: 2099\ntitle: Văn bản khác\nsections:\n"
        " - number: '1'\n   audience: 'unit:Phòng Tư pháp'\n   tasks:\n"
        "    - {code: '1', title: Báo cáo riêng, deadline: 2099-06-30}\n",
        encoding="utf-8",
    )
    with app.app_context():
        other = load_directive(path)
        db.session.commit()
        other_task = db.session.scalar(select(Task.id).where(Task.directive_id == other.id))
        other_id = other.id
    before = counts(app)
    foreign_task = reviewer.post(remind_url(ids.directive()),
                                 {"scope": "task", "task": other_task, "message": MESSAGE})
    assert foreign_task.status_code == 422
    assert "Nhiệm vụ này không thuộc văn bản này." in foreign_task.get_data(as_text=True)
    # Phường 1 is not reached by the other directive.
    foreign_unit = reviewer.post(remind_url(other_id), {
        "scope": "unit", "unit": ids.unit("Phường 1"), "message": MESSAGE}, htmx=True)
    assert foreign_unit.status_code == 422
    assert "Đơn vị này không nhận văn bản này." in foreign_unit.get_data(as_text=True)
    # Nothing of it is overdue: nobody to remind, said so.
    nobody = reviewer.post(remind_url(other_id), {"scope": "overdue", "message": MESSAGE},
                           htmx=True)
    assert nobody.status_code == 422
    assert "Không có đơn vị nào có nhiệm vụ quá hạn." in nobody.get_data(as_text=True)
    assert counts(app) == before
    assert reviewer.post(remind_url(99999), {"scope": "overdue", "message": MESSAGE}
                         ).status_code == 404


def test_a_unit_with_nothing_left_to_do_is_not_reminded(app, reviewer, ids):
    unit = ids.unit("Phường 1")
    with app.app_context():
        own = db.session.scalars(select(Progress.id).where(Progress.unit_id == unit)).all()
    set_status(app, own, ProgressStatus.SUBMITTED)
    before = counts(app)
    response = reviewer.post(remind_url(ids.directive()),
                             {"scope": "unit", "unit": unit, "message": MESSAGE}, htmx=True)
    assert response.status_code == 422
    assert "không còn nhiệm vụ nào phải thực hiện" in response.get_data(as_text=True)
    assert counts(app) == before


@pytest.mark.parametrize("username", ["lanhdao", "quantri", "phuong1", "phongnoivu"])
def test_only_the_reviewer_reminds(app, login, ids, username):
    before = counts(app)
    client = login(username)
    for htmx in (False, True):
        response = client.post(remind_url(ids.directive()), {
            "scope": "overdue", "message": MESSAGE}, htmx=htmx)
        assert response.status_code == 403
    assert counts(app) == before


def test_a_visitor_is_sent_to_log_in(app, visitor, ids):
    before = counts(app)
    response = visitor.post(remind_url(ids.directive()), {"scope": "overdue",
                                                          "message": MESSAGE})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert visitor.post(remind_url(ids.directive()), {"scope": "overdue", "message": MESSAGE},
                        htmx=True).status_code == 401
    assert counts(app) == before


def test_a_closed_directive_refuses_reminders(app, reviewer, login, ids):
    assert login("quantri").post(f"/admin/directives/{ids.directive()}/close").status_code == 303
    assert 'id="remind"' not in reviewer.get(
        f"/directives/{ids.directive()}/matrix").get_data(as_text=True)
    assert reviewer.get(remind_url(ids.directive())).status_code == 409
    before = counts(app)
    response = reviewer.post(remind_url(ids.directive()), {"scope": "overdue",
                                                           "message": MESSAGE}, htmx=True)
    assert response.status_code == 409
    assert CLOSED_DIRECTIVE in response.get_data(as_text=True)
    assert counts(app) == before


def test_a_run_reads_in_as_many_statements_for_a_hundred_more_units(app, ids):
    """What a run writes grows with what it creates; what it reads does not grow with units."""

    def statements(on: date) -> int:
        seen = []
        with app.app_context():
            engine = db.engine

        def listen(_connection, _cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", listen)
        try:
            outcome = run(app, on)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert outcome.overdue and outcome.unit_digests
        return len(seen)

    with_24_units = statements(date(2023, 6, 17))
    with app.app_context():
        tasks = db.session.scalars(select(Task.id).where(
            Task.directive_id == ids.directive(), Task.code.in_(["1.1", "1.2", "1.3"]))).all()
        for number in range(100):
            unit_id = db.session.execute(insert(Unit).values(
                name=f"Tổ dân phố {number:03d}", short_name="", kind=UnitKind.COMMUNE,
                position=100 + number)).inserted_primary_key[0]
            db.session.execute(insert(Progress), [
                {"task_id": task_id, "unit_id": unit_id, "status": ProgressStatus.IN_PROGRESS}
                for task_id in tasks])
            db.session.execute(insert(User).values(
                username=f"to{number:03d}", password_hash="x", role=Role.UNIT, unit_id=unit_id,
                session_token=f"token-{number}"))
        db.session.commit()
    # The next day: the new units' overdue reminders and every unit's digest.
    assert statements(date(2023, 6, 18)) == with_24_units <= 8
