"""Administration of directives: list, write by hand or import from a letter, preview per unit,
publish, close, archive, reopen and copy to the next cycle.

The work is done by `directives.drafts` and `directives.lifecycle`, which audit and flush; a
route commits after a change and rolls back on a refusal, answering with the page and the
refusal's Vietnamese words (422). A valid post ends in a redirect (303).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from ... import errors, htmx
from ...deadlines import local_date
from ...directives import drafts, editing, letter_reads, lifecycle
from ...extensions import db
from ...models import (
    Directive,
    DirectiveStatus,
    LetterRead,
    LetterReadStatus,
    Section,
    Task,
    Unit,
)
from ...permissions import may_administer
from ...query_string import number
from ..blueprint import bp
from ..people import queries
from .forms import (
    LETTER_TOO_LONG,
    CopyForm,
    DirectiveForm,
    InspectedForm,
    LetterForm,
    LetterTextForm,
)

# The administrator's list: what is still being written and what units work on first.
STATUS_ORDER = [DirectiveStatus.DRAFT, DirectiveStatus.OPEN, DirectiveStatus.CLOSED,
                DirectiveStatus.ARCHIVED]


def _status() -> int:
    """A form shown again after a post is shown because of its errors."""
    return 422 if request.method == "POST" else 200


def _get(directive_id: int) -> Directive:
    return db.get_or_404(Directive, directive_id)


def _active_units_by_kind() -> list[tuple]:
    return [(kind, [unit for unit in units if unit.active])
            for kind, units in queries.units_by_kind()]


def _editor(directive: Directive) -> dict:
    """Everything the editor's page shows: its details as a form, its tasks with their sections
    and lead units."""
    tasks = list(db.session.scalars(
        select(Task).options(selectinload(Task.section), selectinload(Task.lead_unit))
        .where(Task.directive_id == directive.id).order_by(Task.position, Task.id)
    ))
    inspected = lifecycle.inspected_ids(directive)
    units = lifecycle.active_units()
    read = letter_reads.read_for(directive)
    live = [task for task in tasks if not task.withdrawn]
    return {
        "directive": directive,
        "form": DirectiveForm(formdata=None, directive=directive),
        "tasks": tasks,
        "units": units,
        "sections": list(db.session.scalars(
            select(Section).where(Section.directive_id == directive.id)
            .order_by(Section.position, Section.id))),
        # tasks given by the inspection's result, and no inspected unit chosen yet
        "needs_inspected": not inspected and any(
            task.audience.strip() in ("inspected", "not_inspected") for task in live),
        "inspected": inspected,
        "inspected_units": [unit for unit in units if unit.id in inspected],
        "unresolved": editing.unresolved(tasks),
        "problems": lifecycle.problems(directive) if directive.is_draft else [],
        "source": db.session.get(Directive, directive.copied_from_id)
        if directive.copied_from_id else None,
        # The letter's text beside the draft, to check and correct what was read; the file's
        # signatures where it was a signed PDF.
        "letter_read": read,
        "signatures": letter_reads.signatures_of(read),
        "text_form": LetterTextForm(formdata=None, data={"text": directive.full_text}),
        # what the importer found worth checking, and the passages it read as no task
        "passages": drafts.set_aside_passages(directive, live)
        if directive.is_draft else [],
    }


def editor_page(directive: Directive, status: int = 200, message: str = "",
                task_id: int | None = None, text_form: LetterTextForm | None = None):
    """The editor's page; with a refusal's message at its top, which links to the task (or the
    task list) it concerns when `task_id` is given (0: the list)."""
    context = _editor(directive)
    if text_form is not None:
        context["text_form"] = text_form
    return render_template("admin/directive.html", message=message, message_task=task_id,
                           **context), status


def _back(directive: Directive):
    return redirect(url_for(".directive", directive_id=directive.id), code=303)


# --- the list and the editor's page -------------------------------------------------------------


@bp.get("/directives")
def directives():
    found = db.session.scalars(
        select(Directive).order_by(Directive.year.desc(), Directive.id.desc())).all()
    counts = dict(db.session.execute(
        select(Task.directive_id, func.count(Task.id))
        .where(Task.withdrawn.is_(False)).group_by(Task.directive_id)).all())
    groups = [(status, [d for d in found if d.status is status]) for status in STATUS_ORDER]
    return render_template("admin/directives.html", groups=groups, counts=counts)


@bp.get("/directives/<int:directive_id>")
def directive(directive_id: int):
    return editor_page(_get(directive_id))


# --- a new draft: by hand or from a letter -------------------------------------------------------


@bp.route("/directives/new", methods=["GET", "POST"])
def new_directive():
    form = DirectiveForm()
    if form.validate_on_submit():
        try:
            created = drafts.create_directive(**form.values())
            db.session.commit()
        except lifecycle.Refused as refusal:
            db.session.rollback()
            form.slug.errors.append(str(refusal))
        else:
            flash(f"Đã tạo bản nháp «{created.title}». Hãy thêm nhiệm vụ rồi ban hành.", "success")
            return _back(created)
    return render_template("admin/directive_form.html", form=form, directive=None), _status()


@bp.route("/directives/import", methods=["GET", "POST"])
def import_directive():
    form = LetterForm(units=drafts.unit_refs())
    if form.validate_on_submit():
        if form.slow_file:  # a PDF, a scan, a .doc: read by a process of its own
            read = letter_reads.start(*form.slow_file, form.slug_value, current_user)
            return redirect(url_for(".letter_read", read_id=read.id), code=303)
        draft = form.draft
        slug = form.slug_value or drafts.slug_from(draft.title or draft.subject, draft.year)
        try:
            created = drafts.draft_from_letter(draft, slug)
            db.session.commit()
        except lifecycle.Refused as refusal:
            db.session.rollback()
            form.slug.errors.append(str(refusal))
        else:
            flash(f"Đã nhập công văn thành bản nháp «{created.title}»: {len(draft.sections)} "
                  f"mục, {len(draft.tasks)} nhiệm vụ. Hãy rà soát từng nhiệm vụ và những ghi "
                  "nhận của máy đọc văn bản trước khi ban hành.", "success")
            return _back(created)
    return render_template("admin/directive_import.html", form=form), _status()


@bp.get("/directives/reads/<int:read_id>")
def letter_read(read_id: int):
    """A letter's file being read outside the request: its pages read so far (the page polls
    this under htmx); when done, the draft's page; when refused, why."""
    read = db.session.get(LetterRead, read_id) or abort(404)
    letter_reads.refresh(read)
    if read.status is LetterReadStatus.DONE and read.directive_id:
        target = url_for(".directive", directive_id=read.directive_id)
        flash(f"Đã đọc «{read.filename}» và nhập thành bản nháp. Hãy rà soát từng nhiệm vụ, "
              "đối chiếu với văn bản đã đọc bên cạnh, trước khi ban hành.", "success")
        if htmx.is_htmx():
            return "", 200, {"HX-Redirect": target}
        return redirect(target, code=303)
    return htmx.render("admin/letter_read.html", "admin/_letter_read.html", read=read)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A letter pasted past the form's limit is refused before any route reads it (413): the
    import page says so next to the field, empty again. Any other 413 of administration, or one
    for someone who may not import, is the portal's own error page."""
    if request.endpoint != "admin.import_directive" or not (
            current_user.is_authenticated and may_administer(current_user)):
        return errors.too_large()
    form = LetterForm(formdata=None)
    limit_mb = current_app.config["MAX_UPLOAD_MB"]
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        form.file.errors = [f"Tệp hoặc nội dung gửi lên vượt quá giới hạn {limit_mb} MB. "
                            "Chưa có gì được lưu."]
    else:
        form.text.errors = [LETTER_TOO_LONG]
    return render_template("admin/directive_import.html", form=form), 413


