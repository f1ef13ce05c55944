"""What every administration form shares: typed text as it is stored (`clean`), a length limit
counted on that text (`StoredLength`), and a field that must not be blank once cleaned
(`required`)."""

from __future__ import annotations

import unicodedata

from wtforms.validators import Length, ValidationError


def clean(text: str | None) -> str:
    """What was typed, composed (NFC: the same letter whatever keyboard typed it), without
    invisible characters and with single spaces: "Phường  An Hoà " and "Phường An Hoà" are one
    name. Invisible means control characters and format marks (zero-width spaces and joiners,
    direction marks and overrides, BOM): kept, "Phường 1\u200b" would pass for a second
    "Phường 1", and an override would turn around the text shown after the name."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join("".join(ch for ch in text if ch.isspace() or unicodedata.category(ch)
                            not in ("Cc", "Cf")).split())


class StoredLength(Length):
    """WTForms' Length (max only), counted on what is stored, the text `clean`ed: composing can
    lengthen what was typed (a few letters, such as "\u0958", compose to two), past the size
    of the column, which PostgreSQL enforces."""

    def __call__(self, form, field) -> None:
        if len(clean(field.data)) > self.max:
            raise ValidationError(self.message)


def required(field, message: str) -> str:
    """The field's text `clean`ed, written back to the field; `message` if nothing is left."""
    value = clean(field.data)
    field.data = value
    if not value:
        raise ValidationError(message)
    return value
