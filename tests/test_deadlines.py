"""The one rule for deadline states, at the day boundaries, in the city's time zone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.deadlines import DeadlineState, deadline_state, local_date
from portal.models import ProgressStatus as S

DEADLINE = date(2023, 6, 16)
LAST_MINUTE = datetime(2023, 6, 16, 16, 59, 59)  # 23:59:59 on the 16th in Sa Đéc (UTC+7)
NEXT_DAY = datetime(2023, 6, 16, 17, 0, 0)  # 00:00 on the 17th in Sa Đéc
EARLY = datetime(2023, 6, 10, 2, 0)


@pytest.mark.parametrize(
    "deadline, on, status, submitted, expected",
    [
        # Open items: the deadline day itself is on time; three days before is "due soon".
        (DEADLINE, date(2023, 6, 12), S.NOT_STARTED, None, DeadlineState.ON_TRACK),
        (DEADLINE, date(2023, 6, 13), S.IN_PROGRESS, None, DeadlineState.DUE_SOON),
        (DEADLINE, date(2023, 6, 16), S.IN_PROGRESS, None, DeadlineState.DUE_SOON),
        (DEADLINE, date(2023, 6, 17), S.NOT_STARTED, None, DeadlineState.OVERDUE),
        (DEADLINE, date(2023, 6, 17), S.RETURNED, EARLY, DeadlineState.OVERDUE),
        # Submitted and not yet reviewed: its own state, whatever the day.
        (DEADLINE, date(2023, 7, 1), S.SUBMITTED, NEXT_DAY, DeadlineState.AWAITING_REVIEW),
        # Done means approved; on time when the approved work was sent by the deadline day.
        (DEADLINE, date(2023, 7, 1), S.APPROVED, LAST_MINUTE, DeadlineState.DONE_ON_TIME),
        (DEADLINE, date(2023, 7, 1), S.APPROVED, NEXT_DAY, DeadlineState.DONE_LATE),
        (DEADLINE, date(2023, 6, 1), S.APPROVED, EARLY, DeadlineState.DONE_ON_TIME),
        # No deadline: never late.
        (None, date(2030, 1, 1), S.IN_PROGRESS, None, DeadlineState.ON_TRACK),
        (None, date(2030, 1, 1), S.APPROVED, NEXT_DAY, DeadlineState.DONE_ON_TIME),
    ],
)
def test_deadline_state(app, deadline, on, status, submitted, expected):
    with app.app_context():
        assert deadline_state(deadline, status, submitted, on, 3) is expected


def test_a_moment_belongs_to_the_citys_calendar_day(app):
    with app.app_context():
        assert local_date(LAST_MINUTE) == date(2023, 6, 16)
        assert local_date(NEXT_DAY) == date(2023, 6, 17)
        # Just after midnight UTC is already 07:00 in Sa Đéc: the same day there.
        assert local_date(datetime(2023, 6, 16, 0, 30)) == date(2023, 6, 16)


def test_every_state_has_a_label_a_colour_and_overdue_a_mark(app):
    for state in DeadlineState:
        assert state.label and state.css.startswith("dl-")
    assert [s for s in DeadlineState if s.is_overdue] == [DeadlineState.OVERDUE]
    assert DeadlineState.DONE_ON_TIME.label == "Hoàn thành đúng hạn"
    assert DeadlineState.DONE_LATE.label == "Hoàn thành quá hạn"
    assert DeadlineState.ON_TRACK.label == "Đang thực hiện trong hạn"
    assert DeadlineState.OVERDUE.label == "Quá hạn chưa hoàn thành"
