"""Failed logins, counted in the database that every server process shares, so that guessing
passwords is slowed down everywhere at once without letting a stranger lock an account's owner out.

Two counts, each over the last LOGIN_WINDOW_MINUTES:

- **per address**: LOGIN_MAX_FAILURES failures from one address, whatever names were typed, and
  that address waits, for every account. This also bounds each account *and address* together: a
  stranger at one machine has ten guesses at one person's password per window, and the person,
  at any other machine, is not affected by them.
- **per account, across all addresses**: LOGIN_ACCOUNT_MAX_FAILURES failures (a higher number,
  five addresses' worth by default) and the account waits, so that guessing one password from
  many machines at once is stopped too. Such a wait would let someone with a handful of machines
  lock the owner out, so it does not apply in a browser that has logged into that account before:
  a successful login leaves the browser a cookie (`login_device`, an HMAC of the account's name
  under the portal's secret key, so it cannot be made for another account) that exempts it from
  the account's wait, not from its address's. The owner at their own desk logs in during an
  attack; a new machine waits with the attacker.

We chose this over a per-account limit that locks (the stranger's lever) and over one that only
delays each attempt (an attacker who keeps the account's slot busy delays the owner just as well).

The count is of the name as typed (lower-cased), known or not, so that a wait tells nothing about
which accounts exist. Attempts refused while waiting are not counted (the password is not even
checked): the wait does not grow however often someone knocks. A login that succeeds forgets the
account's failures, never the address's: logging into one's own account must not buy more guesses
at another's.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from flask import after_this_request, current_app, request
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
        message = (f"{who} đã nhập sai mật khẩu quá nhiều lần nên tạm thời không đăng nhập được. "
                   f"Vui lòng thử lại sau {self.minutes_left()} phút "
                   f"(lúc {format_datetime(self.until)}).")
        if self.scope == "account":
            message += (" Trên máy tính bạn vẫn thường đăng nhập tài khoản này thì vẫn đăng nhập "
                        "được ngay.")
        return message

    def audit_details(self) -> dict:
        return {"scope": self.scope, "until": self.until.isoformat(timespec="seconds")}


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def _lock_on(column, value: str, limit: int, scope: str, now: datetime) -> Lock | None:
    """The lock on one account or address, if its failures in the window reached `limit`."""
    window = _window()
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
    """The lock that keeps this name or this address out now, the later one if both. An account's
    own lock does not keep out a browser that has logged into it before."""
    now, config = utcnow(), current_app.config
    locks = [_lock_on(LoginFailure.ip, ip, config["LOGIN_MAX_FAILURES"], "address", now)]
    if not _known_browser(username):
        locks.append(_lock_on(LoginFailure.username, username.lower(),
                              config["LOGIN_ACCOUNT_MAX_FAILURES"], "account", now))
    return max((lock for lock in locks if lock), key=lambda lock: lock.until, default=None)


def address_lock(ip: str) -> Lock | None:
    """The lock on an address alone: the way in that types no name (the province's login)."""
    return _lock_on(LoginFailure.ip, ip, current_app.config["LOGIN_MAX_FAILURES"], "address",
                    utcnow())


def record_failure(username: str, ip: str) -> Lock | None:
    """Count one failed login; the lock it starts, if it reached the limit. The caller commits."""
    now = utcnow()
    # Keep the table small: what left the window no longer counts for anyone.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - _window()))
    db.session.add(LoginFailure(at=now, username=username.lower()[:80], ip=ip[:64]))
    db.session.flush()
    return current_lock(username, ip)


def forget_failures(username: str) -> None:
    """After a successful login: the account starts afresh (its address does not), and this
    browser is one the account has logged in from (its answer carries the cookie)."""
    db.session.execute(update(LoginFailure).where(LoginFailure.username == username.lower())
                       .values(username=None))
    _remember_browser(username)


# --- browsers an account has logged in from ---------------------------------------------------

DEVICE_COOKIE = "login_device"
DEVICE_COOKIE_DAYS = 365
# A shared office computer: the last few accounts logged in from it are remembered.
DEVICES_KEPT = 8


def _mark(username: str) -> str:
    """The cookie's mark of one account: only the portal, with its secret key, can make it."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    message = b"login-device:" + username.strip().lower().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _marks() -> list[str]:
    return [mark for mark in request.cookies.get(DEVICE_COOKIE, "").split(".") if len(mark) == 32]


def _known_browser(username: str) -> bool:
    mark = _mark(username)
    return any(hmac.compare_digest(mark, kept) for kept in _marks())


def _remember_browser(username: str) -> None:
    mark = _mark(username)
    marks = [mark, *(kept for kept in _marks() if kept != mark)][:DEVICES_KEPT]

    @after_this_request
    def set_cookie(response):
        response.set_cookie(DEVICE_COOKIE, ".".join(marks),
                            max_age=timedelta(days=DEVICE_COOKIE_DAYS), httponly=True,
                            samesite="Lax", secure=current_app.config["HTTPS"])
        return response
