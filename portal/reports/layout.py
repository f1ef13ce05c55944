"""How the official report (official.py) is laid out in Word, per Nghị định 30/2020/NĐ-CP: the
A4 page and its margins, Times New Roman, the named paragraph styles (`STYLES`, so that the
document's structure can be read back and checked), and the building blocks the report is made
of: a paragraph in a style, the decree's short horizontal rules, a borderless layout table, a
bordered data table written as one piece of XML (a 1000-unit table through python-docx's cell
API would take minutes), and a landscape section for an annex. Everything printed goes through
`typeset`: Vietnamese quotes and "21%".
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt

FONT = "Times New Roman"
CELL_MARGIN = Mm(1.9)  # Word's and LibreOffice's default left and right cell margin
TEXT_WIDTH = Mm(165)  # A4 portrait less the decree's 30 mm and 15 mm margins
LANDSCAPE_TEXT_WIDTH = Mm(257)  # A4 landscape less 20 mm each side

# name: (size in points, bold, italic, alignment, first-line indent in mm, space after in points)
STYLES = {
    "Report Issuer": (13, False, False, "center", 0, 0),
    "Report Office": (13, True, False, "center", 0, 0),
    "Report Motto": (13, True, False, "center", 0, 0),
    "Report Motto Line": (14, True, False, "center", 0, 0),
    "Report Rule": (2, False, False, "left", 0, 0),
    "Report Number": (13, False, False, "center", 0, 0),
    "Report Place Date": (14, False, True, "center", 0, 0),
    "Report Title": (14, True, False, "center", 0, 0),
    "Report Subject": (14, True, False, "center", 0, 2),
    "Report Heading": (14, True, False, "justify", 12.7, 6),
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
    "Report Annex Number": (14, True, False, "center", 0, 0),
    "Report Annex Title": (14, True, False, "center", 0, 0),
    "Report Annex Note": (14, False, True, "center", 0, 12),
}
ALIGNMENTS = {"center": WD_ALIGN_PARAGRAPH.CENTER, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
              "left": WD_ALIGN_PARAGRAPH.LEFT}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PERCENT = re.compile(r"(\d) %")
_OPENING_DOUBLE = re.compile(r'(^|[\s(\[{—–-])"')
_OPENING_SINGLE = re.compile(r"(^|[\s(\[{—–-])'")


def clean(text: str | None) -> str:
    """Text from users, safe for XML and on one line."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def typeset(text: str) -> str:
    """Vietnamese typography for everything the report prints: “ ” and ‘ ’ for straight
    quotes and «», "21%" with no space before the sign."""
    text = _PERCENT.sub(r"\1%", text).replace("«", "“").replace("»", "”")
    text = _OPENING_DOUBLE.sub(r"\1“", text).replace('"', "”")
    return _OPENING_SINGLE.sub(r"\1‘", text).replace("'", "’")


def estimated_width(text: str, size: float) -> Mm:
    """How wide a line of capitals is in Times New Roman: 0.57 em a letter, within a tenth for
    the header's words."""
    return Mm(len(text) * size * 0.57 * 25.4 / 72)



class Layout:
    """A Word document on the decree's page, with the report's styles and building blocks."""

    def __init__(self) -> None:
        self.document = Document()
        self.styles: dict = {}
        self._set_up()

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
            layout.keep_with_next = name in ("Report Heading", "Report Annex Number",
                                             "Report Annex Title")
            if name == "Report Rule":  # a paragraph that only draws its border: 2 pt high
                layout.line_spacing = Pt(2)
                layout.space_before = Pt(3)
            else:
                layout.line_spacing = 1.0 if name.startswith(("Report Table", "Report Recip",
                                                              "Report Annex")) else 1.1
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
        paragraph = (container or self.document).add_paragraph(typeset(text))
        # The style's id set directly: python-docx's `style=` searches every style of the
        # document each time (5 ms a paragraph).
        paragraph._p.style = self.styles[style]
        return paragraph

    def rule(self, container, room, length) -> None:
        """A horizontal line `length` long, centred in `room` (a cell's or the page's width):
        the decree's line under the issuing body and under the trích yếu."""
        rule = self.paragraph("", "Report Rule", container)
        side = Emu(max(0, int(room - length) // 2))
        rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = side
        rule._p.pPr.pStyle.addnext(parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="6" w:space="1" '
            'w:color="000000"/></w:pBdr>'))

    def frame(self, rows: int, widths: tuple):
        """A layout table: no borders, fixed column widths (in the grid too, which LibreOffice
        follows), each cell's empty first paragraph removed so that the cell holds only what is
        added to it."""
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
        for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            column.w = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
                cell._tc.remove(cell.paragraphs[0]._p)
        return table

    def table(self, header: list[str], rows: list, widths: list) -> None:
        """A bordered table, its header row repeated on every page, written as one piece of
        XML. A row given as a string is a heading across the whole table."""
        style = self.styles["Report Table"]
        grid = "".join(f'<w:gridCol w:w="{width.twips}"/>' for width in widths)
        total = sum(width.twips for width in widths)

        def cell(text: str, width: int, bold: bool = False, span: int = 1) -> str:
            run = "<w:rPr><w:b/></w:rPr>" if bold else ""
            merge = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merge}</w:tcPr>'
                    f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r>{run}'
                    f'<w:t xml:space="preserve">{escape(typeset(clean(text)))}</w:t></w:r>'
                    "</w:p></w:tc>")

        head = ('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
                + "".join(cell(text, width.twips, True) for text, width in zip(header, widths,
                                                                               strict=True))
                + "</w:tr>")
        body = "".join(
            "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
            + (cell(row, total, True, len(widths)) if isinstance(row, str) else
               "".join(cell(text, width.twips) for text, width in zip(row, widths, strict=True)))
            + "</w:tr>" for row in rows)
        self.document.element.body._insert_tbl(parse_xml(
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{total}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{head}{body}</w:tbl>"))

    def landscape_section(self) -> None:
        """A new section on a new page, A4 landscape, its pages numbered from 1 (the decree
        numbers each annex's pages on their own)."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        # The paragraph that ends the section before: 2 points high, so that it never takes a
        # page of its own after a full one.
        self.document.paragraphs[-1]._p.style = self.styles["Report Rule"]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        # The bound edge of a portrait page is the top of a landscape one.
        section.top_margin, section.bottom_margin = Mm(30), Mm(15)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
        sect_pr = section._sectPr
        sect_pr.insert_element_before(
            parse_xml(f'<w:pgNumType {nsdecls("w")} w:start="1"/>'),
            "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
            "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
