"""Which ways check a name and password typed in the login form, and what they answer.

- the directory (LDAP_URL set): for every name but a break-glass administrator's;
- the portal's own password: for every account with LOCAL_PASSWORDS = "all" (after the directory
  when both apply: an account the directory does not know keeps its portal password), and for a
  break-glass administrator alone with "break_glass".

The same work is done whether or not the portal has the account, so that the time of the answer
tells nothing; a name no way may check still costs one password verification.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..permissions import is_break_glass, may_use_local_password
from . import directory
from .passwords import check_password

# The ways in, as a session and the audit log name them.
DIRECTORY, LOCAL, IDENTITY = "directory", "local", "oidc"


@dataclass(frozen=True)
class Checked:
    user: User | None  # the portal's account of that name, if any
    way: str | None  # the way that accepted the password; None: refused
    directory_down: bool = False  # the directory was asked and could not answer


def account_named(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def ways_for(user: User | None) -> list[str]:
    ways = []
    if directory.enabled() and not (user is not None and is_break_glass(user)):
        ways.append(DIRECTORY)
    if (user is None and current_app.config["LOCAL_PASSWORDS"] == "all") or (
            user is not None and may_use_local_password(user)):
        ways.append(LOCAL)
    return ways


def check(username: str, password: str) -> Checked:
    """Ask each way in turn until one accepts the password."""
    user = account_named(username)
    down = False
    ways = ways_for(user)
    for way in ways:
        if way == DIRECTORY:
            try:
                if directory.check_password(username, password):
                    return Checked(user, DIRECTORY)
            except directory.DirectoryUnavailable as error:
                current_app.logger.warning("directory unavailable: %s", error)
                down = True
        elif check_password(user.password_hash if user else None, password):
            return Checked(user, LOCAL)
    if LOCAL not in ways:
        check_password(None, password)  # the same work as a local refusal
    return Checked(user, None, down)
