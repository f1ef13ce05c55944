"""The last stage: the draft built from the others. `_Builder` groups the body's paragraphs into
sections by the addressee a heading names (`_section_heading`), cuts each into tasks and narrows a
task's audience when its words name a narrower one ("đơn vị chưa được kiểm tra", "tại xã,
phường"), saying so in its notes. `import_letter` runs every stage in order, gives the orders
before any addressed section to the letter's recipients, and warns of what is left for the
editor to decide.

Letters name their addressees in many ways, and each way read here is a general shape:

- inside a sentence: "Giao Sở X chủ trì, phối hợp với Y …" (X only), "Theo đó, đề nghị …",
  "Trên cơ sở …, đề nghị …", "UBND tỉnh (đã) giao …", "Phó Chủ tịch … yêu cầu …" (`_strip_lead`;
  in any sentence of a paragraph, "… Đồng chí yêu cầu Sở X …"),
  a task that opens with its own unit ("Sở Y tế kiểm tra …", `_task_addressee`), an order to
  others inside a clause ("…, các xã phải …");
- an introduction that names them and ends with ":" ("Thủ trưởng các … thực hiện một số nhiệm
  vụ sau:"), then the items;
- a plan's task lines ("Cơ quan chủ trì: …", "Thời gian hoàn thành: …").

A meeting's conclusions (thông báo kết luận) are read the same way: its frame (when, who chaired,
who attended, "Sau khi nghe …"), the leader's remarks on what was done ("Đánh giá cao …", "Cơ
bản thống nhất …", "Tuy nhiên, …") and the notice passing it on ("Văn phòng … thông báo để các cơ
quan … biết, thực hiện") give no task; a topic before an order ("Về đề xuất của …: Giao Sở X …")
leaves the order its own addressee. A numbered item that opens a unit's section ("1. Giao Sở X
chủ trì …", "1. Sở X:") holds only its own items: the next item numbered the same way goes back
to the section before. What is not yet done ("Sở X chưa …", "các xã còn chậm …"), a shortcomings
part ("TỒN TẠI, HẠN CHẾ") and "… trân trọng thông báo./." give no task. A lead that says what
to act on ("Căn cứ Kế hoạch này, …", "Triển khai Kế hoạch số … , UBND các xã …") is not the
legal basis when an order follows it.

What is not an order gives no task: the grounds (Căn cứ …, Thực hiện Công văn …, Xét đề nghị …),
a decision's own act in its articles ("Ban hành kèm theo Quyết định này …", its effect, who
carries it out), a plan's purposes (I. MỤC ĐÍCH, YÊU CẦU), closing lines ("… yêu cầu … nghiêm túc
thực hiện", "… quan tâm, phối hợp thực hiện"), contingencies ("Trường hợp …"), sentences that
report or describe ("đã", "sẽ", "phải được", "… là …", "Sở X là cơ quan thường trực …"),
headlines and a web page's furniture. A deadline clause after an order ("; hoàn thành trước
ngày …", "Trình UBND tỉnh trước ngày …") stays with it; deadlines given per level in a separate
sentence make one task per level; two steps in one sentence, each with a deadline of its own
("Trước ngày A, các huyện báo cáo sơ bộ …, trước ngày B báo cáo chính thức …"), make two tasks
of the same units (not a fallback date, nor a date that bounds what is counted). A leader's
order in a page that names no one after its word ("… chỉ đạo cần sớm xây dựng …") is kept for
the editor, a leader's past orders ("đã chỉ đạo …") are not orders. An addressee the portal
does not hold is kept, its task or section marked "unmatched" and a warning "chưa xác định đơn
vị" quoting the letter's words.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .addressees import _ADDRESSEE_START, _STRONG_ADDRESSEE, UnitIndex, UnitRef
from .body import (
    _DEADLINE,
    ADVERBS,
    _classify,
    _clean_task_text,
    _deadline,
    _has_order,
    _is_continuation,
    _names_or_orders,
    _paragraphs,
    _spans,
    _split_deadlines,
    _split_rates,
    _starts_with_order,
    _title_like,
    task_title,
)
from .draft import Draft, DraftSection, DraftTask, describe_audience
from .header import _closing_start, _parse_header, _parse_signature
from .reading import MAX_TEXT_CHARS, LetterImportError, normalize_text
from .tables import rows_as_items, rows_kept
from .text import (
    _VERB_RE,
    NOT_ORDER_GIAO,
    _capitalize,
    _Para,
    is_furniture,
    is_posting_time,
    skeleton,
)

# A paragraph about the letter itself ("Công văn này …", "Trên đây là …") ends the addressed
# sections: what follows it is context, not orders. "… kèm theo Quyết định này" inside an
# article does not.
_CLOSING = re.compile(
    r"^(?:cong van|van ban|chi thi|thong bao|ke hoach|quyet dinh) nay\b|^trong qua trinh "
    r"(?:thuc hien|trien khai)|^tren day\b"
)
# Lines that are never an order: the grounds ("Căn cứ …", "Thực hiện Công văn …", "Xét đề nghị
# …"), a decision's own act in its first article ("Ban hành kèm theo Quyết định này …"), its
# effect, and who carries it out.
_GROUNDS = re.compile(
    r"^(?:can cu|xet de nghi|xet to trinh|theo de nghi|theo de xuat|thuc hien (?:cong van|"
    r"ke hoach|quyet dinh|chi thi|nghi quyet|thong bao|van ban|y kien|chi dao|huong dan|luat|"
    r"nghi dinh|thong tu|chuong trinh|ket luan|cong dien|bao cao|to trinh|su chi dao)|"
    r"(?:ngay [0-9]{1,2}[/ ]|sau khi xem xet|qua xem xet)[^:]*(?:nhan duoc|ban hanh|co y kien)"
    r")\b"
)
_ACT = re.compile(
    r"^(?:ban hanh|cong bo|phe duyet|uy quyen|thanh lap|kien toan|bai bo|bai bỏ|cong nhan|"
    r"dieu chinh|quy dinh|sua doi)\b[^.;]{0,80}?\b(?:kem theo|quyet dinh nay|nhu sau|"
    r"theo quyet dinh)|[^.]{0,40}\bkem theo quyet dinh nay\b|^quyet dinh nay (?:co hieu luc|"
    r"thay the)|\bco hieu luc (?:thi hanh )?(?:ke )?tu ngay\b"
)
# The act an article of a decision performs: what the decision does, not an order to a unit.
_ARTICLE_ACT = re.compile(
    r"^(?:ban hanh|cong bo|phe duyet|uy quyen|thanh lap|kien toan|bai bo|cong nhan|dieu chinh|"
    r"quy dinh|sua doi|bo sung|thay the|chap thuan|dinh chinh|bo nhiem|khen thuong|ky luat|"
    r"giai the|sap nhap|chia|tach|hop nhat|cho phep|quyet dinh nay)\b"
)
_CARRY_OUT = re.compile(r"\bchiu trach nhiem thi hanh\b|\bcan cu quyet dinh thi hanh\b")
# A closing line: "(UBND tỉnh) yêu cầu <addressees> (nghiêm túc) (triển khai) thực hiện (nghiêm)
# (nội dung chỉ đạo tại Công văn này)"; checked after the addressees are blanked.
_CLOSING_TAIL = re.compile(
    r"(?:(?:nghiem tuc|khan truong|quan tam|chu dong|to chuc|trien khai|chi dao|phoi hop|"
    r"quan tam phoi hop|phoi hop chat che)[\s,]+)*"
    r"(?:thuc hien|trien khai|thi hanh)(?:[\s,]+(?:nghiem tuc|nghiem|tot|co hieu qua|day du|"
    r"dung quy dinh|kip thoi))*"
    r"(?:[\s,]+(?:cac|noi dung|chi dao|tai|theo|cong van|van ban|ke hoach|quyet dinh|chi thi|"
    r"cong dien|"
    r"thong bao|nay|tren|neu tren|yeu cau|y kien|nhiem vu|duoc giao|nhu|sau|va|cua|"
    r"ubnd|uy ban nhan dan|tinh|huyen|thanh pho|xa|ket luan))*\s*[./]*$"
)
_CLOSING_LEAD = re.compile(r"^(?:(?:vay|do do|vi vay|de nghi|yeu cau|de nghi|dong thoi)\s+)+")
# A lead clause before the order proper ("Theo đó, đề nghị …", "Trên cơ sở …, đề nghị …",
# "Chủ tịch UBND tỉnh yêu cầu …").
_LEAD_WORDS = re.compile(
    r"^(?:theo do|tren co so|thuc hien|can cu|de (?!nghi\b)|nham|qua |tu nay|vi vay|do do|"
    r"do vay|dong thoi|ve viec nay|ve van de nay|tuy nhien|"
    r"trong thoi gian|ngoai ra|ben canh|sau khi|tiep theo|nhu vay|"
    r"nhan duoc (?:cong van|van ban|ke hoach|thong bao|cong dien) nay)"
)
# ("danh sách đề nghị khen thưởng", "hồ sơ đề nghị", "theo đề nghị": the noun, no order)
_NOUN_BEFORE = "".join(f"(?<!{word} )" for word in (
    "danh sach", "ho so", "van ban", "to trinh", "theo", "noi dung", "muc", "phieu", "don",
    "cac", "nhung", "y kien",
    "ban", "chuyen",  # "bàn giao", "chuyển giao": handing over, not the order word
    "duoc"))  # "theo chức năng, nhiệm vụ được giao": what was given, not the order word
_ORDER_WORD = re.compile(r"(?:^|[,;:]\s*|\s)" + _NOUN_BEFORE + r"(?P<word>de nghi|yeu cau|giao"
                         + NOT_ORDER_GIAO + r")\s+(?!cua\b)\S")
# "Đề nghị sớm hoàn thành …", "Yêu cầu thực hiện …": an order's word with no one after it,
# the order's verb straight after.
_ORDER_NAMING_NO_ONE = re.compile(r"^\s*(?:de nghi|yeu cau)\s+"
                                  r"(?:(?:can|phai|som|cung|nhanh chong)\s+)*")
# "… hoàn thành, báo cáo UBND tỉnh trước ngày …", "… hoàn thành trước ngày …": by when the
# orders before it are to be done, no order of its own.
_FINISH_BY = re.compile(r"(?:hoan thanh|thuc hien)\s*(?:,|truoc|cham nhat|trong|dung|xong)")
# The words that give an order in a letter's own voice, looked for in the letter's words, not
# the skeleton ("giao" is not "giáo", "cần" not "căn"): not "giao thông", "cần thiết".
_ORDER_SIGNAL = re.compile(r"\b(?:đề nghị|yêu cầu|giao(?!\s+(?:thông|dịch|lưu|tiếp|thừa)\b)|"
                           r"phải|cần(?!\s+thiết)|chỉ đạo|nhiệm vụ|trách nhiệm|chủ trì|"
                           r"khẩn trương)\b")
# Who does a plan's item, in brackets after it: "(Phòng Nội vụ chủ trì; …)", "(Cơ quan chủ trì:
# Sở Y tế; …)", "(Đơn vị thực hiện: …)".
_BRACKETED_WHO = re.compile(
    r"\((?:(?:co quan|don vi)\s+(?:chu tri|thuc hien)\s*:\s*(?P<who>[^;()]{3,120}?)\s*"
    r"(?:[;)]|,\s*(?:co quan|don vi) phoi hop)|(?P<doer>[^;():]{3,120}?)\s+"
    r"(?:chu tri|thuc hien|trien khai)\s*[;,)])")
# A plan's part whose items are orders: "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN".
_TASKS_PART = re.compile(r"\b(?:nhiem vu|giai phap|to chuc thuc hien|phan cong)\b")
# What a kế hoạch states before its tasks, never tasks: "I. MỤC ĐÍCH, YÊU CẦU".
_NOT_TASKS_PART = re.compile(
    r"^(?:muc dich|muc tieu|yeu cau|can cu|co so|su can thiet|ket qua|tinh hinh|danh gia|"
    r"thuc trang|quan diem|pham vi|doi tuong ap dung|kinh phi|nguon kinh phi|ve muc dich|"
    r"ton tai|nhung ton tai|han che|nhung han che|kho khan|nguyen nhan|bai hoc|uu diem|"
    r"nhung ket qua|mot so ket qua)\b"
)
# A deadline in brackets that closes a sentence: "… (thực hiện trước ngày 30/12/2017)."
_CLOSING_DEADLINE = re.compile(r"\((?:thuc hien|hoan thanh|xong|han)?\s*(?:truoc|cham nhat|"
                               r"trong)[^()]*\)\s*[.;]?\s*$")
# A line of a plan's task table after the task: who carries it out, by when.
_WHO_LINE = re.compile(
    r"^(?:co quan|don vi|trach nhiem|bo phan)\s*(?:chu tri|thuc hien|thuc hien chinh|"
    r"chiu trach nhiem)\s*:\s*"
)
_WHEN_LINE = re.compile(r"^(?:thoi gian|thoi han|tien do)(?:\s+(?:thuc hien|hoan thanh|bao cao|"
                        r"gui bao cao|nop))?\s*:\s*")
_SIDE_LINE = re.compile(r"^(?:co quan|don vi)\s*phoi hop\s*:|^san pham\s*:|^ket qua\s*:")
# A clause that only says by when: it belongs to the order before it.
_DEADLINE_ONLY = re.compile(
    r"^(?:va\s+|,\s*)?(?:hoan thanh|thoi han|thoi gian(?: hoan thanh| thuc hien| bao cao)?|"
    r"han|cham nhat|xong|truoc ngay|truoc)\b"
)
# The addressees as a group, then only "carry it out" and by when: "Các đơn vị thực hiện
# trước ngày …", "Các cơ quan, đơn vị hoàn thành trước ngày …".
_GROUP_DONE_BY = re.compile(
    r"^(?:cac|moi)\s+(?:co quan|don vi|dia phuong|truong|phong|so|nganh)"
    r"(?:\s*(?:,|va)\s*(?:co quan|don vi|dia phuong|truong|phong|so|ban|nganh))*"
    r"(?:\s+(?:lien quan|truc thuoc|tren))?\s+(?:khan truong\s+)?"
    r"(?:thuc hien|hoan thanh|trien khai|gui bao cao|gui ket qua|bao cao)"
    r"(?:\s+(?:xong|xong truoc|va gui bao cao|va bao cao))?\s+(?=truoc|cham nhat|trong ngay)"
)
# The product sent after the order: "Báo cáo gửi về Văn phòng UBND tỉnh trước ngày …".
_PRODUCT_SENT = re.compile(
    r"^(?:bao cao|van ban|ket qua|y kien|de xuat|ho so|san pham|danh sach|tai lieu)"
    r"(?:\s+\S+){0,4}?\s+(?:(?:yeu cau|de nghi|can|phai)\s+)?(?:gui|nop)\b|^gui kem\b"
)

# A date with its year, in a paragraph of a copy that shows no year of its own.
_FULL_DATE = re.compile(r"(?<![0-9/.-])[0-9]{1,2}\s*[/.-]\s*[0-9]{1,2}\s*[/.-]\s*"
                        r"(?P<y>(?:19|20)[0-9]{2})(?![0-9])")
_NOT_INSPECTED = re.compile(r"\b(?:co quan|don vi)\b[^.;]{0,30}?\bchua (?:duoc )?kiem tra\b")
_INSPECTED = re.compile(r"\b(?:co quan|don vi)\b[^.;]{0,30}?\b(?:da )?duoc kiem tra\b")
_AT_COMMUNE = re.compile(r"\btai\b[^,.;]{0,50}?\bxa\s*,\s*phuong\b")


# --------------------------------------------------------------------------------------------
# The importer


def _told(task: DraftTask) -> bool:
    """Whether a note already says where the task's deadline came from ("Hạn «từ ngày 1/6 đến
    30/6»: lấy ngày cuối của khoảng thời gian."): one note for it, not two."""
    return any(f"«{task.deadline_text}»" in note for note in task.notes)


