"""Login, password and e-mail settings forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..notifications import KINDS
from ..notifications.mail import address_error
from .passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    username = StringField(
        "Tên đăng nhập",
        validators=[DataRequired(message="Hãy nhập tên đăng nhập."),
                    Length(max=80, message="Tên đăng nhập tối đa 80 ký tự.")],
    )
    password = PasswordField(
        "Mật khẩu", validators=[DataRequired(message="Hãy nhập mật khẩu."),
                                Length(max=200, message="Mật khẩu tối đa 200 ký tự.")]
    )
    remember = BooleanField("Ghi nhớ đăng nhập trên máy này")
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    """"Quên mật khẩu": the account's name or its e-mail address."""

    name = StringField(
        "Tên đăng nhập hoặc địa chỉ thư điện tử",
        validators=[DataRequired(message="Hãy nhập tên đăng nhập hoặc địa chỉ thư điện tử."),
                    Length(max=200, message="Tối đa 200 ký tự.")],
    )


class ResetPasswordForm(FlaskForm):
    """A new password, from the link "Quên mật khẩu" sent (and, with the current one, from the
    account's own page: `PasswordForm`)."""

    new = PasswordField(
        "Mật khẩu mới",
        validators=[
            DataRequired(message="Hãy nhập mật khẩu mới."),
            Length(min=MIN_LENGTH, max=200,
                   message=f"Mật khẩu mới cần từ {MIN_LENGTH} đến 200 ký tự."),
        ],
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[EqualTo("new", message="Hai lần nhập mật khẩu mới không khớp.")],
    )


class PasswordForm(ResetPasswordForm):
    current = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired(message="Hãy nhập mật khẩu hiện tại."),
                                         Length(max=200, message="Mật khẩu tối đa 200 ký tự.")]
    )


class MailSettingsForm(FlaskForm):
    """The user's address and the kinds of e-mail they receive, among those of their role."""

    email = StringField("Địa chỉ thư điện tử")
    kinds = SelectMultipleField("Loại thư nhận được", validate_choice=False)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds.choices = [(kind, KINDS[kind].label) for kind in kinds]

    def validate_email(self, field) -> None:
        field.data = (field.data or "").strip()
        message = address_error(field.data)
        if message:
            raise ValidationError(message)

    def validate_kinds(self, field) -> None:
        offered = {value for value, _ in self.kinds.choices}
        if any(kind not in offered for kind in field.data or []):
            raise ValidationError("Có loại thư không hợp lệ; hãy tải lại trang và chọn lại.")
