"""From a letter (công văn) as text or Word to a draft directive that an editor reviews.

`import_letter(text, units)` is pure: it takes the letter's text and the portal's units as plain
data (`UnitRef`) and returns a `Draft` (metadata, sections by addressee, tasks with deadlines and
narrower audiences), or raises `LetterImportError` with a Vietnamese message. `Draft.to_yaml(slug)`
writes the YAML that `load_directive` reads. `read_letter_file(data, filename)` turns the bytes
of a .txt or .docx file into text.

Nothing is guessed silently: an addressee the importer cannot match to the portal's units stays
in `unmatched` (and blocks loading until an editor decides), and every inference it made (a
narrower audience, a deadline, a split sentence) is written in the task's `notes`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import yaml

MAX_TEXT_CHARS = 1_000_000
MAX_FILE_BYTES = 20 * 1024 * 1024

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


class LetterImportError(ValueError):
    """The letter cannot be imported as it is; the message (Vietnamese) says why."""


class UnitRef(NamedTuple):
    """A unit of the portal as the importer sees it; `kind` is office, service or commune."""

    id: int
    name: str
    short_name: str
    kind: str


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


# --------------------------------------------------------------------------------------------
# Reading files


def read_letter_file(data: bytes, filename: str) -> str:
    """The text of an uploaded letter: .txt (UTF-8 with or without BOM, UTF-16/32 with BOM,
    Windows-1258) or .docx (paragraphs and table cells, in document order)."""
    name = filename or "tệp"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        raise LetterImportError(f"Tệp «{name}» trống, không có nội dung để nhập.")
    if len(data) > MAX_FILE_BYTES:
        raise LetterImportError(
            f"Tệp «{name}» quá lớn ({len(data) // (1024 * 1024)} MB); công văn thường dưới "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_docx(data, name)
    if suffix == "docx":
        raise LetterImportError(f"Tệp «{name}» không phải tệp Word (.docx) hợp lệ.")
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == "doc":
        raise LetterImportError(
            f"Tệp «{name}» là Word 97-2003 (.doc), chưa đọc được: hãy mở bằng Word và lưu lại "
            "thành .docx, hoặc lưu thành văn bản thuần (.txt, UTF-8)."
        )
    if data.startswith(b"%PDF") or suffix == "pdf":
        raise LetterImportError(
            f"Tệp «{name}» là PDF, chưa đọc được: hãy dùng bản Word (.docx) hoặc văn bản "
            "thuần (.txt) của công văn."
        )
    if data.lstrip().startswith(b"{\\rtf"):
        raise LetterImportError(
            f"Tệp «{name}» là RTF, chưa đọc được: hãy lưu lại thành .docx hoặc .txt."
        )
    return _decode_text(data, name)


_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]


def _decode_text(data: bytes, name: str) -> str:
    binary = LetterImportError(
        f"Tệp «{name}» không phải văn bản đọc được (có thể là ảnh hoặc tệp nhị phân): "
        "hãy chọn tệp .txt hoặc .docx của công văn."
    )
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError:
                raise binary from None
            break
    if text is None:
        if b"\x00" in data:
            text = _utf16_without_bom(data)
            if text is None:
                raise binary
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    text = data.decode("cp1258")
                except UnicodeDecodeError:
                    raise binary from None
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    replaced = text.count("\ufffd")
    if controls > max(2, len(text) // 100) or replaced > max(2, len(text) // 50):
        raise binary
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: text of Latin script has a zero in every other byte."""
    if len(data) % 2 or len(data) < 4:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > len(odd) * 0.3:
        encoding = "utf-16-le"
    elif even.count(0) > len(even) * 0.3:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if "\x00" not in text else None


