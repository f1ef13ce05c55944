"""Whom a task reaches. A task's audience is a rule, so that any letter can say whom it
addresses: ``all``, ``inspected``, ``not_inspected``, ``kind:<office|service|commune>``,
``unit:<name>`` or, as the editor writes it, ``units:<id>,<id>,…``. `resolve_audience` gives the
units a rule reaches; the loader, `lifecycle` and the task editor all read rules through it, so a
rule means the same wherever it is written, and one it cannot read is refused with a
`DirectiveFileError` that says why.
"""

from __future__ import annotations

from ..models import Unit, UnitKind


class DirectiveFileError(ValueError):
    """The directive file cannot be loaded as it is; the message says where and why."""


def resolve_audience(rule: str, units: list[Unit], inspected_ids: set[int]) -> list[Unit]:
    """The units a rule reaches, among `units`."""
    rule = rule.strip()
    if rule == "all":
        return list(units)
    if rule == "inspected":
        return [u for u in units if u.id in inspected_ids]
    if rule == "not_inspected":
        return [u for u in units if u.id not in inspected_ids]
    prefix, _, value = rule.partition(":")
    if prefix == "kind":
        try:
            kind = UnitKind(value.strip())
        except ValueError:
            raise DirectiveFileError(f"Loại đơn vị không hợp lệ trong «{rule}».") from None
        return [u for u in units if u.kind is kind]
    if prefix == "unit":
        matches = [u for u in units if u.name == value.strip()]
        if not matches:
            raise DirectiveFileError(f"Không có đơn vị tên «{value.strip()}» (trong «{rule}»).")
        return matches
    if prefix == "units":
        try:
            wanted = {int(part) for part in value.split(",") if part.strip()}
        except ValueError:
            raise DirectiveFileError(f"Danh sách đơn vị không hợp lệ «{rule}».") from None
        return [u for u in units if u.id in wanted]
    if rule == "unmatched":
        raise DirectiveFileError("Chưa xác định đơn vị thực hiện.")
    raise DirectiveFileError(f"Không hiểu đối tượng thực hiện «{rule}».")
