"""What the importer makes: a `Draft` of a directive, its sections by addressee (`DraftSection`)
and their tasks (`DraftTask`). The header and body stages fill it in; `Draft.to_yaml` writes it as
the YAML that `load_directive` reads, and `Draft.summary` tells a person what was found.

A draft keeps what the importer could not decide instead of guessing: a section whose addressees
matched no unit has no audience (written "unmatched", which blocks loading), and every inference
is written in its task's or section's `notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import yaml

AUDIENCE_LABELS = {
    "all": "mọi đơn vị",
    "inspected": "đơn vị được kiểm tra",
    "not_inspected": "đơn vị chưa được kiểm tra",
    "kind:office": "các phòng chuyên môn",
    "kind:service": "các đơn vị sự nghiệp công lập",
    "kind:commune": "các xã, phường",
}
KIND_LABELS = {"action": "thực hiện", "document": "văn bản", "report": "báo cáo",
               "metric": "số liệu"}


@dataclass
class DraftTask:
    code: str
    title: str
    text: str
    kind: str = "action"  # action | document | report | metric
    measure: str | None = None  # percent | count, for metric tasks
    measure_unit: str = ""
    target: float | int | None = None
    audience: str | None = None  # None: the section's
    deadline: date | None = None
    deadline_text: str = ""  # the letter's words for the deadline
    notes: list[str] = field(default_factory=list)


@dataclass
class DraftSection:
    number: str
    heading: str
    label: str = ""  # the letter's own numbering ("1.", "II.", "a)"), "" when none
    audience: str | None = None  # one rule load_directive reads; None when unresolved
    matched: list[str] = field(default_factory=list)  # every rule the heading matched
    unmatched: list[str] = field(default_factory=list)  # addressees found in no unit
    tasks: list[DraftTask] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def audience_of(self, task: DraftTask) -> str | None:
        return task.audience or self.audience


@dataclass
class Draft:
    issuer: str = ""
    number: str = ""  # "123/UBND-HC"; "" when the letter leaves the number blank
    number_symbol: str = ""  # "UBND-HC", kept even when the number is blank
    place: str = ""
    day: int | None = None
    month: int | None = None
    year: int | None = None
    issued_on: date | None = None  # only when day, month and year are all there
    date_line: str = ""
    subject: str = ""  # "V/v …", wrapped lines joined
    title: str = ""
    signer: str = ""
    signer_title: str = ""
    recipients: list[str] = field(default_factory=list)
    sections: list[DraftSection] = field(default_factory=list)
    full_text: str = ""
    warnings: list[str] = field(default_factory=list)
    # the passages the importer read as no task (no unit named, no order given) or could not
    # read as one, whole, in the letter's order: quoted in `warnings` too, kept here for the
    # editor to add by hand
    set_aside: list[str] = field(default_factory=list)
    # of those, the sentences that give a unit of the portal an order in a shape the importer
    # does not read yet (an order, not a passage that orders nothing)
    unread: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> list[DraftTask]:
        return [task for section in self.sections for task in section.tasks]

    @property
    def unmatched(self) -> list[str]:
        return [text for section in self.sections for text in section.unmatched]

    def to_dict(self, slug: str) -> dict:
        """The directive as `load_directive` reads it, with the importer's findings as extra
        keys (`unmatched`, `notes`, …) that the loader ignores."""
        data: dict = {
            "slug": slug,
            "number": self.number,
            "number_symbol": self.number_symbol,
            "issuer": self.issuer,
            "date_line": self.date_line,
            "issued_on": self.issued_on,
            "year": self.year,
            "subject": self.subject,
            "title": self.title,
            "signer": self.signer,
            "signer_title": self.signer_title,
            "recipients": list(self.recipients),
            "inspected": [],
            "sections": [],
        }
        for section in self.sections:
            entry: dict = {
                "number": section.number,
                "heading": section.heading,
                "audience": section.audience or "unmatched",
            }
            if section.unmatched:
                entry["unmatched"] = list(section.unmatched)
            if section.audience is None and section.matched:
                entry["matched"] = list(section.matched)
            if section.notes:
                entry["notes"] = list(section.notes)
            entry["tasks"] = [_task_dict(task) for task in section.tasks]
            data["sections"].append(entry)
        data["full_text"] = self.full_text
        return data

    def to_yaml(self, slug: str) -> str:
        header = [
            f"# Bản nháp nhập tự động từ công văn: {self.subject or '(không rõ trích yếu)'}",
            "# Cần rà soát trước khi nạp (flask --app portal load-directive TỆP).",
            "# audience: all | inspected | not_inspected | kind:<office|service|commune> | "
            "unit:<tên đơn vị>",
            "# «unmatched» nghĩa là chưa khớp được đơn vị nào: phải chọn đối tượng rồi mới nạp.",
        ]
        header += [f"# Cảnh báo: {warning}" for warning in self.warnings]
        body = yaml.safe_dump(self.to_dict(slug), allow_unicode=True, sort_keys=False,
                              width=100, default_flow_style=False)
        return "\n".join(header) + "\n" + body

    def summary(self) -> str:
        """What the importer found, for a person to check (Vietnamese, plain text)."""
        number = self.number or (f"(để trống)/{self.number_symbol}" if self.number_symbol
                                 else "(không có)")
        if self.issued_on:
            when = self.issued_on.strftime("%d/%m/%Y")
        else:
            when = " ".join(
                part for part in (
                    f"ngày {self.day}" if self.day else "ngày (để trống)",
                    f"tháng {self.month}" if self.month else "",
                    f"năm {self.year}" if self.year else "",
                ) if part
            ) if (self.month or self.year) else "(không có)"
        lines = [
            f"Văn bản: {self.subject or '(không rõ trích yếu)'}",
            f"Cơ quan ban hành: {self.issuer or '(không rõ)'}",
            f"Số: {number} · Nơi ban hành: {self.place or '(không rõ)'} · Ngày: {when}",
            f"Người ký: {self.signer or '(không rõ)'}"
            + (f" ({self.signer_title})" if self.signer_title else ""),
            f"Kính gửi: {'; '.join(self.recipients) if self.recipients else '(không có)'}",
            f"{len(self.sections)} mục, {len(self.tasks)} nhiệm vụ.",
        ]
        for section in self.sections:
            lines.append("")
            lines.append(f"Mục {section.number}. {section.heading}")
            lines.append(f"  Đối tượng: {describe_audience(section.audience)}")
            if section.matched and section.audience is None:
                lines.append(f"  Khớp được: {', '.join(section.matched)}")
            for text in section.unmatched:
                lines.append(f"  ⚠ Chưa khớp đơn vị: {text}")
            for note in section.notes:
                lines.append(f"  ({note})")
            for task in section.tasks:
                parts = [f"  {task.code}", f"[{KIND_LABELS.get(task.kind, task.kind)}"
                         + (f", {'%' if task.measure == 'percent' else 'số lượng'}"
                            if task.measure else "") + "]"]
                if task.deadline:
                    parts.append(f"hạn {task.deadline.strftime('%d/%m/%Y')}")
                if task.audience:
                    parts.append(f"→ {describe_audience(task.audience)}")
                lines.append(" ".join(parts) + f" — {task.title}")
        if self.warnings:
            lines.append("")
            lines += [f"⚠ {warning}" for warning in self.warnings]
        return "\n".join(lines)


def describe_audience(rule: str | None) -> str:
    if rule is None:
        return "CHƯA XÁC ĐỊNH (unmatched)"
    if rule in AUDIENCE_LABELS:
        return f"{AUDIENCE_LABELS[rule]} ({rule})"
    return rule


def _task_dict(task: DraftTask) -> dict:
    entry: dict = {"code": task.code, "title": task.title, "kind": task.kind}
    if task.kind == "metric":
        entry["measure"] = task.measure or "count"
        if task.measure_unit:
            entry["measure_unit"] = task.measure_unit
        entry["target"] = task.target
    if task.audience:
        entry["audience"] = task.audience
    if task.deadline:
        entry["deadline"] = task.deadline
    entry["text"] = task.text
    if task.notes:
        entry["notes"] = list(task.notes)
    return entry
