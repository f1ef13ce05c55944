"""A unit's own checklist with its evidence, as one ZIP: each file named after its task's code
("1.1 - Báo cáo.pdf"), the links in "Liên kết.txt", the items in "Danh sách nhiệm vụ.csv" (in the
form `portal.sheets` gives every CSV: ";"-separated for Excel on a Vietnamese-format PC, and no
note a unit typed ever runs as a formula on the reader's PC)."""

from __future__ import annotations

import zipfile
from datetime import date
from typing import IO

from ..deadlines import state_of
from ..formatting import format_date
from ..models import Directive, EvidenceKind, Measure, Progress, Unit
from ..sheets import csv_bytes
from ..storage import clean_file_name, path_for

LINKS = "Liên kết.txt"
ITEMS = "Danh sách nhiệm vụ.csv"
# Already compressed: stored as they are, deflating them again only costs time.
STORED = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx")


def archive_name(directive: Directive, unit: Unit, on: date) -> str:
    return f"{unit.name} - {directive.slug} - {on.strftime('%d-%m-%Y')}.zip"


def _unique(name: str, taken: set[str]) -> str:
    """"1.1 - Báo cáo.pdf", then "1.1 - Báo cáo (2).pdf" for a second file of the same name."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem} ({number}){dot}{extension}"
    taken.add(candidate.lower())
    return candidate


def write_zip(directive: Directive, unit: Unit, items: list[Progress], on: date,
              out: IO[bytes]) -> None:
    """Every item's files, its links and the list of items, written to `out`."""
    taken = {LINKS.lower(), ITEMS.lower()}
    links = [f"{unit.name} · {directive.title}", f"Tài liệu kiểm chứng dạng liên kết, ngày "
             f"{format_date(on)}", ""]
    missing = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            code = item.task.code
            for evidence in item.evidence:
                if evidence.kind is EvidenceKind.LINK:
                    links.append(f"{code} - {evidence.url}")
                    continue
                name = _unique(clean_file_name(f"{code} - {evidence.file_name}") or code, taken)
                path = path_for(evidence.stored_name)
                if not path.is_file():
                    missing.append(f"{code} - {evidence.file_name}")
                    continue
                archive.write(path, name, zipfile.ZIP_STORED if name.lower().endswith(STORED)
                              else zipfile.ZIP_DEFLATED)
        if len(links) == 3:
            links.append("(Không có liên kết nào.)")
        if missing:
            links += ["", "Tệp không còn trên máy chủ (liên hệ Phòng Nội vụ):", *missing]
        archive.writestr(LINKS, "\n".join(links) + "\n")
        archive.writestr(ITEMS, _items_csv(items, on))


ITEMS_HEADER = ["Mã nhiệm vụ", "Nhiệm vụ", "Vai trò", "Hạn", "Trạng thái",
                "Tình trạng so với hạn", "Số liệu", "Đơn vị tính", "Ghi chú",
                "Tài liệu kiểm chứng"]


def _unit_of(item: Progress) -> str:
    """What the figure counts in: "%" for a rate, the task's unit for a count."""
    measure = item.task.measure
    if measure is Measure.PERCENT:
        return "%"
    return item.task.measure_unit if measure is Measure.COUNT else ""


def _items_csv(items: list[Progress], on: date) -> bytes:
    return csv_bytes(ITEMS_HEADER, (
        [item.task.code, item.task.title,
         "Phối hợp (không tính)" if item.supporting else "Thực hiện",
         item.deadline, f"{item.status.symbol} {item.status.label}", state_of(item, on).label,
         item.figure, _unit_of(item), item.note,
         "; ".join(evidence.label for evidence in item.evidence)]
        for item in items))
