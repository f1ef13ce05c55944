"""How a directive reads "trước ngày 16/6": by default the 16th still counts; an administrator
may choose the strict reading (the last day is the 15th) on the directive's form, and every
deadline state (item, matrix, reminders, submission) and every page that shows the deadline
follows it. And an item without a deadline that nobody started reads "Chưa thực hiện".

In the demo letter task 1.1 (Phường 1 among its units) is due "trước ngày 16/06/2023"."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from portal.admin.directives.forms import DirectiveForm
from portal.deadlines import DeadlineState, deadline_state, deadline_text, last_day
from portal.extensions import db
from portal.models import AuditEvent, Directive, Notification, User
from portal.models import ProgressStatus as S
from portal.notifications.reminders import remind

from .support.databases import writes

DUE = date(2023, 6, 16)
ON_THE_15TH = datetime(2023, 6, 15, 16, 59)  # 23:59 on the 15th in Sa Đéc (UTC+7)
ON_THE_16TH = datetime(2023, 6, 16, 3, 0)  # 10:00 on the 16th in Sa Đéc


@pytest.mark.parametrize("day_counts, on, status, submitted, expected", [
    (True, date(2023, 6, 16), S.IN_PROGRESS, None, DeadlineState.DUE_SOON),
    (False, date(2023, 6, 16), S.IN_PROGRESS, None, DeadlineState.OVERDUE),
    (False, date(2023, 6, 15), S.NOT_STARTED, None, DeadlineState.DUE_SOON),
    (False, date(2023, 6, 11), S.IN_PROGRESS, None, DeadlineState.ON_TRACK),
    (False, date(2023, 6, 12), S.IN_PROGRESS, None, DeadlineState.DUE_SOON),
    (True, date(2023, 7, 1), S.APPROVED, ON_THE_16TH, DeadlineState.DONE_ON_TIME),
    (False, date(2023, 7, 1), S.APPROVED, ON_THE_16TH, DeadlineState.DONE_LATE),
    (False, date(2023, 7, 1), S.APPROVED, ON_THE_15TH, DeadlineState.DONE_ON_TIME),
    (False, date(2023, 7, 1), S.SUBMITTED, ON_THE_16TH, DeadlineState.AWAITING_REVIEW),
])
def test_the_strict_reading_ends_the_day_before(app, day_counts, on, status, submitted, expected):
    with app.app_context():
        assert deadline_state(DUE, status, submitted, on, 3, day_counts) is expected


@pytest.mark.parametrize("status, expected", [
    (S.NOT_STARTED, DeadlineState.NOT_STARTED),
    (S.IN_PROGRESS, DeadlineState.ON_TRACK),
    (S.RETURNED, DeadlineState.ON_TRACK),
])
def test_without_a_deadline_an_item_nobody_started_reads_not_started(app, status, expected):
    with app.app_context():
        state = deadline_state(None, status, None, date(2030, 1, 1), 3, False)
    assert state is expected
    assert DeadlineState.NOT_STARTED.label == "Chưa thực hiện"


def test_the_deadline_says_which_reading_applies():
    assert deadline_text(DUE) == "trước ngày 16/06/2023 (tính cả ngày 16/06)"
    assert deadline_text(DUE, False) == "trước ngày 16/06/2023 (hạn cuối 15/06)"
    assert deadline_text(date(2024, 3, 1), False) == "trước ngày 01/03/2024 (hạn cuối 29/02)"
    assert deadline_text(None, False) == "Không quy định"
    assert last_day(DUE, False) == date(2023, 6, 15) and last_day(None) is None


def form_values(app, directive_id: int, **changes) -> dict:
    with app.app_context():
        values = DirectiveForm.data_of(db.session.get(Directive, directive_id))
    values.pop("slug")  # a published directive keeps its code
    return values | changes


def set_reading(app, admin, directive_id: int, reading: str):
    return admin.post(f"/admin/directives/{directive_id}/edit",
                      form_values(app, directive_id, deadline_reading=reading))


@pytest.fixture
def admin(login):
    return login("quantri")


def test_an_administrator_chooses_the_strict_reading_and_it_is_audited(app, admin, ids):
    directive = ids.directive()
    form = admin.get(f"/admin/directives/{directive}/edit").get_data(as_text=True)
    assert '<option selected value="counts">' in form and 'value="strict"' in form
    with app.app_context():
        revision = db.session.get(Directive, directive).revision
    response = set_reading(app, admin, directive, "strict")
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Directive, directive)
        assert stored.deadline_day_counts is False and stored.revision == revision + 1
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "directive.update").order_by(AuditEvent.id.desc())).first()
        assert event.before == {"deadline_day_counts": True}
        assert event.after["deadline_day_counts"] is False
    page = admin.get(f"/admin/directives/{directive}").get_data(as_text=True)
    # The editor shows the details as its form: the strict reading chosen.
    assert '<option selected value="strict">' in page
    assert "trước ngày 16/06/2023 (hạn cuối 15/06)" in page  # the task list
    # Saving again without a change writes nothing.
    before = writes(app)
    assert set_reading(app, admin, directive, "strict").status_code == 303
    assert writes(app) == before


@pytest.mark.parametrize("value", ["", "lenient", "0", "STRICT", "x" * 5000])
def test_a_reading_not_offered_is_refused_in_vietnamese(app, admin, ids, value):
    before = writes(app)
    response = set_reading(app, admin, ids.directive(), value)
    assert response.status_code == 422
    assert "Hãy chọn một trong hai cách hiểu hạn" in response.get_data(as_text=True)
    assert writes(app) == before


def test_the_item_the_matrix_and_a_submission_follow_the_reading(app, admin, login, ids):
    app.config["FROZEN_NOW"] = ON_THE_16TH
    item = ids.item("Phường 1", "1.1")
    ward, reviewer = login("phuong1"), login("noivu.duyet")
    directive = ids.directive()
    reading_counts = [True]

    def cell_state() -> str:
        data = reviewer.get(f"/api/directives/{directive}/matrix").get_json()
        assert data["directive"]["deadline_day_counts"] is reading_counts[0]
        return next(cell["deadline_state"] for cell in data["cells"] if cell["item_id"] == item)

    html = ward.get(f"/items/{item}").get_data(as_text=True)
    assert "trước ngày 16/06/2023 (tính cả ngày 16/06)" in html and "Sắp đến hạn" in html
    assert cell_state() == "due_soon"
    assert set_reading(app, admin, directive, "strict").status_code == 303
    reading_counts[0] = False
    html = ward.get(f"/items/{item}").get_data(as_text=True)
    assert "trước ngày 16/06/2023 (hạn cuối 15/06)" in html
    assert "Quá hạn chưa hoàn thành" in html and "Sắp đến hạn" not in html
    assert cell_state() == "overdue"  # the cached matrix is not reused
    dashboard = reviewer.get(f"/directives/{directive}/dashboard").get_data(as_text=True)
    assert "Hạn (hạn cuối: ngày liền trước)" in dashboard
    # On the 16th the item is late under the strict reading: an explanation is asked for.
    ward.post(f"/items/{item}/save", {"note": "Đã có báo cáo."})
    response = ward.post(f"/items/{item}/submit", {})
    assert "Nhiệm vụ đã quá hạn: hãy ghi giải trình" in response.get_data(as_text=True)


def test_reminders_follow_the_strict_reading(app, admin, ids):
    assert set_reading(app, admin, ids.directive(), "strict").status_code == 303
    with app.app_context():
        remind(date(2023, 6, 15))
        remind(date(2023, 6, 16))
        phuong1 = db.session.scalar(select(User.id).where(User.username == "phuong1"))
        titles = [(n.kind, n.title, n.body) for n in db.session.scalars(
            select(Notification).where(Notification.user_id == phuong1,
                                       Notification.kind.in_(("deadline.soon",
                                                              "deadline.passed")))
            .order_by(Notification.id))]
    last_day_note = [t for t in titles if t[0] == "deadline.soon" and "1.1" in t[1]]
    assert last_day_note and last_day_note[-1][1].startswith("Hôm nay là hạn cuối")
    assert "trước ngày 16/06/2023 (hạn cuối 15/06)" in last_day_note[-1][2]
    passed = [t for t in titles if t[0] == "deadline.passed" and "1.1" in t[1]]
    assert passed and "Đã quá hạn 1 ngày" in passed[0][2]
