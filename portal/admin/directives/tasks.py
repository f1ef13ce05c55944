"""Administration of a directive's tasks: add, edit, order, merge, split, withdraw, restore.

Every form is a plain post: an invalid one is answered with its page and the messages beside the
fields (422), a valid one with a redirect (303) to the task in the directive's page. A change the
directive's state forbids (closed, archived; merge and split once published) is answered 409 with
the directive's page and the reason at its top, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from ...directives import drafts, lifecycle
from ...directives import editing as task_actions
from ...directives.editing import Refused
from ...extensions import db
from ...models import Directive, Task
from ...query_string import number
from ..blueprint import bp
from .routes import editor_page
from .task_forms import AudienceForm, SplitForm, TaskForm

DUPLICATE_CODE = "Số hiệu này vừa được dùng cho nhiệm vụ khác; hãy chọn số hiệu khác."


# The editor's list (templates/admin/_tasks.html) reads these, whichever page includes it.
bp.add_app_template_global(task_actions.task_groups, "task_groups")
bp.add_app_template_global(task_actions.describe_audience, "describe_audience")
bp.add_app_template_global(task_actions.pieces_of, "task_pieces")
bp.add_app_template_global(drafts.import_notes, "import_notes")
bp.add_app_template_global(drafts.words_seen, "words_seen")
bp.add_app_template_global(drafts.to_check, "to_check")


def _status() -> int:
    """A form shown again after a post is shown because of its errors."""
    return 422 if request.method == "POST" else 200


def _back(directive: Directive, task_id: int | None = None) -> str:
    anchor = f"task-{task_id}" if task_id else "tasks"
    return url_for(".directive", directive_id=directive.id, _anchor=anchor)


def _refused(refusal: Refused, directive: Directive, task_id: int | None = None):
    """Nothing was written: the directive's page, with the reason at its top (409)."""
    db.session.rollback()
    return editor_page(directive, 409, str(refusal), task_id or 0)


def _form(directive: Directive, task: Task | None = None, **kwargs) -> TaskForm:
    return TaskForm(directive=directive, sections=task_actions.sections_of(directive),
                    units=lifecycle.active_units(), task=task, **kwargs)


def _form_page(form: TaskForm, directive: Directive, task: Task | None, message: str = ""):
    return render_template(
        "admin/task_form.html", form=form, directive=directive, task=task, message=message,
        unit_groups=task_actions.units_by_kind(form.active_units),
        original_audience=task_actions.describe_audience(form.original_rule, form.active_units)
        if form.original_rule else "",
    ), _status()


def _commit(form_field) -> bool:
    """Commit; a code another request took meanwhile becomes the field's message."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form_field.errors.append(DUPLICATE_CODE)
        return False
    return True


@bp.route("/directives/<int:directive_id>/tasks/new", methods=["GET", "POST"])
def new_task(directive_id: int):
    directive = task_actions.get_directive(directive_id)
    try:
        task_actions.require_editable(directive)
    except Refused as refusal:
        return _refused(refusal, directive)
    section = request.args.get("section", "")
    data = {"kind": "action", "audience": "all", "section": section}
    if "passage" in request.args:
        # "Thêm làm nhiệm vụ" beside a passage the importer set aside: its words to start from
        passage = drafts.task_from_passage(directive, number(request.args, "passage"))
        if passage is None:
            abort(404)
        data |= passage
    form = _form(directive, data=data)
    if form.validate_on_submit():
        try:
            task = task_actions.add_task(directive, code=form.code_value, **form.values)
        except Refused as refusal:
            db.session.rollback()
            form.code.errors.append(str(refusal))
        else:
            task_id, code = task.id, task.code
            if _commit(form.code):
                flash(_added(directive, code), "success")
                return redirect(_back(directive, task_id), code=303)
    return _form_page(form, directive, None)


@bp.route("/directives/<int:directive_id>/tasks/audience", methods=["GET", "POST"])
def choose_audience(directive_id: int):
    """One audience for several tasks the importer could not place: the clerk marks them, picks
    whom they reach, and saves once."""
    directive = task_actions.get_directive(directive_id)
    try:
        task_actions.require_editable(directive)
    except Refused as refusal:
        return _refused(refusal, directive)
    waiting = task_actions.unresolved(lifecycle.tasks_of(directive))
    units = lifecycle.active_units()
    form = AudienceForm(waiting=waiting, units=units,
                        data={"tasks": [str(task.id) for task in waiting]})
    if form.validate_on_submit():
        codes = ", ".join(task.code for task in form.chosen)
        task_actions.choose_audience(directive, form.chosen, form.rule)
        db.session.commit()
        flash(f"Đã chọn đơn vị thực hiện cho {len(form.chosen)} nhiệm vụ ({codes}): "
              f"{task_actions.describe_audience(form.rule, units)}.", "success")
        return redirect(_back(directive), code=303)
    return render_template("admin/task_audience.html", form=form, directive=directive,
                           waiting=waiting,
                           unit_groups=task_actions.units_by_kind(units)), _status()


def _added(directive: Directive, code: str) -> str:
    if directive.is_draft:
        return f"Đã thêm nhiệm vụ {code}."
    return f"Đã thêm nhiệm vụ {code}; nhiệm vụ đã được giao ngay cho các đơn vị thực hiện."


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(task_id: int):
    task = task_actions.get_task(task_id)
    directive = task.directive
    try:
        task_actions.require_editable(directive)
    except Refused as refusal:
        return _refused(refusal, directive, task.id)
    form = _form(directive, task)
    if form.validate_on_submit():
        try:
            changed = task_actions.edit_task(task, directive, form.code_value, **form.values)
            drafts.mark_reviewed(task)
        except Refused as refusal:
            db.session.rollback()
            form.code.errors.append(str(refusal))
        else:
            code = task.code
            if _commit(form.code):
                flash(f"Đã lưu nhiệm vụ {code}." if changed
                      else f"Nhiệm vụ {code} không có gì thay đổi.",
                      "success" if changed else "info")
                return redirect(_back(directive, task_id), code=303)
    return _form_page(form, directive, task)


def _change(task_id: int, change: Callable[[Task, Directive], Said]):
    """One change to a task from its list: refused, the reason (409) and nothing written;
    otherwise committed, what was done flashed, and back to the task (303)."""
    task = task_actions.get_task(task_id)
    directive = task.directive
    try:
        said = change(task, directive)
    except Refused as refusal:
        return _refused(refusal, directive, task_id)
    db.session.commit()
    if said.message:
        flash(said.message, said.category)
    return redirect(_back(directive, said.back_to), code=303)


class Said(NamedTuple):
    """What a change says once made, and which task the list opens at (None: the list's top)."""

    message: str
    back_to: int | None
    category: str = "success"


@bp.post("/tasks/<int:task_id>/move")
def move_task(task_id: int):
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)

    def move(task: Task, directive: Directive) -> Said:
        if task_actions.move_task(task, directive, direction):
            return Said("", task.id)
        return Said(f"Nhiệm vụ {task.code} đã ở {'đầu' if direction == 'up' else 'cuối'} mục.",
                    task.id, "info")

    return _change(task_id, move)


