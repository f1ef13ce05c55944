"""The reminder to units that Phòng Nội vụ sends from the matrix (the reviewer's forms on an
item are in `portal.items.forms`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

REMINDER_MAX = 500


def _short(text: str, limit: int = 60) -> str:
    """A task as an option: its code and the start of its title (the matrix page is weighed)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip(" ,;") + "…"


def _strip(value):
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else value


class RemindForm(FlaskForm):
    """Phòng Nội vụ's reminder from the matrix: whom, and a short message. The units and tasks
    offered are the directive's (`portal.notifications.reminders.remind_targets`)."""

    scope = RadioField(
        "Nhắc ai",
        choices=[SelectChoice("unit", "Một đơn vị"),
                 SelectChoice("task", "Các đơn vị chưa xong một nhiệm vụ"),
                 SelectChoice("overdue", "Mọi đơn vị có nhiệm vụ quá hạn")],
        default="unit",
        validators=[InputRequired(message="Hãy chọn nhắc ai.")],
        invalid_choice_message="Hãy chọn nhắc ai.",
    )
    unit = SelectField("Đơn vị (khi nhắc một đơn vị)", validate_choice=False)
    task = SelectField("Nhiệm vụ (khi nhắc theo nhiệm vụ)", validate_choice=False)
    message = TextAreaField(
        "Lời nhắc",
        filters=[_strip],
        validators=[
            DataRequired(message="Hãy nhập lời nhắc."),
            Length(max=REMINDER_MAX, message=f"Lời nhắc tối đa {REMINDER_MAX} ký tự."),
        ],
    )

    def __init__(self, targets, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice("", "— Chọn đơn vị —")] + [
            SelectChoice(str(unit_id), name, optgroup=kind.label)
            for unit_id, name, kind in targets.units]
        self.task.choices = [SelectChoice("", "— Chọn nhiệm vụ —")] + [
            SelectChoice(str(task_id), _short(f"{code} {title}"))
            for task_id, code, title in targets.tasks]
        self.unit_id: int | None = None
        self.task_id: int | None = None

    def validate_unit(self, field) -> None:
        if self.scope.data == "unit":
            self.unit_id = self._chosen(field, "Hãy chọn đơn vị cần nhắc.",
                                        "Đơn vị này không nhận văn bản này.")

    def validate_task(self, field) -> None:
        if self.scope.data == "task":
            self.task_id = self._chosen(field, "Hãy chọn nhiệm vụ.",
                                        "Nhiệm vụ này không thuộc văn bản này.")

    @staticmethod
    def _chosen(field, missing: str, unknown: str) -> int:
        if not field.data:
            raise ValidationError(missing)
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(unknown)
        return int(field.data)
