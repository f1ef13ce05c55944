"""The audit log's filters, read from the query string: a person (user name), a unit, a
directive, a kind of event, a period (dd/mm/yyyy, the city's days). A value that is not one the
page offers gets a Vietnamese message beside its field; nothing is filtered on it."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ...formatting import parse_date
from ...models import ID_MAX
from ..fields import clean

# The longest user name an event can carry (AuditEvent.username).
USERNAME_MAX = 80


@dataclass(frozen=True)
class Filters:
    """What the events must match; None (or "") where the filter is not set."""

    username: str = ""
    unit_id: int | None = None
    directive_id: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def any(self) -> bool:
        return any((self.username, self.unit_id, self.directive_id, self.action, self.since,
                    self.until))

    def args(self) -> dict:
        """The filters as the query string that selects them again (paging, export)."""
        values = {"user": self.username, "unit": self.unit_id, "directive": self.directive_id,
                  "action": self.action,
                  "since": self.since.strftime("%d/%m/%Y") if self.since else None,
                  "until": self.until.strftime("%d/%m/%Y") if self.until else None}
        return {name: value for name, value in values.items() if value}


def query_id(text: str) -> int | None:
    """An id as the page's lists offer it, or None: never an integer past the database's."""
    text = (text or "").strip()
    if not (text.isdecimal() and text.isascii() and len(text) <= 19) or int(text) > ID_MAX:
        return None
    return int(text)


class AuditFilterForm(FlaskForm):
    """The filter form above the log (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    user = StringField("Người thực hiện (tên đăng nhập)")
    unit = SelectField("Đơn vị", validate_choice=False)
    directive = SelectField("Văn bản chỉ đạo", validate_choice=False)
    action = SelectField("Loại sự kiện", validate_choice=False)
    since = StringField("Từ ngày", description="dd/mm/yyyy")
    until = StringField("Đến ngày", description="dd/mm/yyyy")

    def __init__(self, *args, units: list[tuple[str, str]], directives: list[tuple[str, str]],
                 actions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for field, everything, offered in ((self.unit, "Mọi đơn vị", units),
                                           (self.directive, "Mọi văn bản", directives),
                                           (self.action, "Mọi loại sự kiện", actions)):
            field.choices = [SelectChoice(value, label)
                             for value, label in [("", everything), *offered]]
        self.filters = Filters()

    def validate_user(self, field) -> None:
        field.data = clean(field.data)
        if len(field.data) > USERNAME_MAX:
            raise ValidationError(f"Tên đăng nhập tối đa {USERNAME_MAX} ký tự.")

    @staticmethod
    def _offered(field, message: str) -> None:
        field.data = (field.data or "").strip()
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(message)

    def validate_unit(self, field) -> None:
        self._offered(field, "Không có đơn vị này; hãy chọn trong danh sách.")

    def validate_directive(self, field) -> None:
        self._offered(field, "Không có văn bản này; hãy chọn trong danh sách.")

    def validate_action(self, field) -> None:
        self._offered(field, "Không có loại sự kiện này; hãy chọn trong danh sách.")

    @staticmethod
    def _day(field) -> date | None:
        field.data = (field.data or "").strip()
        if not field.data:
            return None
        try:
            return parse_date(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_since(self, field) -> None:
        self._day(field)

    def validate_until(self, field) -> None:
        until = self._day(field)
        since = None
        with suppress(ValueError):  # a wrong "Từ ngày" has its own message
            since = parse_date(self.since.data) if self.since.data else None
        if since and until and until < since:
            raise ValidationError("«Đến ngày» phải cùng ngày hoặc sau «Từ ngày».")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid:
            self.filters = Filters(
                username=self.user.data or "",
                unit_id=query_id(self.unit.data),
                directive_id=query_id(self.directive.data),
                action=self.action.data or "",
                since=parse_date(self.since.data) if self.since.data else None,
                until=parse_date(self.until.data) if self.until.data else None,
            )
        return valid