@bp.post("/tasks/<int:task_id>/merge")
def merge_task(task_id: int):
    def merge(task: Task, directive: Directive) -> Said:
        second = task_actions.next_in_section(task, directive)
        task_actions.merge_with_next(task, directive)
        return Said(f"Đã gộp nhiệm vụ {second.code} vào nhiệm vụ {task.code}; hãy xem lại tên "
                    "và nội dung.", task.id)

    return _change(task_id, merge)


@bp.route("/tasks/<int:task_id>/split", methods=["GET", "POST"])
def split_task(task_id: int):
    task = task_actions.get_task(task_id)
    directive = task.directive
    try:
        task_actions.require_draft(directive)
    except Refused as refusal:
        return _refused(refusal, directive, task_id)
    form = SplitForm(task=task, directive=directive, data={
        "title": task.title, "new_title": task.title,
        "new_code": task_actions.suggested_code(task, directive)})
    if form.validate_on_submit():
        try:
            second = task_actions.split_task(task, directive, form.at_value, form.title.data,
                                             form.new_code.data, form.new_title.data)
        except Refused as refusal:
            db.session.rollback()
            form.at.errors.append(str(refusal))
        else:
            first_code, second_code = task.code, second.code
            if _commit(form.new_code):
                flash(f"Đã tách nhiệm vụ {first_code} thành hai: {first_code} và {second_code}.",
                      "success")
                return redirect(_back(directive, task_id), code=303)
    return render_template("admin/task_split.html", form=form, task=task,
                           directive=directive), _status()


@bp.post("/tasks/<int:task_id>/withdraw")
def withdraw_task(task_id: int):
    def withdraw(task: Task, directive: Directive) -> Said:
        code, draft = task.code, directive.is_draft
        task_actions.withdraw_task(task, directive)
        if draft:
            return Said(f"Đã xoá nhiệm vụ {code}.", None)
        return Said(f"Đã rút nhiệm vụ {code} khỏi văn bản: các đơn vị không còn thấy nhiệm vụ "
                    "này; những gì đơn vị đã ghi nhận được giữ lại và trở lại đầy đủ nếu khôi "
                    "phục.", task.id)

    return _change(task_id, withdraw)


@bp.post("/tasks/<int:task_id>/restore")
def restore_task(task_id: int):
    def restore(task: Task, directive: Directive) -> Said:
        task_actions.restore_task(task, directive)
        return Said(f"Đã khôi phục nhiệm vụ {task.code}: các đơn vị thấy lại nhiệm vụ cùng những "
                    "gì đã ghi nhận.", task.id)

    return _change(task_id, restore)
