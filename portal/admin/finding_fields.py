"""Administration of the fields (lĩnh vực) a finding is filed under: the list an inspection
report uses, extended by the administrator (a field is added at the end; none is removed, as
findings keep theirs). Each addition is audited in the same transaction."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import ValidationError

from .. import audit
from ..extensions import db
from ..models import FindingField
from ..vietnamese import fold
from .blueprint import bp
from .fields import StoredLength, clean, required

NAME_MAX = 200


class FindingFieldForm(FlaskForm):
    name = StringField("Tên lĩnh vực", validators=[StoredLength(
        max=NAME_MAX, message=f"Tên lĩnh vực tối đa {NAME_MAX} ký tự.")])

    def validate_name(self, field) -> None:
        name = required(field, "Hãy nhập tên lĩnh vực.")
        known = db.session.scalars(select(FindingField.name)).all()
        if any(fold(name) == fold(other) for other in known):
            raise ValidationError(f"Đã có lĩnh vực «{name}».")
        field.data = clean(name)


def fields() -> list[FindingField]:
    return list(db.session.scalars(select(FindingField).order_by(FindingField.position,
                                                                  FindingField.id)))


@bp.route("/finding-fields", methods=["GET", "POST"])
def finding_fields():
    form = FindingFieldForm()
    if form.validate_on_submit():
        position = (db.session.scalar(select(func.max(FindingField.position))) or 0) + 1
        added = FindingField(name=form.name.data, position=position)
        db.session.add(added)
        db.session.flush()
        audit.record("finding_field.add", added, after={"name": added.name})
        db.session.commit()
        flash(f"Đã thêm lĩnh vực «{added.name}».", "success")
        return redirect(url_for(".finding_fields"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/finding_fields.html", form=form, fields=fields()), status
