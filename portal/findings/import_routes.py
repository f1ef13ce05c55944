"""Routes that bring a unit's findings in from the inspection report (`imports.py`): the upload
with the template's download, the preview with each row's errors, the confirmation that writes
every row or none, and the cancellation. For Phòng Nội vụ's reviewers and administrators, on a
published directive that is open."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from .. import table_import
from ..extensions import db
from ..items import findings as actions
from ..items import queries as item_queries
from ..items.finding_forms import FindingImportForm
from ..models import Directive
from ..permissions import require_manage_findings
from ..storage import MB
from . import imports
from .routes import bp

SESSION_KEY = "findings_import"
NOTHING_PENDING = ("Không có tệp nào đang chờ nhập (đã nhập, đã huỷ, đã quá một giờ hoặc chưa tải "
                   "lên); hãy tải tệp lên.")


def directive_to_import_into(directive_id: int) -> Directive:
    """The directive (404), if the user may record findings (403) and it is open (409)."""
    directive = db.session.get(Directive, directive_id)
    if directive is None:
        abort(404)
    require_manage_findings()
    if directive.is_draft:
        abort(409, description="Văn bản chưa ban hành: chưa nhập hạn chế được.")
    if not directive.is_open:
        abort(409, description=item_queries.CLOSED_DIRECTIVE)
    return directive


def _page(template: str, directive: Directive, status: int = 200, **context):
    return render_template(template, directive=directive, columns=imports.COLUMNS,
                           **context), status


def _pending(directive: Directive) -> dict | None:
    pending = table_import.peek(imports.PENDING, session.get(SESSION_KEY), current_user.id)
    if pending is None or pending.get("directive_id") != directive.id:
        return None
    return pending


def _nothing_pending(directive: Directive):
    flash(NOTHING_PENDING, "info")
    return redirect(url_for(".import_upload", directive_id=directive.id), code=303)


@bp.route("/directives/<int:directive_id>/findings/import", methods=["GET", "POST"])
def import_upload(directive_id: int):
    directive = directive_to_import_into(directive_id)
    table_import.sweep()  # previews never confirmed do not outlive their hour
    form = FindingImportForm()
    error, status = "", 200
    if request.method == "POST":
        status = 422
    if form.validate_on_submit():
        uploaded = request.files.get("file")
        limit = current_app.config["MAX_UPLOAD_MB"]
        if uploaded is None or not uploaded.filename:
            error = "Hãy chọn tệp báo cáo (.docx) hoặc bảng (.xlsx, .csv) để tải lên."
        else:
            raw = uploaded.read(limit * MB + 1)
            if len(raw) > limit * MB:
                error, status = (f"Tệp vượt quá giới hạn {limit} MB; hãy nén ảnh trong báo cáo "
                                 "hoặc chia nhỏ tệp. Chưa có gì được lưu."), 413
            else:
                try:
                    rows = imports.read(uploaded.filename, raw)
                except table_import.FileRejected as rejection:
                    error = str(rejection)
                else:
                    table_import.discard(imports.PENDING, session.pop(SESSION_KEY, None))
                    session[SESSION_KEY] = table_import.keep(imports.PENDING, {
                        "directive_id": directive.id, "file_name": uploaded.filename,
                        "rows": rows, "admin_id": current_user.id})
                    return redirect(url_for(".import_preview", directive_id=directive.id),
                                    code=303)
    return _page("findings/import_upload.html", directive, status, form=form, error=error)


@bp.get("/directives/<int:directive_id>/findings/import/template.xlsx")
def import_template(directive_id: int):
    directive = directive_to_import_into(directive_id)
    response = make_response(imports.template_xlsx(directive))
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = 'attachment; filename="mau-nhap-han-che.xlsx"'
    return response


@bp.get("/directives/<int:directive_id>/findings/import/preview")
def import_preview(directive_id: int):
    directive = directive_to_import_into(directive_id)
    pending = _pending(directive)
    if pending is None:
        return _nothing_pending(directive)
    rows = imports.check(directive, pending["rows"])
    return _page("findings/import_preview.html", directive, rows=rows,
                 file_name=pending["file_name"], bad=sum(1 for row in rows if row.errors))


@bp.post("/directives/<int:directive_id>/findings/import/confirm")
def import_confirm(directive_id: int):
    directive = directive_to_import_into(directive_id)
    if not FindingImportForm().validate_on_submit():
        abort(400)
    pending = _pending(directive)
    if pending is None:
        return _nothing_pending(directive)
    rows = imports.check(directive, pending["rows"])
    bad = sum(1 for row in rows if row.errors)
    if bad:
        return _page("findings/import_preview.html", directive, 422, rows=rows,
                     file_name=pending["file_name"], bad=bad, refused=True)
    # Taken only now: a second click (or a reload) of the confirmation finds nothing to write.
    if table_import.take(imports.PENDING, session.pop(SESSION_KEY), current_user.id) is None:
        return _nothing_pending(directive)
    try:
        added = actions.add_many([row.data for row in rows], current_user, pending["file_name"])
    except actions.FindingRefused as refusal:
        flash(f"{refusal} Chưa ghi gì; hãy tải tệp lên lại.", "error")
        return redirect(url_for(".import_upload", directive_id=directive.id), code=303)
    flash(f"Đã ghi {len(added)} hạn chế từ tệp «{pending['file_name']}».", "success")
    return redirect(url_for("review.matrix", directive_id=directive.id), code=303)


@bp.post("/directives/<int:directive_id>/findings/import/cancel")
def import_cancel(directive_id: int):
    directive = directive_to_import_into(directive_id)
    if not FindingImportForm().validate_on_submit():
        abort(400)
    table_import.discard(imports.PENDING, session.pop(SESSION_KEY, None))
    flash("Đã huỷ tệp đang chờ nhập; chưa ghi gì vào hệ thống.", "info")
    return redirect(url_for(".import_upload", directive_id=directive.id), code=303)
