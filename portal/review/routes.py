"""Review routes: the live matrix, the reviewer's decisions on an item, the review queue, and
reminders to units from the matrix."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import ID_MAX
from ..checklist import queries as checklist_queries
from ..checklist.forms import ActionForm
from ..checklist.routes import act, render_item
from ..deadlines import today
from ..extensions import db
from ..htmx import is_htmx, render
from ..models import Progress, Role, Task, UnitKind
from ..notifications import bell, reminders
from ..permissions import READ_EVERYTHING, roles_required
from . import actions, queries
from .forms import ExtensionDecisionForm, RemindForm, ReopenForm, ReviewForm
from .queries import ROWS_PER_PAGE, STATUS_FILTERS, Filters

bp = Blueprint("review", __name__)

MATRIX_CACHE_SIZE = 128
_cache_lock = threading.Lock()


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


@bp.get("/directives/<int:directive_id>/matrix")
@roles_required(*READ_EVERYTHING)
def matrix(directive_id: int):
    """The matrix page; under htmx its fragment, or 304 when nothing changed since the poll.
    A poll also brings the user's bell (out of band; the cached matrix holds nothing per user)."""
    filters = Filters.from_args(request.args)
    on = today()
    revision = queries.directive_revision(directive_id)
    tag = f"{revision}.{on.isoformat()}"
    unread = bell.unread()
    poll_tag, sent = bell.poll_tag(tag, unread), request.headers.get("HX-PTag", "")
    if is_htmx() and (sent == poll_tag or poll_tag in request.if_none_match):
        response = make_response("", 304)
    elif is_htmx() and bell.same_page(sent, tag):
        response = make_response(bell.oob(unread))  # only the bell changed
    else:
        html = bell.with_poll_tag(_matrix_html(directive_id, revision, on, filters, tag), tag,
                                  poll_tag)
        if is_htmx():
            response = make_response(html + bell.oob(unread))
        else:
            directive = checklist_queries.get_directive(directive_id)
            response = make_response(render_template(
                "review/matrix.html", directive=directive, matrix_html=Markup(html),
                filters=filters, status_filters=STATUS_FILTERS, kinds=list(UnitKind),
                remind_form=_remind_form(directive),
            ))
    response.headers["HX-PTag"] = poll_tag
    response.set_etag(poll_tag)
    response.vary.add("HX-Request")
    return response


def _matrix_html(directive_id: int, revision: int, on, filters: Filters, tag: str) -> str:
    """The rendered matrix, reused while the directive's revision, the day and filters hold."""
    cache = current_app.extensions.setdefault("matrix_cache", OrderedDict())
    key = (directive_id, revision, on, filters)
    with _cache_lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    data = queries.matrix(directive_id, on)
    rows = data.filtered(filters)
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(filters.page, pages)
    shown = rows[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE]
    html = render_template(
        "review/_matrix.html", m=data, rows=shown, filtered=rows, filters=filters, page=page,
        pages=pages, tag=tag, totals=(totals := data.totals()),
        shown_totals=totals if rows is data.rows else data.totals(rows),
    )
    with _cache_lock:
        cache[key] = html
        while len(cache) > MATRIX_CACHE_SIZE:
            cache.popitem(last=False)
    return html


def _item_for_review(item_id: int) -> Progress:
    found = checklist_queries.get_item(item_id)
    if current_user.role is not Role.REVIEWER:
        abort(403)
    if not found.task.directive.is_open:
        abort(409, description=checklist_queries.CLOSED_DIRECTIVE)
    return found


def _back_to_matrix(found: Progress) -> str:
    return url_for(".matrix", directive_id=found.task.directive_id)


@bp.post("/items/<int:item_id>/review")
def review(item_id: int):
    found = _item_for_review(item_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, review_form=form)
    if form.verdict.data == "approve":
        change, said = (lambda: actions.approve(found, current_user, form.comment.data or "")), \
            "Đã duyệt: Đạt."
    else:
        change, said = (lambda: actions.return_for_more(found, current_user, form.comment.data)), \
            "Đã trả lại: Yêu cầu bổ sung."
    return act(found, change, said, back=_back_to_matrix(found), review_form=form)


