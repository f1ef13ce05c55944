"""A page's words, each with its box (from a PDF's text layer or from Tesseract), as text in
reading order: the two-column blocks of a Vietnamese letter (issuer and number on the left,
Quốc hiệu, tiêu ngữ, place and date on the right; Nơi nhận and the signer at the foot) column by
column, left then right, as the .docx reader reads the header table's cells; the body's wrapped
lines joined back into paragraphs separated by a blank line. Positions may be points or pixels:
every threshold is relative to the height of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median


def join_pages(pages: list[str]) -> str:
    """Pages' texts as one; a paragraph that runs on over a page break is one paragraph."""
    out: list[str] = []
    for text in pages:
        if not text:
            continue
        if out and out[-1][-1:] not in ".:;!?)" and text[:1].islower():
            out[-1] += " " + text
        else:
            out.append(text)
    return "\n\n".join(out)


@dataclass
class _Segment:
    x0: float
    x1: float
    text: str


@dataclass
class _Line:
    top: float
    bottom: float
    segments: list[_Segment]

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


def _lines(words: list[dict]) -> list[_Line]:
    """Words grouped into lines by their vertical place, each line cut into segments where a
    gap wider than a few spaces separates its words (the columns of a header table)."""
    words = sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    rows: list[list[dict]] = []
    for word in words:
        height = word["bottom"] - word["top"]
        for row in reversed(rows[-3:]):
            middle = (row[0]["top"] + row[0]["bottom"]) / 2
            tall = max(height, row[0]["bottom"] - row[0]["top"])
            if abs((word["top"] + word["bottom"]) / 2 - middle) < max(2.0, tall * 0.45):
                row.append(word)
                break
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        size = median(w["bottom"] - w["top"] for w in row)
        segments: list[_Segment] = []
        for word in row:
            if segments and word["x0"] - segments[-1].x1 <= max(12.0, size * 1.5):
                segments[-1].x1 = word["x1"]
                segments[-1].text += " " + word["text"]
            else:
                segments.append(_Segment(word["x0"], word["x1"], word["text"]))
        lines.append(_Line(min(w["top"] for w in row), max(w["bottom"] for w in row), segments))
    lines.sort(key=lambda line: line.top)
    return lines


def page_text(words: list[dict], width: float) -> str:
    """One page's words as text: two-column blocks column by column, the rest as paragraphs."""
    lines = _lines(words)
    if not lines:
        return ""
    blocks: list[str] = []
    index = 0
    body: list[_Line] = []
    while index < len(lines):
        end, boundary = _column_block(lines, index)
        if end is None:
            body.append(lines[index])
            index += 1
            continue
        if body:
            blocks.append(_paragraphs(body, width))
            body = []
        block = lines[index:end]
        left = [line for line in block if any(s.x1 <= boundary for s in line.segments)]
        right = [line for line in block if any(s.x1 > boundary for s in line.segments)]
        blocks.append(_column([" ".join(s.text for s in line.segments if s.x1 <= boundary)
                               for line in left]))
        blocks.append(_column([" ".join(s.text for s in line.segments if s.x1 > boundary)
                               for line in right]))
        index = end
    if body:
        blocks.append(_paragraphs(body, width))
    return "\n\n".join(b for b in blocks if b.strip())


def _column(lines: list[str]) -> str:
    """A column's lines; a line that goes on in lower case or with a number ("… tháng 6 năm"
    above "2023") is the one above wrapped in a narrow cell, and is joined to it."""
    out: list[str] = []
    for line in lines:
        if out and (line[:1].islower() or line[:1].isdigit()) and out[-1][-1:] not in ":;.":
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _column_block(lines: list[_Line], start: int) -> tuple[int | None, float]:
    """Where a two-column block starting at `start` ends and the x that separates its columns,
    or (None, 0) when the line at `start` does not begin one. A block holds lines cut in two
    whose gaps share a stretch of x (the space between the columns); the lines just above and
    below that stay on one side of it belong to it while they follow as closely as the lines
    of one paragraph."""
    first_split = None
    for offset in range(start, min(start + 4, len(lines))):
        if len(lines[offset].segments) >= 2:
            first_split = offset
            break
        if offset > start and not _close(lines[offset - 1], lines[offset], 0.8):
            return None, 0
    if first_split is None:
        return None, 0
    segments = lines[first_split].segments
    low, high = segments[0].x1, segments[1].x0
    for line in lines[start:first_split]:
        if _crosses(line, low, high):
            return None, 0
    end = first_split + 1
    spacing = max([b.top - a.bottom for a, b in zip(lines[start:end], lines[start + 1:end],
                                                     strict=False)] or [0.0])
    while end < len(lines):
        line = lines[end]
        gap = line.top - lines[end - 1].bottom
        if _BODY_START.match(line.text):
            break
        if len(line.segments) >= 2 and _close(lines[end - 1], line, 2.2):
            shared = [(max(low, a.x1), min(high, b.x0))
                      for a, b in zip(line.segments, line.segments[1:], strict=False)
                      if max(low, a.x1) < min(high, b.x0)]
            if not shared:
                break
            low, high = shared[0]
        elif (len(line.segments) >= 2 or not _close(lines[end - 1], line, 2.2)
              or gap > max(spacing * 1.25, (line.bottom - line.top) * 0.8)
              or _crosses(line, low, high)):
            break
        spacing = max(spacing, gap)
        end += 1
    return end, high


