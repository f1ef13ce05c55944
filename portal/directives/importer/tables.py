"""Tables of tasks, as plans give them ("Phân công nhiệm vụ", a "Phụ lục" of tasks): one row per
task with what to do, the unit that leads it, those that help and by when. Each row is written
back as one numbered item the body reads like any other,

    "1. <what to do> (<lead> chủ trì, phối hợp với <partners>; thời hạn: <when>)."

Rows come as files give them: cells separated by tabs (a .docx table, a copied web page) or by
" | ", cells in columns separated by runs of spaces (a PDF's text layer; a cell's wrapped lines
below it, in its column), or one cell to a line under a header of one cell to a line. A row
that names a group ("I", "Công tác tuyên truyền") is written as that group's heading. A table
is recognised by its header: a column of what to do and one of who leads or of when.
"""

from __future__ import annotations

import re

from .text import skeleton

# What each column of a header is, by its words (folded).
_NUMBER = re.compile(r"(?:s\.?\s?tt|tt|so tt|so thu tu)\.?")
_KINDS = (
    # (what was done or is to come out, first: "Kết quả thực hiện" is no one who acts)
    ("product", re.compile(r".*\b(?:san pham|ket qua|hinh thuc)\b")),
    ("partner", re.compile(r".*\bphoi hop\b")),
    ("time", re.compile(r".*\b(?:thoi gian|thoi han|tien do|thoi diem|moc thoi gian)\b|"
                        r"(?:hoan thanh|han hoan thanh)$")),
    ("lead", re.compile(r".*\b(?:chu tri|thuc hien|trach nhiem|phu trach)\b|"
                        r"(?:co quan|don vi|bo phan|nguoi)(?: \w+)?$|phan cong$")),
    ("content", re.compile(r".*\b(?:noi dung|nhiem vu|cong viec|hoat dong|giai phap|"
                           r"ten de an|ten nhiem vu|viec can lam)\b")),
    ("note", re.compile(r".*\bghi chu\b")),
)
_ROW_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:\.[0-9]{1,2})?|[IVX]{1,5}|[a-zđ])[.)]?")
_GROUP_NUMBER = re.compile(r"(?:[IVX]{1,5}|[A-Z])[.)]?")


def _kind(cell: str) -> str | None:
    folded = skeleton(cell).strip(" .:")
    if not folded:
        return None
    if _NUMBER.fullmatch(folded):
        return "number"
    return next((kind for kind, pattern in _KINDS if pattern.match(folded)), None)


def _header(cells: list[str]) -> list[str | None] | None:
    """The kind of each column where the cells are a task table's header, else None."""
    if len(cells) < 3:
        return None
    kinds = [_kind(cell) for cell in cells]
    if "content" not in kinds or not ({"lead", "time"} & set(kinds)) \
            or sum(kind is not None for kind in kinds) < len(cells) - 1:
        return None
    return kinds


def _item(kinds: list[str | None], cells: list[str]) -> str:
    """One row as the item the body reads."""
    row: dict[str, str] = {}
    for kind, cell in zip(kinds, cells, strict=False):
        if kind and kind != "number" and cell.strip():
            row[kind] = (row.get(kind, "") + " " + " ".join(cell.split())).strip()
    number = cells[0].strip().rstrip(".)") if cells else ""
    what = row.get("content", "").rstrip(" .;")
    parts = []
    lead = row.get("lead", "").strip(" .;,")
    partner = row.get("partner", "").strip(" .;,")
    partner = partner[:1].lower() + partner[1:] if partner.startswith("Các ") else partner
    if lead:
        parts.append(f"{lead} chủ trì" + (f", phối hợp với {partner}" if partner else ""))
    elif partner:
        parts.append(f"phối hợp với {partner}")
    when = _when(row.get("time", ""))
    if when:
        parts.append(f"thời hạn: {when}")
    return f"{number}. {what}" + (f" ({'; '.join(parts)})" if parts else "") + "."


def _when(cell: str) -> str:
    """A time cell as the words of a deadline: the end of a range ("Từ tháng 9 đến tháng
    11/2025", "15-20/6/2024"); "Năm 2026" is read as "thời hạn: năm 2026", the year's end."""
    when = " ".join(cell.split()).strip(" .;,")
    folded = skeleton(when)
    end = re.search(r"\bden\s+(?=\S)", folded)
    if end:
        when = when[end.end():]
    when = re.sub(r"^([0-9]{1,2})\s*[-–]\s*([0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?)$", r"\2",
                  when)
    return when


