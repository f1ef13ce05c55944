"""The administration's forms: a unit, an account, a file to import. Every message is Vietnamese
and shown next to its field; choices are checked here, not by WTForms' English messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ... import areas
from ...extensions import db
from ...models import Area, Role, Unit, UnitKind, UnitPosition
from ...notifications.mail import address_error
from ..fields import StoredLength, required
from . import actions


class UnitForm(FlaskForm):
    name = StringField("Tên đơn vị", validators=[StoredLength(
        max=actions.NAME_MAX, message=f"Tên đơn vị tối đa {actions.NAME_MAX} ký tự.")])
    short_name = StringField("Tên viết tắt", validators=[StoredLength(
        max=actions.SHORT_NAME_MAX,
        message=f"Tên viết tắt tối đa {actions.SHORT_NAME_MAX} ký tự.")])
    kind = SelectField("Loại đơn vị", choices=[SelectChoice("", "— Chọn loại đơn vị —")]
                       + [SelectChoice(k.value, k.label) for k in UnitKind], validate_choice=False)
    position = StringField("Thứ tự trong nhóm")
    area = SelectField("Địa bàn", validate_choice=False)

    def __init__(self, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.area.choices = [SelectChoice("", "— Chưa phân địa bàn —")] + [
            SelectChoice(str(node.id), node.label) for node in areas.tree()]
        self.kind_value: UnitKind | None = None
        self.position_value: int | None = None
        self.area_value: Area | None = None

    @property
    def has_areas(self) -> bool:
        """Without areas the form stays as it was: no field to choose one."""
        return len(self.area.choices) > 1

    def validate_area(self, field) -> None:
        offered = {choice.value for choice in self.area.choices if choice.value}
        if field.data and field.data not in offered:
            raise ValidationError("Địa bàn không có trong danh sách.")
        self.area_value = db.session.get(Area, int(field.data)) if field.data else None

    def validate_name(self, field) -> None:
        name = required(field, "Hãy nhập tên đơn vị.")
        if actions.unit_name_taken(name, except_id=self.unit.id if self.unit else None):
            raise ValidationError(f"Đã có đơn vị tên «{name}»; tên đơn vị không được trùng.")

    def validate_kind(self, field) -> None:
        if field.data not in UnitKind._value2member_map_:
            raise ValidationError("Hãy chọn loại đơn vị.")
        self.kind_value = UnitKind(field.data)

    def validate_position(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not text.isdecimal() or len(text) > 6:
            raise ValidationError("Thứ tự là số nguyên từ 0 trở lên, ví dụ 3.")
        self.position_value = int(text)


class AccountForm(FlaskForm):
    """What an account is: who, in which role, of which unit."""

    full_name = StringField("Họ và tên", validators=[StoredLength(
        max=actions.FULL_NAME_MAX, message=f"Họ và tên tối đa {actions.FULL_NAME_MAX} ký tự.")])
    title = StringField("Chức vụ", description="Không bắt buộc; như người đó ký: Chuyên viên, "
                        "Phó Trưởng phòng, Chủ tịch UBND phường…", validators=[StoredLength(
                            max=actions.TITLE_MAX,
                            message=f"Chức vụ tối đa {actions.TITLE_MAX} ký tự.")])
    role = SelectField("Vai trò", choices=[SelectChoice("", "— Chọn vai trò —")]
                       + [SelectChoice(r.value, r.label) for r in Role], validate_choice=False)
    position = SelectField(
        "Vị trí trong đơn vị", validate_choice=False,
        choices=[SelectChoice("", "— Không chọn —")]
        + [SelectChoice(p.value, p.label) for p in UnitPosition],
        description="Với cán bộ đơn vị: lãnh đạo đơn vị (có thể nhiều người, như cấp phó được "
                    "giao) phân công và duyệt trước khi gửi Phòng Nội vụ; không chọn là «Cán "
                    "bộ». Để trống với các vai trò khác.")
    unit = SelectField("Đơn vị", validate_choice=False,
                       description="Bắt buộc với cán bộ đơn vị và Phòng Nội vụ; "
                                   "để trống với lãnh đạo và quản trị.")
    email = StringField("Địa chỉ thư điện tử",
                        description="Không bắt buộc; để nhận thông báo qua thư. Người dùng "
                                    "cũng tự sửa được trong mục Thông báo qua thư.")

    def __init__(self, *args, unit_choices: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = unit_choices
        self.role_value: Role | None = None
        self.unit_value: Unit | None = None
        self.position_value: UnitPosition | None = None

    def validate_full_name(self, field) -> None:
        required(field, "Hãy nhập họ và tên.")

    def validate_role(self, field) -> None:
        if field.data not in Role._value2member_map_:
            raise ValidationError("Hãy chọn vai trò.")
        self.role_value = Role(field.data)

    def validate_position(self, field) -> None:
        if field.data and field.data not in UnitPosition._value2member_map_:
            raise ValidationError("Vị trí trong đơn vị không hợp lệ.")
        position = UnitPosition(field.data) if field.data else None
        if self.role_value is not None:
            message = actions.position_rule_error(self.role_value, position)
            if message:
                raise ValidationError(message)
            self.position_value = actions.position_for(self.role_value, position)

    def validate_email(self, field) -> None:
        field.data = (field.data or "").strip()
        message = address_error(field.data)
        if message:
            raise ValidationError(message)

    def validate_unit(self, field) -> None:
        offered = {choice.value for choice in self.unit.choices if choice.value}
        if field.data and field.data not in offered:
            raise ValidationError("Đơn vị không có hoặc đã ngừng hoạt động.")
        self.unit_value = db.session.get(Unit, int(field.data)) if field.data else None
        if self.role_value is not None:
            message = actions.unit_rule_error(self.role_value, self.unit_value)
            if message:
                raise ValidationError(message)


class NewUserForm(AccountForm):
    username = StringField("Tên đăng nhập")

    def validate_username(self, field) -> None:
        username = (field.data or "").strip().lower()
        field.data = username
        message = actions.username_error(username)
        if message:
            raise ValidationError(message)
        if actions.username_taken(username):
            raise ValidationError(f"Đã có tài khoản «{username}».")


class EditUserForm(AccountForm):
    active = BooleanField("Đang hoạt động (bỏ chọn để khoá tài khoản và đăng xuất ngay)")


class ImportForm(FlaskForm):
    file = FileField("Tệp CSV (UTF-8) hoặc Excel (.xlsx)")
