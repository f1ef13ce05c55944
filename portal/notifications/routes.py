"""Notification routes: the user's own list, opening one (it is then read, and leads to what it is
about), marking them all read. Every logged-in user has a list; nobody sees another's."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_htmx, render
from ..query_string import number
from . import KINDS, bell, queries

bp = Blueprint("notifications", __name__)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


def _listing(listing: queries.Page, said: str = ""):
    return render("notifications/index.html", "notifications/_list.html", listing=listing,
                  kinds=KINDS, said=said)


def _page_asked() -> int:
    return number(request.values, "page") or 1


@bp.get("/notifications")
def index():
    return _listing(queries.page_of(current_user.id, _page_asked()))


@bp.get("/notifications/<int:notification_id>/open", endpoint="open")
def open_notification(notification_id: int):
    user_id = current_user.id
    found = queries.own(user_id, notification_id)
    # Only a path of the portal is followed, never another site.
    path = found.url if found.url.startswith("/") and not found.url.startswith("//") else ""
    if found.read_at is None:
        # A GET that writes: its read snapshot is ended first, so that on SQLite the update
        # begins a transaction of its own and waits behind another writer instead of failing.
        db.session.rollback()
        queries.mark_read(user_id, notification_id)
        db.session.commit()
    return redirect(request.script_root + path if path else url_for(".index"), code=303)


@bp.post("/notifications/read-all")
def read_all():
    up_to = request.form.get("upto")
    if up_to is not None and not (up_to.isdecimal() and len(up_to) <= 18):  # an id, or 400
        abort(400)
    count = queries.mark_all_read(current_user.id, int(up_to) if up_to else None)
    db.session.commit()
    said = (f"Đã đánh dấu {count} thông báo là đã đọc." if count
            else "Không có thông báo nào chưa đọc.")
    if is_htmx():
        listing = queries.page_of(current_user.id, _page_asked())
        response = _listing(listing, said=said)
        response.set_data(response.get_data(as_text=True) + bell.oob(listing.unread))
        return response
    flash(said, "success")
    return redirect(url_for(".index"), code=303)