@dataclass
class _Builder:
    index: UnitIndex
    year: int | None
    issued: date | None = None
    sections: list[DraftSection] = field(default_factory=list)
    preamble: DraftSection | None = None
    last: tuple[DraftSection, DraftTask] | None = None  # the task added last, with its section
    # Whether the words around a task give an order: its paragraph's, and for an item the
    # paragraph that leads its list; the tasks without any (by id) are set aside where no one
    # is named (`_set_aside`).
    prose: bool = False  # a text with no recipients (a web page): its orders are prose
    paragraph_orders: bool = False
    intro_orders: bool = False
    tasks_part: bool = False  # under a plan's part of tasks ("II. NHIỆM VỤ, GIẢI PHÁP")
    led: bool = False  # the paragraph's lead ("Kết luận …, đồng chí … đề nghị") was cut off
    unsignalled: set[int] = field(default_factory=set)
    # each task's paragraph, counted from 1 in the order they are read
    paragraph: int = 0
    paragraph_of: dict[int, int] = field(default_factory=dict)
    # in a copy without a year: the year of a full date in the paragraph being read, and its words
    nearby_year: tuple[int, str] | None = None
    # in a copy without a year: the day it reached the portal, the last resort for its dates
    received: date | None = None

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
        if section.audience and section.audience.startswith("units:"):
            section.notes.append(
                "Tiêu đề nêu nhiều đơn vị: " + ", ".join(
                    rule.partition(":")[2] or rule for rule in match.matched)
                + "; giao cho đúng các đơn vị này."
            )
        elif section.audience is None and match.matched:
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

    def add_paragraph(self, section: DraftSection, para: _Para,
                      after_unit: bool = False) -> None:
        """The tasks of one paragraph. `after_unit`: the paragraph is what follows a unit's
        name ("2. Sở Y tế hoàn thành trước ngày …"), so its first clause is that unit's order
        whatever its words."""
        self.paragraph += 1
        bullet = bool(para.marker)
        # a page's items numbered "(1)", "(2)" (as its prose enumerates them inline): read as
        # its sentences, each item one order in steps
        prose_item = self.prose and bool(re.fullmatch(r"\([0-9]{1,2}\)", para.marker.strip()))
        framed = False  # the paragraph opened with a meeting's frame
        full = None if self.year else _FULL_DATE.search(para.text)
        self.nearby_year = (int(full.group("y")), full.group(0)) if full else None
        self.paragraph_orders = bool(_ORDER_SIGNAL.search(para.text.lower()))
        current: list[tuple[int, int]] | None = None
        groups: list[list[tuple[int, int]]] = []
        text = para.text
        headline = _title_like(text)

        # A group that names no one after a group that named a unit: (rule, words) it takes.
        inherited: dict[int, tuple[str | None, str]] = {}
        # the unit the paragraph named last (from the start: the unit whose name opened it,
        # "Đề nghị UBND các huyện xây dựng … . Bên cạnh đó, đẩy mạnh …")
        named: tuple[str | None, str] | None = (section.audience, section.heading) \
            if after_unit and section.audience else None

        def dated(group: list[tuple[int, int]]) -> bool:
            """Whether the clauses gathered for a task already give it a deadline."""
            return any(_DEADLINE.search(skeleton(text[a:b])) for a, b in group)

        def flush(groups: list[list[tuple[int, int]]]) -> None:
            """The tasks gathered so far in this paragraph, added."""
            for position, group in enumerate(groups):
                raw = text[group[0][0]:group[-1][1]]
                pieces = _split_rates(raw) if len(group) == 1 else None
                steps = None if pieces else _split_deadlines(raw)
                for step, piece in enumerate(pieces or steps or [_clean_task_text(raw)]):
                    self.add_task(section, piece, split=bool(pieces))
                    task = section.tasks[-1]
                    if step and steps:
                        # the next step with its own deadline: the same unit's
                        before = section.tasks[-2]
                        if task.audience in (None, UNMATCHED) and before.audience is not None:
                            task.audience = before.audience
                            self.unsignalled.discard(id(task))
                        task.notes.append("Tách từ một câu nêu hai bước, mỗi bước một hạn.")
                    if position in inherited and task.audience is None:
                        rule, words = inherited[position]
                        if rule is not None and rule != section.audience:
                            task.audience = rule
                        task.notes.append(f"Đối tượng theo «{words}» ở câu trước." if words
                                          else "Đối tượng như nhiệm vụ trước: đoạn này nối "
                                          "tiếp nó («Đồng thời, …»).")
                        self.unsignalled.discard(id(task))
            groups.clear()
            inherited.clear()

        for s_index, (sa, sb) in enumerate(_spans(text, ".!?")):
            sentence = text[sa:sb]
            signalled = bool(_ORDER_SIGNAL.search(sentence.lower()))  # before any lead is cut
            sentence_named = False  # a clause of this sentence named who acts
            raw = skeleton(sentence)
            lead = _order_after_lead(raw.lstrip())
            if lead is not None and _directed_by_a_unit(
                    sentence[len(raw) - len(raw.lstrip()):], lead, self.index):
                lead = None
            if lead is None and self.prose:
                lead = _speaker_order(raw.lstrip())
            # an order's word with no one after it is the issuer's in a letter; in a page, only
            # where who speaks was said ("…, đồng chí … đề nghị sớm hoàn thành …"), not a
            # commune's request ("Đề nghị sớm xem xét …")
            speaker_known = not self.prose or self.led or lead is not None
            if lead is not None:  # "Đồng chí yêu cầu Sở X …" inside a paragraph: who speaks
                sa += len(raw) - len(raw.lstrip()) + lead
                sentence = text[sa:sb]
            folded_sentence = skeleton(sentence).strip()
            # an order's word before its addressees gives the order whatever the verb after
            # them ("yêu cầu các ngành, UBND các xã tiêm vắc xin …")
            sentence_orders = _has_order(folded_sentence) or bool(
                re.match(r"(?:yeu cau|de nghi|giao)\s", folded_sentence)
                and _ADDRESSEE_START.match(folded_sentence)
                and self.index.match(sentence[:120]).matched)
            if sentence.rstrip().endswith(":"):
                current = None  # an introduction to what follows, not an order
                continue
            if framed and not signalled:
                current = None  # "Tại cuộc họp, …. Phòng X báo cáo …": still the frame
                continue
            if _not_an_order(folded_sentence, self.index) or (
                    s_index > 0 and _CLOSING.search(folded_sentence)):
                framed = framed or bool(s_index == 0 and _MEETING.match(
                    folded_sentence.strip(" -–•*")) and not _ORDER_WORD.search(folded_sentence))
                current = None
                continue
            if self.per_level(section, sentence, before=lambda: flush(groups)):
                current = None
                continue
            clauses = _join_addressee_lists(sentence, _split_must(sentence, _spans(sentence, ";")),
                                            self.index)
            first_clause = skeleton(sentence[clauses[0][0]:clauses[0][1]]).strip()
            if _statement(first_clause, self.index):
                current = None  # what was done, will be done, or what something is
                continue
            listing = False  # a clause before, in this sentence, opened a list of things
            for c_index, (ca, cb) in enumerate(clauses):
                clause = sentence[ca:cb]
                folded = skeleton(clause).strip()
                span = (sa + ca, sa + cb)
                first = s_index == 0 and c_index == 0
                words = len(clause.split())
                if listing and current is not None and not _starts_with_order(folded) \
                        and not self.index.opens_with_unit(clause.strip()):
                    # "… cho các dự án: Cầu Hoàng Quốc Việt; các trục đường …; Trường …": the
                    # things the order is on, one after another, not orders of their own
                    current.append(span)
                    continue
                listing = _LIST_OF_THINGS.search(folded) is not None
                product = _product_of(folded, self.index)
                tail = (_follows_order(folded) or (
                    c_index > 0 and current is not None
                    and _reports_on_order(folded)) or (
                    c_index == 0 and s_index > 0 and current is not None and self.prose
                    and not bullet and _sends_by_date(folded)
                    # (an order that has its own deadline keeps it: the report is a task)
                    and not dated(current))) \
                    and product is None and not (after_unit and first and words >= 2)
                opens = product is not None or (after_unit and first and words >= 2 and (
                    _has_order(folded) or _DEADLINE.search(folded))) or (
                    not tail and not _not_ordered(folded, self.index) and (
                    (first and bullet and (sentence_orders or (
                        # an item under a unit's heading ("1. Đối với các thôn:" then "-
                        # Chỉnh trang lại …") is that unit's task whatever its verb
                        section is not self.preamble and section.audience is not None
                        and words >= 4 and _unit_item(folded))))
                    or (_starts_with_order(folded) and words >= 3)
                    # "Định kỳ hằng tháng, báo cáo kết quả về Sở Nội vụ": when, then the order
                    or (c_index == 0 and _starts_with_order(_WHEN_LEAD.sub("", folded, count=1))
                        and _WHEN_LEAD.match(folded) is not None and words >= 5)
                    # "Đề nghị sớm hoàn thành …" opening a paragraph's orders, not a headline
                    or (current is None and words >= 4 and not headline and speaker_known
                        and _ORDER_NAMING_NO_ONE.match(folded)
                        and _starts_with_order(_ORDER_NAMING_NO_ONE.sub("", folded))
                        # not "Đề nghị sớm hoàn thành, báo cáo … trước ngày …": by when
                        and not _FINISH_BY.match(_ORDER_NAMING_NO_ONE.sub("", folded)))
                    or ((c_index == 0 or re.search(r"\bphai\s", folded[:70]))
                        and (_ADDRESSEE_START.match(folded)
                             or self.index.opens_with_unit(clause))
                        and sentence_orders
                        and not folded.startswith(("doi voi", "rieng")))
                    or (c_index == 0 and _led_addressee(folded, self.index, self.prose))
                ))
                if c_index > 0 and not opens and not tail:
                    # "…; UBND tỉnh đề nghị Sở X khẩn trương …": the issuer's order in a clause
                    # of its own, after what was done; the order from its word on.
                    raw_clause = skeleton(clause)
                    lead = _order_after_lead(raw_clause.lstrip(" ,"))
                    if lead is not None:
                        span = (span[0] + len(raw_clause) - len(raw_clause.lstrip(" ,")) + lead,
                                span[1])
                        opens = True
                    elif sentence_orders and (
                            re.match(r"giao" + NOT_ORDER_GIAO + r"\s", folded)
                            or _ADDRESSEE_START.match(folded)
                            and (self.index.match(clause[:80]).rule or "").startswith("unit:")
                            and _has_order(folded)) and not _statement(folded, self.index) \
                            and not _not_ordered(folded, self.index):
                        # "…; Giao công chức X tham mưu …; Ban Chỉ huy quân sự xã xây dựng …":
                        # a conclusion's orders to one unit after another, clause by clause
                        opens = True
                # who the clause itself names (read once, where a rule below asks)
                own_addressee = functools.cache(functools.partial(_task_addressee, clause,
                                                                  self.index))
                # a page's next sentence, after a sentence of this paragraph that named a unit
                next_sentence = c_index == 0 and s_index > 0 and named is not None \
                    and self.prose and not bullet
                if opens and c_index > 0 and current is not None \
                        and (not bullet or prose_item) \
                        and self.prose and product is None and (
                            not _DEADLINE.search(folded)
                            # "… ; thăm hỏi … (thực hiện trước ngày 30/12)": the deadline in
                            # brackets that closes the sentence is the whole order's
                            or (c_index == len(clauses) - 1
                                and _CLOSING_DEADLINE.search(folded) and not dated(current))) \
                        and own_addressee() is None \
                        and not _ORDER_WORD.match(folded):
                    # a page's prose (no recipients): "yêu cầu X nâng cao …; tuyệt đối không
                    # …; tiếp tục …" is one order in steps
                    opens, tail = False, True  # the same order's next step, one task
                if next_sentence and current is not None and not tail \
                        and product is None and sentence_orders \
                        and not _not_ordered(folded, self.index) \
                        and _opens_without_subject(folded):
                    # a page's prose: the next sentence of a paragraph that ordered a unit is
                    # another order, even as "Đồng thời, khảo sát …" or "Kế hoạch, tổ chức …"
                    # (not "Việc điều tra … được …", which tells of a matter)
                    opens = True
                if tail and current is None and not groups and product is None and (
                        self.last is None or self.last[0] is not section) \
                        and own_addressee() is not None:
                    # "Các đơn vị gửi báo cáo trước 17 giờ ngày 10/12": with no order before
                    # it to finish, an order of its own
                    opens, tail = True, False
                # "Đồng thời, chủ trì …" opening a paragraph after one that gave a task in
                # this section: another order, to the same unit (inside an item or a
                # paragraph, "… . Đồng thời, …" goes on with the order before it)
                goes_on = first and not opens and current is None and not bullet \
                    and self.last is not None and self.last[0] is section \
                    and _is_continuation(folded) and _opens_without_subject(folded) \
                    and _has_order(folded) and not _not_ordered(folded, self.index)
                if goes_on:
                    opens = True
                if not (opens and next_sentence) \
                        and (_is_continuation(folded) or tail) and current is not None:
                    current.append(span)
                elif tail and not groups and self.last is not None and \
                        self.last[0] is section and _DEADLINE.search(folded) and \
                        self.last[1].deadline is None:
                    self.extend_last(clause)
                elif opens:
                    own = own_addressee()
                    if own is not None:
                        named = own if own[0] is not None else None
                    elif named is not None and not _ORDER_WORD.search(folded) \
                            and _order_after_chi_dao(folded) is None \
                            and _opens_without_subject(folded) and (
                                (c_index == 0 and self.prose and not bullet) or goes_on
                                or (c_index > 0 and sentence_named)):
                        # "Sở X chủ trì … . Tổ chức …": a page's next sentence that names no
                        # one is another order to the unit named before it; so is "…; đôn
                        # đốc …" after "UBND phường phối hợp …" in one sentence
                        inherited[len(groups)] = named
                    elif goes_on and named is None and self.last is not None \
                            and self.last[1].audience is not None:
                        # the paragraph before named who acts: the same unit
                        inherited[len(groups)] = (self.last[1].audience, "")
                    if own is not None and own[0] is not None:
                        sentence_named = True
                    current = [span]
                    groups.append(current)
                elif current is not None:
                    current.append(span)
        flush(groups)

    def add_task(self, section: DraftSection, text: str, split: bool) -> None:
        task = DraftTask(code=f"{section.number}.{len(section.tasks) + 1}",
                         title=task_title(text), text=text)
        if split:
            task.notes.append("Tách từ một câu nêu nhiều tỷ lệ: mỗi tỷ lệ một nhiệm vụ.")
        task.deadline, task.deadline_text = _deadline(text, self.year, task.notes, self.issued,
                                                      self.nearby_year, self.received)
        if task.deadline_text and not _told(task):
            task.notes.append(f"Hạn lấy từ «{task.deadline_text}».")
        _classify(task)
        if not (self.paragraph_orders or self.intro_orders or self.tasks_part
                or _ORDER_SIGNAL.search(text.lower())):
            self.unsignalled.add(id(task))
        self.paragraph_of[id(task)] = self.paragraph
        lead = _task_addressee(text, self.index)
        if lead is None:
            owned = _product_of(skeleton(text), self.index)
            if owned is not None:
                lead = owned[0], text[owned[1]:owned[2]]
        if lead is None:
            lead = self.bracketed_addressee(text)
        if lead is not None and lead[0] != section.audience:
            rule, words = lead
            task.audience = rule or UNMATCHED
            if rule:
                task.notes.append(f"Đối tượng theo «{words}» đầu nhiệm vụ.")
            else:
                task.notes.append(f"{NO_UNIT}: nhiệm vụ giao cho «{words}», không khớp đơn vị "
                                  "nào trên cổng.")
        else:
            self.narrow(section, task)
        section.tasks.append(task)
        self.last = (section, task)

    def bracketed_addressee(self, text: str) -> tuple[str, str] | None:
        """(rule, words) of a plan's item that names who does it in brackets after it:
        "… (Phòng Nội vụ chủ trì; thời gian: quý II/2025)", "… (Cơ quan chủ trì: Sở Y tế)"."""
        found = _BRACKETED_WHO.search(skeleton(text))
        if found is None:
            return None
        group = "who" if found.group("who") else "doer"
        words = text[found.start(group):found.end(group)].strip(" ,:")
        match = self.index.match(words)
        return (match.rule, words) if match.rule and not match.unmatched else None

    def extend_last(self, words: str) -> None:
        """A clause after the last task that only says by when (or where to send it)."""
        assert self.last is not None
        _, task = self.last
        task.text = task.text.rstrip() + " " + _clean_task_text(words)
        if task.deadline is None:
            task.deadline, task.deadline_text = _deadline(words, self.year, task.notes,
                                                          self.issued, self.nearby_year,
                                                          self.received)
            if task.deadline_text and not _told(task):
                task.notes.append(f"Hạn lấy từ «{task.deadline_text}» ngay sau nhiệm vụ.")
                if task.kind == "action" and re.search(r"\bbao cao\b", skeleton(words)):
                    task.kind = "report"

    def set_last_audience(self, words: str) -> None:
        """"Cơ quan chủ trì: Sở X" under a plan's task."""
        assert self.last is not None
        section, task = self.last
        who = re.split(r"[;]|\b(?:phoi hop|co quan phoi hop|don vi phoi hop)\b",
                       skeleton(words))[0]
        match = self.index.match(words[:len(who)])
        if match.rule and not match.unmatched:
            if match.rule != section.audience:
                task.audience = match.rule
            task.notes.append(f"Đối tượng theo «{words.strip()}».")
        elif match.unmatched or match.matched:
            task.audience = UNMATCHED if not match.rule else match.rule
            task.notes.append(f"{NO_UNIT}: «{words.strip()}».")

    def per_level(self, section: DraftSection, sentence: str,
                  before: Callable[[], None] | None = None) -> bool:
        """Deadlines given per level: "Thời hạn báo cáo: các sở gửi trước ngày A; UBND các xã
        gửi trước ngày B", "Báo cáo … trước ngày A đối với các sở; trước ngày B đối với UBND các
        xã". One task for each level named, with its own date; after a "Thời hạn …:"
        introduction, in place of the report task before it that had none."""
        folded = skeleton(sentence)
        intro = re.match(r"\s*(?:ve |va )?(?:thoi han|thoi gian|han)(?:\s+[^\s:,]+){0,4}"
                         r"\s*[:,]\s*", folded)
        rest = sentence[intro.end():] if intro else sentence
        clauses = [rest[a:b] for a, b in _spans(rest, ";")]
        if len(clauses) < 2:
            clauses = [rest[a:b] for a, b in _spans(rest, ",")]
        levels = []
        topics = 0  # clauses "đối với …: …", which say the report's deadline per level
        for clause in clauses:
            sk = skeleton(clause)
            match = _DEADLINE.search(sk)
            if not match:
                continue
            after = re.match(r"\s*(?:,\s*)?(?:doi voi|danh cho)\s+", sk[match.end():])
            topic = re.match(r"\s*(?:rieng\s+)?(?:doi voi|danh cho)\s+(?P<who>[^:]{3,120}):",
                             sk[:match.start()])
            if after:  # "trước ngày A đối với các sở"
                who = self.index.match(clause[match.end() + after.end():])
            elif topic:  # "đối với các sở: gửi trước ngày A"
                who = self.index.match(clause[topic.start("who"):topic.end("who")])
                topics += 1
            else:
                who = self.index.match(clause[:match.start()])
            if who.rule and who.matched:
                levels.append((clause, who.rule))
        if len(levels) < 2 or len({rule for _, rule in levels}) < 2:
            return False
        if before is not None:
            before()  # the orders before it in the same paragraph, the report among them
        base = None
        if intro or topics == len(levels):
            for each in self.sections_with_tasks():
                for task in each.tasks:
                    if task.kind == "report" and task.deadline is None:
                        base = (each, task)
            if base is not None:
                base[0].tasks.remove(base[1])
                _renumber(base[0], base[0].number)
        order = ""
        first = skeleton(levels[0][0])
        if _has_order(first[:_DEADLINE.search(first).start()]):
            order = levels[0][0][:_DEADLINE.search(first).start()].strip(" ,;")
        for clause, rule in levels:
            if base:
                text = base[1].text.rstrip(" .") + " (" + clause.strip(" .;,") + ")."
            elif order and not _has_order(skeleton(clause)):
                text = _clean_task_text(order + " " + clause.strip(" .;,"))
            else:
                text = _clean_task_text(clause)
            self.add_task(section, text, split=False)
            task = section.tasks[-1]
            task.audience = rule if rule != section.audience else None
            if base or "bao cao" in skeleton(text) or (intro and "bao cao" in intro.group(0)):
                task.kind = "report"
            task.notes.append("Hạn theo từng cấp, lấy từ câu «" + sentence.strip()[:200] + "».")
        return True

    def sections_with_tasks(self) -> list[DraftSection]:
        found = list(self.sections)
        if self.preamble is not None:
            found.insert(0, self.preamble)
        return found

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


def _subheading(paras: list[_Para], position: int) -> bool:
    """A short numbered line without a full stop followed by items of its own (bullets, or
    lines with another kind of number): the heading of a part of a plan."""
    para = paras[position]
    text = para.text.strip()
    if not para.marker or para.level == "bullet" or len(text.split()) > 8 or text.endswith(
            (".", ";", "!", "?")) or _DEADLINE.search(skeleton(text)):
        return False
    if position + 1 >= len(paras):
        return False
    nxt = paras[position + 1]
    below = skeleton(nxt.text).strip()
    if _WHO_LINE.match(below) or _WHEN_LINE.match(below):
        return False  # "1. Tuyên truyền …" then "- Đơn vị thực hiện: …": an activity, a task
    return bool(nxt.marker) and _style(nxt) != _style(para) and (
        nxt.level == "bullet" or nxt.level == "sub" or para.roman)


