"""Login and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    username = StringField(
        "Tên đăng nhập",
        validators=[DataRequired(message="Hãy nhập tên đăng nhập."), Length(max=80)],
    )
    password = PasswordField(
        "Mật khẩu", validators=[DataRequired(message="Hãy nhập mật khẩu."), Length(max=200)]
    )
    remember = BooleanField("Ghi nhớ đăng nhập trên máy này")
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired(message="Hãy nhập mật khẩu hiện tại.")]
    )
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
