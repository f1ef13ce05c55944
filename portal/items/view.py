"""One checklist item on screen, for the unit's checklist and the reviewer's panel alike: the item
with its forms, contributions and history, and the way every action on it answers.

An action answers an htmx request with the item's fragment and a plain form post with a redirect
back to the checklist (or the matrix), so the page works with JavaScript off. A refusal that the
action raises with a message is answered 422 with the item; a change someone else made first,
409 with the item as it now is.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..checklist.queries import get_directive
from ..deadlines import today
from ..extensions import db
from ..htmx import is_htmx, render
from ..models import Progress
from ..permissions import (
    heads_unit,
    may_record_findings,
    may_review,
    may_work_on_unit,
    require_review,
    require_work_on_unit,
)
from ..talk.queries import unread_counts
from . import actions, assignment, decisions, finding_forms, findings, forms, queries

# Forms on an item that start empty; a posted one is passed in as <name>_form to keep its input.
BLANK_FORMS = {
    "link": forms.LinkForm,
    "upload": forms.UploadForm,
    "action": forms.ActionForm,
    "submit": forms.SubmitForm,
    "extension": forms.ExtensionForm,
    "review": forms.ReviewForm,
    "reopen": forms.ReopenForm,
    "decision": forms.ExtensionDecisionForm,
    "sign_off_return": forms.SignOffReturnForm,
}
# Refusals an action raises with a message for the user: answered 422 with the item.
REFUSALS = (actions.NotReadyToSubmit, actions.ExtensionRefused, actions.NotAwaitingHead,
            assignment.AssignmentRefused, decisions.NotReviewable, findings.FindingRefused)


def item_to_change(item_id: int) -> Progress:
    """The item its unit's staff are about to change, in an open directive."""
    found = queries.get_item(item_id)
    require_work_on_unit(found.unit_id)
    if not found.task.directive.is_open:
        abort(409, description=queries.CLOSED_DIRECTIVE)
    return found


def item_for_review(item_id: int) -> Progress:
    """The item a reviewer is about to decide on, in an open directive."""
    found = queries.get_item(item_id)
    require_review()
    if not found.task.directive.is_open:
        abort(409, description=queries.CLOSED_DIRECTIVE)
    return found


def act(found, change, success: str, back: str | None = None, **forms):
    """Run one action on an item and answer with the item, or with why it could not be done."""
    back = back or back_to_checklist(found)
    try:
        change()
    except actions.ItemLocked as error:
        return render_item(found, status=409, message=str(error), **forms)
    except REFUSALS as error:
        db.session.rollback()
        return render_item(queries.get_item(found.id), status=422, message=str(error), **forms)
    except StaleDataError:
        db.session.rollback()
        return render_item(
            queries.get_item(found.id),
            status=409,
            message="Nhiệm vụ vừa được người khác cập nhật; dưới đây là nội dung mới nhất.",
        )
    return done(found.id, back, success)


def back_to_checklist(found) -> str:
    return url_for("checklist.unit_checklist", directive_id=found.task.directive_id,
                   unit_id=found.unit_id, _anchor=f"item-{found.id}")


def done(item_id: int, back: str, success: str):
    """After a change: the fresh item under htmx, otherwise back to the checklist (303)."""
    if is_htmx():
        return render_item(queries.get_item(item_id), saved=success)
    flash(success, "success")
    return redirect(back, code=303)


def item_forms(found, **given) -> dict:
    """The item's forms: the one just posted keeps what was typed, the others the saved state."""
    blank = {name: given.get(f"{name}_form") or form(formdata=None)
             for name, form in BLANK_FORMS.items()}
    assigned = found.assignment
    return blank | {
        "finding": given.get("finding_form") or finding_forms.FindingForm(
            formdata=None, fields=given.get("finding_fields", [])),
        # Phòng Nội vụ's correction of each finding, as it is now.
        "finding_edits": given.get("finding_edit_forms", {}) | {
            f.id: finding_forms.FindingForm(formdata=None, fields=given["finding_fields"], data={
                "code": f.code, "text": f.text,
                "field": str(f.field_id) if f.field_id else "",
                "deadline": f.deadline.strftime("%d/%m/%Y") if f.deadline else ""})
            for f in found.findings
            if given.get("finding_fields") and f.id not in given.get("finding_edit_forms", {})},
        # Each finding's answer (the unit) and review (Phòng Nội vụ), as saved.
        "answers": given.get("answer_forms", {}) | {
            f.id: finding_forms.AnswerForm(formdata=None, data={
                "answer": f.answer.value if f.answer else None, "note": f.answer_note})
            for f in found.findings if f.id not in given.get("answer_forms", {})},
        "finding_reviews": given.get("finding_review_forms", {}) | {
            f.id: finding_forms.FindingReviewForm(formdata=None)
            for f in found.findings if f.id not in given.get("finding_review_forms", {})},
        "assign": given.get("assign_form") or forms.AssignForm(formdata=None, data={
            "officers": [str(u.id) for u in assigned.officers] if assigned else [],
            "due_on": assigned.due_on.strftime("%d/%m/%Y") if assigned and assigned.due_on
            else "",
            "note": assigned.note if assigned else "",
        }),
        "progress": given.get("progress_form") or forms.ProgressForm(
            formdata=None,
            task=found.task,
            data={
                "note": found.note,
                "numerator": "" if found.numerator is None else found.numerator,
                "denominator": "" if found.denominator is None else found.denominator,
                "quantity": "" if found.quantity is None else found.quantity,
            },
        ),
    }


def render_item(found, status: int = 200, *, message: str = "", saved: str = "",
                upload_error: str = "", fragment: str = "checklist/_item.html", **given):
    """The item as a page, or under htmx as the fragment that replaces it (or `fragment`, which
    includes it: the matrix's side panel), with its history and the controls the current user
    may use."""
    is_open = found.task.directive.is_open
    # Phòng Nội vụ records findings on the item's own page (and the matrix's panel).
    manages = is_open and may_record_findings(current_user, found)
    fields = queries.finding_fields() if manages else []
    response = render(
        "checklist/item.html",
        fragment,
        status=status,
        item=found,
        # The page names its directive (title, heading); the fragment does not need it.
        directive=None if is_htmx() else get_directive(found.task.directive_id),
        forms=item_forms(found, finding_fields=fields, **given),
        finding_fields=fields,
        can_add_findings=manages,
        # A finding's answer form is on the item's own page (and its swaps), not the checklist.
        answers_here=True,
        contributions=queries.contributions(found),
        # A closed or archived directive is read-only for everyone: no forms on its items.
        can_work=is_open and may_work_on_unit(current_user, found.unit_id),
        # The head's assignment form offers the unit's people.
        people=(assignment.unit_people(found.unit_id)
                if is_open and heads_unit(current_user, found.unit_id) else []),
        can_review=is_open and may_review(current_user),
        history=queries.history(found.id),
        missing=actions.missing_for_submission(found),
        talk_unread=unread_counts([found.id], current_user).get(found.id, 0),
        open=bool(status != 200 or saved),
        message=message,
        saved=saved,
        upload_error=upload_error,
        today=today(),
    )
    if saved:
        response.headers["HX-Trigger"] = "matrix-changed"
    return response
