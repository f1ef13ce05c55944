"""Dates as the city reads them: today in Asia/Ho_Chi_Minh and the deadline state of an item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .models import LabelledEnum, ProgressStatus


class DeadlineState(LabelledEnum):
    NONE = "none", "Không quy định hạn", "deadline-none"
    ON_TRACK = "on_track", "Trong hạn", "deadline-on-track"
    DUE_SOON = "due_soon", "Sắp đến hạn", "deadline-due-soon"
    OVERDUE = "overdue", "Quá hạn", "deadline-overdue"
    SENT_ON_TIME = "sent_on_time", "Gửi đúng hạn", "deadline-on-track"
    SENT_LATE = "sent_late", "Gửi quá hạn", "deadline-overdue"


def city_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the database stores."""
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
    """Where an item stands against its deadline on the day `on` (the deadline day is on time)."""
    if deadline is None:
        return DeadlineState.NONE
    if status in (ProgressStatus.SUBMITTED, ProgressStatus.APPROVED) and submitted_at:
        late = local_date(submitted_at) > deadline
        return DeadlineState.SENT_LATE if late else DeadlineState.SENT_ON_TIME
    if on > deadline:
        return DeadlineState.OVERDUE
    if on >= deadline - timedelta(days=due_soon_days):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


def state_of(item, on: date | None = None) -> DeadlineState:
    """The deadline state of a progress record, today unless `on` is given."""
    return deadline_state(
        item.task.deadline,
        item.status,
        item.submitted_at,
        on or today(),
        current_app.config["DUE_SOON_DAYS"],
    )
