"""The report Phòng Nội vụ sends to the city's leadership (.docx), laid out as a Vietnamese
administrative document (Nghị định 30/2020/NĐ-CP): A4, Times New Roman, the decree's margins;
the issuing body and the national motto side by side, number and place-and-date, the title, a
body written from the data, then "Nơi nhận" and the signature block.

Every figure is the matrix's (`matrix.model.matrix`), the words around them (notes, sections)
come from `reports.queries.details`, and the charts are `reports.pictures`. Each paragraph carries
a named style (`STYLES`), so that the document's structure can be read back and checked.
Large tables are written as one piece of XML: a 1000-unit table through python-docx's cell API
would take minutes.
"""

from __future__ import annotations

import io
import re
from datetime import date
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from ..deadlines import DeadlineState
from ..formatting import format_date, format_number
from ..matrix.charts import target_text
from ..matrix.model import Matrix, Row
from ..models import ProgressStatus
from .pictures import Picture
from .queries import Details

FONT = "Times New Roman"
NOTES_PER_TASK = 8  # what units reported, per task: the rest is in the Excel file
NOTE_LENGTH = 180
RECIPIENTS = [
    "- Thường trực UBND Thành phố (CT, các PCT);",
    "- Các phòng chuyên môn, đơn vị sự nghiệp, UBND các xã, phường;",
    "- Lưu: VT, PNV.",
]
SIGNER_TITLE = "TRƯỞNG PHÒNG"
ISSUING_OFFICE = "PHÒNG NỘI VỤ"
NUMBER_LINE = "Số:        /BC-PNV"

