"""The bell: the user's unread count in the navigation of every page, and the same count as an
out-of-band swap. A page's polling sends it with the other counts of the navigation
(`portal.navigation`), so that it stays current without a connection of its own."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from . import queries


def unread() -> int:
    """The current user's unread count (0 for a visitor), counted once per request: a poll's
    route and the page's navigation ask for it both."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = queries.unread_count(current_user.id)
    return g.unread_notifications


def oob(count: int) -> str:
    """The bell's count as an out-of-band swap, to append to an htmx response."""
    return render_template("notifications/_bell.html", unread=count, oob=True)