def _read_docx(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_word = "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LetterImportError(f"Tệp «{name}» bị hỏng, không mở được.") from None
    if not is_word:
        raise LetterImportError(
            f"Tệp «{name}» là tệp nén nhưng không phải văn bản Word (.docx)."
        )
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = Document(io.BytesIO(data))
        blocks: list[str] = []

        def walk(parent, element, inside_cell: bool) -> list[str]:
            out: list[str] = []
            for child in element.iterchildren():
                tag = child.tag.rsplit("}", 1)[-1]
                if tag == "p":
                    paragraph = Paragraph(child, parent)
                    text = paragraph.text
                    if paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
                        text = "- " + text  # Word's own numbering is not in the text
                    out.append(text)
                elif tag == "tbl":
                    table = Table(child, parent)
                    for row in table.rows:
                        seen = set()
                        for cell in row.cells:
                            if id(cell._tc) in seen:
                                continue
                            seen.add(id(cell._tc))
                            out.append("\n".join(walk(cell, cell._tc, True)))
                            out.append("")
                elif tag == "sdt":  # content controls hold paragraphs too
                    content = child.find(
                        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sdtContent"
                    )
                    if content is not None:
                        out += walk(parent, content, inside_cell)
            return out

        for text in walk(document, document.element.body, False):
            blocks.append(text)
    except LetterImportError:
        raise
    except Exception as error:  # python-docx/lxml raise many kinds on a damaged file
        raise LetterImportError(
            f"Tệp «{name}» không đọc được như văn bản Word (.docx): {type(error).__name__}."
        ) from None
    # A body paragraph is a paragraph: a blank line between them; lines of a table cell
    # (the header and signature blocks) stay together.
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------------------------
# Normalising text

_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_BOLD = re.compile(r"\*\*|__")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([-.*_()#+!\[\]])")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)


def normalize_text(text: str) -> str:
    """NFC, Unix line ends, plain spaces, no invisible marks, no markdown emphasis; lines
    stripped."""
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    text = _LINE_BREAKS.sub("\n", text)
    chars = []
    for ch in text:
        if ch == "\n":
            chars.append(ch)
            continue
        category = unicodedata.category(ch)
        if ch == "\t" or category == "Zs":
            chars.append(" ")
        elif category in ("Cc", "Cf", "Cs"):
            continue
        else:
            chars.append(ch)
    text = "".join(chars)
    text = _BOLD.sub("", text)
    text = _ITALIC.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


class _SkeletonTable(dict):
    """str.translate table, filled as characters are met: one character for one character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "Đđ":
            out = "d"
        else:
            base = next((c for c in unicodedata.normalize("NFD", ch)
                         if not unicodedata.combining(c)), " ")
            low = base.lower()
            out = low if len(low) == 1 else base if len(base) == 1 else " "
        self[code] = out
        return out


_SKELETON = _SkeletonTable()


def skeleton(text: str) -> str:
    """Lower case without diacritics, character for character: positions in the result are
    positions in `text`, so a match found here slices the original words."""
    return text.translate(_SKELETON)


# --------------------------------------------------------------------------------------------
# Vocabulary (folded: lower case, no diacritics)

ORDER_VERBS = [
    "thuc hien", "cap nhat", "theo doi", "nang cao", "khac phuc", "xay dung", "huong dan",
    "kiem tra", "bao cao", "tuyen truyen", "day manh", "trien khai", "chu tri", "ra soat",
    "tham muu", "nghien cuu", "phoi hop", "to chuc", "ban hanh", "don doc", "giai quyet",
    "tiep nhan", "ho tro", "tang cuong", "chan chinh", "quan triet", "gui", "cung cap",
    "de xuat", "tong hop", "duy tri", "bo tri", "cong khai", "niem yet", "cai dat",
    "chi dao", "dam bao", "hoan thanh", "rut kinh nghiem", "phan cong", "xu ly", "lap",
    "tien hanh", "tap trung", "thong bao", "sua doi", "bo sung", "khan truong",
    "thuong xuyen", "tiep tuc", "chu dong", "nghiem tuc", "tich cuc", "kip thoi", "ra quyet dinh",
    "danh gia", "cai thien", "rut ngan", "nop", "dang tai", "su dung", "trien khai thuc hien",
]
ADVERBS = ["thuong xuyen", "khan truong", "nghiem tuc", "tiep tuc", "chu dong", "kip thoi",
           "tich cuc", "khan cap", "khan truong nghiem tuc"]
CONTINUATIONS = ["dong thoi"]
_VERB_RE = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, ORDER_VERBS), key=len,
                                                     reverse=True)) + r")\b")
_ADVERB_PREFIX = re.compile(r"^(?:(?:" + "|".join(ADVERBS) + r")\b[\s,]*)+")
# Who a heading names: the words it starts with.
_ADDRESSEE_START = re.compile(
    r"^(?:(?:giao|de nghi|yeu cau|doi voi|rieng)\s+)?(?:"
    r"thu truong|pho truong|truong|chanh|giam doc|pho giam doc|chu tich|pho chu tich|"
    r"uy ban|ubnd|hdnd|hoi dong|phong|van phong|so|ban|cac|co quan|don vi|trung tam|"
    r"thanh tra|cong an|chi cuc|cuc|xa|phuong|thi tran|lanh dao|bi thu|mat tran|"
    r"ban chi huy|cong chuc|vien chuc|doan|hoi|liên doan|lien doan|bo phan)\b"
)
_STRONG_ADDRESSEE = re.compile(
    r"^(?:(?:giao|de nghi|yeu cau)\s+)?(?:thu truong|pho truong|truong|chanh|giam doc|"
    r"pho giam doc|chu tich|pho chu tich|uy ban|ubnd|phong|van phong|so|trung tam|thanh tra|"
    r"chi cuc|cong an|ban chi huy)\b"
)
_CLOSING = re.compile(
    r"\b(?:cong van|van ban|chi thi|thong bao|ke hoach|quyet dinh) nay\b|^trong qua trinh "
    r"(?:thuc hien|trien khai)|^tren day\b"
)
# Words that say someone's post or link names, not who the unit is.
FILLER = {
    "thu", "truong", "chanh", "pho", "giam", "doc", "chu", "tich", "lanh", "dao", "cac",
    "thuoc", "truc", "cua", "giao", "de", "nghi", "yeu", "cau", "uy", "ban", "nhan", "dan",
    "thanh", "phong", "chuyen", "mon", "goi", "tat", "la", "chung", "sau", "day", "voi", "hoi",
    "dong", "tp", "ubnd", "hdnd", "vp", "van", "doi", "rieng", "vien", "chuc", "cap", "tren",
    "ca", "nhung", "co", "quan", "don", "vi", "duoc", "va", "cung", "tham", "muu", "nganh",
}
_ABBREVIATIONS = {
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "tp": ("thanh", "pho"),
    "vp": ("van", "phong"),
}
_SEPARATOR_WORDS = {"va", "cung"}
# Group words: (token sequence, rule), longest first within each rule.
_GROUPS: list[tuple[tuple[str, ...], str]] = [
    (tuple(words.split()), rule) for words, rule in [
        ("co quan don vi chua duoc kiem tra", "not_inspected"),
        ("don vi chua duoc kiem tra", "not_inspected"),
        ("co quan don vi duoc kiem tra", "inspected"),
        ("co quan don vi da duoc kiem tra", "inspected"),
        ("don vi duoc kiem tra", "inspected"),
        ("don vi su nghiep cong lap", "kind:service"),
        ("don vi su nghiep", "kind:service"),
        ("phong ban chuyen mon", "kind:office"),
        ("co quan chuyen mon", "kind:office"),
        ("phong chuyen mon", "kind:office"),
        ("ban chuyen mon", "kind:office"),
        ("cac phong ban", "kind:office"),
        ("xa phuong thi tran", "kind:commune"),
        ("xa phuong", "kind:commune"),
        ("phuong xa", "kind:commune"),
        ("co quan don vi", "all"),
        ("cac don vi", "all"),
        ("cac co quan", "all"),
    ]
]
_KINDS = ("kind:office", "kind:service", "kind:commune")


# --------------------------------------------------------------------------------------------
# Matching addressees to units


@dataclass
class AudienceMatch:
    rule: str | None
    matched: list[str]
    unmatched: list[str]


class _Token(NamedTuple):
    word: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    sk = skeleton(text)
    return [_Token(m.group(0), m.start(), m.end())
            for m in re.finditer(r"[^\W_]+|[,;()]", sk)]


def _key(name: str) -> tuple[str, ...]:
    words: list[str] = []
    for token in _tokens(name):
        if token.word in ",;()" or token.word in _SEPARATOR_WORDS:
            continue
        words += _ABBREVIATIONS.get(token.word, (token.word,))
    return tuple(words)


class UnitIndex:
    """The keys each unit is known by: its name (HĐND/UBND expanded, "và" and dashes ignored),
    and for an office its short name after "phòng"."""

    def __init__(self, units: list[UnitRef]):
        keys: dict[tuple[str, ...], str] = {}
        for unit in units:
            kind = getattr(unit.kind, "value", unit.kind)
            candidates = [_key(unit.name)]
            if unit.short_name and kind == "office":
                short = _key(unit.short_name)
                candidates.append(short if short[:1] in (("phong",), ("van",)) else
                                  ("phong", *short))
            elif unit.short_name and kind == "service":
                candidates.append(_key(unit.short_name))
            for key in candidates:
                if len(key) >= 2:
                    keys.setdefault(key, unit.name)
        self.keys = sorted(keys.items(), key=lambda item: -len(item[0]))
        patterns = [r"\W+(?:va\W+)?".join(map(re.escape, key)) for key, _ in self.keys]
        self.names = re.compile(r"\b(?:" + "|".join(patterns) + r")\b") if patterns else None
        self.kinds = {unit.name: getattr(unit.kind, "value", unit.kind) for unit in units}

    def match(self, text: str) -> AudienceMatch:
        tokens = _tokens(text)
        # Parentheses that do not name the addressees again ("Gọi tắt là …") are left out.
        skipped: set[int] = set()
        depth_start = None
        for index, token in enumerate(tokens):
            if token.word == "(":
                depth_start = index
            elif token.word == ")" and depth_start is not None:
                inside = [t.word for t in tokens[depth_start + 1:index]]
                if not (inside[:2] in (["goi", "tat"], ["goi", "chung"])
                        or inside[:2] == ["sau", "day"]):
                    skipped.update(range(depth_start, index + 1))
                depth_start = None
        stream: list[tuple[str, int]] = []
        for index, token in enumerate(tokens):
            if index in skipped or token.word in ",;()" or token.word in _SEPARATOR_WORDS:
                continue
            for word in _ABBREVIATIONS.get(token.word, (token.word,)):
                stream.append((word, index))
        words = [word for word, _ in stream]
        used = [False] * len(stream)
        rules: list[str] = []

        def consume(key: tuple[str, ...], rule: str) -> None:
            size = len(key)
            position = 0
            while position + size <= len(words):
                if tuple(words[position:position + size]) == key and not any(
                        used[position:position + size]):
                    for k in range(position, position + size):
                        used[k] = True
                    if rule not in rules:
                        rules.append(rule)
                    position += size
                else:
                    position += 1

        for key, name in self.keys:
            consume(key, f"unit:{name}")
        for key, rule in _GROUPS:
            consume(key, rule)

        # What is left: stretches of real words between separators that matched nothing.
        done_tokens = {index for (_, index), ok in zip(stream, used, strict=True) if ok}
        unmatched: list[str] = []
        run: list[_Token] = []

        def flush() -> None:
            real = [t for t in run if t.word not in FILLER]
            if real:
                first = next(i for i, t in enumerate(run) if t.word not in FILLER)
                last = max(i for i, t in enumerate(run) if t.word not in FILLER)
                piece = text[run[first].start:run[last].end].strip(" ,;:-–")
                if piece:
                    unmatched.append(piece)
            run.clear()

        for index, token in enumerate(tokens):
            if (index in skipped or index in done_tokens or token.word in ",;()"
                    or token.word in _SEPARATOR_WORDS):
                flush()
            else:
                run.append(token)
        flush()
        return AudienceMatch(self._rule(rules, unmatched), rules, unmatched)

    def _rule(self, rules: list[str], unmatched: list[str]) -> str | None:
        if not rules:
            return None
        if "all" in rules:
            return "all"
        kinds = {rule for rule in rules if rule in _KINDS}
        if kinds == set(_KINDS):
            return "all"
        units = [rule[5:] for rule in rules if rule.startswith("unit:")]
        others = [rule for rule in rules if rule not in _KINDS and not rule.startswith("unit:")]
        if others:
            return others[0] if len(rules) == 1 else None
        if len(kinds) == 1:
            (kind,) = kinds
            if all(self.kinds.get(unit) == kind[5:] for unit in units):
                return kind
            return None
        if not kinds and len(units) == 1:
            return f"unit:{units[0]}"
        return None


# --------------------------------------------------------------------------------------------
# The letter's parts


_MARKER = re.compile(
    r"^(?P<marker>[-+•●▪◦‣–—*·○■□➢➤✓❖→>]|\(?[0-9]{1,2}(?:\.[0-9]{1,2})+\.?|"
    r"\(?[0-9]{1,2}[.)]|\(?[a-zđ][.)]|\(?[IVX]{1,5}[.)])\s+(?=\S)"
)
_SO = re.compile(r"^so\s*(?:hieu)?\s*:\s*")
_SUBJECT = re.compile(r"^(?:v/v|v\.v|ve viec)\b[\s:.]*")
_DATE_LINE = re.compile(
    r"(?P<place>[^\W\d_][^,\n]{0,60}?)\s*,\s*ngay\b\s*(?:"
    r"(?P<d>[0-9]{1,2})?\s*thang\b\s*(?P<m>[0-9]{1,2})?\s*nam\b\s*(?P<y>[0-9]{4})?"
    r"|(?P<d2>[0-9]{1,2})\s*[/.-]\s*(?P<m2>[0-9]{1,2})\s*[/.-]\s*(?P<y2>[0-9]{4}))"
)
_SIGN_PREFIX = re.compile(r"^(?:tm|kt|tl|tuq|q)\s*\.\s*\S")
_ROLE = re.compile(
    r"\b(?:chu tich|giam doc|truong phong|truong ban|chanh van phong|thu truong|bi thu|"
    r"chanh thanh tra|truong)\b"
)
_PLACE_WORDS = ["thanh pho", "thi xa", "thi tran", "tinh", "huyen", "quan", "xa", "phuong"]
_ORG_WORDS = ["so", "phong", "ban", "van phong", "trung tam", "chi cuc", "cuc", "bo",
              "thanh tra", "cong an"]


@dataclass
class _Para:
    marker: str
    text: str

    @property
    def level(self) -> str:
        marker = self.marker.strip("()")
        if not marker:
            return ""
        if re.fullmatch(r"[0-9]{1,2}[.)]", marker) or re.fullmatch(r"[IVX]{1,5}[.)]", marker):
            return "top"
        if marker[0].isdigit():
            return "sub"
        return "bullet"


def _is_upper_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and all(not ch.islower() for ch in letters)


def _is_motto(folded: str) -> bool:
    return (folded.startswith("cong hoa xa hoi") or folded.startswith("doc lap")
            or folded.startswith("dang cong san") or not re.search(r"[^\W_]", folded))


def _sentence_case(line: str) -> str:
    words = line.split()
    out = []
    for index, word in enumerate(words):
        if index == 0 and re.fullmatch(r"[A-ZĐ]{1,4}\.", word):
            out.append(word)
            continue
        out.append(word.lower())
    if len(out) > 1 and out[0] == words[0] and out[0].endswith("."):
        out[1] = _capitalize(out[1])
    text = " ".join(out)
    text = re.sub(r"(?<![^\s])chủ tịch", "Chủ tịch", text)
    return _capitalize(text)


def _capitalize(text: str) -> str:
    for index, ch in enumerate(text):
        if ch.isalpha():
            if ch.islower():
                return text[:index] + ch.upper() + text[index + 1:]
            return text
        if ch not in "(\"'“«[":
            return text
    return text


def _issuer_name(lines: list[str]) -> str:
    if not lines:
        return ""
    if len(lines) >= 2:
        last = skeleton(lines[-1]).strip()
        if any(last.startswith(word + " ") for word in _ORG_WORDS):
            lines = lines[-1:]
    text = " ".join(lines).lower()
    sk = skeleton(text)
    words = text.split()
    sk_words = sk.split()
    if len(words) != len(sk_words):
        return _capitalize(text)
    for index in range(len(sk_words)):
        for place in _PLACE_WORDS:
            size = len(place.split())
            if " ".join(sk_words[index:index + size]) == place and index + size < len(words):
                rest = [w[:1].upper() + w[1:] for w in words[index + size:]]
                return _capitalize(" ".join(words[:index + size] + rest))
    for index in range(len(sk_words)):
        for org in _ORG_WORDS:
            size = len(org.split())
            if index == 0 and " ".join(sk_words[:size]) == org and size < len(words):
                words[size] = words[size][:1].upper() + words[size][1:]
                return _capitalize(" ".join(words))
    return _capitalize(text)


def _split_header_line(line: str) -> list[str]:
    """'ỦY BAN NHÂN DÂN      CỘNG HÒA …' (two table cells pasted on one line) → two lines."""
    sk = skeleton(line)
    for marker in ("cong hoa xa hoi", "doc lap"):
        position = sk.find(marker)
        if position > 0 and line[:position].strip():
            return [line[:position].strip(), line[position:].strip()]
    return [line]


def _parse_header(lines: list[str], draft: Draft) -> int:
    """Fill the draft's metadata from the lines above the body; the index where the body
    starts."""
    n = len(lines)
    i = 0
    while i < n and not lines[i]:
        i += 1
    issuer: list[str] = []
    while i < n and lines[i] and _is_upper_line(lines[i]) and len(issuer) < 4:
        parts = _split_header_line(lines[i])
        if _is_motto(skeleton(parts[0]).strip()) or _SO.match(skeleton(parts[0])):
            break
        issuer.append(parts[0])
        i += 1
        if len(parts) > 1:
            break
    draft.issuer = _issuer_name(issuer)
    limit = min(n, i + 60)
    while i < limit:
        line = lines[i]
        if not line:
            i += 1
            continue
        folded = skeleton(line).strip()
        if _MARKER.match(line) or len(line) > 300:
            break
        if _SO.match(folded):
            rest = line[_SO.match(folded).end():].strip()
            number = rest.split()[0] if rest.split() else ""
            if "/" in number or re.fullmatch(r"[0-9]+", number) or not number:
                draft.number = number if re.match(r"[0-9]", number) else ""
                draft.number_symbol = number.split("/", 1)[1] if "/" in number else ""
                _take_date(line, draft)
                i += 1
                continue
        if _SUBJECT.match(folded):
            subject = [line]
            i += 1
            while i < n and lines[i] and len(subject) < 6:
                nxt = skeleton(lines[i]).strip()
                if (_SO.match(nxt) or _DATE_LINE.search(nxt) or nxt.startswith("kinh gui")
                        or _is_motto(nxt) or _MARKER.match(lines[i])
                        or _is_upper_line(lines[i])):
                    break
                subject.append(lines[i])
                i += 1
            draft.subject = " ".join(" ".join(subject).split())
            draft.title = _capitalize(draft.subject[_SUBJECT.match(
                skeleton(draft.subject)).end():].strip())
            continue
        if folded.startswith("kinh gui"):
            i = _parse_recipients(lines, i, draft)
            break
        if _take_date(line, draft):
            i += 1
            continue
        if _is_motto(folded) or (_is_upper_line(line) and len(line) < 80
                                 and not _VERB_RE.search(folded)):
            i += 1
            continue
        break
    return i


def _take_date(line: str, draft: Draft) -> bool:
    sk = skeleton(line)
    match = _DATE_LINE.search(sk)
    if not match or draft.date_line:
        return False
    start = match.start("place")
    draft.date_line = line[start:].strip()
    draft.place = line[start:match.end("place")].strip(" ,.")
    day = match.group("d") or match.group("d2")
    month = match.group("m") or match.group("m2")
    year = match.group("y") or match.group("y2")
    draft.day = int(day) if day and 1 <= int(day) <= 31 else None
    draft.month = int(month) if month and 1 <= int(month) <= 12 else None
    draft.year = int(year) if year and 1900 <= int(year) <= 2200 else None
    if draft.day and draft.month and draft.year:
        try:
            draft.issued_on = date(draft.year, draft.month, draft.day)
        except ValueError:
            draft.warnings.append(f"Ngày ban hành không có thật: «{draft.date_line}».")
    return True


def _parse_recipients(lines: list[str], i: int, draft: Draft) -> int:
    line = lines[i]
    colon = line.find(":")
    rest = line[colon + 1:].strip() if colon >= 0 else line[len("Kính gửi"):].strip()
    items: list[str] = []
    if rest:
        items += [part for part in re.split(r";", rest) if part.strip()]
    i += 1
    n = len(lines)
    expect_more = not rest or rest.rstrip().endswith((";", ","))
    while i < n:
        if not lines[i]:
            i += 1
            continue
        marker = _MARKER.match(lines[i])
        if marker and _Para(marker.group("marker"), "").level != "bullet":
            break
        if items and items[-1].rstrip().endswith("."):
            break  # the list ended with its full stop
        if marker and (expect_more or not rest):
            items.append(lines[i][marker.end():])
            expect_more = True
        elif not marker and expect_more and len(lines[i]) < 200 and (
                not items or items[-1].rstrip().endswith((";", ",")) or lines[i][0].islower()
                or not rest and not items):
            if items and lines[i][0].islower():
                items[-1] += " " + lines[i]
            else:
                items.append(lines[i])
        else:
            break
        i += 1
        if not marker and not items[-1].rstrip().endswith((";", ",")):
            expect_more = False
    draft.recipients = [item.strip().rstrip(";,.").strip() for item in items if item.strip(
        " ;,.")]
    return i


def _closing_start(lines: list[str], start: int) -> int:
    for index in range(start, len(lines)):
        line = lines[index]
        folded = skeleton(line).strip()
        if folded.startswith("noi nhan"):
            return index
        if _is_upper_line(line) and not _MARKER.match(line) and (
                _SIGN_PREFIX.match(folded)
                or re.fullmatch(r"(?:pho )?(?:chu tich|giam doc|truong phong|truong ban|"
                                r"chanh van phong|bi thu)", folded)):
            return index
    return len(lines)


def _parse_signature(lines: list[str], start: int, draft: Draft) -> None:
    title_index = None
    for index in range(len(lines) - 1, start - 1, -1):
        line = lines[index]
        if line and _is_upper_line(line) and _ROLE.search(skeleton(line)) and len(line) < 80:
            title_index = index
            break
    if title_index is None:
        return
    first = title_index
    while first - 1 >= start and lines[first - 1] and _is_upper_line(lines[first - 1]) \
            and not skeleton(lines[first - 1]).startswith("noi nhan") and title_index - first < 3:
        first -= 1
    draft.signer_title = " - ".join(_sentence_case(line) for line in lines[first:title_index + 1])
    for line in reversed(lines[title_index + 1:]):
        words = line.split()
        if (line and not line.startswith(("(", "[", "-", "+")) and 2 <= len(words) <= 7
                and all(any(ch.isalpha() for ch in word) for word in words)
                and not skeleton(line).startswith("noi nhan")):
            draft.signer = line.strip(" .")
            return


def _paragraphs(lines: list[str]) -> list[_Para]:
    paras: list[_Para] = []
    blank = False
    for line in lines:
        if not line:
            blank = True
            continue
        marker = _MARKER.match(line)
        if marker:
            paras.append(_Para(marker.group("marker"), line[marker.end():]))
        elif paras and _joins(paras[-1], line, blank):
            paras[-1].text += " " + line
        else:
            paras.append(_Para("", line))
        blank = False
    return paras


def _joins(prev: _Para, line: str, blank: bool) -> bool:
    text = prev.text.rstrip()
    if not text:
        return False
    last = text[-1]
    first_lower = line[0].islower()
    if last == ",":
        return True
    if blank:
        return last not in ".;:!?" and first_lower
    if last in ".;:!?":
        return first_lower
    return first_lower or not _heading_like(prev)


def _heading_like(para: _Para) -> bool:
    folded = skeleton(para.text).strip()
    return bool(_ADDRESSEE_START.match(folded)) and not _VERB_RE.search(folded)


# --------------------------------------------------------------------------------------------
# Sentences, clauses, orders


def _spans(text: str, separators: str) -> list[tuple[int, int]]:
    """Spans of `text` cut after each separator outside parentheses (a sentence's "." only
    before a capital letter, a digit or the end, and not after a short abbreviation)."""
    spans = []
    depth = 0
    start = 0
    n = len(text)
    for index, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            if ch in ".!?":
                after = text[index + 1:index + 3]
                if index + 1 < n and not after[:1].isspace():
                    continue
                nxt = text[index + 1:].lstrip()[:1]
                if nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "(\"“-"):
                    continue
                word = text[max(start, text.rfind(" ", start, index) + 1):index]
                if re.fullmatch(r"(?:TP|Tp|TM|KT|TL|TUQ|Q|ThS|TS|PGS|GS|St|v\.v|[A-ZĐa-z])",
                                word):
                    continue
            spans.append((start, index + 1))
            start = index + 1
    if start < n:
        spans.append((start, n))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _starts_with_order(folded: str) -> bool:
    """The clause opens with an order verb (adverbs such as "thường xuyên" count as its
    opening)."""
    return bool(_VERB_RE.match(folded.lstrip(" ,-–:;(")))


def _is_continuation(folded: str) -> bool:
    folded = folded.lstrip(" ,-–:;(")
    return any(folded.startswith(word) for word in CONTINUATIONS)


def _has_order(folded: str) -> bool:
    return bool(_VERB_RE.search(folded))


def _clean_task_text(text: str) -> str:
    text = text.strip().rstrip(",;: ")
    if text.endswith("./."):
        text = text[:-3].rstrip() + "."
    if text and text[-1] not in ".!?":
        text += "."
    return _capitalize(text)


def _title(text: str) -> str:
    text = re.sub(r"\s*\([^()]*\)", "", text)
    text = _capitalize(text)
    sk = skeleton(text)
    stripped = re.match(r"(?:(?:" + "|".join(ADVERBS + CONTINUATIONS) + r")\b[\s,]*)+", sk)
    if stripped and stripped.end() < len(text) and _VERB_RE.match(sk[stripped.end():]):
        text = text[stripped.end():]
    for cut in (". ", "; ", ":"):
        position = text.find(cut)
        if position > 0:
            text = text[:position]
    text = text.strip(" .;:,")
    if len(text) > 90:
        sk = skeleton(text)
        commas = [m.start() for m in re.finditer(r", (?!(?:phuong|ban|don vi|xa|thi tran)\b)",
                                                 sk[:91])]
        if commas and commas[-1] >= 50:
            text = text[:commas[-1]]
        else:
            space = text.rfind(" ", 0, 88)
            text = text[:space if space > 20 else 88].rstrip(" ,;") + "…"
    return _capitalize(text.strip())


_DEADLINE = re.compile(
    r"\b(?P<kw>truoc|cham nhat|han chot|han cuoi|thoi han|han nop|hoan thanh truoc)\b"
    r"[\s:,]*(?:la\s+|vao\s+)?(?:[0-9]{1,2}\s*(?:gio|h)(?:\s*[0-9]{1,2}\s*(?:phut)?)?\s*,?\s*)?"
    r"(?:ngay\s*)?(?:(?P<d>[0-9]{1,2})\s*[/.-]\s*(?P<m>[0-9]{1,2})(?:\s*[/.-]\s*"
    r"(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9])"
    r"|(?P<d2>[0-9]{1,2})\s*thang\s*(?P<m2>[0-9]{1,2})(?:\s*nam\s*(?P<y2>[0-9]{4}))?)"
)


def _deadline(text: str, year: int | None, notes: list[str]) -> tuple[date | None, str]:
    found: list[tuple[date, str]] = []
    sk = skeleton(text)
    for match in _DEADLINE.finditer(sk):
        words = text[match.start():match.end()]
        day = int(match.group("d") or match.group("d2"))
        month = int(match.group("m") or match.group("m2"))
        raw_year = match.group("y") or match.group("y2")
        if raw_year:
            the_year = int(raw_year) + (2000 if len(raw_year) == 2 else 0)
        elif year:
            the_year = year
            notes.append(f"Hạn «{words}» không ghi năm: lấy năm của văn bản ({year}).")
        else:
            notes.append(f"Hạn «{words}» không ghi năm: chưa đặt hạn.")
            continue
        try:
            found.append((date(the_year, month, day), words))
        except ValueError:
            notes.append(f"Hạn «{words}» không phải ngày có thật: chưa đặt hạn.")
    if not found:
        return None, ""
    if len({d for d, _ in found}) > 1:
        notes.append("Có nhiều hạn trong đoạn: " + "; ".join(w for _, w in found)
                     + f". Lấy hạn đầu tiên ({found[0][1]}).")
    return found[0]


_NOT_INSPECTED = re.compile(r"\b(?:co quan|don vi)\b[^.;]{0,30}?\bchua (?:duoc )?kiem tra\b")
_INSPECTED = re.compile(r"\b(?:co quan|don vi)\b[^.;]{0,30}?\b(?:da )?duoc kiem tra\b")
_AT_COMMUNE = re.compile(r"\btai\b[^,.;]{0,50}?\bxa\s*,\s*phuong\b")
_TARGET = re.compile(r"(?<![0-9.,])([0-9]{1,3}(?:[.,][0-9]{1,2})?)\s*%")


def _classify(task: DraftTask) -> None:
    sk = skeleton(task.text)
    report = bool(re.search(r"(?<![\w])báo cáo", task.text)) or sk.startswith("bao cao")
    if "ty le" in sk and not report:
        task.kind, task.measure = "metric", "percent"
        target = _TARGET.search(task.text)
        if target:
            value = float(target.group(1).replace(",", "."))
            task.target = int(value) if value.is_integer() else value
    elif report:
        task.kind = "report"
    elif re.search(r"(?<![\w])(?:kế hoạch|quy chế)", task.text) or re.match(
            r"(?:ke hoach|quy che)\b", sk):
        task.kind = "document"
    elif re.search(r"\bso luong\b", sk):
        task.kind, task.measure = "metric", "count"
    else:
        task.kind = "action"


def _split_rates(text: str) -> list[str] | None:
    """'Nâng cao tỷ lệ A, tỷ lệ B, tỷ lệ C đúng quy định' → one order per rate."""
    sk = skeleton(text)
    positions = [m.start() for m in re.finditer(r"\bty le\b", sk)]
    if len(positions) < 2:
        return None
    prefix = text[:positions[0]]
    if not _VERB_RE.search(skeleton(prefix)) or len(prefix) > 60:
        return None
    for position in positions[1:]:
        if not re.search(r",\s*(?:va\s+)?$", sk[:position]):
            return None
    parts = []
    bounds = positions + [len(text)]
    for index, position in enumerate(positions):
        piece = text[position:bounds[index + 1]].rstrip().rstrip(",").rstrip()
        piece = re.sub(r"\s+và$", "", piece)
        parts.append(_clean_task_text(prefix + piece))
    return parts


# --------------------------------------------------------------------------------------------
# The importer


@dataclass
class _Builder:
    index: UnitIndex
    year: int | None
    sections: list[DraftSection] = field(default_factory=list)
    preamble: DraftSection | None = None

    def new_section(self, heading: str, label: str) -> DraftSection:
        match = self.index.match(heading)
        section = DraftSection(
            number=str(len(self.sections) + 1),
            heading=_clean_heading(heading),
            label=label,
            audience=match.rule if match.matched else None,
            matched=match.matched,
            unmatched=match.unmatched,
        )
        if not match.matched and not match.unmatched:
            section.unmatched = [section.heading]
        if section.audience is None and match.matched:
            section.notes.append(
                "Tiêu đề nêu nhiều đối tượng không gộp được thành một quy tắc: "
                + ", ".join(match.matched) + ". Hãy chọn đối tượng cho mục này."
            )
        elif section.audience and match.unmatched:
            section.notes.append(
                "Một phần tiêu đề không khớp đơn vị nào trên cổng (xem unmatched); đối tượng "
                "chỉ gồm phần đã khớp."
            )
        self.sections.append(section)
        return section

    def add_paragraph(self, section: DraftSection, para: _Para) -> None:
        bullet = bool(para.marker)
        current: list[tuple[int, int]] | None = None
        groups: list[list[tuple[int, int]]] = []
        text = para.text
        for s_index, (sa, sb) in enumerate(_spans(text, ".!?")):
            sentence = text[sa:sb]
            sentence_orders = _has_order(skeleton(sentence))
            if sentence.rstrip().endswith(":"):
                current = None  # an introduction to what follows, not an order
                continue
            for c_index, (ca, cb) in enumerate(_spans(sentence, ";")):
                clause = sentence[ca:cb]
                folded = skeleton(clause).strip()
                span = (sa + ca, sa + cb)
                first = s_index == 0 and c_index == 0
                words = len(clause.split())
                opens = (
                    (first and bullet and sentence_orders)
                    or (_starts_with_order(folded) and words >= 3)
                    or (c_index == 0 and _ADDRESSEE_START.match(folded)
                        and sentence_orders
                        and not folded.startswith(("doi voi", "rieng")))
                )
                if _is_continuation(folded) and current is not None:
                    current.append(span)
                elif opens:
                    current = [span]
                    groups.append(current)
                elif current is not None:
                    current.append(span)
        for group in groups:
            raw = text[group[0][0]:group[-1][1]]
            pieces = _split_rates(raw) if len(group) == 1 else None
            for piece in pieces or [_clean_task_text(raw)]:
                self.add_task(section, piece, split=bool(pieces))

    def add_task(self, section: DraftSection, text: str, split: bool) -> None:
        task = DraftTask(code=f"{section.number}.{len(section.tasks) + 1}",
                         title=_title(text), text=text)
        if split:
            task.notes.append("Tách từ một câu nêu nhiều tỷ lệ: mỗi tỷ lệ một nhiệm vụ.")
        task.deadline, task.deadline_text = _deadline(text, self.year, task.notes)
        if task.deadline_text:
            task.notes.append(f"Hạn lấy từ «{task.deadline_text}».")
        _classify(task)
        self.narrow(section, task)
        section.tasks.append(task)

    def narrow(self, section: DraftSection, task: DraftTask) -> None:
        sk = skeleton(task.text)
        narrower = None
        reason = ""
        not_inspected = _NOT_INSPECTED.search(sk)
        inspected = _INSPECTED.search(_NOT_INSPECTED.sub(lambda m: " " * len(m.group(0)), sk))
        if not_inspected and inspected:
            task.notes.append("Đoạn nêu cả đơn vị được và chưa được kiểm tra: giữ đối tượng "
                              "của mục, cần xem lại.")
        elif not_inspected:
            narrower = "not_inspected"
            reason = task.text[not_inspected.start():not_inspected.end()]
        elif inspected:
            narrower = "inspected"
            reason = task.text[inspected.start():inspected.end()]
        elif _AT_COMMUNE.search(sk):
            narrower = "kind:commune"
            match = _AT_COMMUNE.search(sk)
            reason = task.text[match.start():match.end()]
        else:
            lead = re.match(r"(?:doi voi|rieng)\s+([^,:]{3,80})[,:]", sk)
            if lead:
                match = self.index.match(task.text[lead.start(1):lead.end(1)])
                if match.rule and not match.unmatched:
                    narrower = match.rule
                    reason = task.text[lead.start():lead.end(1)]
        if not narrower or narrower == section.audience:
            return
        if section.audience == "all" or (narrower == "kind:commune" and section.audience is None
                                         and "kind:commune" in section.matched):
            task.audience = narrower
            task.notes.append(f"Đối tượng thu hẹp theo «{reason}».")
        else:
            task.notes.append(
                f"Đoạn nêu «{reason}» nhưng mục giao cho {describe_audience(section.audience)}:"
                " giữ đối tượng của mục, cần xem lại."
            )


def _clean_heading(text: str) -> str:
    text = " ".join(text.split()).strip(" :;,.")
    return text


def _section_heading(para: _Para, index: UnitIndex) -> tuple[str, str] | None:
    """(addressee, what follows it) when the paragraph opens a section for an addressee."""
    text = para.text.strip()
    folded = skeleton(text)
    if not _ADDRESSEE_START.match(folded) or len(text) > 600:
        return None
    level = para.level
    colon = _colon_outside_parentheses(text)
    if colon is not None and colon <= 200:
        head = text[:colon]
        if not _VERB_RE.search(_blank_units(skeleton(head), index)):
            return head, text[colon + 1:].strip()
    no_end = not text.rstrip().endswith((".", ";", "!", "?"))
    blanked = _blank_units(folded, index)
    if not _VERB_RE.search(blanked) and (no_end or level == "top") and len(text) <= 300:
        return text, ""
    if level == "top" or (not para.marker and re.match(r"(?:giao|de nghi|yeu cau)\s", folded)):
        if _CLOSING.search(folded):
            return None
        verb = _VERB_RE.search(blanked)
        if not verb or verb.start() == 0:
            return None
        start = verb.start()
        adverbs = re.search(r"(?:\b(?:" + "|".join(ADVERBS) + r")\s+)+$", blanked[:start])
        if adverbs:
            start = adverbs.start()
        head = text[:start].strip(" ,;:-–")
        if not head:
            return None
        match = index.match(head)
        strong = bool(_STRONG_ADDRESSEE.match(folded))
        if match.matched or strong:
            return head, text[start:].strip()
    return None


def _colon_outside_parentheses(text: str) -> int | None:
    depth = 0
    for position, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0:
            return position
    return None


def _blank_units(folded: str, index: UnitIndex) -> str:
    """The folded text with the units' names blanked, so that "Ban Quản lý dự án đầu tư xây
    dựng" is not read as the order "xây dựng"."""
    if index.names is None:
        return folded
    return index.names.sub(lambda m: " " * len(m.group(0)), folded)


def import_letter(text: str, units: list[UnitRef]) -> Draft:
    """A draft directive from the letter's text, its addressees matched against `units`."""
    if not isinstance(text, str):
        raise LetterImportError("Nội dung công văn phải là văn bản.")
    if len(text) > MAX_TEXT_CHARS:
        raise LetterImportError(
            f"Văn bản quá dài ({len(text):,} ký tự); một công văn thường dưới "
            f"{MAX_TEXT_CHARS:,} ký tự.".replace(",", ".")
        )
    normal = normalize_text(text)
    if not re.search(r"[^\W_]", normal):
        raise LetterImportError("Văn bản trống: không có nội dung nào để nhập.")
    draft = Draft(full_text=normal)
    lines = normal.split("\n")
    body_start = _parse_header(lines, draft)
    closing = _closing_start(lines, body_start)
    _parse_signature(lines, closing, draft)
    if draft.year is None:
        years = re.findall(r"\bnam ([0-9]{4})\b", skeleton(draft.subject))
        if years:
            draft.year = int(years[-1])
            draft.warnings.append(f"Không thấy ngày ban hành; lấy năm {draft.year} từ trích yếu.")
        else:
            draft.warnings.append("Không thấy năm ban hành: điền «year» trước khi nạp.")
    if not draft.subject:
        draft.warnings.append("Không thấy trích yếu (V/v …): điền «subject» và «title».")

    index = UnitIndex(list(units))
    builder = _Builder(index, draft.year)
    paras = _paragraphs(lines[body_start:closing])
    preamble: list[_Para] = []
    section: DraftSection | None = None
    for para in paras:
        folded = skeleton(para.text).strip()
        if not para.marker and _CLOSING.search(folded) and section is not None:
            section = None
            continue
        heading = _section_heading(para, index)
        if heading:
            head, rest = heading
            section = builder.new_section(head, para.marker)
            if rest:
                builder.add_paragraph(section, _Para("", rest))
            continue
        if section is None:
            if builder.sections:
                continue  # after a closing paragraph: context, not orders
            preamble.append(para)
            continue
        builder.add_paragraph(section, para)

    general = DraftSection(number="0", heading="Chung", notes=[])
    for para in preamble:
        builder.add_paragraph(general, para)
    if general.tasks or not builder.sections:
        _address_general(general, draft, index)
        builder.sections.insert(0, general)
        for position, each in enumerate(builder.sections, start=1):
            _renumber(each, str(position))
    draft.sections = builder.sections
    if not draft.tasks:
        draft.warnings.append("Không tìm thấy nhiệm vụ nào: thêm nhiệm vụ bằng tay.")
    if any(each.audience_of(task) in ("inspected", "not_inspected")
           for each in draft.sections for task in each.tasks):
        draft.warnings.append("Có nhiệm vụ cho đơn vị được/chưa được kiểm tra: văn bản không "
                              "liệt kê các đơn vị đã được kiểm tra, điền danh sách «inspected».")
    for each in draft.sections:
        if each.audience is None:
            draft.warnings.append(
                f"Mục {each.number} ({each.heading[:60]}) chưa xác định được đơn vị thực hiện."
            )
    return draft


def _address_general(section: DraftSection, draft: Draft, index: UnitIndex) -> None:
    """The tasks outside any addressed section go to the letter's recipients when they match."""
    if draft.recipients:
        match = index.match("; ".join(draft.recipients))
        section.matched, section.unmatched = match.matched, match.unmatched
        if match.rule and match.matched:
            section.audience = match.rule
            section.notes.append("Đối tượng lấy từ phần «Kính gửi».")
            if match.unmatched:
                section.notes.append("Một phần «Kính gửi» không khớp đơn vị nào trên cổng.")
            return
    section.audience = None
    if not section.unmatched:
        section.unmatched = ["; ".join(draft.recipients) if draft.recipients
                             else "(văn bản không nêu đối tượng)"]
    section.notes.append("Văn bản không chia mục theo đơn vị: chọn đối tượng cho mục này.")


def _renumber(section: DraftSection, number: str) -> None:
    section.number = number
    for position, task in enumerate(section.tasks, start=1):
        task.code = f"{number}.{position}"
