"""The live matrix: what a reader's page and its poll (every 4 s, and at once after a change)
are answered with.

A poll is answered 304 while the directive's revision, the day and the reader's counts in the
navigation (unread notifications, items waiting for review) are unchanged; with those counts
alone (out of band) when only they changed; otherwise with the matrix fragment and the counts.
The fragment holds nothing per user, so it is rendered once per directive, revision, day and
filters and shared by every reader of every worker and server (`fragments`: single-flight, in the
database or Redis); the reader's poll tag is written into it on the way out. The tag is the
revision the fragment was rendered at, which may be behind the directive's by one render while
items change: the next poll then asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Response, make_response, render_template, request
from markupsafe import Markup

from .. import areas, navigation
from ..deadlines import today
from ..htmx import is_htmx
from . import fragments
from .areas import area_view, headings
from .model import ROWS_PER_PAGE, Filters, matrix_index
from .rows import rendered


def respond(directive_id: int, filters: Filters, page: Callable[[Markup], str]) -> Response:
    """The matrix page (`page` renders it around the rendered fragment), or under htmx the
    fragment, the navigation's counts alone, or 304."""
    on = today()
    revision, counts = navigation.revision_and_counts(directive_id)
    tag = f"{revision}.{on.isoformat()}"
    poll_tag, sent = navigation.poll_tag(tag, counts), request.headers.get("HX-PTag", "")
    if is_htmx() and (sent == poll_tag or poll_tag in request.if_none_match):
        response = make_response("", 304)
    elif is_htmx() and navigation.same_page(sent, tag):
        response = make_response(navigation.oob(counts))  # only the counts changed
    else:
        made = _fragment(directive_id, revision, on, filters)
        tag = f"{made.revision}.{on.isoformat()}"  # the revision rendered, maybe one behind
        poll_tag = navigation.poll_tag(tag, counts)
        html = navigation.with_poll_tag(made.html, tag, poll_tag)
        # The page is rendered around the cached fragment too: rendering the fragment is most
        # of a page's cost (a 1000 × 50 matrix is 50,000 cells), and a page load is as common
        # as a poll when many readers open the matrix at once.
        response = make_response(html + navigation.oob(counts) if is_htmx()
                                 else page(Markup(html)))
    response.headers["HX-PTag"] = poll_tag
    response.set_etag(poll_tag)
    response.vary.add("HX-Request")
    return response


def _fragment_context(directive_id: int, on: date, filters: Filters) -> dict:
    """What `review/_matrix.html` shows: the page of rows the filters leave, with the totals and,
    where units have areas, the roll-ups by area and each area's heading over its rows.
    Ordering, filters and paging use the directive's index (no cells); only the rows shown whose
    markup is not kept already are read in full and rendered (`rows.rendered`)."""
    index = matrix_index(directive_id, on)
    rows = index.filtered(filters)
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(filters.page, pages)
    shown = rows[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    totals = index.totals()
    markup, supporting = rendered(index, shown)
    nodes = areas.tree() if any(row.area_id is not None for row in index.rows) else []
    return {
        "m": index, "rows": shown, "row_html": markup, "supporting": supporting,
        "filtered": rows, "filters": filters, "page": page, "pages": pages,
        "tag": f"{index.revision}.{on.isoformat()}",
        "totals": totals, "shown_totals": totals if rows is index.rows else index.totals(rows),
        "area_view": area_view(index, filters.area, nodes),
        "area_headings": headings(index, rows, shown, nodes),
    }


def _fragment(directive_id: int, revision: int, on: date,
              filters: Filters) -> fragments.Fragment:
    """The rendered fragment of `revision` or newer: one render for every reader."""

    def render() -> tuple[int, str]:
        context = _fragment_context(directive_id, on, filters)
        return context["m"].revision, render_template("review/_matrix.html", **context)

    slot = fragments.slot_key(directive_id, on, repr(filters))
    return fragments.fragment(directive_id, slot, revision, render)
