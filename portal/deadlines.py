"""Dates as the city reads them: today in Asia/Ho_Chi_Minh, the deadline state of an item and
how a directive reads its deadlines.

A deadline is stored as the letter writes it: "trước ngày 16/6" is 16/06. Each directive says
how that reads (`Directive.deadline_day_counts`): by default the day itself still counts (work
done on 16/06 is on time); under the strict reading the last day is the day before (15/06). The
reading applies to every deadline of the directive, a granted extension's too, and `last_day`
is the one place that turns a written deadline into the last day on time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .models import LabelledEnum, ProgressStatus


class DeadlineState(LabelledEnum):
    """Where an item stands against its deadline, in the words the administration uses."""

    DONE_ON_TIME = "done_on_time", "Hoàn thành đúng hạn", "dl-done-on-time"
    DONE_LATE = "done_late", "Hoàn thành quá hạn", "dl-done-late"
    AWAITING_REVIEW = "awaiting_review", "Chờ duyệt", "dl-awaiting"
    ON_TRACK = "on_track", "Đang thực hiện trong hạn", "dl-on-track"
    # A task without a deadline that nobody has started is neither in time nor late.
    NOT_STARTED = "unstarted", "Chưa thực hiện", "dl-not-started"
    DUE_SOON = "due_soon", "Sắp đến hạn", "dl-due-soon"
    OVERDUE = "overdue", "Quá hạn chưa hoàn thành", "dl-overdue"

    @property
    def is_overdue(self) -> bool:
        return self is DeadlineState.OVERDUE


def city_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the database stores; the setting FROZEN_NOW (tests only)
    stands for it, so that a test can stand at a moment such as 23:30 UTC, already tomorrow in
    the city."""
    if has_app_context() and (frozen := current_app.config.get("FROZEN_NOW")):
        return frozen
    return datetime.now(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The city's calendar day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(city_zone()).date()


def today() -> date:
    return local_date(utcnow())


def last_day(deadline: date | None, day_counts: bool = True) -> date | None:
    """The last day on time for a deadline written "trước ngày <deadline>": the day itself when
    the directive lets it count (the default), the day before under the strict reading."""
    if deadline is None:
        return None
    return deadline if day_counts else deadline - timedelta(days=1)


def late_from(deadline: date | None, day_counts: bool = True) -> datetime | None:
    """The first stored (naive UTC) moment at which work submitted for this deadline is late:
    the start, in the city, of the day after the last day on time. `deadline_state` calls a
    submission late exactly when it is at or after this moment, so that a query over many items
    may sort their submission times into on time and late by comparing with it, and ask
    `deadline_state` once for each kind (portal/overview/queries.py)."""
    last = last_day(deadline, day_counts)
    if last is None:
        return None
    start = datetime.combine(last + timedelta(days=1), time.min, tzinfo=city_zone())
    return start.astimezone(UTC).replace(tzinfo=None)


def deadline_text(deadline: date | None, day_counts: bool = True) -> str:
    """The deadline as every page and message writes it, with the reading that applies:
    "trước ngày 16/06/2023 (tính cả ngày 16/06)" or "trước ngày 16/06/2023 (hạn cuối 15/06)"."""
    if deadline is None:
        return "Không quy định"
    last = last_day(deadline, day_counts)
    reading = (f"tính cả ngày {last:%d/%m}" if day_counts else f"hạn cuối {last:%d/%m}")
    return f"trước ngày {deadline:%d/%m/%Y} ({reading})"


def reading_text(day_counts: bool = True) -> str:
    """One sentence for a page that lists many deadlines of one directive."""
    if day_counts:
        return "Hạn «trước ngày …» tính cả ngày ghi trong văn bản."
    return "Hạn «trước ngày …»: hạn cuối là ngày liền trước ngày ghi trong văn bản."


def deadline_state(
    deadline: date | None,
    status: ProgressStatus,
    submitted_at: datetime | None,
    on: date,
    due_soon_days: int,
    day_counts: bool = True,
) -> DeadlineState:
    """The one rule for deadline states.

    Done means approved, and it is on time when the approved work was submitted on or before the
    last day (the reviewer's delay does not count against the unit). The last day is the deadline
    itself, or the day before under the directive's strict reading (`last_day`); days are the
    city's calendar days. A task without a deadline is never late; nobody having started it, it
    is "Chưa thực hiện".
    """
    deadline = last_day(deadline, day_counts)
    if status is ProgressStatus.APPROVED:
        late = deadline is not None and submitted_at is not None and (
            local_date(submitted_at) > deadline
        )
        return DeadlineState.DONE_LATE if late else DeadlineState.DONE_ON_TIME
    if status is ProgressStatus.SUBMITTED:
        return DeadlineState.AWAITING_REVIEW
    if deadline is None:
        if status is ProgressStatus.NOT_STARTED:
            return DeadlineState.NOT_STARTED
        return DeadlineState.ON_TRACK
    if on > deadline:
        return DeadlineState.OVERDUE
    if on >= deadline - timedelta(days=due_soon_days):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


def state_of(item, on: date | None = None) -> DeadlineState:
    """The deadline state of an item (its extension and its task's directive loaded), today
    unless `on` is given."""
    return deadline_state(
        item.deadline,
        item.status,
        item.submitted_at,
        on or today(),
        current_app.config["DUE_SOON_DAYS"],
        item.task.directive.deadline_day_counts,
    )


def is_late(item, on: date | None = None) -> bool:
    """Past the last day on time of the deadline that counts (a granted extension's, else the
    task's), under its directive's reading (task and directive loaded)."""
    last = last_day(item.deadline, item.task.directive.deadline_day_counts)
    return last is not None and (on or today()) > last
