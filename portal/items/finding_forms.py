"""The forms on a finding; messages Vietnamese, shown by their field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from .findings import NOTE_MAX, TEXT_MAX
from .forms import optional_date


class FindingForm(FlaskForm):
    """A finding recorded by Phòng Nội vụ: its code, words, field and optional deadline."""

    code = StringField("Mã (không bắt buộc)",
                       validators=[Length(max=20, message="Mã tối đa 20 ký tự.")])
    text = TextAreaField("Nội dung hạn chế, khuyết điểm",
                         validators=[Length(max=TEXT_MAX,
                                            message=f"Nội dung tối đa {TEXT_MAX} ký tự.")])
    field = SelectField("Lĩnh vực", validate_choice=False)
    deadline = StringField("Hạn khắc phục riêng (dd/mm/yyyy, không bắt buộc)")

    def __init__(self, *args, fields: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.choices = [SelectChoice("", "— Chọn lĩnh vực —")] + [
            SelectChoice(str(f.id), f.name) for f in fields or []]
        self.field_id: int | None = None
        self.deadline_date = None

    def validate_text(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Hãy nhập nội dung hạn chế, khuyết điểm.")
        if "\x00" in text:
            raise ValidationError("Nội dung có ký tự không hợp lệ.")

    def validate_code(self, field) -> None:
        if "\x00" in (field.data or ""):
            raise ValidationError("Mã có ký tự không hợp lệ.")

    def validate_field(self, field) -> None:
        offered = {choice.value for choice in self.field.choices if choice.value}
        if field.data and field.data not in offered:
            raise ValidationError("Lĩnh vực không có trong danh sách.")
        self.field_id = int(field.data) if field.data else None

    def validate_deadline(self, field) -> None:
        self.deadline_date = optional_date(field)


class AnswerForm(FlaskForm):
    """The unit's answer to a finding."""

    answer = RadioField(
        "Kết quả khắc phục",
        choices=[SelectChoice("fixed", "Đã khắc phục"),
                 SelectChoice("not_fixed", "Chưa khắc phục được")],
        validators=[InputRequired(message="Hãy chọn «Đã khắc phục» hoặc «Chưa khắc phục được».")],
        invalid_choice_message="Hãy chọn «Đã khắc phục» hoặc «Chưa khắc phục được».",
    )
    note = TextAreaField(
        "Kết quả, hoặc giải trình lý do chưa khắc phục được",
        validators=[Length(max=NOTE_MAX, message=f"Nội dung tối đa {NOTE_MAX} ký tự.")],
    )

    def validate_note(self, field) -> None:
        if "\x00" in (field.data or ""):
            raise ValidationError("Nội dung có ký tự không hợp lệ.")


class FindingReviewForm(FlaskForm):
    verdict = RadioField(
        "Kết quả duyệt hạn chế",
        choices=[SelectChoice("approve", "Đạt"), SelectChoice("return", "Yêu cầu bổ sung")],
        validators=[InputRequired(message="Hãy chọn «Đạt» hoặc «Yêu cầu bổ sung».")],
        invalid_choice_message="Hãy chọn «Đạt» hoặc «Yêu cầu bổ sung».",
    )
    comment = TextAreaField(
        "Nhận xét (bắt buộc khi yêu cầu bổ sung)",
        validators=[Length(max=NOTE_MAX, message=f"Nhận xét tối đa {NOTE_MAX} ký tự.")],
    )


class WithdrawForm(FlaskForm):
    """Withdraw ("1") or restore ("0") a finding."""

    withdrawn = StringField()

    def validate_withdrawn(self, field) -> None:
        if field.data not in ("0", "1"):
            raise ValidationError("Yêu cầu không hợp lệ.")


class FindingImportForm(FlaskForm):
    """The inspection report (.docx) or a table from the portal's template (.xlsx, .csv); the
    file is read by the route, this form carries its CSRF token."""

    file = FileField("Báo cáo kiểm tra (.docx) hoặc bảng theo mẫu (.xlsx, .csv)")
