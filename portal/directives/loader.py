"""Directives as data: a YAML file per letter and the loader that turns it into tasks and one
progress record for every unit each task reaches.

A task's audience is a rule (`audience.resolve_audience`); a task without one takes its
section's. A task may name a lead unit (``lead: <name>``): the others it reaches support it.

Progress records are never written here directly: `lifecycle.sync_progress` makes the records
match the audiences, for a new directive and after every change to a published one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from sqlalchemy import select

from ..extensions import db
from ..models import (
    Directive,
    Inspection,
    Measure,
    Section,
    Task,
    TaskKind,
    Unit,
)
from .audience import DirectiveFileError, resolve_audience
from .lifecycle import publish

DIRECTIVES_DIR = Path(__file__).parent
SA_DEC_2023 = DIRECTIVES_DIR / "sa-dec-2023-cchc.yaml"


def load_directive(path: Path) -> Directive:
    """Add the directive in `path` with its sections, tasks and progress records (not committed)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DirectiveFileError(f"Không đọc được tệp {path}: {error}") from error
    if not isinstance(data, dict):
        raise DirectiveFileError(f"{path}: không phải tệp văn bản chỉ đạo (YAML).")

    slug = _required(data, "slug", "văn bản")
    if db.session.scalar(select(Directive.id).where(Directive.slug == slug)):
        raise DirectiveFileError(f"Văn bản «{slug}» đã có trong hệ thống.")

    full_text = data.get("full_text", "")
    if data.get("full_text_file"):
        full_text = (Path(path).parent / data["full_text_file"]).read_text(encoding="utf-8")

    directive = Directive(
        slug=slug,
        number=data.get("number") or "",
        issuer=data.get("issuer", ""),
        date_line=data.get("date_line", ""),
        issued_on=_date(data.get("issued_on"), "issued_on"),
        year=int(_required(data, "year", "văn bản")),
        subject=data.get("subject", ""),
        title=_required(data, "title", "văn bản"),
        signer=data.get("signer", ""),
        signer_title=data.get("signer_title", ""),
        full_text=full_text,
    )
    db.session.add(directive)
    db.session.flush()

    units = db.session.scalars(select(Unit).where(Unit.active)).all()
    inspected = _resolve_many(data.get("inspected") or [], units, set())
    for unit in inspected:
        db.session.add(Inspection(directive_id=directive.id, unit_id=unit.id))
    inspected_ids = {unit.id for unit in inspected}

    position = 0
    by_name = {unit.name: unit for unit in units}
    for section_position, section_data in enumerate(data.get("sections") or []):
        section = Section(
            directive_id=directive.id,
            number=str(_required(section_data, "number", "mục")),
            heading=section_data.get("heading", ""),
            position=section_position,
        )
        db.session.add(section)
        db.session.flush()
        for task_data in section_data.get("tasks") or []:
            position += 1
            audience = task_data.get("audience") or section_data.get("audience") or "all"
            resolve_audience(audience, units, inspected_ids)  # refuses a rule it cannot read
            task = _task(task_data, directive, section, audience, position)
            lead = task_data.get("lead")
            if lead:
                if lead not in by_name:
                    raise DirectiveFileError(f"Nhiệm vụ {task.code}: không có đơn vị chủ trì "
                                             f"tên «{lead}».")
                task.lead_unit_id = by_name[lead].id
            db.session.add(task)
    db.session.flush()

    publish(directive, audit=False, check=False)
    return directive


def _resolve_many(entries: list[str], units: list[Unit], inspected_ids: set[int]) -> list[Unit]:
    found: dict[int, Unit] = {}
    for entry in entries:
        rule = entry if ":" in entry or entry in ("all",) else f"unit:{entry}"
        for unit in resolve_audience(rule, units, inspected_ids):
            found[unit.id] = unit
    return list(found.values())


def _task(data: dict, directive: Directive, section: Section, audience: str, position: int) -> Task:
    code = str(_required(data, "code", "nhiệm vụ"))
    try:
        kind = TaskKind(data.get("kind", "action"))
        measure = Measure(data["measure"]) if data.get("measure") else None
    except ValueError as error:
        raise DirectiveFileError(f"Nhiệm vụ {code}: {error}") from None
    if kind is TaskKind.METRIC and measure is None:
        raise DirectiveFileError(f"Nhiệm vụ {code} là số liệu nhưng thiếu «measure».")
    target = data.get("target")
    try:
        target = Decimal(str(target)) if target is not None else None
    except InvalidOperation:
        raise DirectiveFileError(f"Nhiệm vụ {code}: chỉ tiêu «{target}» không phải số.") from None
    return Task(
        directive_id=directive.id,
        section_id=section.id,
        code=code,
        title=_required(data, "title", f"nhiệm vụ {code}"),
        text=data.get("text", ""),
        kind=kind,
        measure=measure,
        measure_unit=data.get("measure_unit", ""),
        target=target,
        target_at_most=bool(data.get("target_at_most", False)),
        evidence_hint=data.get("evidence_hint", ""),
        deadline=_date(data.get("deadline"), f"hạn của nhiệm vụ {code}"),
        position=position,
        audience=audience,
    )


def _required(data: dict, key: str, where: str):
    value = data.get(key)
    if value in (None, ""):
        raise DirectiveFileError(f"Thiếu «{key}» ở {where}.")
    return value


def _date(value, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DirectiveFileError(f"Ngày không hợp lệ ({where}): «{value}».") from None
