"""Administration: units and user accounts (people.py), and their bulk import (imports.py);
directives and tasks; the e-mail queue (mail.py).

Only administrators enter: a visitor is sent to the login page, anyone else gets 403. This
blueprint also holds the one rule that reaches every page of the portal: an account whose
password an administrator chose (a new account, a reset) changes it before doing anything else.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required

from ..htmx import is_htmx
from ..models import Role
from . import imports

bp = Blueprint("admin", __name__, url_prefix="/admin")

# What an account that must change its password may still open.
OPEN_BEFORE_PASSWORD_CHANGE = {"static", "auth.change_password", "auth.logout"}
CHANGE_PASSWORD_FIRST = (
    "Mật khẩu của bạn do quản trị viên cấp. Hãy đặt mật khẩu mới của riêng bạn trước khi "
    "tiếp tục."
)


@bp.before_request
@login_required
def _administrators_only() -> None:
    if current_user.role is not Role.ADMIN:
        abort(403)
    imports.sweep()  # first passwords and pending imports do not outlive their time


@bp.before_app_request
def _password_change_first():
    if request.endpoint is None or request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE:
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    # Once, however many requests are sent here before the password page shows it.
    if CHANGE_PASSWORD_FIRST not in (message for _, message in session.get("_flashes", [])):
        flash(CHANGE_PASSWORD_FIRST, "info")
    target = url_for("auth.change_password")
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


from . import directives, mail, people, tasks  # noqa: E402,F401  (their routes attach to bp)
