"""The forms on a checklist item: the unit's (note and figures, evidence, submission, extension)
and the reviewer's (verdict, reopening, extension decision). Messages are Vietnamese and shown
next to their field."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ..formatting import parse_date
from ..models import Measure, Task

NOTE_MAX = 5000
FIGURE_MAX = 10_000_000


def _whole_number(raw: str, label: str) -> int:
    text = raw.strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.234: Vietnamese thousands
        text = text.replace(".", "")
    if not re.fullmatch(r"-?[0-9]+", text):
        raise ValidationError(f"{label} phải là số nguyên, ví dụ 45.")
    if text.startswith("-") and text.strip("-0"):
        raise ValidationError(f"{label} không được âm.")
    # Digits counted before int(), which refuses more than 4,300 of them (a 500, not a message).
    if len(text.lstrip("-0")) > len(str(FIGURE_MAX)) or int(text) > FIGURE_MAX:
        raise ValidationError(f"{label} quá lớn.")
    return int(text)


def optional_date(field) -> date | None:
    """A date field that may be left empty: the date typed (dd/mm/yyyy), or None; a date that
    is not one raises the Vietnamese message."""
    if not (field.data or "").strip():
        return None
    try:
        return parse_date(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from None


class ProgressForm(FlaskForm):
    """Note and figures. Figures are text fields so that every mistake gets a Vietnamese message."""

    note = TextAreaField(
        "Ghi chú, kết quả thực hiện",
        validators=[Length(max=NOTE_MAX, message=f"Ghi chú tối đa {NOTE_MAX} ký tự.")],
    )
    numerator = StringField("Số đạt")
    denominator = StringField("Tổng số")
    quantity = StringField("Số lượng")

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.figures: dict[str, int | None] = {}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        measure = self.task.measure
        if measure is Measure.PERCENT:
            ok = self._rate() and ok
        elif measure is Measure.COUNT:
            ok = self._count() and ok
        return ok

    def _read(self, field, label: str) -> int | None:
        if not (field.data or "").strip():
            return None
        try:
            return _whole_number(field.data, label)
        except ValidationError as error:
            field.errors.append(str(error))
            raise

    def _rate(self) -> bool:
        try:
            numerator = self._read(self.numerator, "Số đạt")
            denominator = self._read(self.denominator, "Tổng số")
        except ValidationError:
            return False
        if (numerator is None) != (denominator is None):
            missing = self.denominator if denominator is None else self.numerator
            missing.errors.append("Cần nhập cả số đạt và tổng số để tính tỷ lệ.")
            return False
        if denominator == 0:
            self.denominator.errors.append("Tổng số phải lớn hơn 0.")
            return False
        if numerator is not None and numerator > denominator:
            self.numerator.errors.append(
                "Số đạt không được lớn hơn tổng số (tỷ lệ không thể vượt 100 %)."
            )
            return False
        self.figures = {"numerator": numerator, "denominator": denominator}
        return True

    def _count(self) -> bool:
        try:
            self.figures = {"quantity": self._read(self.quantity, "Số lượng")}
        except ValidationError:
            return False
        return True


class LinkForm(FlaskForm):
    url = StringField(
        "Đường dẫn (http:// hoặc https://)",
        validators=[Length(max=2000, message="Đường dẫn tối đa 2000 ký tự.")],
    )

    def validate_url(self, field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if not value:
            raise ValidationError("Hãy nhập đường dẫn.")
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValidationError(
                "Chỉ nhận đường dẫn bắt đầu bằng http:// hoặc https://, ví dụ https://sadec.dongthap.gov.vn/..."
            )
        if any(ch.isspace() or ord(ch) < 32 for ch in value):
            raise ValidationError("Đường dẫn không được chứa khoảng trắng.")


class UploadForm(FlaskForm):
    file = FileField("Tệp minh chứng")


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token travels with it."""


class SubmitForm(FlaskForm):
    late_reason = TextAreaField(
        "Giải trình lý do chậm (bắt buộc khi gửi sau hạn)",
        validators=[Length(max=2000, message="Giải trình tối đa 2000 ký tự.")],
    )


class ExtensionForm(FlaskForm):
    reason = TextAreaField(
        "Lý do xin gia hạn",
        validators=[Length(max=2000, message="Lý do tối đa 2000 ký tự.")],
    )
    proposed = StringField("Đề nghị gia hạn đến ngày (dd/mm/yyyy)")

    def validate_reason(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Hãy nêu lý do xin gia hạn.")

    def validate_proposed(self, field) -> None:
        try:
            self.proposed_date = parse_date(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


ASSIGN_NOTE_MAX = 1000


class AssignForm(FlaskForm):
    """Phân công: the head ticks the officers; the due date and note are optional. The ticked
    ids are read here and checked against the unit's people by `assignment.assign`."""

    officers = SelectMultipleField("Cán bộ thực hiện", coerce=str, validate_choice=False)
    due_on = StringField("Hạn nội bộ (dd/mm/yyyy, không bắt buộc)")
    note = TextAreaField(
        "Ghi chú cho cán bộ",
        validators=[Length(max=ASSIGN_NOTE_MAX,
                           message=f"Ghi chú tối đa {ASSIGN_NOTE_MAX} ký tự.")],
    )

    def validate_officers(self, field) -> None:
        self.officer_ids = []
        for raw in field.data or []:
            if not str(raw).isdigit() or len(str(raw)) > 18:
                raise ValidationError("Người được chọn không hợp lệ.")
            self.officer_ids.append(int(raw))

    def validate_due_on(self, field) -> None:
        self.due_date = optional_date(field)


class SignOffReturnForm(FlaskForm):
    """The head returns an item to its officer: what to change is required."""

    comment = TextAreaField(
        "Ý kiến của lãnh đạo đơn vị (nội dung cần sửa)",
        validators=[Length(max=2000, message="Ý kiến tối đa 2000 ký tự.")],
    )

    def validate_comment(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Hãy ghi rõ nội dung cán bộ cần sửa.")


# --- the reviewer's forms ---------------------------------------------------------------------

COMMENT_MAX = 2000


class ReviewForm(FlaskForm):
    verdict = RadioField(
        "Kết quả duyệt",
        choices=[SelectChoice("approve", "Đạt"), SelectChoice("return", "Yêu cầu bổ sung")],
        validators=[InputRequired(message="Hãy chọn «Đạt» hoặc «Yêu cầu bổ sung».")],
        invalid_choice_message="Hãy chọn «Đạt» hoặc «Yêu cầu bổ sung».",
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
        invalid_choice_message="Hãy chọn đồng ý hoặc không đồng ý.",
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
