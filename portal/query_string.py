"""Numbers read from a query string (a filter's id, a page number), checked like the ids in a
path (`IdConverter`): ASCII digits only and within ID_MAX, so that no value a user can type
reaches int() or the database as something they cannot take (5,000 digits, a number SQLite cannot
compare, digits of another script). A value that is not such a number is no value: the caller
ignores the filter or answers 404."""

from __future__ import annotations

from collections.abc import Mapping

from .models import ID_MAX

_DIGITS = len(str(ID_MAX))


def number(args: Mapping[str, str], name: str, *, low: int = 1, high: int = ID_MAX) -> int | None:
    """args[name] as an int from `low` to `high`; None when it is absent or anything else."""
    text = args.get(name) or ""
    if not (text.isascii() and text.isdecimal() and len(text) <= _DIGITS):
        return None
    value = int(text)
    return value if low <= value <= high else None
