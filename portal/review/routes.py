"""Review routes: the live matrix, the reviewer's decisions on an item, the review queue, and
reminders to units from the matrix. How an item is shown and how each decision answers is
`portal.items.view`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checklist import queries as checklist_queries
from ..deadlines import today
from ..extensions import db
from ..htmx import is_htmx, render
from ..items import decisions
from ..items import queries as item_queries
from ..items.forms import ActionForm, ExtensionDecisionForm, ReopenForm, ReviewForm
from ..items.queries import CLOSED_DIRECTIVE
from ..items.view import act, item_for_review, render_item
from ..matrix import live
from ..matrix.model import STATUS_FILTERS, Filters
from ..models import ID_MAX, Progress, Role, Task, UnitKind
from ..notifications import reminders
from ..permissions import READ_EVERYTHING, may_review, roles_required
from . import queries
from .forms import RemindForm

bp = Blueprint("review", __name__)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


@bp.get("/directives/<int:directive_id>/matrix")
@roles_required(*READ_EVERYTHING)
def matrix(directive_id: int):
    """The matrix page; under htmx its fragment, or 304 when nothing changed since the poll
    (`portal.matrix.live`)."""
    filters = Filters.from_args(request.args)

    def page(matrix_html) -> str:
        directive = checklist_queries.get_directive(directive_id)
        # The reminder form (every unit, every task) is loaded when opened, not with each page.
        return render_template("review/matrix.html", directive=directive, matrix_html=matrix_html,
                               filters=filters, status_filters=STATUS_FILTERS,
                               kinds=list(UnitKind), may_remind=_may_remind(directive))

    return live.respond(directive_id, filters, page)


@bp.get("/items/<int:item_id>/panel")
@roles_required(*READ_EVERYTHING)
def panel(item_id: int):
    """An item in the matrix's side panel, under its unit's name and with the button that closes
    the panel; without htmx, the item's page."""
    return render_item(item_queries.get_item(item_id), fragment="review/_panel.html")


def _back_to_matrix(found: Progress) -> str:
    return url_for(".matrix", directive_id=found.task.directive_id)


@bp.post("/items/<int:item_id>/review")
def review(item_id: int):
    found = item_for_review(item_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, review_form=form)
    if form.verdict.data == "approve":
        def change():
            decisions.approve(found, current_user, form.comment.data or "")
        said = "Đã duyệt: Đạt."
    else:
        def change():
            decisions.return_for_more(found, current_user, form.comment.data)
        said = "Đã trả lại: Yêu cầu bổ sung."
    return act(found, change, said, back=_back_to_matrix(found), review_form=form)


@bp.post("/items/<int:item_id>/reopen")
def reopen(item_id: int):
    found = item_for_review(item_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, reopen_form=form)
    return act(found, lambda: decisions.reopen(found, current_user, form.comment.data or ""),
               "Đã mở lại nhiệm vụ cho đơn vị.", back=_back_to_matrix(found), reopen_form=form)


@bp.post("/items/<int:item_id>/extension/decision")
def decide_extension(item_id: int):
    found = item_for_review(item_id)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, decision_form=form)
    grant = form.decision.data == "grant"
    return act(
        found,
        lambda: decisions.decide_extension(found, current_user, grant, form.note.data or "",
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
        select(Progress).options(selectinload(Progress.task).selectinload(Task.directive),
                                 selectinload(Progress.findings))
        .where(Progress.id.in_(wanted))
    ))
    approved = decisions.approve_many(items, current_user)
    skipped = len(wanted) - approved
    message = f"Đã duyệt «Đạt» {approved} nhiệm vụ."
    if skipped:
        message += f" {skipped} nhiệm vụ không còn ở trạng thái chờ duyệt nên được bỏ qua."
    flash(message, "success")
    return redirect(url_for(".queue"), code=303)


# --- reminders ("Nhắc nhở") from the matrix -----------------------------------------------------


def _may_remind(directive) -> bool:
    """Whether the matrix page offers reminders: to Phòng Nội vụ's reviewers, on an open
    directive."""
    return may_review(current_user) and directive.is_open


@bp.get("/directives/<int:directive_id>/reminders")
@roles_required(Role.REVIEWER)
def remind_form(directive_id: int):
    """The reminder form: under htmx the section the matrix page loads when it is opened (it
    lists every unit and task, so a page does not render it for nothing), otherwise a page of
    its own (the page's link without JavaScript)."""
    directive = checklist_queries.get_directive(directive_id)
    if not directive.is_open:
        abort(409, description=CLOSED_DIRECTIVE)
    return _remind_answer(directive, RemindForm(reminders.remind_targets(directive.id),
                                                formdata=None), opened=True)


@bp.post("/directives/<int:directive_id>/reminders")
@roles_required(Role.REVIEWER)
def remind(directive_id: int):
    """Remind one unit, the units that have not done a task, or every unit with overdue items."""
    directive = checklist_queries.get_directive(directive_id)
    if not directive.is_open:
        abort(409, description=CLOSED_DIRECTIVE)
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