def _crosses(line: _Line, low: float, high: float) -> bool:
    return any(s.x0 < low and s.x1 > high for s in line.segments)


def _close(above: _Line, below: _Line, heights: float) -> bool:
    height = max(above.bottom - above.top, 1.0)
    return below.top - above.bottom < height * heights


# What begins the body, never a line of a header's or a signature's column.
_BODY_START = re.compile(r"^(?:Kính gửi|Căn cứ|Điều\s+\d)", re.I)
_PARAGRAPH_START = re.compile(r"^(?:[-–•+*]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ][.)]\s|[IVX]+\.\s|"
                              r"(?-i:Điều\s+\d+|Nơi nhận|NƠI NHẬN|Căn cứ|Kính gửi|Theo đề nghị|"
                              r"Xét đề nghị|QUYẾT ĐỊNH:|QUYẾT NGHỊ:))", re.I)
# A line that ends inside a word or a code broken after its hyphen ("500-" above "KH/TU").
_BROKEN_AT_HYPHEN = re.compile(r"\w-$")


def _case(text: str) -> str:
    """"upper" for a line in capitals of three words or more (a title, a signer's office),
    "lower" for a line with small letters, "" for a short line of capitals or none."""
    if any(c.islower() for c in text):
        return "lower"
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return "upper" if len(words) >= 3 else ""


def _paragraphs(lines: list[_Line], width: float) -> str:
    """Body lines joined back into paragraphs. A blank line where the gap above a line is wider
    than the usual line spacing, or as tall as a line and clearly wider than the page's tightest
    spacing (a page whose paragraphs are all one line apart has them as its usual), or the line
    is indented past the body's left edge (a first-line
    indent); a line break where the line starts with a list marker or the line above ended well
    short of the right edge (a break inside a paragraph, as in the Kính gửi list), a line opens
    the legal basis («Căn cứ», «Theo đề nghị») or «QUYẾT ĐỊNH:», one of the two lines is in
    capitals and the other is not (a title above its first sentence), or a line in capitals
    follows a sentence's end (a signer's office below the last sentence); otherwise
    the wrapped line is joined to the one above, with no space where the line above ends in a
    hyphen right after a letter or digit (a code such as «500-KH/TU» broken after its hyphen)."""
    if not lines:
        return ""
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)]
    usual = median(gaps) if gaps else 0.0
    tight = min(gaps) if gaps else 0.0
    text = lines[0].text
    for above, line in zip(lines, lines[1:], strict=False):
        height = max(line.bottom - line.top, 1.0)
        gap = line.top - above.bottom
        if (gap > max(usual * 1.6, usual + height * 0.5)
                or (gap > height * 0.9 and gap > tight * 1.6 + height * 0.2)
                or line.x0 - left > height * 1.2):
            text += "\n\n"
        elif (right - above.x1 > max(width * 0.12, height * 4)
              or _PARAGRAPH_START.match(line.text) is not None
              or {_case(above.text), _case(line.text)} == {"upper", "lower"}
              or (_case(line.text) != "lower" and _case(above.text) == "lower"
                  and above.text[-1:] in ".;:!?")):
            text += "\n"
        elif _BROKEN_AT_HYPHEN.search(above.text) and line.text[:1].isalnum():
            pass
        else:
            text += " "
        text += line.text
    return text