@bp.post("/items/<int:item_id>/reopen")
def reopen(item_id: int):
    found = _item_for_review(item_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, reopen_form=form)
    return act(found, lambda: actions.reopen(found, current_user, form.comment.data or ""),
               "Đã mở lại nhiệm vụ cho đơn vị.", back=_back_to_matrix(found), reopen_form=form)


@bp.post("/items/<int:item_id>/extension/decision")
def decide_extension(item_id: int):
    found = _item_for_review(item_id)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, decision_form=form)
    grant = form.decision.data == "grant"
    return act(
        found,
        lambda: actions.decide_extension(found, current_user, grant, form.note.data or "",
                                         form.granted_date),
        "Đã đồng ý gia hạn." if grant else "Đã không đồng ý gia hạn.",
        back=_back_to_matrix(found), decision_form=form,
    )


@bp.get("/review")
@roles_required(Role.REVIEWER)
def queue():
    return render_template("review/queue.html", items=queries.review_queue())


@bp.post("/review/approve")
@roles_required(Role.REVIEWER)
def approve_many():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        wanted = [int(value) for value in request.form.getlist("item")]
    except ValueError:
        abort(400)
    if any(abs(item) > ID_MAX for item in wanted):  # no such row; SQLite cannot compare it
        abort(400)
    if not wanted:
        flash("Chưa chọn nhiệm vụ nào để duyệt.", "error")
        return redirect(url_for(".queue"), code=303)
    items = list(db.session.scalars(
        select(Progress).options(selectinload(Progress.task).selectinload(Task.directive))
        .where(Progress.id.in_(wanted))
    ))
    approved = actions.approve_many(items, current_user)
    skipped = len(wanted) - approved
    message = f"Đã duyệt «Đạt» {approved} nhiệm vụ."
    if skipped:
        message += f" {skipped} nhiệm vụ không còn ở trạng thái chờ duyệt nên được bỏ qua."
    flash(message, "success")
    return redirect(url_for(".queue"), code=303)


# --- reminders ("Nhắc nhở") from the matrix -----------------------------------------------------


def _remind_form(directive) -> RemindForm | None:
    """The matrix page's reminder form: for Phòng Nội vụ's reviewers, on an open directive."""
    if current_user.role is not Role.REVIEWER or not directive.is_open:
        return None
    return RemindForm(reminders.remind_targets(directive.id))


@bp.post("/directives/<int:directive_id>/reminders")
@roles_required(Role.REVIEWER)
def remind(directive_id: int):
    """Remind one unit, the units that have not done a task, or every unit with overdue items."""
    directive = checklist_queries.get_directive(directive_id)
    if not directive.is_open:
        abort(409, description=checklist_queries.CLOSED_DIRECTIVE)
    targets = reminders.remind_targets(directive.id)
    form = RemindForm(targets)
    if not form.validate_on_submit():
        return _remind_answer(directive, form, status=422)
    try:
        sent = reminders.send_reminder(directive, current_user, form.scope.data,
                                       form.message.data, today(), unit_id=form.unit_id,
                                       task_id=form.task_id)
    except reminders.NobodyToRemind as error:
        db.session.rollback()
        return _remind_answer(directive, form, status=422, refusal=str(error))
    said = f"Đã nhắc {sent.units} đơn vị ({sent.items} nhiệm vụ)."
    if is_htmx():
        return _remind_answer(directive, RemindForm(targets, formdata=None), reminded=said)
    flash(said, "success")
    return redirect(url_for(".matrix", directive_id=directive.id), code=303)


def _remind_answer(directive, form: RemindForm, status: int = 200, **context):
    """The reminder form again: under htmx the fragment that replaces it on the matrix page,
    otherwise (no JavaScript) a page of its own."""
    return render("review/remind.html", "review/_remind.html", status=status,
                  directive=directive, remind_form=form, **context)
