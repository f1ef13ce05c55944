"""Administration routes for units and accounts, and their bulk import from CSV or XLSX.

Every form is a plain post; the server answers an invalid one with the page and its messages
(422) and a valid one with a redirect (303), except where a generated password must be shown:
that page is the answer to the post itself, so the password is never stored to be shown later.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from ...htmx import render
from ...models import Role, UnitKind
from ..blueprint import bp
from . import actions, imports, queries
from .forms import EditUserForm, ImportForm, NewUserForm, UnitForm

IMPORT_TITLES = {"units": "Nhập đơn vị từ tệp", "users": "Nhập tài khoản từ tệp"}
PASSWORDS_GONE = (
    "Danh sách mật khẩu ban đầu chỉ tải được một lần, trong 10 phút sau khi nhập; danh sách này "
    "đã được tải hoặc đã hết hạn. Nếu cần, hãy đặt lại mật khẩu cho từng tài khoản."
)


def _status() -> int:
    """A form shown again after a post is shown because of its errors."""
    return 422 if request.method == "POST" else 200


def _flag(name: str) -> bool:
    value = request.form.get(name)
    if value not in ("0", "1"):
        abort(400)
    return value == "1"


# --- units -------------------------------------------------------------------------------------


@bp.get("/units")
def units():
    return render_template("admin/units.html", groups=queries.units_by_kind(),
                           area_names=queries.area_names())


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    form = UnitForm()
    if form.validate_on_submit():
        try:
            unit = actions.create_unit(form.name.data, form.short_name.data, form.kind_value,
                                       form.position_value, form.area_value)
        except actions.Refused as refusal:
            form.name.errors.append(str(refusal))
        else:
            flash(f"Đã thêm đơn vị «{unit.name}».", "success")
            return redirect(url_for(".units"), code=303)
    return render_template("admin/unit_form.html", form=form, unit=None), _status()


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int):
    unit = queries.get_unit(unit_id)
    form = UnitForm(unit=unit, data={"name": unit.name, "short_name": unit.short_name,
                                     "kind": unit.kind.value, "position": str(unit.position),
                                     "area": str(unit.area_id or "")})
    if form.validate_on_submit():
        try:
            actions.update_unit(unit, form.name.data, form.short_name.data, form.kind_value,
                                form.position_value, form.area_value)
        except actions.Refused as refusal:
            form.name.errors.append(str(refusal))
        else:
            flash(f"Đã lưu đơn vị «{unit.name}».", "success")
            return redirect(url_for(".units", _anchor=f"unit-{unit.id}"), code=303)
    return render_template("admin/unit_form.html", form=form, unit=unit), _status()


@bp.post("/units/<int:unit_id>/move")
def move_unit(unit_id: int):
    unit = queries.get_unit(unit_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    if not actions.move_unit(unit, direction):
        flash(f"«{unit.name}» đã ở {'đầu' if direction == 'up' else 'cuối'} nhóm.", "info")
    return redirect(url_for(".units", _anchor=f"unit-{unit.id}"), code=303)


@bp.post("/units/sort")
def sort_units():
    kind = request.form.get("kind", "")
    if kind not in UnitKind._value2member_map_:
        abort(400)
    actions.sort_units(UnitKind(kind))
    flash(f"Đã xếp nhóm «{UnitKind(kind).label}» theo vần A–Z.", "success")
    return redirect(url_for(".units"), code=303)


@bp.post("/units/<int:unit_id>/active")
def set_unit_active(unit_id: int):
    unit = queries.get_unit(unit_id)
    active = _flag("active")
    actions.set_unit_active(unit, active)
    if active:
        flash(f"Đã cho đơn vị «{unit.name}» hoạt động trở lại.", "success")
    else:
        flash(f"Đã ngừng đơn vị «{unit.name}»: văn bản nạp từ nay không giao việc cho đơn vị "
              "này; việc đã làm và tài khoản của đơn vị vẫn giữ nguyên.", "success")
    return redirect(url_for(".units", _anchor=f"unit-{unit.id}"), code=303)


# --- accounts ----------------------------------------------------------------------------------


@bp.get("/users")
def users():
    filters = queries.UserFilters.from_args(request.args)
    return render(
        "admin/users.html",
        "admin/_users.html",
        filters=filters,
        users=queries.users(filters),
        roles=list(Role),
        units=queries.all_units(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm(unit_choices=queries.unit_choices())
    if form.validate_on_submit():
        try:
            user, password = actions.create_user(form.username.data, form.full_name.data,
                                                 form.role_value, form.unit_value,
                                                 form.email.data, form.position_value,
                                                 form.title.data or "")
        except actions.Refused as refusal:
            form.username.errors.append(str(refusal))
        else:
            return render_template("admin/password.html", user=user, password=password,
                                   created=True)
    return render_template("admin/user_form.html", form=form, user=None), _status()


def _account_data(user) -> dict:
    """An account's form, filled with what it is now."""
    return {"full_name": user.full_name, "role": user.role.value,
            "position": user.position.value if user.position else "",
            "title": user.title, "unit": str(user.unit_id or ""), "active": user.active,
            "email": user.email}


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = queries.get_user(user_id)
    form = EditUserForm(
        unit_choices=queries.unit_choices(keep=user.unit_id),
        data=_account_data(user),
    )
    message = ""
    if form.validate_on_submit():
        try:
            actions.update_user(user, current_user, form.full_name.data, form.role_value,
                                form.unit_value, form.active.data, form.email.data,
                                form.position_value, form.title.data or "")
        except actions.Refused as refusal:
            message = str(refusal)
        else:
            flash(f"Đã lưu tài khoản «{user.username}».", "success")
            return redirect(url_for(".users"), code=303)
    return render_template("admin/user_form.html", form=form, user=user,
                           message=message), _status()


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    user = queries.get_user(user_id)
    password = actions.reset_password(user)
    return render_template("admin/password.html", user=user, password=password, created=False)