def _group(cells: list[str]) -> bool:
    """Whether a row names a group of tasks ("I | Công tác tuyên truyền | | |")."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    return len(filled) == 2 and bool(_GROUP_NUMBER.fullmatch(filled[0]))


# A table: its header's cells, what each column is, and its rows (each its cells, in the
# header's order), from the line after the header to the line after the table.
Table = tuple[list[str], list[str | None], list[list[str]]]


def _delimited(lines: list[str], start: int, split, header: list[str],
               kinds: list[str | None]) -> tuple[Table, int]:
    """The rows of cells `split` finds from lines[start]: a row opens with its number, a line
    with an empty first cell goes on with the row above (a cell's wrapped lines)."""
    rows: list[list[str]] = []
    position = start
    while position < len(lines):
        line = lines[position]
        if not line.strip():  # a blank line between rows, not after the table's last
            following = next((each for each in lines[position + 1:] if each.strip()), "")
            if following and split(following) is not None:
                position += 1
                continue
        cells = split(line)
        if cells is None:
            break
        position += 1
        cells = [cell.strip() for cell in cells] + [""] * (len(kinds) - len(cells))
        first = cells[0]
        if _group(cells) or _ROW_NUMBER.fullmatch(first):
            rows.append(cells[:len(kinds)])
        elif rows and not first:
            for column, cell in enumerate(cells[:len(kinds)]):
                if cell:
                    rows[-1][column] = (rows[-1][column] + " " + cell).strip()
        # (any other line is a sub-header or text before the first row)
    return (header, kinds, rows), position


def _by_tabs(line: str) -> list[str] | None:
    return line.split("\t") if "\t" in line else None


def _by_pipes(line: str) -> list[str] | None:
    if "|" not in line:
        return None
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _columns(header: str) -> list[int]:
    """Where each column of a header written with runs of spaces starts."""
    return [m.start() for m in re.finditer(r"(?:^|(?<=\s\s))\S", header)]


def _by_spaces(starts: list[int]):
    """Cells of a line by the header's columns: each run of words to the column it starts in
    (a little before the column's start counts: a cell may be shifted)."""
    def split(line: str) -> list[str] | None:
        if not line.strip() or not re.search(r"\S\s{2,}\S", line) and \
                not re.match(r"\s{2,}\S", line):
            return None
        cells = [""] * len(starts)
        for run in re.finditer(r"\S+(?: \S+)*", line):
            column = max((i for i, s in enumerate(starts) if s <= run.start() + 2), default=0)
            cells[column] = (cells[column] + " " + run.group(0)).strip()
        return cells
    return split


def _one_cell_a_line(lines: list[str], start: int) -> tuple[Table, int] | None:
    """A table written one cell to a line: its header's cells ("TT", "Nội dung", "Chủ trì",
    …) each on a line, then each row's cells, its number first."""
    header: list[str] = []
    position = start
    while position < len(lines) and len(header) < 8:
        cell = lines[position].strip()
        position += 1
        if not cell:
            continue
        if header and _kind(cell) in (None, "number"):
            position -= 1
            break
        header.append(cell)
    kinds = _header(header)
    if kinds is None:
        return None
    rows: list[list[str]] = []
    while True:
        cells: list[str] = []
        at = position
        while at < len(lines) and len(cells) < len(kinds):
            if lines[at].strip():
                cells.append(lines[at].strip())
            at += 1
        if len(cells) < len(kinds) or not _ROW_NUMBER.fullmatch(cells[0]):
            break
        rows.append(cells)
        position = at
    return ((header, kinds, rows), position) if rows else None


def _tables(text: str):
    """The text's lines, each either a line of its own or a table of tasks (header and rows)."""
    lines = text.split("\n")
    position = 0
    while position < len(lines):
        line = lines[position]
        found = None
        for split in (_by_tabs, _by_pipes):
            cells = split(line)
            kinds = _header(cells) if cells else None
            if kinds:
                found = _delimited(lines, position + 1, split, [c.strip() for c in cells], kinds)
                break
        if found is None and re.search(r"\S\s{2,}\S", line):
            cells = re.split(r"\s{2,}", line.strip())
            kinds = _header(cells)
            if kinds and len(_columns(line)) == len(cells):
                found = _delimited(lines, position + 1, _by_spaces(_columns(line)), cells,
                                   kinds)
        if found is None and _NUMBER.fullmatch(skeleton(line).strip(" .:")):
            found = _one_cell_a_line(lines, position)
        if found is None or not found[0][2]:
            yield line
            position += 1
            continue
        table, position = found
        yield table


def _rewrite(text: str, render) -> str:
    """The text with each table of tasks written by `render` (its lines for a table)."""
    if "\t" not in text and "|" not in text and "  " not in text and \
            not re.search(r"^\s*S?TT\s*$", text, re.M | re.I):
        return text  # no table can be there
    out: list[str] = []
    for each in _tables(text):
        out.extend([each] if isinstance(each, str) else render(each))
    return "\n".join(out)


def _as_items(table: Table) -> list[str]:
    _, kinds, rows = table
    return [" ".join(cell for cell in cells if cell).strip() if _group(cells)
            else _item(kinds, cells) for cells in rows]


def _as_rows(table: Table) -> list[str]:
    header, _, rows = table
    return [" | ".join(cells) for cells in [header, *rows]]


def rows_as_items(text: str) -> str:
    """The text with each task table's rows written as numbered items (see the module)."""
    return _rewrite(text, _as_items)


def rows_kept(text: str) -> str:
    """The text with each task table one row to a line, its cells apart by " | ": what survives
    the text's normalising (tabs and runs of spaces become one space) and reads again the
    same, for the letter's text shown and edited beside the draft."""
    return _rewrite(text, _as_rows)