# --- metadata, inspected units, preview ----------------------------------------------------------


@bp.route("/directives/<int:directive_id>/edit", methods=["GET", "POST"])
def edit_directive(directive_id: int):
    found = _get(directive_id)
    form = DirectiveForm(directive=found)
    if form.validate_on_submit():
        try:
            drafts.update_metadata(found, **form.values())
            db.session.commit()
        except lifecycle.Refused as refusal:
            db.session.rollback()
            (form.slug if "slug" in form else form.title).errors.append(str(refusal))
        else:
            flash(f"Đã lưu thông tin văn bản «{found.title}».", "success")
            return _back(found)
    return render_template("admin/directive_form.html", form=form, directive=found), _status()


@bp.route("/directives/<int:directive_id>/inspected", methods=["GET", "POST"])
def directive_inspected(directive_id: int):
    found = _get(directive_id)
    groups = _active_units_by_kind()
    active = {unit.id for _, units in groups for unit in units}
    current = lifecycle.inspected_ids(found)
    form = InspectedForm(offered=active, data={"units": [str(i) for i in sorted(current)]})
    message = ""
    if form.validate_on_submit():
        try:
            if found.status not in (DirectiveStatus.DRAFT, DirectiveStatus.OPEN):
                raise lifecycle.Refused("Văn bản đã kết thúc: danh sách đơn vị được kiểm tra "
                                        "không thay đổi được nữa.")
            # A deactivated unit is not offered, and stays inspected if it was.
            lifecycle.set_inspected(found, form.unit_ids | (current - active))
            db.session.commit()
        except lifecycle.Refused as refusal:
            db.session.rollback()
            message = str(refusal)
        else:
            flash("Đã lưu danh sách đơn vị được kiểm tra"
                  + ("; nhiệm vụ của các đơn vị đã được cập nhật theo." if not found.is_draft
                     else "."), "success")
            return _back(found)
    chosen = {int(value) for value in form.units.data or [] if str(value).isdecimal()}
    return render_template("admin/directive_inspected.html", form=form, directive=found,
                           groups=groups, chosen=chosen, message=message), _status()


