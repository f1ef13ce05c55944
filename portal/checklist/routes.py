"""Checklist routes: the directives a user sees, a unit's checklist, the unit's actions on an
item and its evidence. How an item is shown and how each action answers is `portal.items.view`.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from .. import storage
from ..deadlines import today
from ..htmx import render
from ..items import actions, assignment
from ..items import queries as item_queries
from ..items.forms import (
    ActionForm,
    AssignForm,
    ExtensionForm,
    LinkForm,
    ProgressForm,
    SignOffReturnForm,
    SubmitForm,
    UploadForm,
)
from ..items.view import act, back_to_checklist, done, item_forms, item_to_change, render_item
from ..models import EvidenceKind, Role
from ..permissions import (
    may_work_on_unit,
    reads_only,
    require_head_of_unit,
    require_send_up,
    require_submit,
    require_view_unit,
    roles_required,
    works_in_a_unit,
)
from ..talk import queries as talk_queries
from . import queries

bp = Blueprint("checklist", __name__)

ONE_FILE = "Mỗi lần chỉ đính kèm một tệp; hãy gửi từng tệp một. Chưa có tệp nào được lưu."


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


@bp.get("/")
def home():
    """Where a user lands after logging in: a unit's staff on their work ("Việc của tôi");
    leadership on the overview of every directive when more than one is open, else on the
    dashboard of the directive being worked on (the newest open one); others on their one
    directive, or the list of them."""
    if works_in_a_unit(current_user):
        return redirect(url_for(".my_work"))
    directives = queries.directives_for(current_user)
    if reads_only(current_user) and sum(d.is_open for d in directives) > 1:
        return redirect(url_for("overview.overview"))
    if reads_only(current_user) and directives:
        return redirect(url_for("dashboard.dashboard", directive_id=directives[0].id))
    if len(directives) == 1:
        return redirect(url_for(".directive", directive_id=directives[0].id))
    return redirect(url_for(".directives"))


@bp.get("/my-work")
@roles_required(Role.UNIT)
def my_work():
    """Việc của tôi: the open items handed to the user, soonest due first; for the unit's head
    also what waits for their sign-off and every open item of the unit with who has it."""
    work = queries.my_work(current_user)
    return render("checklist/my_work.html", "checklist/my_work.html", work=work,
                  directives=queries.directives_for(current_user), today=today())


@bp.get("/directives")
def directives():
    return render(
        "checklist/directives.html",
        "checklist/directives.html",
        groups=queries.by_status(queries.directives_for(current_user)),
    )


@bp.get("/directives/<int:directive_id>")
def directive(directive_id: int):
    """Unit staff go to their own checklist; everyone else to the matrix of every unit."""
    found = queries.get_directive(directive_id)
    if works_in_a_unit(current_user):
        return redirect(url_for(".unit_checklist", directive_id=found.id,
                                unit_id=current_user.unit_id))
    return redirect(url_for("review.matrix", directive_id=found.id))


@bp.get("/directives/<int:directive_id>/units/<int:unit_id>")
def unit_checklist(directive_id: int, unit_id: int):
    require_view_unit(unit_id)
    found = queries.get_directive(directive_id)
    unit = queries.get_unit(unit_id)
    items = queries.checklist(found.id, unit.id)
    if not items:
        abort(404)
    return render(
        "checklist/checklist.html",
        "checklist/checklist.html",
        directive=found,
        unit=unit,
        items=items,
        item_forms={item.id: item_forms(item) for item in items},
        item_contributions=item_queries.contributions_by_item(items),
        # Each item as its own page or an htmx swap shows it: history and what is missing too.
        item_histories=item_queries.histories([item.id for item in items]),
        item_missing={item.id: actions.missing_for_submission(item) for item in items},
        item_unread=talk_queries.unread_counts([item.id for item in items], current_user),
        changes=queries.changes(found, unit.id),
        # A closed or archived directive is read-only for everyone: no forms on its items.
        can_work=found.is_open and may_work_on_unit(current_user, unit.id),
        today=today(),
    )


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    return render_item(item_queries.get_item(item_id))


@bp.post("/items/<int:item_id>/start")
def start(item_id: int):
    found = item_to_change(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return act(found, lambda: actions.start(found, current_user),
                "Đã chuyển sang «Đang thực hiện».")


@bp.post("/items/<int:item_id>/save")
def save(item_id: int):
    found = item_to_change(item_id)
    form = ProgressForm(task=found.task)
    if not form.validate_on_submit():
        return render_item(found, status=422, progress_form=form)
    return act(found, lambda: actions.save(found, current_user, form.note.data or "",
                                            form.figures), "Đã lưu ghi chú và số liệu.",
                progress_form=form)


@bp.post("/items/<int:item_id>/files")
def upload(item_id: int):
    found = item_to_change(item_id)
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    if sum(len(files) for _, files in request.files.lists()) > 1:
        return render_item(found, status=422, upload_error=ONE_FILE)
    uploaded = request.files.get("file")
    if uploaded is None or not uploaded.filename:
        return render_item(found, status=422, upload_error="Hãy chọn một tệp để đính kèm.")
    back = back_to_checklist(found)
    try:
        evidence = actions.add_file(found, current_user, uploaded)
    except storage.EvidenceTooLarge as error:
        return render_item(found, status=413, upload_error=str(error))
    except storage.EvidenceRejected as error:
        return render_item(found, status=422, upload_error=str(error))
    except actions.ItemLocked as error:
        return render_item(found, status=409, message=str(error))
    return done(found.id, back, f"Đã đính kèm tệp «{evidence.file_name}».")


@bp.post("/items/<int:item_id>/links")
def add_link(item_id: int):
    found = item_to_change(item_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, link_form=form)
    return act(found, lambda: actions.add_link(found, current_user, form.url.data),
                "Đã thêm đường dẫn.", link_form=form)


@bp.post("/items/<int:item_id>/evidence/<int:evidence_id>/delete")
def remove_evidence(item_id: int, evidence_id: int):
    found = item_to_change(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    evidence = next((e for e in found.evidence if e.id == evidence_id), None)
    if evidence is None:
        abort(404)
    return act(found, lambda: actions.remove_evidence(found, current_user, evidence),
                "Đã xoá tài liệu kiểm chứng.")


@bp.post("/items/<int:item_id>/assign")
def assign(item_id: int):
    found = item_to_change(item_id)
    require_head_of_unit(found.unit_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, assign_form=form)
    said = "Đã phân công." if form.officer_ids else "Đã bỏ phân công."
    # Without JavaScript, back to the item's own page, where its assignment form is.
    return act(found, lambda: assignment.assign(found, current_user, form.officer_ids,
                                                 form.due_date, form.note.data or ""),
               said, back=url_for(".item", item_id=found.id), assign_form=form)


@bp.post("/items/<int:item_id>/send-up")
def send_up(item_id: int):
    """Trình lãnh đạo đơn vị: an officer's finished item goes to the unit's head."""
    found = item_to_change(item_id)
    require_send_up(found)
    form = SubmitForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, submit_form=form)
    return act(found, lambda: actions.send_up(found, current_user, form.late_reason.data or ""),
               "Đã trình lãnh đạo đơn vị.", submit_form=form)


@bp.post("/items/<int:item_id>/return-to-officer")
def return_to_officer(item_id: int):
    """The head returns an item sent up to them, with what to change."""
    found = item_to_change(item_id)
    require_head_of_unit(found.unit_id)
    form = SignOffReturnForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, sign_off_return_form=form)
    return act(found, lambda: actions.return_to_officer(found, current_user, form.comment.data),
               "Đã trả lại cán bộ kèm ý kiến.", sign_off_return_form=form)


@bp.post("/items/<int:item_id>/submit")
def submit(item_id: int):
    found = item_to_change(item_id)
    require_submit(found)
    form = SubmitForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, submit_form=form)
    return act(found, lambda: actions.submit(found, current_user, form.late_reason.data or ""),
               "Đã gửi Phòng Nội vụ duyệt.", submit_form=form)


@bp.post("/items/<int:item_id>/extension")
def request_extension(item_id: int):
    found = item_to_change(item_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        return render_item(found, status=422, extension_form=form)
    return act(found, lambda: actions.request_extension(found, current_user, form.reason.data,
                                                        form.proposed_date),
               "Đã gửi đề nghị gia hạn; chờ Phòng Nội vụ xem xét.", extension_form=form)


@bp.get("/evidence/<int:evidence_id>/download")
def download(evidence_id: int):
    evidence = item_queries.get_evidence(evidence_id)
    if evidence.kind is not EvidenceKind.FILE:
        abort(404)
    return storage.send_download(evidence.stored_name, evidence.content_type, evidence.file_name)


@bp.get("/evidence/<int:evidence_id>/view")
def view_evidence(evidence_id: int):
    """A PDF or picture shown in the browser, for the reviewer's preview."""
    evidence = item_queries.get_evidence(evidence_id)
    if not evidence.previewable:
        abort(404)
    path = storage.path_for(evidence.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=storage.served_type(evidence.content_type),
                         download_name=evidence.file_name, max_age=0)
    if evidence.content_type.startswith("image/"):
        # A picture opened on its own runs nothing. A PDF keeps the pages' policy rather than a
        # sandbox, which some versions of Chromium's PDF viewer refuse; as application/pdf with
        # nosniff, no browser reads it as a page, whatever else is in it.
        response.headers["Content-Security-Policy"] = storage.SANDBOXED
    return response
