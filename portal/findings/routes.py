"""Routes on findings: Phòng Nội vụ (or an administrator) records and withdraws them under a unit's
item; the unit answers each and attaches its evidence; Phòng Nội vụ reviews each answer. Every
change answers as an item's action does (`portal.items.view`): the item's fragment under htmx,
otherwise a redirect back to the item (the unit's: to its checklist)."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import storage
from ..extensions import db
from ..htmx import render
from ..items import actions as item_actions
from ..items import findings as actions
from ..items import queries as item_queries
from ..items.finding_forms import AnswerForm, FindingForm, FindingReviewForm, WithdrawForm
from ..items.forms import UploadForm
from ..items.view import act, back_to_checklist, done, item_to_change, render_item
from ..models import Finding, Progress, Role
from ..permissions import require_record_findings, require_review, roles_required
from . import queries

bp = Blueprint("findings", __name__)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every route here is for logged-in users only."""


def finding_of(finding_id: int) -> tuple[Progress, Finding]:
    """A finding and its item, if the current user may see the item's unit (404, 403)."""
    item = item_queries.get_item(finding_id_item(finding_id))
    return item, db.session.get(Finding, finding_id)


def open_item(item: Progress) -> None:
    if not item.task.directive.is_open:
        abort(409, description=item_queries.CLOSED_DIRECTIVE)


@bp.get("/directives/<int:directive_id>/findings")
@roles_required(Role.REVIEWER, Role.LEADER, Role.ADMIN)
def listing(directive_id: int):
    """Every finding of a directive across its units, by field, state and unit: what the city
    still gets wrong. A unit sees its own under its items."""
    directive = queries.get_directive(directive_id)
    filters = queries.Filters.from_args(request.args)
    found = queries.findings_of(directive.id, filters)
    return render("findings/list.html", "findings/list.html", directive=directive,
                  filters=filters, findings=found, fields=queries.fields(),
                  units=queries.units_with_findings(directive.id), states=queries.STATES)


@bp.post("/items/<int:item_id>/findings")
def add(item_id: int):
    item = item_queries.get_item(item_id)
    require_record_findings(item)
    open_item(item)
    form = FindingForm(fields=item_queries.finding_fields())
    if not form.validate_on_submit():
        return render_item(item, status=422, finding_form=form)
    return act(item, lambda: actions.add(item, current_user, form.code.data or "",
                                          form.text.data, form.field_id, form.deadline_date),
               "Đã thêm hạn chế.", url_for("checklist.item", item_id=item.id),
               finding_form=form)


@bp.post("/findings/<int:finding_id>/edit")
def edit(finding_id: int):
    item, finding = finding_of(finding_id)
    require_record_findings(item)
    open_item(item)
    form = FindingForm(fields=item_queries.finding_fields())
    if not form.validate_on_submit():
        return render_item(item, status=422, finding_edit_forms={finding.id: form})
    return act(item, lambda: actions.edit(item, finding, current_user, form.code.data or "",
                                          form.text.data, form.field_id, form.deadline_date),
               "Đã sửa hạn chế.", url_for("checklist.item", item_id=item.id),
               finding_edit_forms={finding.id: form})


@bp.post("/findings/<int:finding_id>/withdraw")
def withdraw(finding_id: int):
    item, finding = finding_of(finding_id)
    require_record_findings(item)
    open_item(item)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    withdrawn = form.withdrawn.data == "1"
    return act(item, lambda: actions.set_withdrawn(item, finding, current_user, withdrawn),
               "Đã rút hạn chế." if withdrawn else "Đã khôi phục hạn chế.",
               url_for("checklist.item", item_id=item.id))


@bp.post("/findings/<int:finding_id>/answer")
def answer(finding_id: int):
    item = item_to_change(finding_id_item(finding_id))
    finding = db.session.get(Finding, finding_id)
    if finding.withdrawn:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_item(item, status=422, answer_forms={finding.id: form})
    return act(item, lambda: actions.answer(item, finding, current_user,
                                             form.answer.data == "fixed", form.note.data or ""),
               "Đã ghi kết quả khắc phục hạn chế.", back_to_checklist(item),
               answer_forms={finding.id: form})


@bp.post("/findings/<int:finding_id>/files")
def upload(finding_id: int):
    item = item_to_change(finding_id_item(finding_id))
    finding = db.session.get(Finding, finding_id)
    if finding.withdrawn:
        abort(404)
    if not UploadForm().validate_on_submit():
        abort(400)
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        return render_item(item, status=422, message="Hãy chọn một tệp để đính kèm.")
    try:
        evidence = item_actions.add_file(item, current_user, uploaded, finding_id=finding.id)
    except storage.EvidenceTooLarge as error:
        return render_item(item, status=413, message=str(error))
    except storage.EvidenceRejected as error:
        return render_item(item, status=422, message=str(error))
    except item_actions.ItemLocked as error:
        return render_item(item, status=409, message=str(error))
    return done(item.id, back_to_checklist(item), f"Đã đính kèm tệp «{evidence.file_name}».")


@bp.post("/findings/<int:finding_id>/review")
def review(finding_id: int):
    item, finding = finding_of(finding_id)
    require_review()
    open_item(item)
    if finding.withdrawn:
        abort(404)
    form = FindingReviewForm()
    if not form.validate_on_submit():
        return render_item(item, status=422, finding_review_forms={finding.id: form})
    return act(item, lambda: actions.review(item, finding, current_user,
                                             form.verdict.data == "approve",
                                             form.comment.data or ""),
               "Đã ghi kết quả duyệt hạn chế.", url_for("checklist.item", item_id=item.id),
               finding_review_forms={finding.id: form})


def finding_id_item(finding_id: int) -> int:
    """The item a finding belongs to (404 when there is no such finding)."""
    progress_id = db.session.scalar(select(Finding.progress_id).where(Finding.id == finding_id))
    if progress_id is None:
        abort(404)
    return progress_id


from . import import_routes  # noqa: E402,F401  (its routes attach to bp)