def _residue(para: _Para, folded: str, index: UnitIndex, last: bool) -> bool:
    """An unnumbered line without a full stop, no deadline and no addressee: a title a web page
    shows ("Báo cáo và dự thảo Nghị quyết"), not an order (an order cut off by the end of a
    copy still names who must act: "Cổng Thông tin điện tử tỉnh phối hợp chặt chẽ với Sở
    Nông nghiệp v", the copy's last paragraph and a long one, not a photo's caption)."""
    text = para.text.strip()
    return (not para.marker and not text.endswith((".", ";", "!", "?", ":", ",", ")"))
            and len(text.split()) <= 40 and not _DEADLINE.search(folded)
            and not _ADDRESSEE_START.match(folded)
            and not re.match(r"(?:giao|de nghi|yeu cau)\b", folded)
            and not (last and len(text.split()) >= 15 and _VERB_RE.search(folded)
                     and index.opens_with_unit(text)))


# A document's number as cited: "12/KH-UBND", "03/2021/QĐ-UBND", and the Party's "230-CV/VPTU".
_CITED = re.compile(r"\b[0-9]{1,5}/(?:[0-9]{4}/)?[a-z0-9]+(?:-[a-z0-9]+)+\b|"
                    r"\b[0-9]{1,5}-[a-z]+(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+\b")


def _drop_news_lead(draft: Draft, first: str) -> None:
    """A news page opens with a lead that repeats the letter's order in other words: when the
    text has no header of its own, a task from that first paragraph that cites the same
    document as a later task and shares most of its words with it is the same order."""
    if draft.number or draft.recipients or draft.subject:
        return
    tasks = [(section, task) for section in draft.sections for task in section.tasks]
    whole = skeleton(draft.full_text)
    # A task of the lead: its words are the lead's and nowhere else (the letter's own order,
    # which the lead repeats word for word, is found again further down).
    lead = [(section, task) for section, task in tasks if task.text.strip(" .")
            and skeleton(task.text)[:60].strip(" .") in skeleton(first)
            and whole.count(skeleton(task.text)[:60].strip(" .")) == 1]
    for section, task in lead:
        words = set(re.findall(r"[^\W_]{2,}", skeleton(task.text)))
        for _, other in tasks:
            if other is task or (section, task) not in lead or (None, other) in lead:
                continue
            if any(other is each for _, each in lead):
                continue
            share = len(words & set(re.findall(r"[^\W_]{2,}", skeleton(other.text))))
            cited = set(_CITED.findall(skeleton(task.text)))
            if words and share / len(words) >= 0.4 and cited & set(
                    _CITED.findall(skeleton(other.text))):
                section.tasks.remove(task)
                section.notes.append("Bỏ câu dẫn của bản tin nhắc lại nhiệm vụ «"
                                     + task.title + "» (trùng với nhiệm vụ trong văn bản).")
                _renumber(section, section.number)
                break


