"""The last stage: the draft built from the others. `_Builder` groups the body's paragraphs into
sections by the addressee a heading names (`_section_heading`), cuts each into tasks and narrows a
task's audience when its words name a narrower one ("đơn vị chưa được kiểm tra", "tại xã,
phường"), saying so in its notes. `import_letter` runs every stage in order, gives the orders
before any addressed section to the letter's recipients, and warns of what is left for the
editor to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .addressees import _ADDRESSEE_START, _STRONG_ADDRESSEE, UnitIndex, UnitRef
from .body import (
    ADVERBS,
    _classify,
    _clean_task_text,
    _deadline,
    _has_order,
    _is_continuation,
    _paragraphs,
    _spans,
    _split_rates,
    _starts_with_order,
    _title,
)
from .draft import Draft, DraftSection, DraftTask, describe_audience
from .header import _closing_start, _parse_header, _parse_signature
from .reading import MAX_TEXT_CHARS, LetterImportError, normalize_text
from .text import _VERB_RE, _Para, skeleton

# A paragraph about the letter itself ("công văn này", "trên đây") ends the addressed
# sections: what follows it is context, not orders.
_CLOSING = re.compile(
    r"\b(?:cong van|van ban|chi thi|thong bao|ke hoach|quyet dinh) nay\b|^trong qua trinh "
    r"(?:thuc hien|trien khai)|^tren day\b"
)

_NOT_INSPECTED = re.compile(r"\b(?:co quan|don vi)\b[^.;]{0,30}?\bchua (?:duoc )?kiem tra\b")
_INSPECTED = re.compile(r"\b(?:co quan|don vi)\b[^.;]{0,30}?\b(?:da )?duoc kiem tra\b")
_AT_COMMUNE = re.compile(r"\btai\b[^,.;]{0,50}?\bxa\s*,\s*phuong\b")


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