# name: (size in points, bold, italic, alignment, first-line indent in mm, space after in points)
STYLES = {
    "Report Issuer": (13, False, False, "center", 0, 0),
    "Report Office": (13, True, False, "center", 0, 0),
    "Report Motto": (13, True, False, "center", 0, 0),
    "Report Motto Line": (14, True, False, "center", 0, 0),
    "Report Number": (13, False, False, "center", 0, 0),
    "Report Place Date": (14, False, True, "center", 0, 0),
    "Report Title": (14, True, False, "center", 0, 0),
    "Report Subject": (14, True, False, "center", 0, 12),
    "Report Heading": (14, True, False, "justify", 12.7, 6),
    "Report Subheading": (14, True, True, "justify", 12.7, 6),
    "Report Body": (14, False, False, "justify", 12.7, 6),
    "Report List": (14, False, False, "justify", 12.7, 3),
    "Report Figure": (12, False, False, "center", 0, 0),
    "Report Caption": (12, False, True, "center", 0, 3),
    "Report Figure Text": (12, False, True, "justify", 0, 9),
    "Report Table": (12, False, False, "left", 0, 0),
    "Report Recipients Heading": (12, True, True, "left", 0, 0),
    "Report Recipients": (11, False, False, "left", 0, 0),
    "Report Signature": (14, True, False, "center", 0, 0),
    "Report Signer": (14, True, False, "center", 0, 0),
}
ALIGNMENTS = {"center": WD_ALIGN_PARAGRAPH.CENTER, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
              "left": WD_ALIGN_PARAGRAPH.LEFT}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str | None) -> str:
    """Text from users, safe for XML and on one line."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


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


def reference(m: Matrix) -> str:
    """"văn bản số 12/UBND-HC ngày 05/6/2023 của Ủy ban nhân dân …": what the report answers."""
    directive = m.directive
    parts = ["văn bản"]
    if directive.number:
        parts.append(f"số {clean(directive.number)}")
    if directive.issued_on:
        parts.append(f"ngày {format_date(directive.issued_on)}")
    if directive.issuer:
        parts.append(f"của {clean(directive.issuer)}")
    return " ".join(parts)


class Report:
    """The document being written, with one method per part, in the order they appear."""

    def __init__(self, m: Matrix, details: Details, pictures: list[Picture]):
        self.m, self.details, self.pictures = m, details, pictures
        self.document = Document()
        self.figures = 0
        self.styles: dict = {}
        self._set_up()

    # --- page and styles --------------------------------------------------------------------

    def _set_up(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = section.footer_distance = Mm(10)
        styles = self.document.styles
        self._font(styles["Normal"], 14)
        for name, (size, bold, italic, align, indent, after) in STYLES.items():
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            self.styles[name] = style.style_id
            style.base_style = styles["Normal"]
            self._font(style, size, bold, italic)
            layout = style.paragraph_format
            layout.alignment = ALIGNMENTS[align]
            layout.first_line_indent = Mm(indent) if indent else None
            layout.space_before = Pt(0)
            layout.space_after = Pt(after)
            layout.line_spacing = 1.0 if name.startswith(("Report Table", "Report Recip")) else 1.1
        # The page number, top centre, from the second page on (the decree's place for it).
        section.different_first_page_header_footer = True
        number = section.header.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number._p.append(parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:rPr><w:rFonts w:ascii="{FONT}" '
            f'w:hAnsi="{FONT}"/><w:sz w:val="28"/></w:rPr><w:t>2</w:t></w:r></w:fldSimple>'))

    @staticmethod
    def _font(style, size: int, bold: bool = False, italic: bool = False) -> None:
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)

    def paragraph(self, text: str, style: str, container=None):
        paragraph = (container or self.document).add_paragraph(text)
        # The style's id set directly: python-docx's `style=` searches every style of the
        # document each time (5 ms a paragraph).
        paragraph._p.style = self.styles[style]
        return paragraph

    # --- the parts, top to bottom ----------------------------------------------------------

    def header(self, on: date) -> None:
        """Issuing body | national motto; number | place and date: a table without borders."""
        table = self._frame(rows=2, widths=(Mm(68), Mm(97)))
        left, right = table.rows[0].cells
        self.paragraph(parent_body(self.m.directive.issuer), "Report Issuer", left)
        office = self.paragraph(ISSUING_OFFICE, "Report Office", left)
        office.runs[0].font.underline = True
        self.paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Report Motto", right)
        motto = self.paragraph("Độc lập - Tự do - Hạnh phúc", "Report Motto Line", right)
        motto.runs[0].font.underline = True
        left, right = table.rows[1].cells
        self.paragraph(NUMBER_LINE, "Report Number", left)
        place = place_of(self.m.directive.date_line)
        self.paragraph(f"{place}, {date_words(on)}" if place else date_words(on).capitalize(),
                       "Report Place Date", right)
        self.paragraph("", "Report Body").paragraph_format.first_line_indent = None

    def _frame(self, rows: int, widths: tuple):
        """A layout table: no borders, fixed column widths, each cell's empty first paragraph
        removed so that the cell holds only what is added to it."""
        table = self.document.add_table(rows=rows, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        borders = parse_xml(
            f'<w:tblBorders {nsdecls("w")}>'
            + "".join(f'<w:{side} w:val="nil"/>' for side in
                      ("top", "left", "bottom", "right", "insideH", "insideV"))
            + "</w:tblBorders>")
        # In the schema's order (Word refuses a file whose tblBorders follows tblLook).
        properties = table._tbl.tblPr
        later = [child for child in properties if child.tag in
                 {qn(f"w:{name}") for name in ("shd", "tblLayout", "tblCellMar", "tblLook")}]
        if later:
            later[0].addprevious(borders)
        else:
            properties.append(borders)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
                cell._tc.remove(cell.paragraphs[0]._p)
        return table

    def title(self) -> None:
        self.paragraph("BÁO CÁO", "Report Title")
        subject = subject_of(self.m)
        self.paragraph(f"Kết quả thực hiện {reference(self.m)} về việc {subject}" if subject
                       else f"Kết quả thực hiện {reference(self.m)}", "Report Subject")

    def body(self) -> None:
        m, totals = self.m, self.m.totals()
        subject = subject_of(m)
        self.paragraph(
            f"Thực hiện {reference(m)}{' về việc ' + subject if subject else ''}, Phòng Nội vụ "
            f"tổng hợp kết quả thực hiện của các đơn vị trên Cổng theo dõi CCHC, số liệu đến "
            f"ngày {format_date(m.on)}, như sau:", "Report Body")
        headings = iter(ROMAN)
        self._asked(next(headings), totals)
        self._overall(next(headings), totals)
        self._units(next(headings))
        if m.metric_columns:
            self._metrics(next(headings))
        self._by_section(next(headings))
        self.paragraph(
            f"Trên đây là báo cáo kết quả thực hiện {reference(m)}; Phòng Nội vụ kính báo cáo "
            "Ủy ban nhân dân Thành phố xem xét, chỉ đạo./.", "Report Body")

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
        columns = {column.task_id: column for column in m.columns}
        for section in self.details.sections:
            codes = [columns[task_id].code for task_id in section.task_ids if task_id in columns]
            if not codes:
                continue
            heading = shorten(section.heading, 220)
            label = f"Mục {section.number}: {heading}" if section.number else heading
            self.paragraph(f"- {label} ({len(codes)} nhiệm vụ: {', '.join(codes)}).",
                           "Report List")

    def _overall(self, number: str, totals: dict) -> None:
        m = self.m
        self.paragraph(f"{number}. KẾT QUẢ CHUNG", "Report Heading")
        self.paragraph(
            f"Toàn thành phố đã hoàn thành (được Phòng Nội vụ duyệt «Đạt») "
            f"{format_number(totals['done'])}/{format_number(totals['assigned'])} lượt nhiệm vụ, "
            f"đạt {totals['percent']} %; còn {format_number(totals['overdue'])} lượt nhiệm vụ "
            "quá hạn chưa hoàn thành.", "Report Body")
        self.paragraph("1. Theo tình trạng thực hiện so với hạn:", "Report Subheading")
        for state, count, share in m.by_state():
            self.paragraph(f"- {state.label}: {format_number(count)} ({share} %).",
                           "Report List")
        self.paragraph("2. Theo loại đơn vị:", "Report Subheading")
        for kind, rows in m.by_kind():
            t = m.totals(rows)
            self.paragraph(
                f"- {kind.label} ({t['units']} đơn vị): hoàn thành {format_number(t['done'])}/"
                f"{format_number(t['assigned'])} ({t['percent']} %), quá hạn "
                f"{format_number(t['overdue'])}.", "Report List")
        for picture in self.pictures[:3]:
            self.picture(picture)

    def picture(self, picture: Picture) -> None:
        self.figures += 1
        holder = self.paragraph("", "Report Figure")
        run = holder.add_run()
        run.add_picture(io.BytesIO(picture.png), width=Mm(160))
        for properties in run._r.iter(qn("wp:docPr")):
            properties.set("descr", f"{picture.title}. {picture.text}")
        self.paragraph(f"Biểu đồ {self.figures}. {picture.title}", "Report Caption")
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
        codes = {column.task_id: column.code for column in m.columns}

        def which(row: Row, state: DeadlineState) -> str:
            return ", ".join(codes[task_id] for task_id, cell in row.cells.items()
                             if not cell.supporting and cell.state is state)

        self.paragraph(f"1. Đơn vị hoàn thành đúng hạn tất cả nhiệm vụ ({len(on_time)}):",
                       "Report Subheading")
        self.paragraph(", ".join(row.name for row in on_time) + "." if on_time
                       else "Chưa có đơn vị nào.", "Report Body")
        self.paragraph(f"2. Đơn vị hoàn thành tất cả nhiệm vụ nhưng có nhiệm vụ hoàn thành quá "
                       f"hạn ({len(late)}):", "Report Subheading")
        if late:
            for row in late:
                self.paragraph(f"- {row.name}: hoàn thành quá hạn nhiệm vụ "
                               f"{which(row, DeadlineState.DONE_LATE)}.", "Report List")
        else:
            self.paragraph("Không có đơn vị nào.", "Report Body")
        self.paragraph(f"3. Đơn vị còn nhiệm vụ quá hạn chưa hoàn thành ({len(overdue)}):",
                       "Report Subheading")
        if overdue:
            for row in sorted(overdue, key=lambda row: -row.overdue):
                self.paragraph(f"- {row.name}: {row.overdue} nhiệm vụ "
                               f"({which(row, DeadlineState.OVERDUE)}).", "Report List")
        else:
            self.paragraph("Không có đơn vị nào.", "Report Body")
        # An approved item is never overdue: the three groups share no unit.
        rest = sum(1 for row in m.rows if row.counted) - len(on_time) - len(late) - len(overdue)
        self.paragraph(f"Các đơn vị còn lại ({rest}) đang thực hiện, chưa có nhiệm vụ quá hạn.",
                       "Report Body")

    def _metrics(self, number: str) -> None:
        m = self.m
        self.paragraph(f"{number}. SỐ LIỆU CÁC NHIỆM VỤ CÓ CHỈ TIÊU", "Report Heading")
        if len(self.pictures) > 3:
            self.picture(self.pictures[3])
        for index, column in enumerate(m.metric_columns, start=1):
            target = target_text(column)
            self.paragraph(f"{index}. {column.code} {column.title}"
                           f"{' (chỉ tiêu ' + target + ')' if target else ''}:",
                           "Report Subheading")
            figures = m.figures(column)
            reached = sum(column.reached(cell.figure) is True for _, cell in figures)
            missing = sum(cell.figure is None for _, cell in figures)
            said = (f"{reached}/{len(figures)} đơn vị đạt chỉ tiêu" if target
                    else f"{len(figures) - missing}/{len(figures)} đơn vị đã báo cáo số liệu")
            self.paragraph(f"{said}; {missing} đơn vị chưa có số liệu.", "Report Body")
            if figures:
                self.table(
                    ["Đơn vị", "Số liệu", "So với chỉ tiêu"],
                    [[row.name, _figure(column, cell.figure),
                      _verdict(column.reached(cell.figure), cell.figure)]
                     for row, cell in figures],
                    [Mm(85), Mm(35), Mm(45)])

    def _by_section(self, number: str) -> None:
        m = self.m
        self.paragraph(f"{number}. KẾT QUẢ THEO TỪNG NỘI DUNG", "Report Heading")
        columns = {column.task_id: column for column in m.columns}
        for section in self.details.sections:
            tasks = [columns[task_id] for task_id in section.task_ids if task_id in columns]
            if not tasks:
                continue
            heading = shorten(section.heading, 220)
            self.paragraph(f"{section.number}. {heading}" if section.number else heading,
                           "Report Subheading")
            for column in tasks:
                self.paragraph(
                    f"{column.code} {column.title}: {column.done}/{column.assigned} đơn vị hoàn "
                    f"thành ({column.percent} %).", "Report Body")
                notes = [(row, self.details.of(row.cells[column.task_id].item_id).note)
                         for row in m.rows if column.task_id in row.cells]
                notes = [(row, note) for row, note in notes if clean(note)]
                for row, note in notes[:NOTES_PER_TASK]:
                    self.paragraph(f"- {row.name}: {shorten(note)}", "Report List")
                if len(notes) > NOTES_PER_TASK:
                    self.paragraph(
                        f"- Và {len(notes) - NOTES_PER_TASK} đơn vị khác có ghi chú (xem tệp "
                        "Excel, trang «Chi tiết»).", "Report List")

    def table(self, header: list[str], rows: list[list[str]], widths: list) -> None:
        """A bordered table, its header row repeated on every page, written as one piece of
        XML."""
        style = self.document.styles["Report Table"].style_id
        grid = "".join(f'<w:gridCol w:w="{width.twips}"/>' for width in widths)

        def cell(text: str, width, bold: bool = False) -> str:
            run = "<w:rPr><w:b/></w:rPr>" if bold else ""
            return (f'<w:tc><w:tcPr><w:tcW w:w="{width.twips}" w:type="dxa"/></w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r>{run}'
                    f'<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r></w:p></w:tc>')

        head = ('<w:tr><w:trPr><w:tblHeader/></w:trPr>'
                + "".join(cell(text, width, True) for text, width in zip(header, widths,
                                                                         strict=True))
                + "</w:tr>")
        body = "".join(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            + "".join(cell(text, width) for text, width in zip(row, widths, strict=True))
            + "</w:tr>" for row in rows)
        self.document.element.body._insert_tbl(parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{sum(width.twips for width in widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{head}{body}</w:tbl>"))
        self.paragraph("", "Report Table")

    def closing(self) -> None:
        """"Nơi nhận" on the left, the signature block on the right."""
        table = self._frame(rows=1, widths=(Mm(80), Mm(85)))
        left, right = table.rows[0].cells
        self.paragraph("Nơi nhận:", "Report Recipients Heading", left)
        for line in RECIPIENTS:
            self.paragraph(line, "Report Recipients", left)
        self.paragraph(SIGNER_TITLE, "Report Signature", right)
        for _ in range(5):  # room for the signature, the seal and the signer's name
            self.paragraph("", "Report Signer", right)
        # Word wants a paragraph, not a table, at the end of the body.
        self.paragraph("", "Report Table")


def _figure(column, figure) -> str:
    if figure is None:
        return "—"
    return format_number(figure) + (" %" if column.measure == "percent" else "")


def _verdict(reached: bool | None, figure) -> str:
    if figure is None:
        return "Chưa có số liệu"
    if reached is None:
        return "—"
    return "✓ Đạt" if reached else "✗ Chưa đạt"


def write_docx(m: Matrix, details: Details, pictures: list[Picture]) -> bytes:
    """The whole report as the bytes of a .docx file."""
    report = Report(m, details, pictures)
    report.header(m.on)
    report.title()
    report.body()
    report.closing()
    out = io.BytesIO()
    report.document.save(out)
    return out.getvalue()
