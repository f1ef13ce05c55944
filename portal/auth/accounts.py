"""Accounts created at a first login through the directory or the province's login, where the
administrator turned it on (CREATE_ACCOUNTS): with no rights (User.awaiting_rights) and no
password of the portal's, until an administrator gives them a unit and a role."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..models import Role, User


def may_create() -> bool:
    return bool(current_app.config["CREATE_ACCOUNTS"])


def create_awaiting(username: str, way: str, full_name: str = "", email: str = "") -> User | None:
    """The new account, audited in the current transaction; None when the name cannot be one
    (too long, or another account's in another case)."""
    username = username.strip()
    if not username or len(username) > 80 or db.session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower())):
        return None
    user = User(
        username=username, full_name=(full_name or "").strip()[:200],
        email=(email or "").strip()[:200] if "@" in (email or "") else "",
        # Not a hash: no password of the portal's opens this account.
        password_hash="!" + secrets.token_hex(16),
        # The least of the roles, without a unit; awaiting_rights refuses everything anyway.
        role=Role.UNIT, unit_id=None, position=None, awaiting_rights=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, user=None, username=username,
                 after={"username": username, "way": way, "awaiting_rights": True})
    return user
