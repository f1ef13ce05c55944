"""The report Phòng Nội vụ sends to the city's leadership (.docx), as a Vietnamese administrative
document (Nghị định 30/2020/NĐ-CP, Phụ lục I; the page and styles are layout.py's): the issuing
body and the national motto side by side in the widths of the decree's samples, number and
place-and-date, the title with its trích yếu citing the letter by number and date, a body of a
few pages for leadership, then "Nơi nhận" and the signature block, which never part; after them
the tables behind the body, in annexes (Phụ lục), each a landscape section of its own.

Every figure is the matrix's (`matrix.model.matrix`), the words around them (notes, sections)
come from `reports.queries.details`, who issues and signs it from `reports.queries.signing`,
and the charts are `reports.pictures`. Where units have areas (địa bàn), the overall results name
each top-level area's and an annex gives every area's, each over its whole subtree: the matrix's
roll-ups (`matrix.areas.every_area`), as in the workbook's sheet "Theo địa bàn".
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt

from ..deadlines import DeadlineState
from ..formatting import format_date, format_number
from ..matrix.areas import every_area
from ..matrix.charts import target_text
from ..matrix.model import Column, Matrix, Row
from ..models import ProgressStatus, ReportSettings
from .layout import (
    CELL_MARGIN,
    LANDSCAPE_TEXT_WIDTH,
    TEXT_WIDTH,
    Layout,
    clean,
    estimated_width,
    typeset,
)
from .pictures import Picture
from .queries import Details

NOTES_PER_TASK = 8  # what units reported, per task: the rest is in the Excel file
NOTE_LENGTH = 180
NAMED_IN_BODY = 12  # units named in one sentence of the body; every unit is in Phụ lục I
# Two columns as the decree's samples lay them out, the issuing body's narrower: 63 + 102 mm of
# the 165 between the margins, so that the Quốc hiệu (88 mm at 13 pt bold in Times New Roman)
# holds on one line and "UBND THÀNH PHỐ SA ĐÉC" (56 mm at 13 pt) on one too.
HEADER_WIDTHS = (Mm(63), Mm(102))
CLOSING_WIDTHS = (Mm(80), Mm(85))
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
DOCUMENT_KIND = "Công văn"  # what a directive is: a letter of the city
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
_MONTH_YEAR = re.compile(r"tháng\s+(\d{1,2})\s+năm\s+(\d{4})")


def shorten(text: str | None, length: int = NOTE_LENGTH) -> str:
    text = clean(text)
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > length // 2 else length].rstrip(" ,;.") + "…"


def date_words(on: date) -> str:
    """"ngày 05 tháng 02 năm 2024": the decree writes days below 10 and months below 3 with 0."""
    month = f"{on.month:02d}" if on.month < 3 else str(on.month)
    return f"ngày {on.day:02d} tháng {month} năm {on.year}"


def parent_body(issuer: str) -> str:
    """The issuing body's parent, as the header writes it: "UBND THÀNH PHỐ SA ĐÉC"."""
    name = clean(issuer).upper() or "UBND THÀNH PHỐ"
    return name.replace("ỦY BAN NHÂN DÂN", "UBND").replace("UỶ BAN NHÂN DÂN", "UBND")


def place_of(date_line: str) -> str:
    """The place of the directive's own date line ("Sa Đéc, ngày … "): the city's name."""
    place = clean(date_line).split(",", 1)[0] if "," in (date_line or "") else ""
    return place if place and not place.lower().startswith("ngày") else ""


def subject_of(m: Matrix) -> str:
    """What the directive is about, without its "V/v": the report's title and opening."""
    subject = clean(m.directive.subject) or clean(m.directive.title)
    return re.sub(r"^(V/v|v/v|Về việc)\s*", "", subject).strip()


def number_words(number: str) -> str:
    """"số 1234/UBND-HC"; where the letter's number is blank, what the văn thư fills in:
    "số …/…", or "số …/UBND-HC" when only the symbol is known."""
    number = clean(number)
    if not number or number.startswith("/"):
        return f"số …{number or '/…'}"
    return f"số {number}"


