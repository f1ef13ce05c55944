"""Administration of who issues and signs the official report (portal/reports/official.py): the
office, the report's number symbol, the signature block (authority line, title, the signer's
name) and "Nơi nhận". One row for the portal (`ReportSettings`); each change is audited with what
it was and what it became, in the same transaction."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..models import ReportSettings
from ..reports.queries import signing
from .blueprint import bp
from .fields import StoredLength, clean, required

TEXT_MAX, SYMBOL_MAX = 200, 40
RECIPIENTS_MAX = 20  # lines
# The decree's words for signing on someone's behalf: thay mặt, ký thay, thừa lệnh, thừa ủy
# quyền, quyền.
AUTHORITY = re.compile(r"(TM|KT|TL|TUQ|Q)\.\s*\S.*")
SYMBOL = re.compile(r"[0-9A-ZĐ]+(-[0-9A-ZĐ]+)*")
FIELDS = ("office", "number_symbol", "authority_line", "signer_title", "signer_name",
          "recipients")


def _length(what: str, most: int = TEXT_MAX) -> StoredLength:
    return StoredLength(max=most, message=f"{what} tối đa {most} ký tự.")


class ReportSettingsForm(FlaskForm):
    office = StringField("Cơ quan ban hành báo cáo", validators=[_length("Tên cơ quan")],
                         description="Viết như trong câu, ví dụ «Phòng Nội vụ»; đầu báo cáo "
                                     "in hoa tên này.")
    number_symbol = StringField("Ký hiệu của báo cáo", validators=[_length("Ký hiệu",
                                                                           SYMBOL_MAX)],
                                description="Phần sau dấu «/» của số báo cáo, ví dụ BC-PNV; "
                                            "văn thư điền số khi ban hành.")
    authority_line = StringField("Quyền hạn ký", validators=[_length("Dòng quyền hạn")],
                                 description="Ví dụ «KT. TRƯỞNG PHÒNG» hoặc «TM. ỦY BAN NHÂN "
                                             "DÂN»; để trống khi người đứng đầu ký.")
    signer_title = StringField("Chức vụ người ký", validators=[_length("Chức vụ")],
                               description="Ví dụ «TRƯỞNG PHÒNG», «PHÓ TRƯỞNG PHÒNG».")
    signer_name = StringField("Họ và tên người ký", validators=[_length("Họ và tên")])
    recipients = TextAreaField("Nơi nhận", description=(
        f"Mỗi dòng một nơi nhận, tối đa {RECIPIENTS_MAX} dòng; dấu «-» đầu dòng, dấu «;» và "
        "dấu «.» cuối dòng được thêm khi in."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipient_lines: list[str] = []

    def validate_office(self, field) -> None:
        required(field, "Hãy nhập tên cơ quan ban hành báo cáo.")

    def validate_number_symbol(self, field) -> None:
        symbol = required(field, "Hãy nhập ký hiệu của báo cáo, ví dụ BC-PNV.").upper()
        if not SYMBOL.fullmatch(symbol):
            raise ValidationError("Ký hiệu gồm chữ in hoa và chữ số, nối bằng dấu gạch ngang, "
                                  "ví dụ BC-PNV.")
        field.data = symbol

    def validate_authority_line(self, field) -> None:
        field.data = clean(field.data)
        if field.data and not AUTHORITY.fullmatch(field.data.upper()):
            raise ValidationError("Dòng quyền hạn bắt đầu bằng TM., KT., TL., TUQ. hoặc Q. và "
                                  "chức vụ, ví dụ «KT. TRƯỞNG PHÒNG»; để trống khi người đứng "
                                  "đầu ký.")

    def validate_signer_title(self, field) -> None:
        required(field, "Hãy nhập chức vụ người ký.")

    def validate_signer_name(self, field) -> None:
        required(field, "Hãy nhập họ và tên người ký.")

    def validate_recipients(self, field) -> None:
        lines = [clean(line).lstrip("-–•+* ").rstrip(" ;.,")
                 for line in (field.data or "").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise ValidationError("Hãy nhập ít nhất một nơi nhận, ví dụ «Lưu: VT, PNV».")
        if len(lines) > RECIPIENTS_MAX:
            raise ValidationError(f"Nơi nhận tối đa {RECIPIENTS_MAX} dòng.")
        if any(len(line) > TEXT_MAX for line in lines):
            raise ValidationError(f"Mỗi dòng nơi nhận tối đa {TEXT_MAX} ký tự.")
        self.recipient_lines = lines


def save(form: ReportSettingsForm) -> bool:
    """Store what the form holds, audited with what changed; False when nothing did."""
    settings = db.session.scalar(select(ReportSettings).order_by(ReportSettings.id).limit(1))
    current = signing() if settings is None else settings
    before = {name: getattr(current, name) for name in FIELDS}
    after = {"office": form.office.data, "number_symbol": form.number_symbol.data,
             "authority_line": form.authority_line.data, "signer_title": form.signer_title.data,
             "signer_name": form.signer_name.data, "recipients": "\n".join(form.recipient_lines)}
    changed = [name for name in FIELDS if before[name] != after[name]]
    if settings is not None and not changed:
        return False
    if settings is None:
        settings = ReportSettings()
        db.session.add(settings)
    for name in FIELDS:
        setattr(settings, name, after[name])
    settings.updated_at = utcnow()
    settings.updated_by_id = current_user.id
    db.session.flush()
    audit.record("report_settings.update", settings,
                 before={name: before[name] for name in changed},
                 after={name: after[name] for name in changed})
    db.session.commit()
    return True


@bp.route("/report", methods=["GET", "POST"])
def report_settings():
    current = signing()
    form = ReportSettingsForm(data={name: getattr(current, name) for name in FIELDS})
    if form.validate_on_submit():
        if save(form):
            flash("Đã lưu người ký và nơi nhận của báo cáo.", "success")
        else:
            flash("Không có gì thay đổi.", "info")
        return redirect(url_for(".report_settings"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/report_settings.html", form=form, settings=current), status
