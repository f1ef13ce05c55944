"""The bell: the user's unread count in the navigation of every page, and the same count sent out
of band with a page's existing polling (the matrix), so that it stays current without a
connection of its own."""

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


def poll_tag(tag: str, count: int) -> str:
    """A poll's validator: the page's own tag and the unread count, so that a poll answered
    "unchanged" (304, which htmx does not swap) is one where the bell has not changed either."""
    return f"{tag}.{count}"


def with_poll_tag(html: str, tag: str, poll_tag: str) -> str:
    """A cached fragment (nothing per user in it) with the reader's poll tag in its `data-hx-ptag`:
    htmx takes the tag from that attribute again whenever the fragment is swapped in, so it must
    be the one the next poll is to send, or that poll would never be answered 304."""
    return html.replace(f'data-hx-ptag="{tag}"', f'data-hx-ptag="{poll_tag}"', 1)


def same_page(sent: str, tag: str) -> bool:
    """Whether the tag a poll sent is for the page as it is now (with any count, or none: the
    tag the page was first rendered with), so that only the bell needs sending."""
    return sent == tag or sent.startswith(tag + ".")