@bp.get("/directives/<int:directive_id>/preview")
def preview_directive(directive_id: int):
    found = _get(directive_id)
    groups = _active_units_by_kind()
    unit = None
    preview = None
    if request.args.get("unit"):
        unit_id = number(request.args, "unit")
        unit = db.session.get(Unit, unit_id) if unit_id else None
        if unit is None or not unit.active:
            abort(404)
        preview = drafts.tasks_for_unit(found, unit.id)
    return render_template("admin/directive_preview.html", directive=found, groups=groups,
                           unit=unit, preview=preview)


# --- the directive's life ----------------------------------------------------------------------


def _lifecycle_post(directive_id: int, change, success: str):
    """Run one step of the directive's life: commit and say so, or show why not (422)."""
    found = _get(directive_id)
    try:
        change(found)
        db.session.commit()
    except lifecycle.Refused as refusal:
        db.session.rollback()
        return editor_page(_get(directive_id), 422, str(refusal))
    flash(success.format(title=found.title), "success")
    return _back(found)


@bp.post("/directives/<int:directive_id>/publish")
def publish_directive(directive_id: int):
    found = _get(directive_id)
    try:
        result = lifecycle.publish(found)
        db.session.commit()
    except lifecycle.Refused as refusal:
        db.session.rollback()
        return editor_page(_get(directive_id), 422, str(refusal))
    units = len({unit_id for _, unit_id in result.added})
    flash(f"Đã ban hành văn bản «{found.title}»: {len(result.added)} nhiệm vụ được giao cho "
          f"{units} đơn vị.", "success")
    return _back(found)


@bp.post("/directives/<int:directive_id>/close")
def close_directive(directive_id: int):
    return _lifecycle_post(directive_id, lifecycle.close,
                           "Đã kết thúc văn bản «{title}»: các đơn vị vẫn xem được kết quả nhưng "
                           "không thay đổi được nữa.")


@bp.post("/directives/<int:directive_id>/reopen")
def reopen_directive(directive_id: int):
    return _lifecycle_post(directive_id, lifecycle.reopen,
                           "Đã mở lại văn bản «{title}»: các đơn vị tiếp tục cập nhật được.")


@bp.post("/directives/<int:directive_id>/archive")
def archive_directive(directive_id: int):
    return _lifecycle_post(directive_id, lifecycle.archive,
                           "Đã lưu trữ văn bản «{title}»; văn bản vẫn tra cứu được.")


@bp.post("/directives/<int:directive_id>/unarchive")
def unarchive_directive(directive_id: int):
    return _lifecycle_post(directive_id, lifecycle.unarchive,
                           "Đã đưa văn bản «{title}» ra khỏi lưu trữ (trạng thái: đã kết thúc).")


@bp.route("/directives/<int:directive_id>/copy", methods=["GET", "POST"])
def copy_directive(directive_id: int):
    source = _get(directive_id)
    defaults = drafts.next_cycle(source)
    form = CopyForm(data={"year": str(defaults.year), "title": defaults.title,
                          "slug": defaults.slug})
    if form.validate_on_submit():
        try:
            copy = lifecycle.copy_for_cycle(source, form.year_value, form.slug.data,
                                            form.title.data, form.carry_findings.data)
            db.session.commit()
        except lifecycle.Refused as refusal:
            db.session.rollback()
            form.slug.errors.append(str(refusal))
        else:
            flash(f"Đã sao chép thành bản nháp «{copy.title}» cho năm {copy.year}: hạn của các "
                  "nhiệm vụ đã dời theo năm mới. Hãy rà soát rồi ban hành.", "success")
            return _back(copy)
    return render_template("admin/directive_copy.html", form=form, directive=source), _status()


@bp.post("/directives/<int:directive_id>/text")
def reimport_text(directive_id: int):
    """The draft made again from its letter's text as the editor corrected it."""
    found = _get(directive_id)
    form = LetterTextForm(units=drafts.unit_refs(), received=local_date(found.created_at))
    if not form.validate_on_submit():
        return editor_page(found, 422, " ".join(form.text.errors) or "Hãy tải lại trang.",
                           text_form=form)
    try:
        drafts.redo_from_text(found, form.draft)
        db.session.commit()
    except lifecycle.Refused as refusal:
        db.session.rollback()
        return editor_page(_get(directive_id), 422, str(refusal))
    flash(f"Đã nhập lại bản nháp từ văn bản đã sửa: {len(form.draft.sections)} mục, "
          f"{len(form.draft.tasks)} nhiệm vụ.", "success")
    return _back(found)


@bp.post("/directives/<int:directive_id>/delete")
def delete_directive(directive_id: int):
    found = _get(directive_id)
    title = found.title
    try:
        drafts.delete_draft(found)
        db.session.commit()
    except lifecycle.Refused as refusal:
        db.session.rollback()
        return editor_page(_get(directive_id), 422, str(refusal))
    flash(f"Đã xoá bản nháp «{title}».", "success")
    return redirect(url_for(".directives"), code=303)
