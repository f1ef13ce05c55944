"""The counts in the navigation that change while a page stays open: the bell's unread
notifications and, for Phòng Nội vụ's reviewers, the items waiting for review ("Chờ duyệt").

`base.html` writes them into every page; a page that polls (the matrix) sends them again out of
band, and its poll tag carries them, so that a poll answered "unchanged" (304) is one where the
counts have not changed either, and a poll where only they changed is answered with them alone.
Each count is read once per request: the poll's route and the page's navigation ask for it both.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, render_template
from flask_login import current_user
from sqlalchemy import bindparam, func, select

from .extensions import db
from .models import Directive, DirectiveStatus, Notification
from .notifications import bell
from .permissions import may_review
from .review.queries import open_directives_key, waiting_count


@dataclass(frozen=True)
class Counts:
    unread: int
    waiting: int | None  # None: the user reviews nothing, the navigation has no such count

    @property
    def tag(self) -> str:
        return str(self.unread) if self.waiting is None else f"{self.unread}-{self.waiting}"


def waiting() -> int:
    """The items waiting for review, counted once per request."""
    if "waiting_for_review" not in g:
        g.waiting_for_review = waiting_count()
    return g.waiting_for_review


def counts() -> Counts:
    """The current user's counts."""
    reviews = current_user.is_authenticated and may_review(current_user)
    return Counts(bell.unread(), waiting() if reviews else None)


_STATEMENTS: dict[bool, object] = {}


def _revision_and_counts_statement(reviews: bool):
    """Built once (building a statement costs more than running it): the directive's revision
    and status, the user's unread count and, for a reviewer, the open directives' key."""
    if reviews not in _STATEMENTS:
        unread = (select(func.count()).select_from(Notification)
                  .where(Notification.user_id == bindparam("user_id"),
                         Notification.read_at.is_(None))
                  .scalar_subquery())
        columns = [Directive.revision, Directive.status, unread.label("unread")]
        if reviews:
            columns.append(open_directives_key().label("open_key"))
        _STATEMENTS[reviews] = select(*columns).where(Directive.id == bindparam("directive_id"))
    return _STATEMENTS[reviews]


def revision_and_counts(directive_id: int) -> tuple[int, Counts]:
    """A directive's change counter and the current user's counts, read in one statement: all an
    unchanged poll of a logged-in reader reads after its user. 404 for a draft (the editor's
    alone) or a directive that does not exist."""
    reviews = may_review(current_user)
    # Core, not the ORM's execute: nothing here is an entity, and the ORM's path costs more than
    # the statement.
    found = db.session.connection().execute(
        _revision_and_counts_statement(reviews),
        {"user_id": current_user.id, "directive_id": directive_id}).first()
    if found is None or found.status is DirectiveStatus.DRAFT:
        abort(404)
    g.unread_notifications = found.unread
    if reviews and "waiting_for_review" not in g:
        g.waiting_for_review = waiting_count(found.open_key)
    return found.revision, counts()


def oob(counts: Counts) -> str:
    """The counts as out-of-band swaps, to append to an htmx response."""
    html = bell.oob(counts.unread)
    if counts.waiting is not None:
        html += render_template("review/_waiting.html", waiting=counts.waiting, oob=True)
    return html


def poll_tag(tag: str, counts: Counts) -> str:
    """A poll's validator: the page's own tag and the reader's counts."""
    return f"{tag}.{counts.tag}"


def with_poll_tag(html: str, tag: str, poll_tag: str) -> str:
    """A cached fragment (nothing per user in it) with the reader's poll tag in its `data-hx-ptag`:
    htmx takes the tag from that attribute again whenever the fragment is swapped in, so it must
    be the one the next poll is to send, or that poll would never be answered 304."""
    return html.replace(f'data-hx-ptag="{tag}"', f'data-hx-ptag="{poll_tag}"', 1)


def same_page(sent: str, tag: str) -> bool:
    """Whether the tag a poll sent is for the page as it is now (with any counts, or none: the
    tag the page was first rendered with), so that only the counts need sending."""
    return sent == tag or sent.startswith(tag + ".")