def _drop_repeats(draft: Draft, index: UnitIndex) -> None:
    """The same order given twice to the same addressees (a news page's headline, lead and
    body; a summary before the letter's words): one task, the one with more words, keeping a
    deadline only the other gave."""
    if draft.number or draft.recipients:
        return  # a letter as issued gives each order once; its items may differ by a word
    tasks = [(section, task) for section in draft.sections for task in section.tasks]

    def own_words(text: str) -> set[str]:
        """The task's words after the addressees it opens with, if any."""
        lead = _task_addressee(text, index)
        if lead is not None and text.startswith(lead[1]):
            text = text[len(lead[1]):]
        return set(re.findall(r"[^\W\d_]{2,}", skeleton(text)))

    words = {id(task): own_words(task.text) for _, task in tasks}
    numbers = {id(task): set(re.findall(r"[0-9]+", task.text)) for _, task in tasks}
    dropped: set[int] = set()
    for i, (section, task) in enumerate(tasks):
        for other_section, other in tasks[i + 1:]:
            if id(other) in dropped or id(task) in dropped or \
                    section.audience_of(task) != other_section.audience_of(other):
                continue
            a, b = words[id(task)], words[id(other)]
            keep, drop = (other, task) if len(b) >= len(a) else (task, other)
            shorter, longer = (a, b) if keep is other else (b, a)
            # the shorter's words, all but one in ten, and its numbers are the longer's
            if len(shorter) < 6 or len(shorter - longer) > max(1, len(shorter) // 10) or \
                    not numbers[id(drop)] <= numbers[id(keep)] or (
                        task.deadline and other.deadline and task.deadline != other.deadline):
                continue
            if keep.deadline is None and drop.deadline is not None:
                keep.deadline, keep.deadline_text = drop.deadline, drop.deadline_text
            keep.notes.append(f"Gộp câu nhắc lại cùng nhiệm vụ: «{drop.text[:120]}».")
            dropped.add(id(drop))
    if dropped:
        for section in draft.sections:
            if any(id(task) in dropped for task in section.tasks):
                section.tasks = [task for task in section.tasks if id(task) not in dropped]
                _renumber(section, section.number)


def _part_heading(para: _Para) -> bool:
    """A part of the letter ("II. NHIỆM VỤ", "Điều 2.", a line in capitals) rather than an
    order."""
    text = para.text.strip()
    if para.roman:
        return True
    upper = [ch for ch in text if ch.isalpha()]
    return (len(upper) >= 4 and all(not ch.islower() for ch in upper) and len(text) < 400
            and not para.article)


def _names_its_unit(folded: str, text: str, index: UnitIndex) -> bool:
    """"Yêu cầu Phòng Y tế …", "Giao Sở X …": an order's word, then a unit of the portal."""
    word = re.match(r"(?:yeu cau|de nghi|giao)\s+", folded)
    return bool(word) and index.opens_with_unit(text[word.end():])


def _orders_its_unit(folded: str, text: str, index: UnitIndex) -> bool:
    """An order's word then a unit, at the start or after a lead of grounds ("Căn cứ kế hoạch
    …, yêu cầu các sở, ban, ngành … khẩn trương đánh giá …")."""
    if _names_its_unit(folded, text, index):
        return True
    lead = _order_after_lead(folded)
    if lead is None:
        return False
    word = re.match(r"(?:yeu cau|de nghi|giao)\s+", folded[lead:])
    rest = lead + word.end() if word else lead
    return _ADDRESSEE_START.match(folded[rest:]) is not None \
        and bool(index.match(text[rest:rest + 160]).matched)


# The parts that tell what was done (a report's, an inspection's), whose paragraphs may still
# order a unit to act on it; not a plan's purposes and requirements.
_ACCOUNT_PART = re.compile(
    r"^(?:(?:[ivx]{1,5}|[a-h]|[0-9]{1,2})\s?[.)]\s*)?(?:ket qua|tinh hinh|danh gia|thuc trang|"
    r"ton tai|nhung ton tai|han che|nhung han che|kho khan|nguyen nhan|nhung ket qua|"
    r"mot so ket qua)\b")


def _account_heading(para: _Para, folded: str) -> bool:
    """A short numbered line that heads an account, not orders ("1. Đánh giá chung", "1. Kết
    quả đạt được", "a) Tình hình thực hiện"): the numbering of a conclusion's or a report's
    parts."""
    text = para.text.strip()
    return bool(para.marker) and _style(para) in ("number", "letter") \
        and len(text.split()) <= 8 and not text.endswith((".", ";", ":", "!", "?")) \
        and bool(_NOT_TASKS_PART.match(folded))


def _short_heading(paras: list[_Para], position: int, index: UnitIndex) -> bool:
    """A short numbered line with no full stop that names no one and gives no order, whose
    sentences follow it unnumbered ("1. Nhiệm vụ trọng tâm", "2. Về công tác y tế"): a
    heading, not a task (a unit's name is a section's heading, read as such)."""
    para = paras[position]
    text = para.text.strip()
    if not para.marker or para.article or _style(para) not in ("number", "letter", "sub") \
            or len(text.split()) > 8 or text.endswith((".", ";", ":", "!", "?")):
        return False
    folded = skeleton(text)
    if _names_or_orders(folded) or _DEADLINE.search(folded) or _ORDER_WORD.search(folded) \
            or index.match(text).matched:
        return False
    return position + 1 < len(paras) and not paras[position + 1].marker


def _style(para: _Para) -> str:
    """The kind of numbering: roman, article, number, sub-number, letter or bullet."""
    marker = para.marker.strip("()")
    if para.roman:
        return "roman"
    if para.article:
        return "article"
    if re.fullmatch(r"[0-9]{1,2}[.)]", marker):
        return "number"
    if marker[:1].isdigit():
        return "sub"
    if marker[:1].isalpha():
        return "letter"
    return "bullet" if marker else "-"


def _clean_heading(text: str) -> str:
    text = " ".join(text.split()).strip(" :;,.")
    return text


# "Đề nghị tháng 12/2018 Thường trực HĐND, các Ban … thực hiện tốt một số nội dung sau:": the
# period the items are for, between the order word and who is named.
_PERIOD_AFTER_ORDER = re.compile(
    r"^(?:de nghi|yeu cau|giao)\s+(?P<when>(?:trong\s+)?(?:thang|quy|nam)\s+[0-9ivx]+"
    r"(?:/[0-9]{4})?\s*,?\s+|(?:trong\s+)?thoi gian toi\s*,?\s+)")


_DUTIES_OF = re.compile(r"(?:(?:trach nhiem|nhiem vu|phan cong nhiem vu)\s+(?:cua|doi voi|cho)"
                        r"|phan cong cho)\s+")


def _section_heading(para: _Para, index: UnitIndex) -> tuple[str, str] | None:
    """(addressee, what follows it) when the paragraph opens a section for an addressee."""
    text = para.text.strip()
    folded = skeleton(text)
    duties = _DUTIES_OF.match(folded)
    if duties and (_ADDRESSEE_START.match(folded[duties.end():])
                   or index.opens_with_unit(text[duties.end():])):
        # "1. Trách nhiệm của Sở Tài chính", "Nhiệm vụ của UBND các xã, phường:"
        text = text[duties.end():]
        folded = folded[duties.end():]
    period = _PERIOD_AFTER_ORDER.match(folded)
    if period and text.rstrip().endswith(":"):
        text = text[:period.start("when")] + text[period.end("when"):]
        folded = skeleton(text)
    if not (_ADDRESSEE_START.match(folded) or index.opens_with_unit(text)) or len(text) > 600:
        return None
    level = para.level
    colon = _colon_outside_parentheses(text)
    if colon is not None and re.search(r"\bcac (?:so|phong|trung tam|chi cuc|huyen|quan|"
                                       r"thi xa|xa|phuong)\s*$", folded[:colon]):
        # "Giao các Sở: Y tế, Tài chính …", "giao Chủ tịch UBND các huyện: Giao Thủy, Hải
        # Hậu; …": the list of names, not a heading
        colon = None
    if colon is not None and colon <= 400:
        head = text[:colon]
        intro = _TASKS_FOLLOW.search(_blank_units(skeleton(head), index).rstrip())
        if intro and intro.start() > 0:
            # "Thủ trưởng các cơ quan … thực hiện tốt một số nhiệm vụ sau: …"
            who = text[:intro.start()].strip(" ,;:-–")
            if index.match(who).matched:
                return who, text[colon + 1:].strip()
        if _INTRO_COLON.search(skeleton(head).rstrip()):
            return None  # "UBND tỉnh có ý kiến như sau:" introduces, names no addressee
        if not _VERB_RE.search(_blank_units(skeleton(head), index)):
            return head, text[colon + 1:].strip()
    no_end = not text.rstrip().endswith((".", ";", "!", "?"))
    blanked = _blank_units(folded, index)
    if _IS_WHAT.match(blanked):
        return None  # "Sở Y tế là cơ quan thường trực, …" says what the unit is
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
    if index.names is not None:
        folded = index.names.sub(lambda m: " " * len(m.group(0)), folded)
    # "Các phòng theo chức năng, nhiệm vụ được giao tập trung …": whose duties, not a passive
    return _BY_DUTIES.sub(lambda m: " " * len(m.group(0)), folded)


_BY_DUTIES = re.compile(r"\b(?:theo|can cu(?: vao)?|trong pham vi)\s+(?:chuc nang,?\s+)?"
                        r"nhiem vu(?:,?\s+quyen han)?(?:\s+(?:duoc giao|cua minh))?\b")


NO_UNIT = "Chưa xác định đơn vị"
# The end of a note on an addressee read from the page rather than named by the order.
CHECK = "kiểm tra lại trước khi ban hành"
TO_EVERY_UNIT = ("Văn bản không có «Kính gửi» và nhiệm vụ không nêu đơn vị nào: tạm giao mọi "
                 f"đơn vị; {CHECK}.")
# The words of a warning that quotes a sentence set aside as no task (`_set_aside`).
SET_ASIDE = ("không nêu đơn vị nào và không có lời giao việc (đề nghị, yêu cầu, giao …): chưa "
             "lấy làm nhiệm vụ; thêm bằng tay nếu đó là việc phải làm.")
UNMATCHED = "unmatched"
# The words of a warning that quotes an item of advice to the public (`_TO_THE_PUBLIC`).
TO_THE_PUBLIC = ("là lời khuyến cáo người dân, không giao đơn vị nào: chưa lấy làm nhiệm vụ; "
                 "thêm bằng tay nếu đó là việc của đơn vị.")
# An introduction that turns to the public ("UBND phường đề nghị người dân nghiêm túc thực
# hiện các nội dung sau:", "khuyến cáo Nhân dân:"): the items under it are what people are
# asked to do at home, not tasks for a unit.
_TO_THE_PUBLIC = re.compile(
    r"(?:^|[.;]\s+|\s)(?:de nghi|yeu cau|khuyen cao|keu goi)\s+(?:(?:moi|toan the|tat ca|"
    r"cac|quy)\s+)?(?:nguoi dan|nhan dan|ho gia dinh|ho dan|ba con|du khach|phu huynh|"
    r"cong dan|nguoi lao dong|nguoi tham gia giao thong)\b(?P<rest>[^.;:]*):\s*$")


# A clause that names what an order is on and lists them after a colon: "… giải ngân 100% kế
# hoạch vốn cho các dự án: Cầu Hoàng Quốc Việt", "… tại các điểm sau: …".
_LIST_OF_THINGS = re.compile(r"\b(?:cac|nhung|mot so)\s+(?:du an|cong trinh|diem|dia diem|"
                             r"tuyen(?: duong)?|hang muc|noi dung|linh vuc|goi thau|truong hop)"
                             r"\b[^:;]{0,40}:\s*\S")


# ", các xã phải tổ chức …" inside a clause: another order, to other units.
_MUST = re.compile(r",\s+(?=(?:cac\s+|ubnd cac\s+|uy ban nhan dan cac\s+)?(?:xa|phuong|thi tran|so|"
                   r"phong|don vi|co quan|huyen|truong|ubnd|uy ban)\b[^,;.]{0,50}?\bphai\s)")


def _join_addressee_lists(sentence: str, clauses: list[tuple[int, int]],
                          index: UnitIndex) -> list[tuple[int, int]]:
    """"các sở, ban, ngành tỉnh; UBND các huyện, thành phố đẩy nhanh …": a clause of names
    alone before a clause that opens with names is part of one list of addressees."""
    joined: list[tuple[int, int]] = []
    for start, end in clauses:
        if joined:
            previous = sentence[joined[-1][0]:joined[-1][1]]
            folded = skeleton(previous).strip(" ,;")
            head = re.sub(r"^(?:giao|de nghi|yeu cau|chi dao)\s+", "", folded)
            if head and not _VERB_RE.search(_blank_units(head, index)) \
                    and index.match(previous).matched \
                    and (_ADDRESSEE_START.match(skeleton(sentence[start:end]).strip())
                         or index.opens_with_unit(sentence[start:end].strip())):
                joined[-1] = (joined[-1][0], end)
                continue
        joined.append((start, end))
    return joined


# ", trong khi Sở KH-CN chủ trì …": another unit's order, after the first's.
_WHILE = re.compile(r",\s+trong khi(?: do)?\s+(?=(?:cac\s+|ubnd\s+)?(?:so|phong|ubnd|uy ban|"
                    r"cong an|thanh tra|van phong|trung tam|ban quan ly|chi cuc)\b)")


_NOT_YET = re.compile(r"\b(?:chua|da|dang|moi|thieu|khong|van)\b")


def _not_yet(clause: str) -> bool:
    """A clause that sets a fact against an order ("Sở X chưa có giải pháp …", "Sở X đã …")
    rather than gives one: such a word before its first verb."""
    verb = _VERB_RE.search(clause[:120])
    return bool(_NOT_YET.search(clause[:verb.start() if verb else 70]))


def _split_must(sentence: str, clauses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    sk = skeleton(sentence)
    for a, b in clauses:
        start = a
        whiles = [m for m in _WHILE.finditer(sk, a, b) if not _not_yet(sk[m.end():b])]
        for match in sorted([*_MUST.finditer(sk, a, b), *whiles], key=lambda m: m.start()):
            if _WHEN_LEAD.fullmatch(sk[start:match.end()].lstrip(" ,")):
                continue  # "Trước ngày 25/10, UBND các huyện phải …": a lead of when, kept
            out.append((start, match.start()))
            start = match.end()
        out.append((start, b))
    return out


# "… là cơ quan thường trực", "… là đơn vị sự nghiệp": what a unit named before it is.
_UNIT_IS = re.compile(r"\s(?:la|chinh la|van la|se la|dong vai tro la)\s+(?:co quan|don vi|"
                      r"thanh vien|dau moi|noi|to chuc)\b")
# "… là cơ quan thường trực, có trách nhiệm …": the unit's duties after what it is.
_DUTY_AFTER = re.compile(r"\b(?:co trach nhiem|co nhiem vu|chiu trach nhiem|chu tri|giup|"
                         r"tham muu|theo doi|don doc|yeu cau|de nghi|giao)\b")
# A unit's name (blanked) followed by "là": what the unit is.
_IS_WHAT = re.compile(r"\s+(?:la|chinh la|van la|se la|dong vai tro la)\s")


# A piece of work named by its verb, then what it is ("là"), how it is done ("được"): a
# sentence about it, not an order ("Bố trí kinh phí để người dân được hỗ trợ" orders).
_WORK_IS = re.compile(r"[^\W\d_]+(?: (?!(?:de|nham|cho|giup|den|khi|neu|va|can|phai|cac|"
                      r"nhung|mot|moi|toan|tat)\b)[^\W\d_]+){1,6} (?:la|duoc) "
                      r"(?!(?:can|phai)\b)")
# The issuer's head or leaders as a sentence's subject ("Đồng chí Chủ tịch UBND tỉnh …").
_ISSUERS_HEAD = re.compile(
    r"(?:(?:dong chi|d/c|ong|ba)\s+)?(?:(?:pho )?chu tich|lanh dao|thuong truc|tap the lanh dao)"
    r"\s+(?:ubnd|uy ban nhan dan)\s+(?:tinh|thanh pho|tp|huyen|quan|thi xa|xa|phuong|thi tran)"
    r"(?:\s+[^\W\d_]+){0,3}")


def _statement(folded: str, index: UnitIndex) -> bool:
    """A sentence that reports or describes rather than orders: its first verb is past, future
    or passive ("Tại kỳ họp sẽ thông qua …"), or it says what something is ("Giải pháp của Kế
    hoạch này là đẩy mạnh …")."""
    if _starts_with_order(folded):
        return False
    topic = _TOPIC_LEAD.match(folded)
    if topic and not index.match(topic.group("what")).matched and not _statement(
            folded[topic.end():], index):
        # "Đối với các nhiệm vụ được giao chủ trì …, các sở khẩn trương hoàn thành …": what
        # the order is on, then the order
        return False
    if folded.startswith("viec ") and not re.search(
            r"\b(?:phai|can|yeu cau|de nghi|giao|truoc|cham nhat|hoan thanh|xong|trong (?:thang|"
            r"quy|nam|tuan))\b", folded) and not _DEADLINE.search(folded):
        # "Việc tham gia hỗ trợ của các doanh nghiệp … thể hiện tinh thần …; đảm bảo …": what
        # something is or shows, not an order (the steps after its ";" are its words too)
        return True
    what = _UNIT_IS.search(folded[:200])
    if what and _ADDRESSEE_START.match(folded) and len(folded[:what.start()].split()) <= 14 \
            and not _ORDER_WORD.search(folded[:what.start()]) \
            and not _VERB_RE.search(_blank_units(folded[:what.start()], index)) \
            and not _DUTY_AFTER.search(folded[what.end():]):
        # "Sở VH-TT&DL là cơ quan thường trực Ban tổ chức …", "Trung tâm … phường Diên Hồng
        # là đơn vị sự nghiệp công lập; …": what the unit is, whatever words its name has
        return True
    blanked = _blank_units(folded, index)
    for group in (_NOT_INSPECTED, _INSPECTED):  # "đơn vị chưa được kiểm tra" names units
        blanked = group.sub(lambda m: " " * len(m.group(0)), blanked)
    verb = _VERB_RE.search(blanked)
    if not verb:
        return False
    if verb.start() == 0 and _WORK_IS.match(folded):
        # "Giải ngân vốn đầu tư công là nhiệm vụ chính trị trọng tâm …", "Thống kê đất đai
        # được thực hiện hằng năm …": what a piece of work is or how it is done
        return True
    before = blanked[:verb.start()]
    if re.search(r"(?<!\bda )(?<!\bvua )(?<!\btung )(?<!\bcung da )\bduoc giao"
                 r"(?: (?:nhiem vu|trach nhiem))?\s+$", before) and _ADDRESSEE_START.match(folded) \
            and index.match(folded[:verb.start()]).matched \
            and not re.search(r"\b(?:da|vua)\s", folded[verb.start():]):
        # "UBND xã An Bình được giao công khai phương án …": the unit's task, in the passive
        # (not "…, đã hoàn thành và trình UBND tỉnh": what was done under it)
        return False
    if re.search(r"\b(?:la|se|da|dang|duoc|du kien)\s+(?:[^\W\d_]+\s+){0,2}$", before):
        return not _ORDER_WORD.search(before)
    if _ISSUERS_HEAD.fullmatch(before.strip(" ,")) and not index.match(before).matched \
            and not re.match(r"(?:chi dao|giao|yeu cau|de nghi|dong y|thong nhat|ket luan)\b",
                             blanked[verb.start():]):
        # "Đồng chí Chủ tịch UBND tỉnh tặng quà, chúc Tết …": what the issuer's head did, not
        # an order to the letter's recipients
        return True
    # "Sở Y tế là cơ quan thường trực, …": what a unit is, named before "là" (not "…, có
    # trách nhiệm theo dõi …": its duties then follow)
    return bool(_IS_WHAT.match(blanked) and not _ORDER_WORD.search(before)
                and not _DUTY_AFTER.search(folded))


def _not_ordered(folded: str, index: UnitIndex) -> bool:
    """The clause's first verb tells what was done or not yet done ("Sở X đã tham mưu …", "Sở
    X chưa thẩm định …", "các xã còn chậm triển khai …") or what must be done to something
    ("Trung tâm phải được bố trí …"), not an order to a unit."""
    lead = _sentence_lead(folded, index)
    short = re.match(r"[^,;]{1,30},\s*", folded)
    if lead is None and short and len(short.group(0).split()) <= 4:
        lead = short.end()  # "Qua kiểm tra, Sở X chưa thẩm định …"
    if lead is not None:  # "Sau khi kiểm tra, Sở Y tế đã xử phạt …": the verb after the lead
        folded = folded[lead:]
    blanked = _blank_units(folded, index)
    for group in (_NOT_INSPECTED, _INSPECTED):  # "đơn vị chưa được kiểm tra" names units
        blanked = group.sub(lambda m: " " * len(m.group(0)), blanked)
    verb = _VERB_RE.search(blanked)
    if not verb:
        return False
    if verb.start() == 0 and _WORK_IS.match(folded):
        # "Giải ngân vốn đầu tư công là nhiệm vụ chính trị trọng tâm …", "Thống kê đất đai
        # được thực hiện hằng năm …": what a piece of work is or how it is done
        return True
    adverbs = "|".join(ADVERBS)
    return bool(re.search(r"\b(?:da|dang|vua|da duoc|duoc|phai duoc|se duoc|se|chua|chua duoc|"
                          r"van chua|con cham|con chua)\s+"
                          r"(?:(?:" + adverbs + r")\s+)?$", blanked[:verb.start()]))


# "Lịch trực Tết của các cơ quan … gửi về Văn phòng … trước ngày …": whose product is sent.
_PRODUCT_OF = re.compile(
    r"^(?:bao cao|lich(?:\s+[^\W\d_]+){1,2}|danh sach|ke hoach|van ban|so lieu|ket qua|de xuat|"
    r"y kien)(?:\s+[^,;]{0,60}?)?\s+cua\s+(?P<who>[^;]{3,160}?)\s+(?:(?:can|phai)\s+)?"
    r"(?:gui|nop)\b"
)


def _product_of(folded: str, index: UnitIndex) -> tuple[str, int, int] | None:
    """(rule, start, end of the owners' words) when a clause says whose product is sent where
    by a date: an order to those owners."""
    match = _PRODUCT_OF.match(folded.lstrip(" ,-–"))
    if not match or not _DEADLINE.search(folded):
        return None
    offset = len(folded) - len(folded.lstrip(" ,-–"))
    who = index.match(folded[offset + match.start("who"):offset + match.end("who")])
    if not who.rule or not who.matched:
        return None
    return who.rule, offset + match.start("who"), offset + match.end("who")


def _opens_without_subject(folded: str) -> bool:
    """The clause names no one: it opens with its verb ("Tổ chức các đoàn …"), or with a short
    lead and then its verb ("Đồng thời, khảo sát …", "Kế hoạch, tổ chức …"); not "Các trường
    học bảo đảm …", whose subject is no unit of the portal."""
    folded = folded.lstrip(" ,-–:;(")
    if _starts_with_order(folded):
        return True
    lead = re.match(r"[^,;]{1,40}?,\s*", folded)
    return bool(lead and len(lead.group(0).split()) <= 4
                and _starts_with_order(folded[lead.end():]))


def _sentence_lead(folded: str, index: UnitIndex, prose: bool = False) -> int | None:
    """Where who acts starts after one lead clause or two ("Theo đó, trên cơ sở chức năng
    nhiệm vụ, các phòng, ban cần …"): see `_one_lead`."""
    lead = _one_lead(folded, index, prose)
    if lead is None:
        return None
    grounds = _GROUNDS_LEAD.match(folded[lead:])
    if grounds:
        return lead + grounds.end()
    second = _one_lead(folded[lead:], index, prose)
    return lead + second if second is not None else lead


def _one_lead(folded: str, index: UnitIndex, prose: bool = False) -> int | None:
    """Where who acts starts after a lead clause ("Ngoài việc …, ", "Thời gian tới, "), or after
    the matter an order is on ("Đối với các công trình chậm tiến độ, ") when that matter names
    no unit ("Đối với các xã, …" names the addressees themselves). In a page's prose a lead of
    when counts only where the words give an order ("Trong năm 2024, Sở Y tế kiểm tra 300 cơ
    sở" tells what was done)."""
    lead = _SENTENCE_LEAD.match(folded)
    if lead and not (folded.startswith("de nghi ") and index.match(
            re.sub(r"^de nghi\s+", "", folded[:lead.end()]).strip(" ,")).matched):
        # ("Để …, " is a purpose; "Đề nghị UB.MTTQ và các đoàn thể, Thủ trưởng các phòng …"
        # passes over bodies the portal does not hold, but "Đề nghị các cơ quan, đơn vị, …"
        # names the first of the addressees)
        return lead.end()
    when = _WHEN_LEAD.match(folded)
    if when:
        if prose and not _ORDERS_FOLDED.search(folded[when.end():]) \
                and not _DEADLINE.search(folded):
            return None
        return when.end()
    topic = _TOPIC_LEAD.match(folded)
    if topic and not index.match(topic.group("what")).matched:
        return topic.end()
    if _LONG_LEAD.match(folded):
        # "Trên cơ sở hướng dẫn của các Bộ, ngành và báo cáo của các cơ quan, đơn vị, Sở X chủ
        # trì …": the lead's own commas, then who acts and the verb
        blanked = _blank_units(folded, index)  # once: the same length, so sliced as folded
        for comma in re.finditer(r",\s*", folded[:300]):
            if _names_who_acts(folded, blanked, comma.end(), index):
                return comma.end()
    adverbial = _ADVERBIAL_LEAD.match(folded)
    if adverbial and not _ORDER_WORD.search(adverbial.group(0)) and (
            not prose or _ORDERS_FOLDED.search(folded) or _DEADLINE.search(folded)) \
            and not index.match(adverbial.group("words")).matched \
            and _names_who_acts(folded, _blank_units(folded, index), adverbial.end(), index,
                                listed=True):
        # "Trước ngày khai giảng 05/9, Phòng GD&ĐT hoàn thành …", "Riêng đối với cơ sở chế
        # biến, Phòng TN&MT kiểm tra …", "Trong đó, Phòng TC-KH tham mưu …", "Cụ thể, …"
        return adverbial.end()
    return None


# A short lead of when, of what or of which, before who acts: "Trong thời gian chờ sửa chữa, ",
# "Riêng đối với cơ sở chế biến, ", "Trong đó, ", "Cụ thể, ", "Sau khai giảng, ".
_ADVERBIAL_LEAD = re.compile(
    r"(?P<words>(?:trong|khi|truoc|sau|rieng|doi voi|de|nham|cu the|ngoai|tu|den|hang|"
    r"hằng|dinh ky|nam|thang|quy|tuan|ngay|them vao do|mat khac|ben canh|tiep theo|"
    r"cuoi cung|truoc het|nhan dip|dip|nhat la|dac biet|tai|o|qua|theo|trong luc)\b"
    r"[^,;:.]{0,80}?)\s*,\s*")


def _names_who_acts(folded: str, blanked: str, start: int, index: UnitIndex,
                    listed: bool = False) -> bool:
    """Whether the words from `start` name units, then give their verb: "Sở X chủ trì …"
    (several, with commas between them, where `listed`)."""
    verb = _VERB_RE.search(blanked, start)
    if verb is None or verb.start() == start:
        return False
    head = folded[start:verb.start()].strip()
    if len(head) > 100 or ("," in head and not listed):
        return False
    match = index.match(head)
    # (after a lead of its own, the words before the verb name units and nothing else: not
    # "trong thời gian qua, Phường X tiến hành …", "Văn phòng UBND tỉnh có Công văn số …")
    return bool(match.rule) and not (listed and match.unmatched)


_LONG_LEAD = re.compile(r"(?:tren co so|can cu|thuc hien|de (?!nghi\b)|nham|sau khi)")


_TOPIC_LEAD = re.compile(r"(?:doi voi|ve) (?P<what>[^,]{3,120}?)\s*,\s*")


def _led_addressee(folded: str, index: UnitIndex, prose: bool = False) -> bool:
    """"Ngoài việc …, các phường huy động …": a lead clause, then who acts and the verb."""
    lead = _sentence_lead(folded, index, prose)
    if lead is None:
        return False
    rest = folded[lead:]
    return bool(_ADDRESSEE_START.match(rest)) and _has_order(rest)


def _follows_order(folded: str) -> bool:
    """The clause only says by when, or what is sent where: it belongs to the order before."""
    folded = folded.lstrip(" ,-–:;(")
    if _PRODUCT_SENT.match(folded):
        return True
    if not _DEADLINE.search(folded):
        return False
    rest = len(re.findall(r"[^\W\d_]+", _DEADLINE.sub(" ", folded)))
    if _DEADLINE_ONLY.match(folded):
        return rest <= 8
    # "Các đơn vị thực hiện trước ngày 24/3": the same addressees, named as a group, told by
    # when to finish what the sentence before ordered.
    done = _GROUP_DONE_BY.match(folded)
    if done and not _DEADLINE.sub(" ", folded[done.end():]).strip(" .;,"):
        return True
    # "… Trình UBND tỉnh trước ngày 10/8": the product of the order before, sent by a date
    return bool(re.match(r"(?:trinh|gui|nop)\b", folded)) and _few_words(_sent(folded))


# What a sending is for ("…, để tổng hợp, gửi Ban …"): no part of what is sent, or to whom.
_PURPOSE = re.compile(r"\bde (?=tong hop|bao cao|xem xet|theo doi|chi dao|kip thoi|lam co so|"
                      r"phuc vu|gui|trinh)")


def _sent(folded: str) -> str:
    """A clause that sends something, without what the sending is for."""
    return _PURPOSE.split(folded, maxsplit=1)[0]


def _few_words(core: str) -> bool:
    """Sixteen words at most besides its date: a deadline clause, not an order of its own."""
    return len(re.findall(r"[^\W\d_]+", _DEADLINE.sub(" ", core))) <= 16


# "…; báo cáo kết quả về Sở Nội vụ trước ngày …", "…; báo cáo định kỳ hằng tháng": reporting on
# the order before, by the same unit, is part of that order.
_REPORT_ON_IT = re.compile(
    r"^(?:(?:" + "|".join(ADVERBS) + r"|dinh ky|hang (?:thang|quy|nam))[\s,]+)*"
    r"(?:tong hop[\s,]+)?(?:bao cao|gui bao cao|gui ket qua)\b"
)


# "… . Báo cáo UBND tỉnh trước ngày 15/10.", "… . Khẩn trương trình nội dung trên trước ngày
# 30/8.": a sentence that only sends what the order before it asked, and by when.
_SENDS_IT = re.compile(
    r"^(?:(?:" + "|".join(ADVERBS) + r")[\s,]+)*(?:bao cao|gui bao cao|gui|trinh|nop)\b"
)


# What an item under a unit's heading may be besides an order: a document, a caption, a fact.
_NOT_ITEM = re.compile(r"(?:ke hoach|quyet dinh|cong van|van ban|danh sach|du toan|kinh phi|"
                       r"bao cao so|thong bao|phu luc|bieu mau|thoi gian|dia diem|thanh phan|"
                       r"nguoi dan|cac (?:cho|du an|cong trinh|ho))\b")


def _unit_item(folded: str) -> bool:
    """An item under a unit's heading that orders it in words the importer has no verb for
    ("Chỉnh trang lại khuôn viên …"): not a document, a caption ("Kinh phí: …"), what was or
    is being done, or advice to people."""
    folded = folded.lstrip(" -–•*+")
    return not (_NOT_ITEM.match(folded) or ":" in folded[:40]
                or re.search(r"\b(?:da|dang|duoc|se)\s", folded[:60]))


def _sends_by_date(folded: str) -> bool:
    """The next sentence after an order only says to whom and by when its result goes: that
    order's deadline, one task with it (the corpus README, "One task or two")."""
    folded = folded.lstrip(" ,-–:;(")
    if not _SENDS_IT.match(folded) or not _DEADLINE.search(folded):
        return False
    core = _sent(folded)
    if re.search(r"[,;]\s*(?:dong thoi|giao|de nghi|yeu cau)\b", core):
        return False
    # a report on a matter of its own ("Báo cáo UBND tỉnh về tình hình dịch …"), not the
    # result sent "về" (to) whom
    if re.search(r"\bve (?!(?:so|ubnd|uy ban|van phong|phong|ban|bo|cuc|chi cuc|trung tam|"
                 r"thuong truc|tinh(?! hinh)|huyen|xa|phuong)\b)", core):
        return False
    return _few_words(core)


def _reports_on_order(folded: str) -> bool:
    folded = folded.lstrip(" ,-–:;(")
    if not _REPORT_ON_IT.match(folded) or len(folded.split()) > 24:
        return False
    # whom it reports to ("báo cáo UBND tỉnh (qua Sở Nội vụ)") is not a new addressee, but
    # "… báo cáo …, đồng thời Sở X …" is another order
    return not re.search(r"[,;]\s*(?:dong thoi|giao|de nghi|yeu cau)\b", folded)


# "Tổ Công tác có nhiệm vụ …": what someone's duties are.
_DUTIES = re.compile(r"^(?P<who>[^,;:]{2,80}?)\s+co (?:nhiem vu|trach nhiem|chuc nang)\b")
# "Triển khai Kế hoạch số 12/KH-UBND của UBND tỉnh, …": the document acted on, then what
# follows the comma decides (an order to someone, or a report of what was done).
_DOCUMENT_LEAD = re.compile(
    r"^(?:tai|trong|theo|qua)\s+(?:noi dung\s+)?(?:cong van|van ban|ke hoach|quyet dinh|"
    r"thong bao|chi thi|cong dien)\s+so\b[^;]{0,120}?,\s*(?=(?:chu tich |pho chu tich )?"
    r"(?:uy ban nhan dan|ubnd)\b)"
)
_REFERENCE_LEAD = re.compile(
    r"^(?:trien khai|quan triet|thuc hien)(?: thuc hien)?\s+(?:cong van|ke hoach|quyet dinh|"
    r"chi thi|nghi quyet|thong bao|van ban|chuong trinh|huong dan|ket luan|cong dien)\s+"
    r"(?:so\s+)?[^,;]{0,30}?[0-9][^,;]{0,200}?,\s*"
)
# A contingency ("Trường hợp xảy ra …, báo cáo ngay"), not a task to tick.
_CONTINGENCY = re.compile(r"^(?:truong hop|trong truong hop|neu|khi co|khi xay ra)\b")
# A leader's remarks on what was done, in a meeting's conclusions: praise, agreement, the
# shortcomings found ("Đánh giá cao …", "Cơ bản thống nhất với báo cáo …", "Tuy nhiên, …
# còn chậm"). An order inside ("…; giao Sở X …") keeps the sentence.
_REMARK = re.compile(
    r"^(?:(?:chu tich|pho chu tich|ubnd|uy ban nhan dan|lanh dao|dong chi)[^,.;:]{0,80}?\s+)?"
    r"(?:danh gia cao|ghi nhan|bieu duong|bieu duong|hoan nghenh|khen ngoi|bieu dương|"
    r"bieu duong va|tran trong|cam on|chia se|dong tinh|(?:co ban )?(?:thong nhat|nhat tri|"
    r"dong y)(?: cao)?(?: voi| ve| noi dung| theo)?|tuy nhien|ben canh (?:nhung|cac|do)|"
    r"nhin chung|nhin tong the|thoi gian qua|qua (?:\d+ )?(?:nam|thang) (?:trien khai|thuc hien))\b"
)
# The frame of a meeting's conclusions: when and where, who chaired and who attended, what was
# heard before the conclusions.
_MEETING = re.compile(
    r"^(?:(?:sang|chieu|toi)\s+)?(?:ngay|vao ngay|hom nay|vao luc|luc)\b[^.]{0,250}?"
    r"\b(?:chu tri|dan dau|lam viec|to chuc|(?<!phoi )hop|du)\b|"
    r"^(?:tham du|cung du|cung tham du|du hop)(?: cuoc hop| hoi nghi| buoi lam viec)?"
    r"\s+(?:co|gom)\b|^(?:thanh phan|chu tri)(?: cuoc hop| hoi nghi| buoi lam viec)?\s*:|"
    r"^chu tri (?:cuoc hop|hoi nghi|phien hop|buoi lam viec|ky hop)\b|"
    r"^(?:sau khi nghe|qua nghe)\b|"
    # who reported or spoke at the meeting: "Tại cuộc họp, lãnh đạo Phòng X báo cáo …"
    r"^tai (?:cuoc hop|hoi nghi|phien hop|buoi lam viec|ky hop)\b[^.;]{0,160}?\b(?:bao cao|"
    r"trinh bay|phat bieu|thao luan|neu|de xuat|kien nghi)\b|"
    # a headline or a caption that tells of the meeting: "UBND huyện tổ chức phiên họp tháng
    # 7", "Hội nghị rà soát tiến độ …", "Phiên họp thảo luận …"
    # (not a meeting of the residents a unit is to hold: "Các thôn tổ chức họp dân …")
    r"^[^.;:]{2,80}?\s(?:da\s+)?to chuc (?:phien hop|cuoc hop|hop)\b"
    r"(?!\s+(?:voi\s+)?(?:dan|nhan dan|nguoi dan|cu tri|thon|ap|to dan pho|khu pho|"
    r"cac ho|ho dan|phu huynh)\b)|"
    r"^(?:hoi nghi|phien hop|cuoc hop|buoi lam viec)\s+(?:(?:da|cung|tap trung)\s+)*"
    r"(?:ra soat|danh gia|nghe|"
    r"thao luan|cho y kien|xem xet|thong qua|kiem diem)\b|"
    # what a report at the meeting showed, who spoke there: "Báo cáo tại hội nghị cho thấy …",
    # "Trung tâm X báo cáo tham luận tại hội nghị", "Bí thư … phát biểu chỉ đạo hội nghị."
    r"^bao cao (?:tai|trinh bay tai|cua)\b[^.;]{0,80}?\bcho thay\b|"
    # (a caption: who did it, no more; not "Sở X chuẩn bị báo cáo tham luận …", "… để lãnh đạo
    # phát biểu chỉ đạo hội nghị")
    r"^(?![^.;]*\b(?:chuan bi|xay dung|hoan thien|gui|de|yeu cau|de nghi|giao|can|phai)\s)"
    r"(?:[^.;,]{0,120}?\b(?:bao cao|trinh bay|phat bieu) tham luan|[^.;,]{0,120}?\bphat bieu "
    r"(?:chi dao|ket luan|khai mac|be mac))(?: (?:tai )?(?:hoi nghi|cuoc hop|phien hop|"
    r"buoi lam viec|ky hop)[^.;,]{0,60})?\s*[.;]?\s*$"
)
# The issuer's office passing on the conclusions: "Văn phòng UBND tỉnh thông báo để các cơ
# quan, đơn vị liên quan biết, thực hiện".
_NOTICE = re.compile(
    r"\b(?:thong bao|truyen dat)\b[^.;]{0,200}?\b(?:de|den|cho|toi)\b[^.;]{0,200}?"
    r"\b(?:biet|thuc hien|trien khai|phoi hop)\b[^.;]{0,40}[./\s]*$|"
    r"^[^.;]{0,120}?\b(?:tran trong|xin|kinh) thong bao[./\s]*$"
)


# "UBND thành phố vừa có Kế hoạch số 131/KH-UBND về …": a page tells that a letter was issued.
_ISSUED = re.compile(  # (a dot inside a name: "Phó Chủ tịch UBND TP.HCM … vừa có công văn")
    r"^(?:[^.;:]|\.(?=\S)){0,120}?\b(?P<when>(?:vua|da|moi)\s+)?(?:co|ban hanh|ky ban hanh|ky|"
    r"gui)\s+"
    r"(?:cong van|ke hoach|quyet dinh|van ban|chi thi|thong bao|cong dien|huong dan)\b"
)


# Who issues letters, as a news post names them first.
_ISSUER_FIRST = re.compile(
    r"^(?:\(?[^\W\d_]{2,6}\)?\s*-\s*)?(?:chu tich |pho chu tich )?(?:ubnd|uy ban nhan dan|"
    r"van phong|so |thuong truc|hdnd|tinh uy|huyen uy|thanh uy|ban chi dao|bo |thu tuong|"
    r"chinh phu)")


def _not_an_order(folded: str, index: UnitIndex) -> bool:
    """Grounds, a decision's own act, who carries a decision out, a contingency, a leader's
    remarks or a meeting's frame, the notice that passes conclusions on, the news that a
    letter was issued, or a closing line."""
    folded = folded.strip(" -–•*")
    if _CONTINGENCY.match(folded):
        return True
    issued = _ISSUED.match(folded)
    if issued and issued.group("when") and _ISSUER_FIRST.match(folded) \
            and not _ORDER_WORD.search(folded) and not _issued_order(folded) \
            and _order_after_chi_dao(folded) is None and not _DEADLINE.search(folded) \
            and not any(_starts_with_order(clause) or (
                            _ADDRESSEE_START.match(clause) and _has_order(clause))
                        for clause in re.split(r"[,.;!?]\s+(?=\S)", folded[issued.end():])[1:]):
        # what the letter is about: "UBND tỉnh vừa có Kế hoạch số 131 về …", "Sở X vừa có
        # Công văn về việc triển khai Đề án …, định hướng đến năm 2030 (Công văn số …)" (not
        # "Các xã đã có quyết định thu hồi đất, khẩn trương bàn giao …")
        return True
    remark = _REMARK.match(folded)
    if remark and re.fullmatch(r"tuy nhien|ben canh (?:nhung|cac|do)", remark.group().strip()):
        # a connective, then an order ("Bên cạnh đó, đẩy mạnh tuyên truyền …", "Tuy nhiên,
        # cần khắc phục …") rather than what was or was not done
        rest = folded[remark.end():].lstrip(" ,")
        if _starts_with_order(rest) or re.match(r"(?:can|phai)\s", rest) or (
                _ADDRESSEE_START.match(rest) and _has_order(rest[:300])
                and not _not_ordered(rest, index) and not _statement(rest, index)):
            # (or a unit, then its order: "Bên cạnh đó, Sở X chủ trì, phối hợp …")
            remark = None
    if (remark or _MEETING.match(folded)) and not _ORDER_WORD.search(folded) \
            and _order_after_chi_dao(folded) is None and _order_after_agreement(folded) is None:
        # (not "… đánh giá cao …, đồng thời chỉ đạo UBND các xã tiếp tục …": the praise, then
        # the order)
        return True
    if _NOTICE.search(folded) and not _DEADLINE.search(folded):
        return True
    if re.search(r"\b(?:tran trong|chan thanh|xin) cam on\b", folded) \
            and not _ORDER_WORD.search(folded):
        return True  # "Văn phòng UBND tỉnh trân trọng cảm ơn sự phối hợp của quý cơ quan."
    duties = _DUTIES.match(folded)
    if duties and (not index.match(duties.group("who")).matched
                   or folded[duties.end() - len("chuc nang"):duties.end()] == "chuc nang"):
        # the duties of a group of persons the portal does not hold; what a unit is for
        # ("Trạm Y tế … có chức năng …", a decision on its organisation), no order
        return True
    if _GROUNDS.match(folded) and not _ORDER_WORD.search(folded) and \
            _grounds_then_order(folded) is None:
        return True
    reference = _REFERENCE_LEAD.match(folded)
    if reference and not _ORDER_WORD.search(folded):
        rest = folded[reference.end():]
        if not _has_order(rest) and re.match(r"(?:quan triet|trien khai)\b", folded) and \
                re.search(r"\bden\s+(?:toan the|tat ca|cac|moi|can bo)",
                          folded[:reference.end()]):
            # "Quán triệt Nghị quyết 57-NQ/TW đến toàn thể cán bộ, công chức": the order
            # itself, to whom it reaches, its comma inside the people it names
            return False
        if not _has_order(rest) and re.match(r"(?:trien khai|quan triet)\b", folded) \
                and folded.rstrip().endswith((".", ";")) \
                and not index.match(rest[:160]).matched \
                and not re.search(r"\b(?:da|duoc|vua|dang)\s", rest):
            # "Triển khai Nghị quyết số 57-NQ/TW … về đột phá phát triển khoa học, công nghệ,
            # đổi mới sáng tạo …": the comma is the title's, the sentence the order itself
            return False
        if not _has_order(rest) or _statement(rest, index) or _not_ordered(rest, index):
            return True  # "Triển khai Kế hoạch số 12/KH-UBND …, các xã đã …": what was done
    if (_ACT.search(folded) and not re.match(r"giao\b", folded)
            and not (_starts_with_order(folded) and not _ARTICLE_ACT.match(folded))) \
            or _CARRY_OUT.search(folded):
        # (not "Giao Sở Công Thương chủ trì … theo Quy chế kèm theo Quyết định này": the
        # order, which names the act it carries out)
        return True
    return _closing_line(folded, index)


# "Căn cứ Kế hoạch này, …", "Căn cứ chức năng, nhiệm vụ được giao, …": what to act on, before
# the order itself (unlike the legal basis, which names a law, a decree or a letter received).
_GROUNDS_LEAD = re.compile(
    r"^(?:can cu|tren co so|theo)\s+(?:vao\s+)?(?:chuc nang,? nhiem vu(?:,? quyen han)?"
    r"(?: duoc giao)?|(?:noi dung|tinh hinh|ke hoach|quyet dinh|cong van|huong dan|thong bao|"
    r"van ban|chi thi|ket qua|dieu kien)\b[^,;]{0,80}?\b(?:nay|tren|neu tren|thuc te|"
    r"cua dia phuong|cua don vi|cua nganh)|(?:tinh hinh|dieu kien) thuc te"
    r"(?: (?:cua|tai) (?:dia phuong|don vi|co quan|nganh))?)\s*,\s*"
)


def _grounds_then_order(folded: str) -> int | None:
    """Where the order starts after a lead that says what to act on ("Căn cứ Kế hoạch này,
    xây dựng …"), or None."""
    lead = _GROUNDS_LEAD.match(folded)
    if not lead:
        return None
    rest = folded[lead.end():]
    if _starts_with_order(rest) or (_ADDRESSEE_START.match(rest) and _has_order(rest)):
        return lead.end()
    return None


# "…; trong quá trình thực hiện, nếu có khó khăn, vướng mắc, báo cáo …": what to do if stuck.
_IF_STUCK = re.compile(r"\s*[;,.]\s*(?=(?:trong qua trinh (?:thuc hien|trien khai)|"
                       r"neu co (?:kho khan|vuong mac|phat sinh))\b)")


def _closing_line(folded: str, index: UnitIndex) -> bool:
    """"Yêu cầu Thủ trưởng các … và Chủ tịch UBND các xã nghiêm túc thực hiện./.", also with
    "; trong quá trình thực hiện, nếu có vướng mắc, báo cáo …" after it."""
    if _DEADLINE.search(folded):
        return False
    folded = _IF_STUCK.split(folded, maxsplit=1)[0]
    tail = _CLOSING_TAIL.search(folded)
    if not tail or tail.start() == 0:
        return False
    head = _strip_lead_folded(folded[:tail.start()])
    head = _CLOSING_LEAD.sub("", head)
    if not re.match(r"(?:yeu cau|de nghi)\b", folded[:tail.start()].strip()) and not \
            _ADDRESSEE_START.match(head):
        return False
    if re.match(r"giao\b", folded):
        return False  # "Giao Sở Giáo dục và Đào tạo triển khai thực hiện.": the order itself
    blanked = _blank_units(head, index)
    blanked = re.sub(r"\b(?:can cu|theo) chuc nang,? nhiem vu(?: duoc giao)?\b", " ", blanked)
    return not _VERB_RE.search(blanked)


def _strip_lead_folded(folded: str) -> str:
    match = _order_after_lead(folded)
    return folded[match:] if match is not None else folded


# "… chỉ đạo: Văn phòng UBND tỉnh phối hợp …", "Chủ tịch UBND tỉnh vừa có công văn chỉ đạo các
# sở, ban, ngành … đẩy nhanh …": a leader's or a letter's order, told by "chỉ đạo".
_CHI_DAO = re.compile(r"(?:^|[,;]\s*|\s)(?:chi dao|luu y)(?P<colon>\s*:)?\s+")


def _order_after_chi_dao(folded: str) -> int | None:
    """Where the addressees start after "chỉ đạo" when a leader or a letter gives the order."""
    match = _CHI_DAO.search(folded[:400])
    if match is None or not match.start():
        return None
    rest = folded[match.end():]
    if not (_ADDRESSEE_START.match(rest) and _has_order(rest[:300])):
        return None
    before = folded[:match.start()].strip(" ,")
    if re.search(r"[.;!?]\s", before):
        return None  # an order of its own comes first: "X phối hợp … . Đối với …, ông chỉ đạo"
    # "Phó Chủ tịch UBND huyện đánh giá cao …, đồng thời chỉ đạo …": the speaker's praise
    before = _PRAISE.sub("", before)
    if match.group("colon") or _SPEAKER.search(before) or _PERSON.search(before) or re.search(
            r"\b(?:cong van|van ban|cong dien|chi thi|thong bao)\b[^,;]*$", before):
        return match.end()
    return None


# A leader's order in a page that names no one after its word: "Đồng chí yêu cầu, trong những
# tháng cuối năm, phường cần …", "Phó Chủ tịch UBND thành phố chỉ đạo cần sớm xây dựng …".
_SPOKEN_ORDER = re.compile(r"(?:^|[,;]\s*|\s)(?:(?:cung|con|dong thoi|tiep tuc)\s+)?"
                           + _NOUN_BEFORE + r"(?<!\blanh dao, )(?<!\bsu )(?<!\bcong tac )"
                           r"(?:yeu cau|de nghi|chi dao|luu y|nhan manh|dan do)\s*(?::|,)?\s*")
_BEFORE_VERB = re.compile(r"(?:(?:can|phai|som|cung|tiep tuc|nhanh chong)\s+)*")
_WHEN_WORDS = re.compile(r"(?:trong|tu nay|thoi gian|nam|dip|sap|truoc)\b[^,;]{0,40},\s*")


def _speaker_order(folded: str) -> int | None:
    """Where a leader's order starts in a page's sentence when no addressee follows the order
    word: at the one it names after a lead of when, or at its verb. The unit is then the one
    the words name, or none (left for the editor)."""
    match = _SPOKEN_ORDER.search(folded[:300])
    if match is None or not match.start():
        return None
    before = folded[:match.start()].strip(" ,")
    if len(before) > 200 or re.search(r"[.;!?]\s", before) or not (
            _SPEAKER.search(before) or _PERSON.search(before)
            or re.match(r"(?:[^,]{0,40},\s*)?(?:dong chi\b|d/c\s)", before)):
        return None
    # who speaks, not what was done: no verb before the order word but in the speaker's words
    # ("Phát biểu kết luận hội nghị, đồng chí …, Bí thư …"), and no account of what a leader
    # once ordered ("… đã chỉ đạo …", "Trước đó, …", "…, nhờ đó tăng trưởng đạt 8%")
    if _VERB_RE.search(_speaker_words(before)) or re.search(r"\b(?:da|vua|tung)$", before) \
            or re.match(r"(?:truoc do|ngay sau khi|sau khi|thoi gian qua|vua qua|nam qua)\b",
                        before) or re.search(r"\b(?:nho do|den nay|da hoan thanh|gop phan|"
                                             r"ket qua la)\b", folded[match.end():]):
        return None
    start = match.end()
    when = _WHEN_WORDS.match(folded, start)
    if when:
        start = when.end()
    if _ADDRESSEE_START.match(folded[start:]) and _has_order(folded[start:start + 200]):
        return start
    start = _BEFORE_VERB.match(folded, start).end()
    return start if _VERB_RE.match(folded, start) else None


_ORDER_COMMA = re.compile(r"\s(?:de nghi|yeu cau)\s*,\s*")
# "UBND tỉnh vừa có văn bản yêu cầu các sở …": the letter's order word after the news that it
# was issued ("văn bản yêu cầu" is otherwise the noun).
_ISSUED_ORDER = re.compile(_ISSUED.pattern + r"[^.;:]{0,200}?\s(?P<word>yeu cau|de nghi|giao|"
                           r"chi dao)\s+(?:cho\s+)?")


def _issued_order(folded: str) -> int | None:
    # "Ngày 15/01/2025, UBND tỉnh có văn bản yêu cầu …": the day stands for "vừa"
    dated = re.match(r"ngay\s+[0-9]{1,2}\s*[/-]\s*[0-9]{1,2}(?:\s*[/-]\s*[0-9]{2,4})?\s*,\s*",
                     folded)
    offset = dated.end() if dated else 0
    match = _ISSUED_ORDER.match(folded[offset:offset + 400])
    if match and (match.group("when") or dated) and _ISSUER_FIRST.match(folded[offset:]) \
            and _ADDRESSEE_START.match(folded[offset + match.end():]):
        # "… chỉ đạo các sở …": the addressees; "… yêu cầu các sở …": the order word
        return offset + (match.end() if match.group("word") == "chi dao"
                         else match.start("word"))
    return None


# "… đề nghị thời gian tới các phòng, ban …": when, between the order's word and its
# addressees.
_WHEN_AFTER_WORD = re.compile(
    r"(?:de nghi|yeu cau)\s*[,:]?\s*(?:(?:trong )?(?:thoi gian toi|thoi gian den|"
    r"nhung thang (?:cuoi|con lai cua) nam|nhung thang con lai)|tu nay den (?:cuoi|het) nam|"
    r"truoc mat|sap toi|nam [0-9]{4})\s*,?\s*")


def _order_after_lead(folded: str) -> int | None:
    """Where the order proper starts after a lead clause or the issuer's name ("Theo đó, đề
    nghị …", "UBND tỉnh yêu cầu …"), or None; after "thời gian tới" when those words stand
    between the order's word and its addressees."""
    start = _order_word_after_lead(folded)
    if start is not None:
        when = _WHEN_AFTER_WORD.match(folded, start)
        if when and _ADDRESSEE_START.match(folded[when.end():]):
            return when.end()
    return start


# "Chủ tịch UBND huyện đánh giá cao kết quả … và đề nghị …": the speaker's praise before the
# order.
_PRAISE = re.compile(r"\s+(?:danh gia cao|bieu duong|ghi nhan|hoan nghenh|khen ngoi|chuc mung)"
                     r"\b.*\s(?:va|dong thoi)$")


# "Vì vậy, nhiệm vụ trọng tâm trong tháng 12 là các phòng, ban liên quan, UBND 7 phường cần
# phải …": what the task is, then who does it.
_TASK_IS = re.compile(r"^(?:(?:vi vay|do do|theo do|do vay),\s*)?(?:nhiem vu|viec can lam|giai "
                      r"phap)(?: trong tam| chu yeu| can lam| cap bach| trong thoi gian toi)?"
                      r"[^,.;:]{0,60}?\s+la\s+")


# "Đồng ý chủ trương …; Sở Tài chính hoàn thiện thủ tục …", "Thống nhất với đề xuất của Sở Y
# tế, giao Sở Tài chính …": the leader's agreement, then the order that carries it out.
_AGREED = re.compile(r"^(?:(?:chu tich|pho chu tich|ubnd|uy ban nhan dan|lanh dao|dong chi)"
                     r"[^,.;:]{0,80}?\s+)?(?:co ban\s+)?(?:dong y|thong nhat|nhat tri|"
                     r"chap thuan)\b")


def _order_after_agreement(folded: str) -> int | None:
    """Where the order starts after an agreement that leads its sentence, or None."""
    if not _AGREED.match(folded):
        return None
    for separator in re.finditer(r"[,;:]\s*", folded[:300]):
        rest = folded[separator.end():]
        rest = re.sub(r"^(?:dong thoi|va)\s+,?\s*", "", rest)
        if (re.match(r"(?:giao" + NOT_ORDER_GIAO + r"|de nghi|yeu cau)\s", rest)
                or (_ADDRESSEE_START.match(rest) and _has_order(rest[:300])
                    and not re.match(r"(?:cac |cua )?(?:de xuat|kien nghi|noi dung|phuong an|"
                                     r"chu truong|du thao|bao cao|to trinh)\b", rest))):
            return len(folded) - len(rest)
    return None


def _order_word_after_lead(folded: str) -> int | None:
    """Where the order's word (or, after "chỉ đạo", its addressees) starts after a lead."""
    issued = _issued_order(folded)
    if issued is not None:
        return issued
    agreed = _order_after_agreement(folded)
    if agreed is not None:
        return agreed
    task_is = _TASK_IS.match(folded)
    if task_is and _ADDRESSEE_START.match(folded[task_is.end():]) \
            and _has_order(folded[task_is.end():task_is.end() + 300]):
        return task_is.end()
    comma = _ORDER_COMMA.search(folded[:300])
    if comma and _ADDRESSEE_START.match(folded[comma.end():]) and (
            _PERSON.search(folded[:comma.start()]) or _SPEAKER.search(folded[:comma.start()])):
        # "Chủ tịch UBND tỉnh Nguyễn Văn A đề nghị, Sở Kế hoạch và Đầu tư, các ngành … cần …":
        # a speaker's order word with a comma after it; the addressees follow
        return comma.end()
    match = _ORDER_WORD.search(folded[:300])
    if match is None and (_LEAD_WORDS.match(folded) or _GROUNDS.match(folded)):
        # a long lead of grounds ("Căn cứ kế hoạch …, các nghị quyết …; tình hình …, yêu cầu
        # các sở …"), in one sentence
        match = _ORDER_WORD.search(folded[:600])
        if match and re.search(r"[.!?]\s", folded[:match.start()]):
            match = None
    if match is None or match.start("word") == 0:
        return _order_after_chi_dao(folded)
    before = folded[:match.start("word")].strip(" ,")
    if _LEAD_WORDS.match(before) or _GROUNDS.match(before):
        return match.start("word")
    if re.match(r"(?:rieng\s+)?doi voi\s", before) and folded[:match.start("word")].rstrip() \
            .endswith(",") and _ADDRESSEE_START.match(
                re.sub(r"^\s*(?:cho\s+)?", "", folded[match.end("word"):])):
        # "Riêng đối với thang điểm chợ văn minh, giao cho Phòng X …": the matter, then the
        # order with its own addressee ("Đối với UBND các xã, đề nghị …" keeps its lead)
        return match.start("word")
    issued = _ISSUED.match(before)
    if issued and issued.group("when") and _ISSUER_FIRST.match(before) and len(before) <= 250 \
            and ";" not in before:
        # "UBND tỉnh vừa ban hành Công văn số 12/UBND-VX (về …) yêu cầu …": the letter's order
        return match.start("word")
    if folded[:match.start("word")].rstrip().endswith((",", ":")) \
            and len(before.split()) <= 8 and "," not in before.rstrip(":") \
            and not _VERB_RE.search(before):
        # "Thời gian tới, yêu cầu …", "Trong tháng 9, đề nghị …": a short lead of when or
        # of what, then the order
        return match.start("word")
    before = re.sub(r"\s+(?:da|cung|tiep tuc|vua)(?:\s+(?:da|cung))?$", "", before)
    # "Trong nội dung Công văn số 4913/VP-KT, ban hành ngày 15/6, UBND thành phố yêu cầu …":
    # the letter a page quotes, then its issuer's order
    before = _DOCUMENT_LEAD.sub("", before)
    if len(before) <= 80 and not _VERB_RE.search(re.sub(r"\bco y kien\b.*", "", before)) \
            and re.match(r"(?:chu tich |pho chu tich )?(?:uy ban nhan dan|ubnd|so |thuong truc|"
                         r"ban |van phong|tinh uy|huyen uy|(?:tinh|thanh pho|huyen)\b"
                         r"(?!\s+(?:doan|doi|uy|hoi|day)\b))", before):
        return match.start("word")
    before = _PRAISE.sub("", before)
    # "Về nhiệm vụ thời gian tới, Phó Bí thư … - Chủ tịch HĐND huyện yêu cầu …": who speaks.
    # (a person's name after "ông", "bà", "đồng chí" is no verb: "Ông Phan Công Luận, …")
    if len(before) <= 200 and _PERSON.search(before):
        return match.start("word")  # "Kết luận cuộc họp, ông Nguyễn Văn A đề nghị …"
    if len(before) <= 200 and _SPEAKER.search(before) and not _VERB_RE.search(
            _speaker_words(before)):
        return match.start("word")
    return None


def _leader_orders_after(text: str) -> bool:
    """Whether a sentence after the paragraph's first gives a leader's or the issuer's order
    ("Phát biểu chỉ đạo, Phó Chủ tịch UBND huyện đề nghị các cơ quan …")."""
    for a, b in _spans(text, ".!?")[1:]:
        folded = skeleton(text[a:b]).strip()
        start = _order_after_lead(folded)
        if start is None:
            start = _speaker_order(folded)
        if start is not None and start > 0:
            return True
    return False


# The occasion a leader speaks at: "Kết luận cuộc họp,", "Phát biểu chỉ đạo tại hội nghị",
# "Tại hội nghị đánh giá tình hình quy hoạch,".
_OCCASION = re.compile(r"^(?:[^,]*\bket luan\b[^,]*,|tai (?:hoi nghi|cuoc hop|buoi lam viec|"
                       r"phien hop|ky hop|buoi hop)\b[^,]{0,120},|"
                       # "Sau buổi kiểm tra thực tế,", "Tại buổi kiểm tra,", "Qua đợt khảo sát,"
                       r"(?:tai|sau|qua|trong)\s+(?:(?:buoi|dot|chuyen|cuoc)\s+)?(?:kiem tra|"
                       r"khao sat|giam sat|lam viec|tham)\b[^,]{0,120},|"
                       # the visit itself: "Kiểm tra hiện trường,", "Làm việc với xã An Bình,",
                       # "Đánh giá cao kết quả này,"
                       r"(?:kiem tra|khao sat|thi sat|lam viec (?:voi|tai)|den tham|tham|"
                       r"tiep (?:va lam viec|xuc)|danh gia cao|ghi nhan|bieu duong)\b[^,]{0,100},|"
                       # what it is about: "Liên quan đến giải ngân vốn đầu tư công,", "Ở lĩnh
                       # vực y tế,", "Về thu ngân sách,"
                       r"(?:lien quan (?:den|toi)|(?:o|trong|ve) linh vuc|ve)\s[^,]{0,120},|"
                       r"(?:phat bieu|ket luan|chi dao)(?: (?:chi dao|ket luan))?"
                       r"(?: (?:tai|trong) [^,]{0,60}?"
                       r"(?:hoi nghi|cuoc hop|buoi lam viec|phien hop|ky hop|buoi [^\s,]+)\b)?"
                       r"\s*,?)")


def _speaker_words(before: str) -> str:
    """The words before a leader's order word without the occasion and the persons' names: a
    verb left in them tells what was done, not who speaks."""
    return re.sub(r"\b(?:ong|ba|dong chi|d/c)\s+[^,]*", "", _OCCASION.sub("", before, count=1))


# The end of an introduction that names who acts before the list of what they do.
_TASKS_FOLLOW = re.compile(
    r"\b(?:(?:nghiem tuc|khan truong|tap trung|chu dong)\s+)?(?:thuc hien|trien khai)"
    r"(?:\s+(?:tot|nghiem tuc|nghiem|khan truong))?(?:\s+(?:mot so|cac|nhung))?\s+"
    r"(?:nhiem vu|noi dung|viec|cong viec|yeu cau|giai phap)(?:\s+\S+){0,3}?\s+"
    r"(?:sau|nhu sau|sau day)\s*$"
)
# A person named last before the order word: "…, ông Nguyễn Văn A", "…, bà Lan".
_PERSON = re.compile(r"(?:^|[,;:]\s*)(?:ong|ba|dong chi|d/c)(?:\s+[^\W\d_]+){0,4}$")
_SPEAKER = re.compile(r"\b(?:chu tich|pho chu tich|bi thu|pho bi thu|giam doc|truong ban|"
                      r"uy ban nhan dan|ubnd|lanh dao|dong chi)\b[^,]*$")
_INTRO_COLON = re.compile(r"(?:nhu sau|co y kien|chi dao|y kien chi dao|cu the|sau day|"
                          r"noi dung)\s*$")


# What an order is on, before a colon: "Đối với …:", "Việc …:", "Công tác …:", "Nội dung …:".
_TOPIC_BEFORE_COLON = re.compile(r"(?:rieng )?(?:doi voi|viec|cong tac|noi dung|van de|"
                                 r"kien nghi|de xuat|ve viec)\s")


def _self_addressed(folded: str) -> bool:
    """The words give an order and name whom: "giao Sở X …", "Sở X chủ trì …"."""
    word = re.match(r"(?:giao" + NOT_ORDER_GIAO + r"|de nghi|yeu cau)\s", folded)
    if word:  # (and what to do: not "giao Sở Công Thương." alone, whose topic says what)
        return bool(_VERB_RE.search(folded[word.end():300]))
    return bool(_ADDRESSEE_START.match(folded) and _has_order(folded[:300]))


def _directed_by_a_unit(text: str, lead: int, index: UnitIndex) -> bool:
    """"Giám đốc Sở GD&ĐT chỉ đạo các trường học …": the head of one of the portal's units
    directs those under it, an order to that unit, not a leader's order to those named after
    "chỉ đạo" (the issuer's "Chủ tịch UBND tỉnh chỉ đạo …" names no unit of the portal)."""
    word = re.search(r"\bchi dao\s*:?\s*$", skeleton(text[:lead]))
    if word is None:
        return False
    match = index.match(text[:word.start()])  # the unit and its head's post, nothing more
    return bool(match.matched) and not match.unmatched


def _strip_lead(text: str, index: UnitIndex | None = None) -> str:
    """The paragraph from its order on: after a topic ("Về …: "), after "… có ý kiến chỉ đạo
    như sau:", after a lead
    clause ("Theo đó, đề nghị …") or the issuer's name before "đề nghị"/"yêu cầu"/"giao"."""
    folded = skeleton(text)
    colon = _colon_outside_parentheses(text)
    if colon is not None and colon < 250 and text[colon + 1:].strip() and (
            re.match(r"ve\s", folded) or (
                _TOPIC_BEFORE_COLON.match(folded)
                and _self_addressed(folded[colon + 1:].strip(" -–")))) \
            and not _ORDER_WORD.search(folded[:colon]):
        # "Về đề xuất của Sở X: Giao Sở Y …": the topic, then the order on it; so "Đối với
        # đề xuất của Sở Y tế: giao Sở Nội vụ …", "Công tác bảo đảm hàng hóa: Sở Công Thương
        # chủ trì …" (not "Đối với UBND xã A: Tập trung …", whose heading names who acts)
        text = _capitalize(text[colon + 1:].strip())
        folded = skeleton(text)
        colon = _colon_outside_parentheses(text)
    if colon is not None and colon < 300 and text[colon + 1:].strip() and \
            _INTRO_COLON.search(folded[:colon].rstrip()):
        text = text[colon + 1:].strip()
        folded = skeleton(text)
    start = _order_after_lead(folded)
    if start is not None and index is not None and _directed_by_a_unit(text, start, index):
        start = None
    if start is None:
        start = _grounds_then_order(folded)
    if start is None and (reference := _REFERENCE_LEAD.match(folded)) and \
            _ADDRESSEE_START.match(folded[reference.end():]) and \
            _has_order(folded[reference.end():]):
        start = reference.end()
    if start is not None:
        text = _capitalize(text[start:])
    return text


# A clause before the subject of an order: "Ngoài việc tổng vệ sinh tại cơ quan, các phường
# huy động …".
_SENTENCE_LEAD = re.compile(r"(?:ngoai viec [^,]{3,120}?|ngoai ra|ben canh do|dong thoi|"
                            r"de [^,]{3,120}?|theo do|sau khi [^,]{3,120}?)\s*,\s*")
# A lead of when before the subject: "Thời gian tới, các xã cần …", "Định kỳ hằng tháng (trước
# ngày 20), các đơn vị báo cáo …", "Trước ngày 25/10, UBND các huyện phải báo cáo …".
_WHEN_LEAD = re.compile(r"(?:(?:(?:ve )?(?:nhiem vu|phuong huong)(?: nhiem vu)? )?"
                        r"(?:trong )?thoi gian toi|truoc mat|sap toi|tu nay den [^,]{3,30}?|"
                        r"trong (?:thang|quy|nam|tuan|dip) [^,]{1,30}?|"
                        r"(?:dinh ky|hang (?:thang|quy|nam|tuan))[^,]{0,60}?|"
                        r"(?:truoc|cham nhat)(?: (?:ngay|het ngay))? [0-9][0-9/.-]{2,9})"
                        r"\s*,\s*")
# Words that make a sentence of a page an order rather than an account of what was done.
_ORDERS_FOLDED = re.compile(r"\b(?:phai|can(?! bo)|de nghi|yeu cau|giao|chi dao|khan truong|"
                            r"chu dong|tap trung|tang cuong|tiep tuc|co trach nhiem|co nhiem vu)\b")


def _task_addressee(text: str, index: UnitIndex) -> tuple[str | None, str] | None:
    """(rule, words) when the task opens by naming who does it ("Sở Y tế chủ trì …", "Giao
    UBND các xã rà soát …"); the rule is None when the words match no unit."""
    folded = skeleton(text)
    opening = len(folded) - len(folded.lstrip())  # a quotation's mark folds to a space
    text, folded = text[opening:], folded[opening:]
    lead = _sentence_lead(folded, index)
    if lead is not None and (_ADDRESSEE_START.match(folded[lead:])
                             or index.opens_with_unit(text[lead:])):
        text, folded = text[lead:], folded[lead:]
    if not _ADDRESSEE_START.match(folded) and not index.opens_with_unit(text):
        return None
    blanked = _blank_units(folded, index)
    verb = _VERB_RE.search(blanked)
    ordered = re.match(r"(?:yeu cau|de nghi|giao)\s", folded)

    def longest_names() -> tuple[str | None, str] | None:
        """The longest run of words after the order's word that names units and nothing
        else: who acts."""
        found = None
        for end in (m.start() for m in re.finditer(r"\s", text[:200])):
            match = index.match(text[:end])
            if match.matched and not match.unmatched:
                found = (match.rule, text[:end].strip(" ,;:-–"))
        return found

    if not verb and ordered:
        # "Yêu cầu các ngành, UBND các xã, thị trấn tiêm vắc xin …": no verb the importer
        # knows after the order's word
        return longest_names()
    if not verb or verb.start() == 0:
        return None
    start = verb.start()
    adverbs = re.search(r"(?:\b(?:" + "|".join(ADVERBS) + r")\s+)+$", blanked[:start])
    if adverbs:
        start = adverbs.start()
    head = text[:start].strip(" ,;:-–")
    if not head or len(head) > 200:
        return None
    match = index.match(head)
    if match.matched and match.rule:
        return match.rule, head
    if ordered and not match.matched:
        # "Yêu cầu các thành viên Ban tổ chức cần …": a verb's words inside the group's name
        found = longest_names()
        if found is not None and len(found[1]) > len(head):
            return found
    if not match.matched and match.unmatched and (
            _STRONG_ADDRESSEE.match(folded) or _NOT_A_UNIT.match(folded)
            or (head[:1].isupper() and len(head.split()) <= 8
                and re.match(r"(?:ban|hoi|doan|cuc)\b", folded))):
        return None, head
    return None


# Who an order may name that is no unit of a portal: "Đề nghị các doanh nghiệp cấp nước …",
# "Yêu cầu các hộ gia đình …": named, so flagged for the editor, not given to the letter's
# recipients or to the unit of the paragraph before.
_NOT_A_UNIT = re.compile(r"(?:yeu cau|de nghi)\s+(?:(?:tat ca|toan the)\s+)?(?:cac\s+)?"
                         r"(?:doanh nghiep|ho gia dinh|ho dan|nguoi dan|nhan dan|to chuc, ca nhan|"
                         r"nha dau tu|nha thau|co so (?:kinh doanh|san xuat)|hop tac xa|"
                         r"chu (?:co so|ho|phuong tien|rung))\b")


# "các đơn vị trên", "các chủ đầu tư nêu trên", "các xã nói trên": the units just named.
_ABOVE = re.compile(r"\bcac (?:co quan,? )?(?:don vi|co quan|dia phuong|chu dau tu|so|nganh|"
                    r"phong|xa|phuong|huyen|truong|trung tam)(?: nay| (?:neu|noi|ke|o) tren|"
                    r" tren(?! (?:toan|dia ban|ca|cac|moi|dia)\b))\b")


def _named_above(paras: list[_Para], index: UnitIndex) -> list[_Para]:
    """"Còn các đơn vị sau chưa gửi báo cáo: Sở Xây dựng, UBND xã An Bình. Đề nghị các đơn vị
    trên khẩn trương …": the words that point back are the units the sentence before names
    (its part after a colon, where it has one); left as written where it names none."""
    out: list[_Para] = []
    before = ""
    for para in paras:
        text = para.text
        folded = skeleton(text)
        if _ABOVE.search(folded):
            pieces: list[str] = []
            last = 0
            for found in _ABOVE.finditer(folded):
                spans = _spans(text[:found.start()], ".!?")
                earlier = [text[a:b] for a, b in spans[:-1]] or [before]
                named = _units_named(earlier[-1], index)
                if named:
                    pieces += [text[last:found.start()], ", ".join(named)]
                    last = found.end()
            text = "".join(pieces) + text[last:]
            para = _Para(para.marker, text)
        sentences = _spans(text, ".!?")
        if sentences:  # the sentence the next paragraph's words may point back to
            before = text[sentences[-1][0]:sentences[-1][1]]
        out.append(para)
    return out


def _per_level_joined(paras: list[_Para]) -> list[_Para]:
    """"Đối với các sở: gửi trước ngày A. Đối với UBND các xã: gửi trước ngày B.": the
    deadlines per level in sentences of their own, read as one sentence of clauses."""
    out = []
    for para in paras:
        spans = _spans(para.text, ".!?")
        sentences = [skeleton(para.text[a:b]).strip() for a, b in spans]
        if len(sentences) >= 2 and all(
                re.match(r"(?:rieng\s+)?(?:doi voi|danh cho)\s+[^:]{3,120}:", each)
                and _DEADLINE.search(each) for each in sentences):
            text = "; ".join(para.text[a:b].strip().rstrip(".!?") for a, b in spans) + "."
            para = _Para(para.marker, text)
        out.append(para)
    return out


def _units_named(sentence: str, index: UnitIndex) -> list[str]:
    """The units a sentence names one by one (after its colon, where it has one)."""
    colon = sentence.rfind(":")
    words = sentence[colon + 1:] if colon >= 0 else sentence
    match = index.match(words)
    names = [rule.split(":", 1)[1] for rule in match.matched if rule.startswith("unit:")]
    return names if names and len(names) == len(match.matched) else []


def _listed_things(paras: list[_Para], index: UnitIndex) -> list[_Para]:
    """An order that ends with a colon and lists, as bullets, what it is on ("Sở Y tế chủ trì
    xây dựng các nội dung sau:" / "- Cơ chế đặc thù;" / "- Chính sách thu hút."): one
    paragraph, the things after the order's words, as when they are written inline. Bullets
    that give orders of their own (a verb first, a unit named) stay items."""
    out: list[_Para] = []
    i = 0
    while i < len(paras):
        para = paras[i]
        j = i + 1
        # "… hướng dẫn Nhân dân thực hiện các biện pháp sau:": what people are to be told,
        # whatever its verbs
        guiding = bool(_GUIDING_THE_PUBLIC.search(skeleton(para.text)))
        while j < len(paras) and paras[j].marker.strip() in ("-", "–", "+", "•", "*") \
                and len(paras[j].text) <= 160 and (guiding or not _starts_with_order(
                    folded := skeleton(paras[j].text))) \
                and not _ADDRESSEE_START.match(folded := skeleton(paras[j].text)) \
                and not _ADDRESSEE_START.match(folded) \
                and not index.opens_with_unit(paras[j].text) and not _DEADLINE.search(folded):
            j += 1
        if j - i >= 3 and para.text.rstrip().endswith(":") and _has_order(skeleton(para.text)) \
                and (j == len(paras) or paras[j].marker.strip() not in ("-", "–", "+", "•", "*")):
            things = "; ".join(each.text.strip().rstrip(";.,") for each in paras[i + 1:j])
            out.append(_Para(para.marker, f"{para.text.rstrip()} {things}."))
            i = j
            continue
        out.append(para)
        i += 1
    return out


_PUBLIC_FIRST = re.compile(r"(?:(?:moi|toan the|tat ca|cac)\s+)?(?:nguoi dan|nhan dan|ho gia dinh|"
                           r"ho dan|ba con|du khach|cong dan)\b")
_GUIDING_THE_PUBLIC = re.compile(
    r"\b(?:huong dan|tuyen truyen|van dong|khuyen cao|pho bien|thong tin)\s+(?:cho\s+)?"
    r"(?:(?:toan the|moi|cac)\s+)?(?:nguoi dan|nhan dan|ho dan|ho gia dinh|ba con|ngu dan|"
    r"nong dan|phu huynh|hoc sinh)\b[^.;:]*:\s*$")


# "Sở Thông tin và Truyền thông được Ủy ban nhân dân tỉnh giao chủ trì, phối hợp …": the
# order, as "Sở Thông tin và Truyền thông chủ trì, phối hợp …".
_GIVEN = re.compile(
    r"\s+được\s+(?:(?:Chủ tịch\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)(?:\s+(?:tỉnh|thành "
    r"phố|huyện|thị xã|quận|xã|phường|TP))?\s+)?giao\s+(?:nhiệm vụ\s+)?(?=(?:chủ trì|thực hiện|"
    r"tham mưu|phối hợp|xây dựng|triển khai|tổ chức|theo dõi|hướng dẫn|kiểm tra|rà soát|"
    r"nghiên cứu|hoàn thiện|hoàn thành|đôn đốc|bảo đảm|đảm bảo|cập nhật|thẩm định|giám sát|"
    r"đề xuất|tổng hợp|lập|chỉ đạo)\b)", re.I)


# Who may be given the task: a unit or a group of them, named first in its sentence.
_GIVEN_SUBJECT = re.compile(r"(?:cac\s+)?(?:so|phong|ban|ubnd|uy ban|trung tam|van phong|chi cuc|"
                            r"cong an|thanh tra|cuc|doan|to|hoi dong)\b")


# "Bên cạnh đó, nhiệm vụ của Sở Nông nghiệp và Môi trường là chủ trì, phối hợp …": the order,
# as "Sở Nông nghiệp và Môi trường chủ trì, phối hợp …".
_DUTY_OF = re.compile(r"\b[Nn]hiệm vụ của\s+(?P<who>(?:các\s+)?(?:Sở|Phòng|Ban|UBND|Ủy ban|Uỷ ban|"
                      r"Trung tâm|Văn phòng|Chi cục|Công an|Thanh tra|sở|phòng|xã|phường)"
                      r"[^,.;:]{1,100}?)\s+là\s+")


# A news agency's or section's tag before a post's first words: "(Xây dựng) – ", "(QTO) - ".
_NEWS_TAG = re.compile(r"^\s*\((?=[^()]*[^\W\d_])[^()]{2,30}\)\s*[-–]\s+")


def _active(line: str) -> str:
    """The line without a news tag before it ("(Xây dựng) – "), and with "X được UBND tỉnh giao
    chủ trì …" and "nhiệm vụ của X là chủ trì …" read as "X chủ trì …", where X is a unit or
    a group named first in its sentence and what follows is not told as done ("đã", "đang",
    "vừa")."""
    line = _NEWS_TAG.sub("", line, count=1)
    duty = _DUTY_OF.search(line)
    if duty and _starts_with_order(skeleton(line[duty.end():duty.end() + 80])):
        line = line[:duty.start()] + duty.group("who") + " " + line[duty.end():]
    # each sentence's, from the last (the line's earlier places stay where they are)
    for match in reversed(list(_GIVEN.finditer(line))):
        subject = skeleton(re.split(r"[.;:,]\s", line[:match.start()])[-1]).strip(" -–+•")
        if not _GIVEN_SUBJECT.match(subject) or len(subject.split()) > 14:
            continue  # "Đối với các nhiệm vụ được giao chủ trì …": no unit given it
        if re.match(r"\s*(?:qua|sau|tai|trong)\b",
                    skeleton(re.split(r"[.;:]\s", line[:match.start()])[-1])):
            continue  # "Qua làm việc, Sở X được giao …": kept as written, for the editor
        end = line.find(".", match.end())
        rest = skeleton(line[match.end():end if end > 0 else len(line)])
        if re.search(r"\b(?:da|dang|vua)\b", rest):
            continue
        line = line[:match.start()] + " " + line[match.end():]
    return line


# The words before a date that make it a cited document's or an earlier event's.
_CITED_DATE = re.compile(r"(?:\bso\s+[0-9][^\s,;]*|\b(?:bo )?luat\b[^;.\n]{0,80}?)\s*,?\s*"
                         r"(?:ban hanh\s+)?ngay\s*$|\btruoc do,?\s+(?:vao\s+)?ngay\s*$")


def import_letter(text: str, units: list[UnitRef], received: date | None = None) -> Draft:
    """A draft directive from the letter's text, its addressees matched against `units`.
    `received` is the day the letter reached the portal: in a copy that shows no year at all,
    a date without its year is the first such day from then (noted on the task, to check)."""
    if not isinstance(text, str):
        raise LetterImportError("Nội dung công văn phải là văn bản.")
    if len(text) > MAX_TEXT_CHARS:
        raise LetterImportError(
            f"Văn bản quá dài ({len(text):,} ký tự); một công văn thường dưới "
            f"{MAX_TEXT_CHARS:,} ký tự.".replace(",", ".")
        )
    text = re.sub(r"\r\n?", "\n", text)
    normal = normalize_text(rows_kept(text))
    if not re.search(r"[^\W_]", normal):
        raise LetterImportError("Văn bản trống: không có nội dung nào để nhập.")
    draft = Draft(full_text=normal)
    # (a table of tasks read as one item to a row; the text shown beside the draft is the
    # letter's own)
    lines = normalize_text(rows_as_items(text)).split("\n")
    body_start = _parse_header(lines, draft)
    closing = _closing_start(lines, body_start)
    _parse_signature(lines, closing, draft)
    reference: date | None = None
    if draft.year is None:
        years = re.findall(r"\bnam ([0-9]{4})\b", skeleton(draft.subject))
        # A page that shows the letter carries the day it was posted near its top.
        # (not a date that belongs to a document the page cites, "Nghị quyết số 57-NQ/TW
        # ngày 22/12/2024", "Luật Phòng, chống thiên tai ngày 19/6/2013", nor one a page
        # tells as before, "Trước đó, ngày 24/10/2024")
        head = "\n".join(lines[:8])
        dates = list(re.finditer(r"(?<![0-9/-])[0-9]{1,2}[/-][0-9]{1,2}[/-]((?:19|20)[0-9]{2})\b|"
                                 r"(?<![0-9/-])((?:19|20)[0-9]{2})-[0-9]{2}-[0-9]{2}\b", head))
        cited = [found for found in dates if _CITED_DATE.search(
            skeleton(head[max(0, found.start() - 120):found.start()]))]
        posted = next((found for found in dates if found not in cited), None)
        if years:
            draft.year = int(years[-1])
            draft.warnings.append(f"Không thấy ngày ban hành; lấy năm {draft.year} từ trích yếu.")
        elif posted:
            draft.year = int(posted.group(1) or posted.group(2))
            numbers = [int(n) for n in re.findall(r"[0-9]+", posted.group(0))]
            day, month = (numbers[2], numbers[1]) if posted.group(2) else numbers[:2]
            before = skeleton(head[:posted.start()].rsplit("\n", 1)[-1]).strip()
            if posted.group(2) or not before or re.search(r"(?:dang|cap nhat|ngay dang)\W*$",
                                                            before):
                # the day it was posted (a dateline, not a date in a sentence): a date
                # without a year is the next one after it
                with contextlib.suppress(ValueError):
                    reference = date(draft.year, month, day)
            draft.warnings.append(f"Không thấy ngày ban hành; lấy năm {draft.year} từ ngày "
                                  f"«{posted.group(0)}» ở đầu trang.")
        elif cited:
            # only the dates of what the page cites: the page is no older than the latest
            latest = max(cited, key=lambda found: int(found.group(1) or found.group(2)))
            draft.year = int(latest.group(1) or latest.group(2))
            draft.warnings.append(f"Không thấy ngày ban hành; lấy năm {draft.year} từ ngày "
                                  f"«{latest.group(0)}» của văn bản được dẫn ở đầu trang: "
                                  f"{CHECK}.")
        else:
            draft.warnings.append("Không thấy năm ban hành: điền «year» trước khi nạp.")
    if not draft.subject:
        draft.warnings.append("Không thấy trích yếu (V/v …): điền «subject» và «title».")

    index = UnitIndex(list(units))
    index.read_letter(normal)
    builder = _Builder(index, draft.year, draft.issued_on or reference,
                       prose=not draft.recipients,
                       received=received if draft.year is None else None)
    body = []
    for position in range(body_start, closing):
        line = lines[position]
        if is_posting_time(line):
            # the headline above it ends there; after "Hạn chót nhận hồ sơ:" it is that
            # paragraph's date, kept, and what follows it is a paragraph of its own
            if position and lines[position - 1].rstrip().endswith(":"):
                body.append(line)
            body.append("")
        elif not is_furniture(line) and not re.fullmatch(r"[\s|_=*~.-]*", line or "x"):
            body.append(_active(line))
    paras = _per_level_joined(_named_above(_listed_things(_paragraphs(body), index), index))
    first_sentence = next((i for i, p in enumerate(paras)
                           if p.text.rstrip().endswith((".", ";", ":"))), len(paras))
    general = DraftSection(number="0", heading="Chung", notes=[])
    _address_general(general, draft, index)
    builder.preamble = general
    section: DraftSection | None = None
    skipping: str | None = None  # the marker style of a part that holds no tasks
    account = False  # that part tells what was done ("I. ĐÁNH GIÁ TÌNH HÌNH …"), not purposes
    # A numbered item that opens a unit's section ("1. Giao Sở X chủ trì …", "1. Sở X:"): its
    # section, its numbering and the section before it, which the next item of the same
    # numbering returns to.
    inline: tuple[DraftSection, str, DraftSection | None] | None = None
    public = False  # the items that follow advise the public
    for position, para in enumerate(paras):
        if (public or (para.marker and _PUBLIC_FIRST.match(skeleton(para.text)))) \
                and para.marker and not _part_heading(para) \
                and not index.opens_with_unit(para.text):
            # (and an item that opens with the public, "1. Người dân chằng chống nhà cửa.")
            # (an item that names a unit, "3. Công an phường tăng cường tuần tra …", is its)
            draft.warnings.append(f"Mục «{para.text[:160]}» {TO_THE_PUBLIC}")
            draft.set_aside.append(" ".join(para.text.split()))
            continue
        if not para.marker or _part_heading(para):
            # (not "… người dân và các tổ dân phố thực hiện …:": units beside the public)
            turn = _TO_THE_PUBLIC.search(skeleton(para.text))
            public = bool(turn) and not index.match(para.text[turn.start("rest"):]).matched
        if not para.marker:
            builder.intro_orders = False
        elif position and not paras[position - 1].marker:
            # an item: the orders of the paragraph that leads its list
            builder.intro_orders = bool(_ORDER_SIGNAL.search(paras[position - 1].text.lower()))
        folded = skeleton(para.text).strip()
        part = _part_heading(para)
        if skipping is not None:
            if not part or _style(para) != skipping:
                # "1. KẾT QUẢ KIỂM TRA" then "Yêu cầu Phòng Y tế chấn chỉnh …": an order that
                # names its unit is read even inside a part that tells what was done
                if not ((skipping in ("number", "letter") or account)
                        and _orders_its_unit(folded, para.text, index)):
                    continue
            else:
                skipping = None
        if not part and (_account_heading(para, folded)
                         or _short_heading(paras, position, index)):
            # "1. Đánh giá chung", "2. Nhiệm vụ trọng tâm" above their sentences: a heading,
            # no task (what follows it is read as it comes)
            continue
        if part:
            # "A. MỤC ĐÍCH, YÊU CẦU", "B . NỘI DUNG": a plan's parts by capital letters
            if _NOT_TASKS_PART.match(re.sub(r"^[a-h]\s?[.)]\s*", "", folded)
                                     if not para.marker else folded):
                skipping = _style(para)
                account = bool(_ACCOUNT_PART.match(re.sub(r"^[a-h]\s?[.)]\s*", "", folded)
                                                   if not para.marker else folded))
                continue
            # "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN": what its items say are orders
            builder.tasks_part = bool(_TASKS_PART.search(
                re.sub(r"^[a-h]\s?[.)]\s*", "", folded) if not para.marker else folded))
            heading = _section_heading(para, index)
            if not heading or (not para.marker and not index.match(heading[0]).matched):
                if para.marker:
                    section = general if builder.sections else None
                continue
        if _WHEN_LINE.match(folded) and builder.per_level(section or general, para.text):
            continue
        if builder.last is not None:
            who = _WHO_LINE.match(folded)
            if who:
                builder.set_last_audience(para.text[who.end():])
                continue
            when = _WHEN_LINE.match(folded)
            if when:
                builder.extend_last(para.text)
                continue
            if _SIDE_LINE.match(folded):
                continue
        if not para.marker and _CLOSING.search(folded) and section is not None:
            section = None
            continue
        if (para.article and _ARTICLE_ACT.match(folded)) or (
                _not_an_order(folded, index) and not _leader_orders_after(para.text) and (
                    _order_after_chi_dao(folded) is None
                    or _not_an_order(skeleton(_strip_lead(para.text)).strip(), index))):
            # a meeting's frame is no order, unless a leader's "chỉ đạo: …" follows it in
            # the same paragraph, or a sentence after it gives a leader's order ("Tại hội
            # nghị, các đại biểu đã thảo luận … . Phát biểu chỉ đạo, đồng chí … đề nghị …")
            continue
        if _residue(para, folded, index, position == len(paras) - 1) or (
                position <= first_sentence and not draft.recipients and not para.marker
                and _title_like(para.text) and not (_ORDER_WORD.match(folded)
                                                    and not folded.startswith("giao ban"))):
            # a title line; a page without a header opens with its headline, below its
            # breadcrumb or the site's name, before any sentence
            continue
        if _subheading(paras, position) and not _section_heading(para, index):
            # "2. Kiểm tra, giám sát" above its own items: the heading of a part, no task
            if section is None and builder.sections:
                section = general
            continue
        stripped = _strip_lead(para.text, index)
        builder.led = stripped != para.text  # who speaks, or a lead clause, came off
        if stripped != para.text:
            para = _Para(para.marker, stripped)
            folded = skeleton(para.text).strip()
            if _not_an_order(folded, index):
                continue
        heading = _section_heading(para, index)
        if (inline is not None and para.marker and _style(para) == inline[1]
                and section is inline[0]):
            # "2. …" after "1. Giao Sở X chủ trì …" or after "1. Sở X:" and its own items:
            # the next item of the same numbering is no longer X's: it goes back to the
            # section before, or to the letter's recipients when X's was the first
            section = inline[2] or general
            inline = None
        elif inline is not None and para.marker and _style(para) == inline[1]:
            inline = None
        if heading:
            head, rest = heading
            outer = section
            section = builder.new_section(head, para.marker)
            if rest:
                builder.add_paragraph(section, _Para("", rest), after_unit=True)
            if para.marker:
                inline = (section, _style(para), outer)
            continue
        if section is None:
            if builder.sections:
                continue  # after a closing paragraph: context, not orders
            section = general
        builder.add_paragraph(section, para)

    if not draft.recipients:
        _set_aside(general, builder.unsignalled, draft)
    if general.tasks or not builder.sections:
        builder.sections.insert(0, general)
        for position, each in enumerate(builder.sections, start=1):
            _renumber(each, str(position))
    draft.sections = builder.sections
    if paras:
        # The lead is the post's first paragraph of sentences: a headline may stand above it.
        lead = next((para for para in paras[:3]
                     if para.marker or not _title_like(para.text)), paras[0])
        _drop_news_lead(draft, skeleton(lead.text))
        if not draft.recipients:
            _address_by_subject(general, paras, first_sentence, index, draft, builder)
            _narrow_to_visited(draft, paras, first_sentence, index)
    _drop_repeats(draft, index)
    _name_what_to_carry_out(draft, paras)
    _keep_unread_orders(draft, paras, index)
    _all_are_the_recipients(draft, general)
    draft.sections = [each for each in draft.sections
                      if each.tasks or each is not general or not builder.sections]
    if not draft.tasks:
        draft.warnings.append("Không tìm thấy nhiệm vụ nào: thêm nhiệm vụ bằng tay.")
    if any(each.audience_of(task) in ("inspected", "not_inspected")
           for each in draft.sections for task in each.tasks):
        draft.warnings.append("Có nhiệm vụ cho đơn vị được/chưa được kiểm tra: văn bản không "
                              "liệt kê các đơn vị đã được kiểm tra, điền danh sách «inspected».")
    for each in draft.sections:
        if each.audience is None:
            words = "; ".join(each.unmatched) or ", ".join(each.matched)
            draft.warnings.append(
                f"Mục {each.number} ({each.heading[:60]}): {NO_UNIT.lower()}"
                + (f" — văn bản ghi «{words[:200]}»." if words else ".")
            )
        for task in each.tasks:
            if task.audience == UNMATCHED:
                seen = next((note for note in task.notes if note.startswith(NO_UNIT)), NO_UNIT)
                draft.warnings.append(f"Nhiệm vụ {task.code}: {seen[0].lower()}{seen[1:]}")
    return draft


def _keep_unread_orders(draft: Draft, paras: list[_Para], index: UnitIndex) -> None:
    """A sentence with an order's word and a unit of the portal after it that gave no task
    (its words in no task, nor set aside already) is set aside for the editor with the
    others, never dropped silently: a shape of letter the importer does not read yet. The
    legal basis, a closing line, a contingency, a leader's remarks and an intro whose items
    follow are no such order."""
    words = [set(re.findall(r"\w{2,}", skeleton(task.text))) for task in draft.tasks]
    words += [set(re.findall(r"\w{2,}", skeleton(text))) for text in draft.set_aside]

    def keep(sentence: str, own: set[str]) -> None:
        """The sentence set aside as an order not read, unless a task or a passage set aside
        holds its words (a page that says it again, lead and body: set aside once)."""
        if not own or any(len(own & each) >= 0.5 * min(len(own), len(each))
                          for each in words if each):
            return
        text = " ".join(sentence.split())
        draft.warnings.append(f"Đoạn «{text[:160]}» {UNREAD}")
        draft.set_aside.append(text)
        draft.unread.append(text)
        words.append(own)

    for para in paras:
        for a, b in _spans(para.text, ".!?"):
            sentence = para.text[a:b]
            folded = skeleton(sentence)
            found = _ORDER_WORD.search(folded)
            given = _GIVEN_TO.search(folded)
            if not found and given and index.match(sentence[:given.start()][-160:]).matched \
                    and not _GROUNDS.match(folded) and not sentence.rstrip().endswith(":"):
                # "Qua làm việc, Sở Tài chính được giao thẩm định …": the unit before the word
                keep(sentence, set(re.findall(r"\w{2,}", folded)))
                continue
            if not found or sentence.rstrip().endswith(":") or re.search(
                    r"\b(?:da|vua|tung)\s+$", folded[:found.start("word")]) or re.match(
                    r"\s*(?:ban|nghi|bao)\b", folded[found.end("word"):]) \
                    or _GROUNDS.match(folded) or _closing_line(folded, index) \
                    or _CONTINGENCY.match(folded) or _REMARK.match(folded):
                # ("giao ban", "đề nghị xét", …)
                continue
            after = len(folded) - len(folded[found.end("word"):].lstrip())
            if not index.match(sentence[after:after + 160]).matched:
                continue
            keep(sentence, set(re.findall(r"\w{2,}", folded[after:])))


UNREAD = ("có lời giao việc nhưng máy chưa đọc được thành nhiệm vụ: thêm bằng tay nếu đó là việc "
          "phải làm.")
# "… được giao thẩm định …": a unit given a task, named before the word.
_GIVEN_TO = re.compile(r"\bduoc giao(?: (?:nhiem vu|trach nhiem))?\s+(?!cho\b)\S")


def _set_aside(general: DraftSection, unsignalled: set[int], draft: Draft) -> None:
    """In a text that names no recipients (a web page, a notice), a sentence outside any
    unit's section that neither names a unit nor gives an order ("Phường tổ chức ra quân …",
    "Hưởng ứng phong trào …") tells what happens: it is no task. It is not dropped silently:
    a warning quotes it for the editor."""
    kept = []
    for task in general.tasks:
        if task.audience is None and id(task) in unsignalled:
            draft.warnings.append(f"Đoạn «{task.text[:160]}» {SET_ASIDE}")
            draft.set_aside.append(" ".join(task.text.split()))
        else:
            kept.append(task)
    if len(kept) != len(general.tasks):
        general.tasks = kept
        _renumber(general, general.number)


def _all_are_the_recipients(draft: Draft, general: DraftSection) -> None:
    """In a letter sent to some units by name ("Kính gửi: Sở Y tế; Sở Xây dựng."), "các đơn
    vị", "các cơ quan, đơn vị", "Quý cơ quan" are those units, not every unit of the portal."""
    rule = general.audience
    if not rule or rule == "all" or general.unmatched \
            or not all(each.startswith("unit:") for each in general.matched):
        return  # (recipients as groups, "Các sở, ban, ngành; UBND các xã": every unit)
    for section in draft.sections:
        if section.audience == "all":
            section.audience = rule
            section.notes.append("«Các đơn vị» là các đơn vị ở phần «Kính gửi».")
        for task in section.tasks:
            if task.audience == "all":
                task.audience = rule
                task.notes.append("«Các đơn vị» là các đơn vị ở phần «Kính gửi».")


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


# A person's post before a unit's name: who speaks or visits, not whom a page is about.
_POST = re.compile(r"(?:pho\s+)?(?:giam doc|chu tich|truong phong|truong ban|thu truong|"
                   r"lanh dao|bi thu|chanh van phong|doan|dong chi|ong|ba)\b")


def _communes_only(rule: str, index: UnitIndex) -> bool:
    """Whether a rule reaches local governments only (a commune, a ward, their level)."""
    if rule == "kind:commune":
        return True
    if rule.startswith("unit:"):
        return index.kinds.get(rule[5:]) == "commune"
    if rule.startswith("units:"):
        ids = {int(each) for each in rule[6:].split(",") if each}
        return all(index.kinds.get(name) == "commune" for name, each in index.ids.items()
                   if each in ids)
    return False


def _page_head(paras: list[_Para], first_sentence: int) -> list[str]:
    """What a page says first of what it is about: its headlines and its lead's first
    sentence."""
    words = [p.text for p in paras[:first_sentence] if _title_like(p.text)]
    if first_sentence < len(paras):
        lead = paras[first_sentence].text
        words.append(lead[:lead.find(".") + 1 or len(lead)])
    return words


def _address_by_subject(general: DraftSection, paras: list[_Para], first_sentence: int,
                        index: UnitIndex, draft: Draft, builder: _Builder) -> None:
    """In a page (no recipients), the orders outside any unit's section that name no one go to
    the commune or ward the page is about, when its headline or its lead's first sentence
    opens with it and no other unit ("Xã Thuận An đoàn kết …", "Xã, phường phải tổ chức
    giao ban …"): a leader's conclusions at a meeting with a commune are that commune's tasks.
    Where the headline and the lead name no body at all (a page about the issuer, "UBND tỉnh
    họp phiên thường kỳ …"), an order that names no one is for every unit the portal holds, as
    a letter to "các cơ quan, đơn vị" would be: "Tăng cường đảm bảo an ninh trật tự dịp 30/4"
    in a leader's conclusions. A page that names a body up front (a unit that visits or hosts,
    "Chủ tịch UBND tỉnh làm việc với xã An Bình", two units, an association, a commune the
    portal does not hold), a letter one of the portal's units issued, and a decision place
    nothing: the tasks stay flagged for the editor; so do the orders that name someone the
    portal does not hold ("Các trường học bảo đảm …"), the sentences after them in their
    paragraph, and a headline read as an order. Each placed task says so in its notes, and the
    draft's warnings list those given to every unit, to be checked."""
    if general.audience is not None:
        return
    headlines = {re.sub(r"\W+", " ", skeleton(p.text)).strip()
                 for p in paras[:first_sentence] if _title_like(p.text)}
    # paragraphs with an order to someone the portal does not hold ("Hội Nông dân chủ trì … .
    # Tổ chức …"): the sentences after it are that body's, not everyone's
    stopped: set[int] = set()
    open_tasks = []
    for task in general.tasks:
        paragraph = builder.paragraph_of.get(id(task), 0)
        if task.audience == UNMATCHED:
            stopped.add(paragraph)
            continue
        if task.audience is not None:
            continue
        folded = skeleton(task.text)
        if not (_opens_without_subject(folded)
                or _starts_with_order(_ORDER_NAMING_NO_ONE.sub("", folded))):
            stopped.add(paragraph)
        elif paragraph not in stopped:
            open_tasks.append(task)
    if not open_tasks:
        return
    words = _page_head(paras, first_sentence)
    named = [found for each in words
             if (found := _task_addressee(each.strip(' "“”'), index)) and found[0]]
    rules = {rule: who for rule, who in named
             if not _POST.match(skeleton(who)) and _communes_only(rule, index)}
    if len(rules) == 1:
        ((rule, who),) = rules.items()
        note = f"Đối tượng theo «{who}» ở đầu bài: {CHECK}."
    elif named or any(_names_a_body(each, index) for each in words) \
            or (index.match(draft.issuer).rule or "").startswith("unit:") \
            or skeleton(draft.subject).startswith("quyet dinh"):
        return
    else:
        open_tasks = [task for task in open_tasks
                      if re.sub(r"\W+", " ", skeleton(task.text)).strip() not in headlines]
        if not open_tasks:
            return
        rule, note = "all", TO_EVERY_UNIT
        draft.warnings.append(
            f"{len(open_tasks)} nhiệm vụ không nêu đơn vị nào, văn bản cũng không có «Kính "
            f"gửi»: tạm giao mọi đơn vị ({', '.join(task.code for task in open_tasks)}); "
            f"{CHECK}.")
    for task in open_tasks:
        task.audience = rule
        task.notes.append(note)
    if all(task.audience is not None for task in general.tasks):
        general.audience, general.unmatched, general.notes = rule, [], []


# The words of a group of local governments an order may be given to: "các địa phương", "các
# xã", "các xã, thị trấn".
_LOCAL_GROUP = re.compile(r"\bcac (?:dia phuong|xa|phuong)\s*(?:(?:can|phai|cung|tiep tuc|khan "
                          r"truong|chu dong|tap trung)\b.*)?$")


def _narrow_to_visited(draft: Draft, paras: list[_Para], first_sentence: int,
                       index: UnitIndex) -> None:
    """In a page about a visit to two communes or more, named in its headline or its lead's
    first sentence ("Kiểm tra bầu cử các xã Hưng Thạnh, Thạnh Lợi và Trường Xuân"), an order
    to "các địa phương", "các xã" is to those communes, not to every one the portal holds;
    noted, to check."""
    words = _page_head(paras, first_sentence)
    matches = [index.match(each) for each in words]
    if any(rule in ("kind:commune", "level:ward", "all") for match in matches
           for rule in match.matched):
        return  # "… tại các xã, thị trấn trong huyện": every one of them
    visited = sorted({rule[5:] for match in matches for rule in match.matched
                      if rule.startswith("unit:") and index.kinds.get(rule[5:]) == "commune"})
    every = {name for name, kind in index.kinds.items() if kind == "commune"}
    if len(visited) < 2 or set(visited) >= every:
        return
    rule = index.rule_for(visited)
    for section in draft.sections:
        for task in section.tasks:
            if section.audience_of(task) not in ("kind:commune", "level:ward"):
                continue
            said = next((note for note in task.notes if note.startswith("Đối tượng theo «")), "")
            # a bare "các xã", "các địa phương", not "các xã, thị trấn trên toàn huyện", "các
            # xã có rừng", "các địa phương trong huyện"
            if not _LOCAL_GROUP.search(skeleton(said[len("Đối tượng theo «"):said.find("»")])):
                continue
            task.audience = rule
            task.notes.append(f"Đối tượng là các địa phương ở đầu bài ({', '.join(visited)}): "
                              f"{CHECK}.")


# A body named by its proper name: "xã An Bình", "Phường 1", "Hội Nông dân", "Trung tâm Kiểm
# soát bệnh tật", "UBND xã Long Hưng"; the issuer's "UBND tỉnh" is no name.
_BODY_WORDS = frozenset((
    "ubnd", "ủy ban", "uỷ ban", "sở", "phòng", "ban", "hội", "trung tâm", "xã", "phường",
    "thị trấn", "huyện", "quận", "đoàn", "mặt trận", "công an", "chi cục", "cục", "trường",
    "bệnh viện", "công ty", "hợp tác xã", "trạm", "thôn", "ấp", "tổ dân phố", "thường trực",
    "hđnd", "hội đồng", "bộ"))
_LEVEL_WORDS = ("tỉnh", "thành phố", "tp", "huyện", "quận", "thị xã", "xã", "phường",
                "thị trấn", "nhân dân")


def _names_a_body(text: str, index: UnitIndex) -> bool:
    """Whether a headline or a lead names a body, the portal's or not, by its name. In a
    commune's or ward's own portal, "UBND phường", "Phường Tân Mỹ" are the issuer itself."""
    if any(rule != "all" for rule in index.match(text[:300]).matched):
        return True
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text[:300]))
    folded = [word.lower() for word in words]  # "số 3" is no "Sở": the accents kept
    for i in range(len(words)):
        for size in (2, 1):
            body = " ".join(folded[i:i + size])
            if body in _BODY_WORDS:
                if body == "hội" and (words[i] != "Hội" or folded[i - 1:i] == ["xã"]):
                    break  # "kinh tế - xã hội 9 tháng": no association
                if index.own_level and body in ("xã", "phường", "thị trấn"):
                    break
                j = i + size
                while j < len(words):  # "UBND tỉnh", "xã": the level, then the name
                    two = " ".join(folded[j:j + 2])
                    if two in _LEVEL_WORDS:
                        j += 2
                    elif folded[j] in _LEVEL_WORDS:
                        j += 1
                    else:
                        break
                if index.own_level and any(level in folded[i + size:j]
                                           for level in ("xã", "phường", "trấn")):
                    break  # "UBND phường Mỹ Phước" in the ward's own portal: the issuer
                if j < len(words) and (words[j][0].isupper() or (
                        words[j][0].isdigit() and body in _NUMBERED_BODIES)):
                    return True
                break
    return False


