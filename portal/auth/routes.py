"""Login, logout and the user's own password."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..models import User
from .forms import LoginForm, PasswordForm
from .passwords import check_password, hash_password, spend_equal_time

bp = Blueprint("auth", __name__)

REMEMBER_FOR = timedelta(days=14)


def safe_next(target: str | None) -> str | None:
    """`next` only to a path of this portal, never to another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("checklist.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status

    username = form.username.data.strip()
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        spend_equal_time(form.password.data)
    if user is None or not user.active or not check_password(user.password_hash,
                                                              form.password.data):
        audit.record("login.failed", user, username=username[:80])
        db.session.commit()
        form.password.errors.append("Tên đăng nhập hoặc mật khẩu không đúng.")
        return render_template("auth/login.html", form=form), 401

    session.clear()  # a fresh session at login: no fixation
    login_user(user, remember=form.remember.data, duration=REMEMBER_FOR)
    audit.record("login", user, user=user)
    db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("checklist.home"), code=303)


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    user.end_sessions()
    audit.record("logout", user)
    db.session.commit()
    session.clear()
    logout_user()  # after clear: it marks the remember-me cookie for deletion in the session
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not check_password(user.password_hash, form.current.data):
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
        elif form.new.data == form.current.data:
            form.new.errors.append("Mật khẩu mới phải khác mật khẩu hiện tại.")
        elif form.new.data.strip().lower() == user.username.lower():
            form.new.errors.append("Mật khẩu không được trùng tên đăng nhập.")
        else:
            user.password_hash = hash_password(form.new.data)
            user.must_change_password = False
            user.end_sessions()
            audit.record("password.change", user)
            db.session.commit()
            login_user(user)  # this session goes on under the new token; the others end
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("auth.change_password"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status
