"""Dates as the city reads them: today in Asia/Ho_Chi_Minh and the deadline state of an item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .models import LabelledEnum, ProgressStatus


class DeadlineState(LabelledEnum):
    """Where an item stands against its deadline, in the words the administration uses."""

    DONE_ON_TIME = "done_on_time", "Hoàn thành đúng hạn", "dl-done-on-time"
    DONE_LATE = "done_late", "Hoàn thành quá hạn", "dl-done-late"
    AWAITING_REVIEW = "awaiting_review", "Chờ duyệt", "dl-awaiting"
    ON_TRACK = "on_track", "Đang thực hiện trong hạn", "dl-on-track"
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


def deadline_state(
    deadline: date | None,
    status: ProgressStatus,
    submitted_at: datetime | None,
    on: date,
    due_soon_days: int,
) -> DeadlineState:
    """The one rule for deadline states.

    Done means approved, and it is on time when the approved work was submitted on or before the
    deadline (the reviewer's delay does not count against the unit). The deadline day itself is on
    time; days are the city's calendar days. A task without a deadline is never late.
    """
    if status is ProgressStatus.APPROVED:
        late = deadline is not None and submitted_at is not None and (
            local_date(submitted_at) > deadline
        )
        return DeadlineState.DONE_LATE if late else DeadlineState.DONE_ON_TIME
    if status is ProgressStatus.SUBMITTED:
        return DeadlineState.AWAITING_REVIEW
    if deadline is None:
        return DeadlineState.ON_TRACK
    if on > deadline:
        return DeadlineState.OVERDUE
    if on >= deadline - timedelta(days=due_soon_days):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


def state_of(item, on: date | None = None) -> DeadlineState:
    """The deadline state of an item (its extension loaded), today unless `on` is given."""
    return deadline_state(
        item.deadline,
        item.status,
        item.submitted_at,
        on or today(),
        current_app.config["DUE_SOON_DAYS"],
    )
