"""The task editor's forms: a task (add, edit) and where to split one. Every message is Vietnamese
and shown beside its field; choices are checked here, not by WTForms' English messages.

A valid form leaves what the task becomes in `values` (the fields `lifecycle.change_task` and
`lifecycle.add_task` take) and `code`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from ...directives import editing as task_actions
from ...formatting import format_date, format_number, parse_date
from ...models import Measure, Section, Task, TaskKind, Unit
from ..fields import StoredLength, clean, required

CODE_MAX, TITLE_MAX, MEASURE_UNIT_MAX, HINT_MAX = 20, 300, 80, 300
TEXT_MAX = 20_000  # a task's words from the letter: a few paragraphs, never pages and pages
TARGET_MAX = Decimal("9999999999.99")  # Numeric(12, 2)


def _code_error(code: str) -> str | None:
    if not code:
        return "Hãy nhập số hiệu nhiệm vụ, ví dụ 1.4."
    if len(code) > CODE_MAX:
        return f"Số hiệu nhiệm vụ tối đa {CODE_MAX} ký tự."
    return None


def _parse_target(text: str) -> Decimal:
    """"90,5", "90.5", "100", "0" as a number; ValueError (Vietnamese) otherwise."""
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 1.234: a thousands separator
        text = text.replace(".", "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError("Chỉ tiêu phải là một số không âm, ví dụ 100 hoặc 90,5.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("Chỉ tiêu phải là một số không âm, ví dụ 100 hoặc 90,5.") from None
    if value > TARGET_MAX or value != value.quantize(Decimal("0.01")):
        raise ValueError("Chỉ tiêu quá lớn hoặc có quá hai chữ số thập phân.")
    return value


class TaskForm(FlaskForm):
    code = StringField("Số hiệu", description="Ví dụ 1.4; không trùng với nhiệm vụ khác của "
                                              "văn bản.")
    section = SelectField("Thuộc mục", validate_choice=False)
    title = StringField("Tên nhiệm vụ", validators=[StoredLength(
        max=TITLE_MAX, message=f"Tên nhiệm vụ tối đa {TITLE_MAX} ký tự.")])
    text = TextAreaField(
        "Nội dung (lời văn bản)",
        validators=[Length(max=TEXT_MAX, message="Nội dung nhiệm vụ tối đa 20.000 ký tự.")],
        description="Câu chữ của văn bản giao nhiệm vụ này, để đơn vị đọc.")
    kind = RadioField("Loại nhiệm vụ", choices=[SelectChoice(k.value, k.label) for k in TaskKind],
                      validate_choice=False)
    measure = SelectField("Cách đo", choices=[SelectChoice("", "— Không đo —")]
                          + [SelectChoice(m.value, m.label) for m in Measure],
                          validate_choice=False,
                          description="Bắt buộc với nhiệm vụ số liệu; bỏ qua với loại khác.")
    measure_unit = StringField("Đơn vị tính", validators=[StoredLength(
        max=MEASURE_UNIT_MAX, message=f"Đơn vị tính tối đa {MEASURE_UNIT_MAX} ký tự.")],
        description="Ví dụ: hồ sơ, thư xin lỗi, văn bản.")
    target = StringField("Chỉ tiêu", description="Một số, ví dụ 100 hoặc 90,5; để trống nếu "
                                                 "không có chỉ tiêu.")
    target_at_most = BooleanField("Không được vượt quá chỉ tiêu (ví dụ: hồ sơ trễ hạn còn lại "
                                  "tối đa 0); bỏ chọn nếu cần đạt ít nhất chỉ tiêu")
    evidence_hint = StringField("Tài liệu kiểm chứng gợi ý", validators=[StoredLength(
        max=HINT_MAX, message=f"Gợi ý tài liệu kiểm chứng tối đa {HINT_MAX} ký tự.")])
    deadline = StringField("Hạn hoàn thành", description="Dạng dd/mm/yyyy, ví dụ 30/06/2023; "
                                                         "để trống nếu không có hạn.")
    audience = RadioField("Đơn vị thực hiện", choices=[
        SelectChoice(value, label) for value, label in task_actions.AUDIENCE_CHOICES],
        validate_choice=False)
    units = SelectMultipleField("Các đơn vị được chọn", validate_choice=False)
    lead_unit = SelectField("Đơn vị chủ trì", validate_choice=False,
                            description="Không bắt buộc. Kết quả của đơn vị chủ trì được tính "
                                        "hoàn thành; các đơn vị khác nhận nhiệm vụ là đơn vị "
                                        "phối hợp. Đơn vị chủ trì luôn nhận nhiệm vụ, kể cả khi "
                                        "không thuộc đối tượng ở trên.")

    def __init__(self, *args, directive, sections: list[Section], units: list[Unit],
                 task: Task | None = None, **kwargs):
        if task is not None and "data" not in kwargs:
            kwargs["data"] = self.data_of(task, units)
        super().__init__(*args, **kwargs)
        self.directive, self.task = directive, task
        self.sections, self.active_units = sections, units
        self.section.choices = [SelectChoice("", "— Không thuộc mục nào —")] + [
            SelectChoice(str(s.id), f"Mục {s.number}. {_short(s.heading)}") for s in sections]
        lead_units = list(units)
        if task is not None and task.lead_unit_id and task.lead_unit is not None \
                and all(u.id != task.lead_unit_id for u in units):
            lead_units.append(task.lead_unit)  # inactive now, still shown as it is
        self.lead_unit.choices = [SelectChoice("", "— Không có đơn vị chủ trì —")] + [
            SelectChoice(str(u.id), u.name if u in units else f"{u.name} (ngừng hoạt động)")
            for _, group in task_actions.units_by_kind(lead_units) for u in group]
        self.units.choices = [SelectChoice(str(u.id), u.name) for u in units]
        self.code_value = ""
        self.values: dict = {}
        # The stored rule the chooser cannot show ("unmatched"), shown beside it until replaced.
        self.original_rule = task.audience if task is not None else ""

    @staticmethod
    def data_of(task: Task, units: list[Unit]) -> dict:
        """A task as the form's fields show it."""
        mode = task_actions.audience_mode(task.audience)
        return {
            "code": task.code,
            "section": str(task.section_id or ""),
            "title": task.title,
            "text": task.text,
            "kind": task.kind.value,
            "measure": task.measure.value if task.measure else "",
            "measure_unit": task.measure_unit,
            "target": format_number(task.target) if task.target is not None else "",
            "target_at_most": task.target_at_most,
            "evidence_hint": task.evidence_hint,
            "deadline": format_date(task.deadline),
            "audience": mode,
            "units": [str(i) for i in sorted(task_actions.audience_unit_ids(task.audience,
                                                                             units))]
            if mode == "units" else [],
            "lead_unit": str(task.lead_unit_id or ""),
        }

    @property
    def unmatched(self) -> bool:
        """The stored rule is one the chooser cannot show: the editor must pick one."""
        return bool(self.original_rule) and not task_actions.audience_mode(self.original_rule)

    @property
    def ticked(self) -> set[str]:
        return set(self.units.data or [])

    # --- field checks ---

    def validate_code(self, field) -> None:
        code = clean(field.data)
        field.data = code
        message = _code_error(code)
        if message:
            raise ValidationError(message)
        taken = {t.code for t in task_actions.lifecycle.tasks_of(self.directive)
                 if self.task is None or t.id != self.task.id}
        if code in taken:
            raise ValidationError(f"Đã có nhiệm vụ mang số «{code}» trong văn bản này.")
        self.code_value = code

    def validate_section(self, field) -> None:
        if field.data and field.data not in {str(s.id) for s in self.sections}:
            raise ValidationError("Mục không có trong văn bản này.")

    def validate_title(self, field) -> None:
        required(field, "Hãy nhập tên nhiệm vụ.")

    def validate_kind(self, field) -> None:
        if field.data not in TaskKind._value2member_map_:
            raise ValidationError("Hãy chọn loại nhiệm vụ.")

    def validate_measure(self, field) -> None:
        if field.data and field.data not in Measure._value2member_map_:
            raise ValidationError("Cách đo không hợp lệ.")
        if self.kind.data == TaskKind.METRIC.value and not field.data:
            raise ValidationError("Nhiệm vụ số liệu cần chọn cách đo: tỷ lệ (%) hay số lượng.")

    def validate_target(self, field) -> None:
        text = (field.data or "").strip()
        field.data = text
        if not text:
            return
        try:
            value = _parse_target(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if self.measure.data == "percent" and value > 100:
            raise ValidationError("Chỉ tiêu tỷ lệ không quá 100 (%).")

    def validate_deadline(self, field) -> None:
        text = (field.data or "").strip()
        field.data = text
        if text:
            try:
                parse_date(text)
            except ValueError as error:
                raise ValidationError(str(error)) from None

    def validate_audience(self, field) -> None:
        check_audience(field.data, self.ticked, self.active_units,
                       "Văn bản chưa xác định được đơn vị thực hiện nhiệm vụ này; hãy chọn đơn "
                       "vị thực hiện." if self.unmatched else "Hãy chọn đơn vị thực hiện.")

    def validate_lead_unit(self, field) -> None:
        offered = {choice.value for choice in self.lead_unit.choices if choice.value}
        if field.data and field.data not in offered:
            raise ValidationError("Đơn vị chủ trì không có hoặc đã ngừng hoạt động.")

    # --- the result ---

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.values = self._values()
        return True

    def _rule(self) -> str:
        chosen = self.audience.data
        if chosen != "units":
            return chosen
        ids = {int(i) for i in self.ticked}
        # The same units as the stored rule: keep its wording (unit:<name> from the letter).
        if self.original_rule and task_actions.audience_mode(self.original_rule) == "units" \
                and task_actions.audience_unit_ids(self.original_rule, self.active_units) == ids:
            return self.original_rule
        return task_actions.units_rule(ids)

    def _values(self) -> dict:
        kind = TaskKind(self.kind.data)
        metric = kind is TaskKind.METRIC
        return {
            "section_id": int(self.section.data) if self.section.data else None,
            "title": self.title.data,
            "text": (self.text.data or "").strip().replace("\r\n", "\n"),
            "kind": kind,
            "measure": Measure(self.measure.data) if metric else None,
            "measure_unit": clean(self.measure_unit.data) if metric else "",
            "target": _parse_target(self.target.data) if metric and self.target.data else None,
            "target_at_most": bool(self.target_at_most.data) if metric else False,
            "evidence_hint": clean(self.evidence_hint.data),
            "deadline": parse_date(self.deadline.data) if self.deadline.data else None,
            "audience": self._rule(),
            "lead_unit_id": int(self.lead_unit.data) if self.lead_unit.data else None,
        }


def check_audience(choice: str | None, ticked: set[str], units: list[Unit],
                   none_chosen: str) -> None:
    """The audience chooser's answer: one of its choices, and for "units" the ticked units,
    all active."""
    if choice not in {value for value, _ in task_actions.AUDIENCE_CHOICES}:
        raise ValidationError(none_chosen)
    if choice == "units":
        if not ticked:
            raise ValidationError("Hãy đánh dấu ít nhất một đơn vị trong danh sách.")
        if not ticked <= {str(u.id) for u in units}:
            raise ValidationError("Có đơn vị được chọn không có hoặc đã ngừng hoạt động.")


class AudienceForm(FlaskForm):
    """One audience for several tasks of a draft that the importer could not place."""

    tasks = SelectMultipleField("Nhiệm vụ chưa xác định đơn vị", validate_choice=False)
    audience = RadioField("Đơn vị thực hiện", choices=[
        SelectChoice(value, label) for value, label in task_actions.AUDIENCE_CHOICES],
        validate_choice=False)
    units = SelectMultipleField("Các đơn vị được chọn", validate_choice=False)

    def __init__(self, *args, waiting: list[Task], units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.waiting, self.active_units = waiting, units
        self.units.choices = [SelectChoice(str(u.id), u.name) for u in units]
        self.chosen: list[Task] = []
        self.rule = ""

    @property
    def ticked(self) -> set[str]:
        return set(self.units.data or [])

    @property
    def marked(self) -> set[str]:
        return set(self.tasks.data or [])

    def validate_tasks(self, field) -> None:
        if not self.waiting:
            raise ValidationError("Văn bản không còn nhiệm vụ nào chưa xác định đơn vị thực "
                                  "hiện.")
        if not self.marked:
            raise ValidationError("Hãy đánh dấu ít nhất một nhiệm vụ.")
        if not self.marked <= {str(task.id) for task in self.waiting}:
            raise ValidationError("Có nhiệm vụ đã được chọn đơn vị hoặc không còn trong văn "
                                  "bản; hãy tải lại trang rồi chọn lại.")
        self.chosen = [task for task in self.waiting if str(task.id) in self.marked]

    def validate_audience(self, field) -> None:
        check_audience(field.data, self.ticked, self.active_units,
                       "Hãy chọn đơn vị thực hiện cho các nhiệm vụ đã đánh dấu.")
        self.rule = field.data if field.data != "units" else task_actions.units_rule(
            {int(i) for i in self.ticked})


class SplitForm(FlaskForm):
    """Where to cut a task's text, and the two tasks' codes and titles."""

    at = RadioField("Tách sau câu", validate_choice=False, coerce=str)
    title = StringField("Tên nhiệm vụ thứ nhất (giữ số hiệu cũ)", validators=[StoredLength(
        max=TITLE_MAX, message=f"Tên nhiệm vụ tối đa {TITLE_MAX} ký tự.")])
    new_code = StringField("Số hiệu nhiệm vụ thứ hai")
    new_title = StringField("Tên nhiệm vụ thứ hai", validators=[StoredLength(
        max=TITLE_MAX, message=f"Tên nhiệm vụ tối đa {TITLE_MAX} ký tự.")])

    def __init__(self, *args, task: Task, directive, **kwargs):
        super().__init__(*args, **kwargs)
        self.task, self.directive = task, directive
        self.pieces = task_actions.pieces_of(task.text)
        self.at.choices = [SelectChoice(str(i), piece.text)
                           for i, piece in enumerate(self.pieces[:-1], start=1)]
        self.at_value = 0

    def validate_at(self, field) -> None:
        if len(self.pieces) < 2:
            raise ValidationError("Nội dung nhiệm vụ chưa có hoặc chỉ có một câu; không có chỗ "
                                  "để tách. Hãy thêm nhiệm vụ mới thay vì tách.")
        if field.data not in {choice.value for choice in self.at.choices}:
            raise ValidationError("Hãy chọn câu mà nhiệm vụ thứ nhất kết thúc ở đó.")
        self.at_value = int(field.data)

    def validate_title(self, field) -> None:
        required(field, "Hãy nhập tên nhiệm vụ thứ nhất.")

    def validate_new_title(self, field) -> None:
        required(field, "Hãy nhập tên nhiệm vụ thứ hai.")

    def validate_new_code(self, field) -> None:
        code = clean(field.data)
        field.data = code
        message = _code_error(code)
        if message:
            raise ValidationError(message)
        if code in {t.code for t in task_actions.lifecycle.tasks_of(self.directive)}:
            raise ValidationError(f"Đã có nhiệm vụ mang số «{code}» trong văn bản này.")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