def issued_words(issued_on: date | None, date_line: str) -> str:
    """"ngày 05/12/2023"; unknown, a blank for the văn thư, with the month and year the letter's
    own date line gives ("ngày … tháng 6 năm 2023")."""
    if issued_on:
        return f"ngày {format_date(issued_on)}"
    found = _MONTH_YEAR.search(clean(date_line))
    if found:
        return f"ngày … tháng {int(found.group(1))} năm {found.group(2)}"
    return "ngày … tháng … năm …"


def citation(m: Matrix) -> str:
    """"Công văn số 1234/UBND-HC ngày 05/12/2023 của UBND thành phố Sa Đéc": the letter the
    report answers, by its number and date."""
    directive = m.directive
    words = [DOCUMENT_KIND, number_words(directive.number),
             issued_words(directive.issued_on, directive.date_line)]
    issuer = clean(directive.issuer).replace("Ủy ban nhân dân", "UBND").replace(
        "Uỷ ban nhân dân", "UBND")
    if issuer:
        words.append(f"của {issuer}")
    return " ".join(words)


def recipient_lines(recipients: str) -> list[str]:
    """The administrator's lines as the decree writes them: "- …;" and the last "- ….". """
    lines = [clean(line).lstrip("-–•+* ").rstrip(" ;.,") for line in recipients.splitlines()]
    lines = [line for line in lines if line]
    return [f"- {line}{'.' if index == len(lines) - 1 else ';'}"
            for index, line in enumerate(lines)]


def names(rows: list[Row], limit: int = NAMED_IN_BODY) -> str:
    """Units by name, the first `limit` of them, then how many more."""
    named = ", ".join(row.name for row in rows[:limit])
    return named + (f" và {len(rows) - limit} đơn vị khác" if len(rows) > limit else "")


def codes_text(codes: list[str]) -> str:
    return ", ".join(codes) if len(codes) <= 8 else f"{codes[0]} đến {codes[-1]}"


