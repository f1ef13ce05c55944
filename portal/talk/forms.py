"""The message form of an item's conversation; its messages are Vietnamese, shown by the field."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import ValidationError


class MessageForm(FlaskForm):
    body = TextAreaField("Nội dung trao đổi")
    file = FileField("Tệp đính kèm (không bắt buộc)")

    def validate_body(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError("Hãy nhập nội dung trao đổi.")
        limit = current_app.config["MESSAGE_MAX_CHARS"]
        if len(text) > limit:
            raise ValidationError(
                f"Nội dung tối đa {limit:,} ký tự (hiện có {len(text):,}).".replace(",", ".")
            )
        if "\x00" in text:
            raise ValidationError("Nội dung có ký tự không hợp lệ.")


class DeleteMessageForm(FlaskForm):
    """A button: only the CSRF token travels with it."""
