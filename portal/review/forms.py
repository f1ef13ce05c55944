"""The reviewer's forms: verdict, reopening, extension decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ..formatting import parse_date

COMMENT_MAX = 2000


class ReviewForm(FlaskForm):
    verdict = RadioField(
        "Kết quả duyệt",
        choices=[SelectChoice("approve", "Đạt"), SelectChoice("return", "Yêu cầu bổ sung")],
        validators=[InputRequired(message="Hãy chọn «Đạt» hoặc «Yêu cầu bổ sung».")],
    )
    comment = TextAreaField(
        "Nhận xét (bắt buộc khi yêu cầu bổ sung)",
        validators=[Length(max=COMMENT_MAX, message=f"Nhận xét tối đa {COMMENT_MAX} ký tự.")],
    )

    def validate_comment(self, field) -> None:
        if self.verdict.data == "return" and not (field.data or "").strip():
            raise ValidationError("Hãy ghi rõ nội dung đơn vị cần bổ sung.")


class ReopenForm(FlaskForm):
    comment = TextAreaField(
        "Lý do mở lại",
        validators=[Length(max=COMMENT_MAX, message=f"Lý do tối đa {COMMENT_MAX} ký tự.")],
    )


class ExtensionDecisionForm(FlaskForm):
    decision = RadioField(
        "Quyết định",
        choices=[SelectChoice("grant", "Đồng ý gia hạn"), SelectChoice("refuse", "Không đồng ý")],
        validators=[InputRequired(message="Hãy chọn đồng ý hoặc không đồng ý.")],
    )
    granted = StringField("Gia hạn đến ngày (dd/mm/yyyy; để trống: theo đề nghị)")
    note = TextAreaField(
        "Ghi chú", validators=[Length(max=COMMENT_MAX, message="Ghi chú quá dài.")]
    )

    def validate_granted(self, field) -> None:
        self.granted_date = None
        if self.decision.data == "grant" and (field.data or "").strip():
            try:
                self.granted_date = parse_date(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from None