class Report(Layout):
    """The document being written, with one method per part, in the order they appear."""

    def __init__(self, m: Matrix, details: Details, pictures: list[Picture],
                 settings: ReportSettings):
        super().__init__()
        self.m, self.details, self.pictures, self.settings = m, details, pictures, settings
        self.figures = 0
        self.by_area = every_area(m)  # empty where no unit has an area
        self.annexes = self._annexes()

    def _annexes(self) -> dict[str, str]:
        """The annexes this report has, each with its number: units, tasks, figures, notes."""
        m = self.m
        notes = any(clean(item.note) for item in self.details.items.values())
        present = [("units", bool(m.rows)), ("areas", bool(self.by_area)),
                   ("tasks", bool(m.columns)),
                   ("figures", bool(m.metric_columns)), ("notes", bool(m.columns) and notes),
                   ("findings", bool(self.details.findings))]
        return {name: ROMAN[index] for index, name in
                enumerate(name for name, shown in present if shown)}

    # --- the first page ---------------------------------------------------------------------

    def header(self, on: date) -> None:
        """Issuing body | national motto; number | place and date: a table without borders."""
        table = self.frame(rows=2, widths=HEADER_WIDTHS)
        left, right = table.rows[0].cells
        self.paragraph(parent_body(self.m.directive.issuer), "Report Issuer", left)
        office = clean(self.settings.office).upper()
        self.paragraph(office, "Report Office", left)
        # The decree: a line a third to a half as long as the name, under it.
        self.rule(left, HEADER_WIDTHS[0] - 2 * CELL_MARGIN, estimated_width(office, 13) * 0.42)
        self.paragraph(MOTTO, "Report Motto", right)
        # The decree: a line as long as the motto, under it.
        motto = self.paragraph(MOTTO_LINE, "Report Motto Line", right)
        motto.runs[0].font.underline = True
        left, right = table.rows[1].cells
        self.paragraph(f"Số:        /{clean(self.settings.number_symbol)}", "Report Number",
                       left).paragraph_format.space_before = Pt(6)
        place = place_of(self.m.directive.date_line)
        self.paragraph(f"{place}, {date_words(on)}" if place else date_words(on).capitalize(),
                       "Report Place Date", right).paragraph_format.space_before = Pt(6)
        self.paragraph("", "Report Body").paragraph_format.first_line_indent = None

    def title(self) -> None:
        self.paragraph("BÁO CÁO", "Report Title")
        subject = subject_of(self.m)
        text = f"Kết quả thực hiện {citation(self.m)}" + (f" về việc {subject}" if subject
                                                            else "")
        self.paragraph(text, "Report Subject")
        longest = min(estimated_width(text, 14) * 0.85, TEXT_WIDTH)  # lower case is narrower
        self.rule(None, TEXT_WIDTH, longest * 0.4)
        self.paragraph("", "Report Body").paragraph_format.first_line_indent = None

    # --- the body: what leadership reads ----------------------------------------------------

    def body(self) -> None:
        m, totals = self.m, self.m.totals()
        subject = subject_of(m)
        self.paragraph(
            f"Thực hiện {citation(m)}{' về việc ' + subject if subject else ''}, "
            f"{clean(self.settings.office)} tổng hợp kết quả thực hiện của các đơn vị trên Cổng "
            f"theo dõi CCHC, số liệu đến ngày {format_date(m.on)}, như sau:", "Report Body")
        headings = iter(ROMAN)
        self._asked(next(headings), totals)
        if m.columns:
            self._overall(next(headings), totals)
            self._units(next(headings))
            if m.metric_columns:
                self._metrics(next(headings))
            self._by_section(next(headings))
        closing = self.paragraph(
            f"Trên đây là báo cáo kết quả thực hiện {citation(m)}; "
            f"{clean(self.settings.office)} kính báo cáo Ủy ban nhân dân Thành phố xem xét, "
            "chỉ đạo./.", "Report Body")
        closing.paragraph_format.keep_with_next = True

    def _see(self, annex: str, what: str) -> str:
        return f" {what} tại Phụ lục {self.annexes[annex]}." if annex in self.annexes else ""

    def _asked(self, number: str, totals: dict) -> None:
        m = self.m
        self.paragraph(f"{number}. NỘI DUNG YÊU CẦU", "Report Heading")
        if not m.columns:
            self.paragraph("Văn bản chưa giao nhiệm vụ nào cho các đơn vị.", "Report Body")
            return
        kinds = ", ".join(f"{len(rows)} {kind.label.lower()}" for kind, rows in m.by_kind())
        with_deadline = sum(column.deadline is not None for column in m.columns)
        self.paragraph(
            f"Văn bản giao {len(m.columns)} nhiệm vụ cho {totals['units']} đơn vị"
            f"{' (' + kinds + ')' if kinds else ''}, tổng cộng {format_number(totals['assigned'])}"
            f" lượt nhiệm vụ của các đơn vị; {with_deadline} nhiệm vụ có thời hạn hoàn thành, "
            f"{len(m.metric_columns)} nhiệm vụ báo cáo số liệu.", "Report Body")

    def _overall(self, number: str, totals: dict) -> None:
        m = self.m
        self.paragraph(f"{number}. KẾT QUẢ CHUNG", "Report Heading")
        self.paragraph(
            f"Toàn thành phố đã hoàn thành (được duyệt “Đạt”) "
            f"{format_number(totals['done'])}/{format_number(totals['assigned'])} lượt nhiệm vụ, "
            f"đạt {totals['percent']}%; còn {format_number(totals['overdue'])} lượt nhiệm vụ "
            "quá hạn chưa hoàn thành.", "Report Body")
        states = "; ".join(f"{state.label.lower()}: {format_number(count)} ({share}%)"
                           for state, count, share in m.by_state() if count)
        self.paragraph(f"1. Theo tình trạng thực hiện so với hạn: {states}.", "Report Body")
        self.paragraph("2. Theo loại đơn vị:", "Report Body")
        for kind, rows in m.by_kind():
            t = m.totals(rows)
            self.paragraph(
                f"- {kind.label} ({t['units']} đơn vị): hoàn thành {format_number(t['done'])}/"
                f"{format_number(t['assigned'])} ({t['percent']}%), quá hạn "
                f"{format_number(t['overdue'])}.", "Report List")
        if self.by_area:
            self._overall_by_area()
        # The numbers of the first two charts are the two paragraphs above.
        for index, picture in enumerate(self.pictures[:3]):
            self.picture(picture, numbers=index == 2)

    def _overall_by_area(self) -> None:
        """Each top-level area over its whole subtree, then the units in no area."""
        self.paragraph("3. Theo địa bàn (gồm cả các địa bàn trực thuộc):", "Report Body")
        for area in self.by_area:
            if area.node is not None and area.node.depth:
                continue
            self.paragraph(
                f"- {area.name} ({format_number(area.units)} đơn vị): hoàn thành "
                f"{format_number(area.done)}/{format_number(area.assigned)} ({area.percent}%), "
                f"chờ duyệt {format_number(area.submitted)}, quá hạn "
                f"{format_number(area.overdue)}.", "Report List")
        self.paragraph(self._see("areas", "Kết quả của từng địa bàn").strip(), "Report Body")

    def picture(self, picture: Picture, numbers: bool = True) -> None:
        """A chart, its caption and, unless the text around it gives them, its numbers; the
        numbers are the picture's description too."""
        self.figures += 1
        holder = self.paragraph("", "Report Figure")
        holder.paragraph_format.keep_with_next = True
        run = holder.add_run()
        run.add_picture(io.BytesIO(picture.png), width=Mm(120))
        for properties in run._r.iter(qn("wp:docPr")):
            properties.set("descr", typeset(f"{picture.title}. {picture.text}"))
        caption = self.paragraph(f"Biểu đồ {self.figures}. {picture.title}", "Report Caption")
        if numbers:
            caption.paragraph_format.keep_with_next = True
            self.paragraph(f"Số liệu: {picture.text}", "Report Figure Text")

    def _units(self, number: str) -> None:
        m = self.m
        self.paragraph(f"{number}. TÌNH HÌNH THỰC HIỆN CỦA CÁC ĐƠN VỊ", "Report Heading")
        on_time, late, overdue = [], [], []
        for row in m.rows:
            cells = row.counted
            if not cells:
                continue
            if all(c.status is ProgressStatus.APPROVED for c in cells):
                (late if any(c.state is DeadlineState.DONE_LATE for c in cells)
                 else on_time).append(row)
            if row.overdue:
                overdue.append(row)
        self.paragraph(
            f"1. Hoàn thành đúng hạn tất cả nhiệm vụ: {len(on_time)} đơn vị"
            + (f" ({names(on_time)})." if on_time else "."), "Report Body")
        self.paragraph(
            f"2. Hoàn thành tất cả nhiệm vụ, có nhiệm vụ hoàn thành quá hạn: {len(late)} đơn vị"
            + (f" ({names(late)})." if late else "."), "Report Body")
        self.paragraph(f"3. Còn nhiệm vụ quá hạn chưa hoàn thành: {len(overdue)} đơn vị"
                       + (", theo nhiệm vụ:" if overdue else "."), "Report Body")
        late_units: dict[int, list[Row]] = {}
        for row in overdue:
            for task_id, cell in row.cells.items():
                if not cell.supporting and cell.state is DeadlineState.OVERDUE:
                    late_units.setdefault(task_id, []).append(row)
        for column in m.columns:
            rows = late_units.get(column.task_id)
            if rows:
                deadline = f" (hạn {format_date(column.deadline)})" if column.deadline else ""
                self.paragraph(f"- Nhiệm vụ {column.code}{deadline}: {len(rows)} đơn vị "
                               f"({names(rows)}).", "Report List")
        # An approved item is never overdue: the three groups share no unit.
        rest = sum(1 for row in m.rows if row.counted) - len(on_time) - len(late) - len(overdue)
        self.paragraph(f"Các đơn vị còn lại ({rest}) đang thực hiện, chưa có nhiệm vụ quá hạn."
                       + self._see("units", "Kết quả của từng đơn vị"), "Report Body")

    def _metrics(self, number: str) -> None:
        m = self.m
        self.paragraph(f"{number}. SỐ LIỆU CÁC NHIỆM VỤ CÓ CHỈ TIÊU", "Report Heading")
        for column in m.metric_columns:
            target = target_text(column)
            figures = m.figures(column)
            reached = sum(column.reached(cell.figure) is True for _, cell in figures)
            missing = sum(cell.figure is None for _, cell in figures)
            said = (f"{reached}/{len(figures)} đơn vị đáp ứng chỉ tiêu" if target
                    else f"{len(figures) - missing}/{len(figures)} đơn vị đã báo cáo số liệu")
            self.paragraph(f"- {column.code} {column.title}"
                           f"{' (chỉ tiêu ' + target + ')' if target else ''}: {said}; "
                           f"{missing} đơn vị chưa có số liệu.", "Report List")
        self.paragraph(self._see("figures", "Số liệu của từng đơn vị").strip(), "Report Body")
        if len(self.pictures) > 3:
            self.picture(self.pictures[3], numbers=False)  # the list above gives them

    def _by_section(self, number: str) -> None:
        m = self.m
        self.paragraph(f"{number}. KẾT QUẢ THEO TỪNG NỘI DUNG", "Report Heading")
        columns = {column.task_id: column for column in m.columns}
        for section in self.details.sections:
            tasks = [columns[task_id] for task_id in section.task_ids if task_id in columns]
            if not tasks:
                continue
            done = sum(column.done for column in tasks)
            assigned = sum(column.assigned for column in tasks)
            share = round(100 * done / assigned) if assigned else 0
            lowest = sorted((column for column in tasks if column.assigned),
                            key=lambda column: column.percent)[:3]
            lowest_text = ", ".join(f"{column.code} ({column.percent}%)" for column in lowest
                                    if column.percent < 100)
            heading = shorten(section.heading, 120)
            label = f"Mục {section.number} ({heading})" if section.number else heading
            self.paragraph(
                f"- {label}: {len(tasks)} nhiệm vụ, hoàn thành {format_number(done)}/"
                f"{format_number(assigned)} lượt ({share}%)"
                + (f"; thấp nhất: {lowest_text}." if lowest_text and len(tasks) > 1 else "."),
                "Report List")
        self.paragraph((self._see("tasks", "Kết quả từng nhiệm vụ")
                        + self._see("notes", "Ý kiến của các đơn vị")).strip(), "Report Body")

    # --- the closing: never split across pages ----------------------------------------------

    def closing(self) -> None:
        """"Nơi nhận" on the left, the signature block on the right: one table row that may
        not break across pages, kept with the body's last paragraph."""
        settings = self.settings
        table = self.frame(rows=1, widths=CLOSING_WIDTHS)
        row = table.rows[0]
        row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        left, right = row.cells
        self.paragraph("Nơi nhận:", "Report Recipients Heading", left)
        for line in recipient_lines(settings.recipients):
            self.paragraph(line, "Report Recipients", left)
        if clean(settings.authority_line):
            self.paragraph(clean(settings.authority_line).upper(), "Report Signature", right)
        self.paragraph(clean(settings.signer_title).upper(), "Report Signature", right)
        for _ in range(4):  # room for the signature and the seal
            self.paragraph("", "Report Signer", right)
        self.paragraph(clean(settings.signer_name), "Report Signer", right)
        for paragraph in (*left.paragraphs, *right.paragraphs):
            paragraph.paragraph_format.keep_together = True

    # --- the annexes: the tables behind the body --------------------------------------------

    def annexes_end(self, on: date) -> None:
        writers = {"units": self._annex_units, "areas": self._annex_areas,
                   "tasks": self._annex_tasks,
                   "figures": self._annex_figures, "notes": self._annex_notes,
                   "findings": self._annex_findings}
        for name, number in self.annexes.items():
            writers[name](number, on)
        # Word wants a paragraph, not a table, at the end of the body.
        self.paragraph("", "Report Table")

    def _annex(self, number: str, title: str, on: date) -> None:
        """A new landscape section (each annex numbers its pages on its own, as the decree
        asks) with the annex's number, title and the report it goes with."""
        self.landscape_section()
        self.paragraph(f"Phụ lục {number}", "Report Annex Number")
        self.paragraph(title.upper(), "Report Annex Title")
        self.paragraph(
            f"(Kèm theo Báo cáo số        /{clean(self.settings.number_symbol)} "
            f"{date_words(on)} của {clean(self.settings.office)})", "Report Annex Note")

    def _annex_units(self, number: str, on: date) -> None:
        m = self.m
        self._annex(number, "Kết quả thực hiện của từng đơn vị", on)
        codes = {column.task_id: column.code for column in m.columns}
        rows: list = []
        index = 0
        for kind, group in m.by_kind():
            rows.append(f"{kind.label} ({len(group)} đơn vị)")
            for row in group:
                index += 1
                states = Counter(cell.state for cell in row.counted)
                overdue = ", ".join(codes[task_id] for task_id, cell in row.cells.items()
                                    if not cell.supporting and cell.state is
                                    DeadlineState.OVERDUE)
                rows.append([str(index), row.name, str(row.assigned),
                             str(states[DeadlineState.DONE_ON_TIME]),
                             str(states[DeadlineState.DONE_LATE]),
                             str(states[DeadlineState.AWAITING_REVIEW]),
                             str(states[DeadlineState.ON_TRACK] + states[DeadlineState.DUE_SOON]),
                             str(states[DeadlineState.OVERDUE]), f"{row.percent}%", overdue])
        totals = m.totals()
        by_state = totals["by_state"]
        rows.append(["", "Tổng cộng", str(totals["assigned"]),
                     str(by_state[DeadlineState.DONE_ON_TIME]),
                     str(by_state[DeadlineState.DONE_LATE]),
                     str(by_state[DeadlineState.AWAITING_REVIEW]),
                     str(by_state[DeadlineState.ON_TRACK] + by_state[DeadlineState.DUE_SOON]),
                     str(by_state[DeadlineState.OVERDUE]), f"{totals['percent']}%", ""])
        self.table(["STT", "Đơn vị", "Nhiệm vụ được giao", "Hoàn thành đúng hạn",
                    "Hoàn thành quá hạn", "Chờ duyệt", "Đang thực hiện trong hạn",
                    "Quá hạn chưa hoàn thành", "Tỷ lệ hoàn thành", "Nhiệm vụ quá hạn"],
                   rows, [Mm(w) for w in (12, 70, 22, 22, 22, 19, 24, 22, 20, 24)])

    def _annex_areas(self, number: str, on: date) -> None:
        """Every area holding units of the directive, in the tree's order, each over its whole
        subtree with the areas above it, then the units in no area."""
        self._annex(number, "Kết quả thực hiện theo địa bàn", on)
        rows = [[area.name, " › ".join(area.above), format_number(area.units),
                 format_number(area.assigned), format_number(area.submitted),
                 format_number(area.done), format_number(area.overdue), f"{area.percent}%"]
                for area in self.by_area]
        self.table(["Địa bàn", "Thuộc địa bàn", "Số đơn vị", "Nhiệm vụ được giao", "Chờ duyệt",
                    "Đạt", "Quá hạn chưa hoàn thành", "Tỷ lệ hoàn thành"],
                   rows, [Mm(w) for w in (62, 62, 20, 25, 22, 20, 26, 20)])

    def _annex_tasks(self, number: str, on: date) -> None:
        m = self.m
        self._annex(number, "Kết quả thực hiện từng nhiệm vụ", on)
        states: dict[int, Counter] = {column.task_id: Counter() for column in m.columns}
        for row in m.rows:
            for task_id, cell in row.cells.items():
                if not cell.supporting and task_id in states:
                    states[task_id][cell.state] += 1
        rows: list = []
        for column in m.columns:
            counted = states[column.task_id]
            rows.append([column.code, column.title, format_date(column.deadline) or "—",
                         str(column.assigned), str(column.done), f"{column.percent}%",
                         str(counted[DeadlineState.AWAITING_REVIEW]),
                         str(counted[DeadlineState.OVERDUE])])
        self.table(["Mã", "Nhiệm vụ", "Thời hạn", "Đơn vị được giao", "Đơn vị hoàn thành",
                    "Tỷ lệ", "Chờ duyệt", "Quá hạn chưa hoàn thành"],
                   rows, [Mm(w) for w in (15, 117, 25, 22, 22, 18, 18, 20)])

    def _annex_figures(self, number: str, on: date) -> None:
        """Each unit's figure against each target: a table of at most six tasks at a time."""
        m = self.m
        self._annex(number, "Số liệu các nhiệm vụ có chỉ tiêu", on)
        metrics = m.metric_columns
        for start in range(0, len(metrics), 6):
            group = metrics[start:start + 6]
            for column in group:
                target = target_text(column)
                self.paragraph(f"- {column.code}: {column.title}"
                               f"{' (chỉ tiêu ' + target + ')' if target else ''}.",
                               "Report Table")
            self.paragraph("", "Report Table")
            rows = []
            for row in m.rows:
                cells = [row.cells.get(column.task_id) for column in group]
                if not any(cell is not None and not cell.supporting for cell in cells):
                    continue
                rows.append([row.name] + [
                    "" if cell is None or cell.supporting else _figure(column, cell.figure)
                    for column, cell in zip(group, cells, strict=True)])
            width = Emu((LANDSCAPE_TEXT_WIDTH - Mm(70)) // len(group))
            self.table(["Đơn vị"] + [column.code for column in group], rows,
                       [Mm(70)] + [width] * len(group))

    def _annex_findings(self, number: str, on: date) -> None:
        self._annex(number, "Kết quả khắc phục hạn chế, khuyết điểm của các đơn vị", on)
        self.table(["Hạn chế, khuyết điểm", "Kết quả khắc phục, giải trình"],
                   _finding_rows(self.details, self.m), [Mm(128), Mm(129)])

    def _annex_notes(self, number: str, on: date) -> None:
        m = self.m
        self._annex(number, "Ý kiến, ghi chú của các đơn vị theo từng nhiệm vụ", on)
        rows: list = []
        for column in m.columns:
            notes = [(row, self.details.of(row.cells[column.task_id].item_id))
                     for row in m.rows if column.task_id in row.cells]
            notes = [(row, found) for row, found in notes if clean(found.note)]
            if not notes:
                continue
            rows.append(f"{column.code} {column.title}: {column.done}/{column.assigned} đơn vị "
                        f"hoàn thành ({column.percent}%)")
            # The unit, and the head who signed its item off, by name and title.
            rows.extend([row.name + (f" (ký duyệt: {found.signer_words})"
                                     if found.signer_words else ""), shorten(found.note)]
                        for row, found in notes[:NOTES_PER_TASK])
            if len(notes) > NOTES_PER_TASK:
                rows.append(["", f"Và {len(notes) - NOTES_PER_TASK} đơn vị khác có ghi chú "
                                 "(xem tệp Excel, trang “Chi tiết”)."])
        self.table(["Đơn vị", "Ý kiến, ghi chú"], rows, [Mm(70), Mm(187)])



def _finding_rows(details: Details, m: Matrix) -> list:
    """Each unit (as a heading row, with how many it fixed) and its findings: what it was, and
    the unit's answer with what it did or why it could not."""
    names = {row.unit_id: row.name for row in m.rows}
    by_unit: dict[int, list] = {}
    for line in details.findings:
        by_unit.setdefault(line.unit_id, []).append(line)
    rows: list = []
    for unit_id, lines in by_unit.items():
        fixed = sum(line.fixed for line in lines)
        rows.append(f"{names.get(unit_id, '')}: đã khắc phục {fixed}/{len(lines)} hạn chế")
        rows.extend([f"{line.code}. {shorten(line.text)}",
                     line.answer + (f": {shorten(line.note)}" if line.note else "")]
                    for line in lines)
    return rows


def _figure(column: Column, figure) -> str:
    """A unit's figure and, against a target, ✓ (reached) or ✗."""
    if figure is None:
        return "Chưa có số liệu"
    text = format_number(figure) + ("%" if column.measure == "percent" else "")
    reached = column.reached(figure)
    return text if reached is None else f"{text} {'✓' if reached else '✗'}"


def write_docx(m: Matrix, details: Details, pictures: list[Picture],
               settings: ReportSettings) -> bytes:
    """The whole report as the bytes of a .docx file."""
    report = Report(m, details, pictures, settings)
    report.header(m.on)
    report.title()
    report.body()
    report.closing()
    report.annexes_end(m.on)
    out = io.BytesIO()
    report.document.save(out)
    return out.getvalue()
