"""Failed logins, counted per account and per address in the database that every server process
shares: after LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_MINUTES the account (or the address)
waits until the oldest of those failures leaves the window, and the right password is refused
meanwhile.

The count is of the name as typed (lower-cased), known or not, so that a lock tells nothing about
which accounts exist. Attempts refused while locked are not counted (the password is not even
checked): the wait does not grow however often someone knocks. A login that succeeds forgets the
account's failures, never the address's: logging into one's own account must not buy more guesses
at another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from flask import current_app
from sqlalchemy import delete, select, update

from ..deadlines import utcnow
from ..extensions import db
from ..formatting import format_datetime
from ..models import LoginFailure


@dataclass(frozen=True)
class Lock:
    """An account or an address that must wait until `until` (naive UTC) to try again."""

    scope: str  # "account" or "address"
    until: datetime

    def minutes_left(self, now: datetime | None = None) -> int:
        return max(1, ceil((self.until - (now or utcnow())).total_seconds() / 60))

    def message(self) -> str:
        who = ("Tài khoản này" if self.scope == "account"
               else "Máy của bạn (địa chỉ mạng này)")
        return (f"{who} đã nhập sai mật khẩu quá nhiều lần nên tạm thời không đăng nhập được. "
                f"Vui lòng thử lại sau {self.minutes_left()} phút "
                f"(lúc {format_datetime(self.until)}).")

    def audit_details(self) -> dict:
        return {"scope": self.scope, "until": self.until.isoformat(timespec="seconds")}


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    return config["LOGIN_MAX_FAILURES"], timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])


def _lock_on(column, value: str, scope: str, now: datetime) -> Lock | None:
    """The lock on one account or address, if its failures in the window reached the limit."""
    limit, window = _limits()
    recent = db.session.scalars(
        select(LoginFailure.at)
        .where(column == value, LoginFailure.at > now - window)
        .order_by(LoginFailure.at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    # Free again when the oldest of the last `limit` failures leaves the window.
    return Lock(scope, recent[-1] + window)


def current_lock(username: str, ip: str) -> Lock | None:
    """The lock that keeps this name or this address out now, the later one if both."""
    now = utcnow()
    locks = [lock for lock in (_lock_on(LoginFailure.username, username.lower(), "account", now),
                               _lock_on(LoginFailure.ip, ip, "address", now)) if lock]
    return max(locks, key=lambda lock: lock.until, default=None)


def record_failure(username: str, ip: str) -> Lock | None:
    """Count one failed login; the lock it starts, if it reached the limit. The caller commits."""
    now = utcnow()
    _, window = _limits()
    # Keep the table small: what left the window no longer counts for anyone.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
    db.session.add(LoginFailure(at=now, username=username.lower()[:80], ip=ip[:64]))
    db.session.flush()
    return current_lock(username, ip)


def forget_failures(username: str) -> None:
    """After a successful login: the account starts afresh (its address does not)."""
    db.session.execute(update(LoginFailure).where(LoginFailure.username == username.lower())
                       .values(username=None))