@bp.post("/users/<int:user_id>/active")
def set_user_active(user_id: int):
    user = queries.get_user(user_id)
    active = _flag("active")
    try:
        actions.set_user_active(user, current_user, active)
    except actions.Refused as refusal:
        form = EditUserForm(
            formdata=None,
            unit_choices=queries.unit_choices(keep=user.unit_id),
            data=_account_data(user),
        )
        return render_template("admin/user_form.html", form=form, user=user,
                               message=str(refusal)), 422
    if active:
        flash(f"Đã mở lại tài khoản «{user.username}».", "success")
    else:
        flash(f"Đã khoá tài khoản «{user.username}» và đăng xuất mọi phiên của tài khoản này; "
              "những gì tài khoản đã làm vẫn được giữ.", "success")
    return redirect(url_for(".users"), code=303)


# --- bulk import -------------------------------------------------------------------------------


def _import_page(template: str, what: str, status: int = 200, **context):
    return render_template(template, what=what, title=IMPORT_TITLES[what],
                           columns=imports.columns(what), **context), status


@bp.route("/import/<any(units, users):what>", methods=["GET", "POST"])
def import_upload(what: str):
    form = ImportForm()
    error = ""
    if form.validate_on_submit():
        uploaded = request.files.get("file")
        if uploaded is None or not uploaded.filename:
            error = "Hãy chọn tệp CSV hoặc Excel để tải lên."
        else:
            try:
                rows = imports.read(what, uploaded.filename, uploaded.read())
            except imports.FileRejected as rejection:
                error = str(rejection)
            else:
                imports.discard(imports.ROWS, session.pop("import_rows", None))
                session["import_rows"] = imports.keep(imports.ROWS, {
                    "what": what, "file_name": uploaded.filename, "rows": rows,
                    "admin_id": current_user.id,
                })
                return redirect(url_for(".import_preview", what=what), code=303)
    return _import_page("admin/import_upload.html", what, _status(), form=form, error=error)


def _no_pending_import(what: str):
    flash("Không có tệp nào đang chờ nhập (đã nhập, đã quá một giờ hoặc chưa tải lên); "
          "hãy tải tệp lên.", "info")
    return redirect(url_for(".import_upload", what=what), code=303)


@bp.get("/import/<any(units, users):what>/preview")
def import_preview(what: str):
    pending = imports.peek(imports.ROWS, session.get("import_rows"), current_user.id)
    if pending is None or pending["what"] != what:
        return _no_pending_import(what)
    rows = imports.check(what, pending["rows"])
    return _import_page("admin/import_preview.html", what, rows=rows,
                        file_name=pending["file_name"],
                        bad=sum(1 for row in rows if row.errors))


@bp.post("/import/<any(units, users):what>/confirm")
def import_confirm(what: str):
    pending = imports.peek(imports.ROWS, session.get("import_rows"), current_user.id)
    if pending is None or pending["what"] != what:
        return _no_pending_import(what)
    rows = imports.check(what, pending["rows"])
    bad = sum(1 for row in rows if row.errors)
    if bad:
        return _import_page("admin/import_preview.html", what, 422, rows=rows,
                            file_name=pending["file_name"], bad=bad, refused=True)
    # Taken only now: a second click (or a reload) of the confirmation finds nothing to write.
    if imports.take(imports.ROWS, session.pop("import_rows"), current_user.id) is None:
        return _no_pending_import(what)
    try:
        created = imports.write(what, rows, pending["file_name"])
    except actions.Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".import_upload", what=what), code=303)
    if what == "units":
        flash(f"Đã thêm {len(created)} đơn vị từ tệp «{pending['file_name']}».", "success")
        return redirect(url_for(".units"), code=303)
    accounts = created
    imports.discard(imports.PASSWORDS, session.pop("import_passwords", None))
    session["import_passwords"] = imports.keep(imports.PASSWORDS, {
        "accounts": accounts, "admin_id": current_user.id})
    return _import_page("admin/import_done.html", what, accounts=accounts,
                        file_name=pending["file_name"])


@bp.get("/import/users/passwords.csv")
def import_passwords():
    """The first passwords of the accounts just imported: once, then gone from the server."""
    kept = imports.take(imports.PASSWORDS, session.pop("import_passwords", None), current_user.id)
    if kept is None:
        return render_template("errors/page.html", message=PASSWORDS_GONE, status=410,
                               back=url_for(".users")), 410
    response = make_response(imports.passwords_csv(kept["accounts"]))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = 'attachment; filename="mat-khau-ban-dau.csv"'
    return response