# Bodies named by a number: "Phường 1", "Quận 3", "Thôn 2", "Ấp 4", "Tổ dân phố 5".
_NUMBERED_BODIES = frozenset(("xã", "phường", "quận", "thôn", "ấp", "tổ dân phố", "trạm"))


# An order that says only to carry out ("Giao Sở Y tế triển khai thực hiện."): what, its
# letter's lead names ("Tiếp nhận Thông tư số 28/2020/TT-BGDĐT … của Bộ …, Chủ tịch UBND tỉnh
# có ý kiến như sau:").
_BARE_ORDER = re.compile(
    r"(?:chu tri,?\s+(?:phoi hop (?:voi )?[^.;]{0,80}?\s+)?)?"
    r"(?:(?:khan truong|nghiem tuc|chu dong|kip thoi|to chuc|nghien cuu|chi dao)[\s,]+)*"
    r"(?:trien khai thuc hien|trien khai|thuc hien|to chuc thuc hien|thuc hien theo quy dinh)"
    r"(?:[\s,]+(?:theo quy dinh|kip thoi|nghiem tuc|dung quy dinh|co hieu qua))*\W*"
)
_RECEIVED = re.compile(
    r"(?:Tiếp nhận|Thực hiện|Triển khai|Theo|Về việc thực hiện|Xét)\s+"
    r"(?P<what>(?:Thông tư|Công văn|Quyết định|Kế hoạch|Chỉ thị|Nghị quyết|Nghị định|"
    r"Thông báo|Công điện|Văn bản|Luật)\s+"
    r"(?:số\s+)?[^,;(]*?[0-9][^,;(]*)", re.I)


def _name_what_to_carry_out(draft: Draft, paras: list[_Para]) -> None:
    """A task that says only "triển khai thực hiện" carries out what the letter's lead
    received: its words are added to the task's, and a note says where they came from."""
    bare = [task for task in draft.tasks if _BARE_ORDER.fullmatch(skeleton(task.text).strip())]
    if not bare:
        return
    what = next((found.group("what").strip() for para in paras[:3]
                 if (found := _RECEIVED.match(para.text.strip()))), "")
    if not what:
        return
    for task in bare:
        task.text = f"{task.text.rstrip(' .;,')} {what}."
        task.title = task_title(task.text)
        task.notes.append(f"Việc cần làm theo «{what}» ở đầu văn bản.")


def _renumber(section: DraftSection, number: str) -> None:
    section.number = number
    for position, task in enumerate(section.tasks, start=1):
        task.code = f"{number}.{position}"
