""""Quên mật khẩu": a single-use link by e-mail, valid PASSWORD_RESET_MINUTES, for an account whose
password the portal keeps (permissions.may_use_local_password).

Whoever asks gets the same answer whether or not the name exists, has an address or may use a
local password: what happened is told only to the audit log. Requests are limited per address
(every request counts, whatever was typed: a refusal tells nothing about accounts) and per
account (links sent in the last hour; past the limit nothing more is sent, silently, so that no
one can fill a person's mailbox). The token is only in the mail; the table keeps its SHA-256, so
that a copy of the database opens nobody's account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import func, select, update

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..models import PasswordReset, User
from ..notifications import absolute_url, queue_account_mail
from ..permissions import may_use_local_password
from .lockout import forget_failures
from .passwords import hash_password

WINDOW = timedelta(hours=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_must_wait(ip: str, now: datetime | None = None) -> bool:
    """Whether this address has asked PASSWORD_RESET_MAX_PER_ADDRESS times in the last hour."""
    now = now or utcnow()
    asked = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.ip == ip, PasswordReset.at > now - WINDOW))
    return asked >= current_app.config["PASSWORD_RESET_MAX_PER_ADDRESS"]


def _account_for(typed: str) -> User | None:
    """The account a name or an address names; an address shared by several accounts names
    none of them."""
    typed = typed.strip().lower()
    if "@" in typed:
        found = db.session.scalars(select(User).where(func.lower(User.email) == typed)
                                   .limit(2)).all()
        return found[0] if len(found) == 1 else None
    return db.session.scalar(select(User).where(func.lower(User.username) == typed))


def request_reset(typed: str, ip: str) -> None:
    """Record the request and, for an account that may have its password reset, queue the mail
    with its link. The caller has checked the address's limit; this commits."""
    config = current_app.config
    now = utcnow()
    user = _account_for(typed)
    row = PasswordReset(at=now, ip=ip[:64])
    db.session.add(row)
    if user is None:
        outcome = "no_account"
    elif not user.active:
        outcome = "inactive"
    elif not may_use_local_password(user):
        outcome = "not_local"
    elif not user.email:
        outcome = "no_email"
    elif _links_sent(user, now) >= config["PASSWORD_RESET_MAX_PER_ACCOUNT"]:
        outcome = "account_limit"
    else:
        token = secrets.token_urlsafe(32)
        minutes = config["PASSWORD_RESET_MINUTES"]
        row.user_id, row.token_hash = user.id, _digest(token)
        row.expires_at = now + timedelta(minutes=minutes)
        link = absolute_url(url_for("auth.reset_password", token=token))
        outcome = "sent" if queue_account_mail(
            user, "password.reset", "Đặt lại mật khẩu", "password_reset",
            link=link, minutes=minutes) else "no_mail_server"
    audit.record("password.reset_request", user, user=None, username=typed.strip()[:80],
                 after={"outcome": outcome})
    db.session.commit()


def _links_sent(user: User, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.token_hash.is_not(None),
        PasswordReset.at > now - WINDOW))


def valid_link(token: str) -> tuple[PasswordReset, User] | None:
    """The request and account of a link that may still be used, or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at is None \
            or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active or not may_use_local_password(user):
        return None
    return row, user


def complete_reset(row: PasswordReset, user: User, password: str) -> None:
    """The new password, this link and every other of the account used up, every session of the
    account ended; audited and committed."""
    now = utcnow()
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.end_sessions()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
               PasswordReset.token_hash.is_not(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    forget_failures(user.username)
    audit.record("password.reset", user, user=user, after={"request": row.id})
    db.session.commit()
