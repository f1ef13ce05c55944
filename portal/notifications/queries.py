"""Every query of the bell and the notification list: one user's own notifications only."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select, update

from ..deadlines import utcnow
from ..extensions import db
from ..models import Notification

PER_PAGE = 30


def unread_count(user_id: int) -> int:
    """What the bell shows: one COUNT on the (user_id, read_at) index, on every page."""
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


@dataclass
class Page:
    notifications: list[Notification]
    page: int
    pages: int
    unread: int
    newest_id: int  # what "mark all read" covers: nothing that arrives after the page was shown


def page_of(user_id: int, page: int) -> Page:
    """The user's notifications, the latest (or latest counted up) first, a page at a time."""
    mine = Notification.user_id == user_id
    total, newest = db.session.execute(
        select(func.count(Notification.id), func.max(Notification.id)).where(mine)
    ).one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    found = list(db.session.scalars(
        select(Notification).where(mine)
        .order_by(Notification.updated_at.desc(), Notification.id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ))
    return Page(found, page, pages, unread_count(user_id), newest or 0)


def own(user_id: int, notification_id: int) -> Notification:
    """The user's notification; another user's is not found (404), as if it did not exist."""
    found = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id
    ))
    if found is None:
        abort(404)
    return found


def mark_read(user_id: int, notification_id: int) -> None:
    """Read now, unless it was read before (the first reading is kept)."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.user_id == user_id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def mark_all_read(user_id: int, up_to: int | None) -> int:
    """Mark the user's unread notifications read, those up to id `up_to` (the newest the list
    showed) when given; returns how many."""
    query = (update(Notification)
             .where(Notification.user_id == user_id, Notification.read_at.is_(None)))
    if up_to is not None:
        query = query.where(Notification.id <= up_to)
    return db.session.execute(query.values(read_at=utcnow())).rowcount or 0
