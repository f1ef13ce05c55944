"""The fourth stage: the orders in the letter's body. Lines join into paragraphs (`_paragraphs`),
a paragraph is cut into sentences and clauses (`_spans`), and a clause that opens with an order
verb begins a task. From a task's own words come its title, its deadline (`_deadline`, with the
letter's year when the words give none, and a note saying so), its kind (`_classify`: a report,
a document such as a plan, a rate with its target, a count) and, when one sentence names
several rates, one task for each (`_split_rates`).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .addressees import _ADDRESSEE_START
from .draft import DraftTask
from .text import _MARKER, _VERB_RE, _capitalize, _Para, skeleton

# --------------------------------------------------------------------------------------------
# Vocabulary (folded: lower case, no diacritics)

ADVERBS = ["thuong xuyen", "khan truong", "nghiem tuc", "tiep tuc", "chu dong", "kip thoi",
           "tich cuc", "khan cap", "khan truong nghiem tuc"]
CONTINUATIONS = ["dong thoi"]
_ADVERB_PREFIX = re.compile(r"^(?:(?:" + "|".join(ADVERBS) + r")\b[\s,]*)+")


# --------------------------------------------------------------------------------------------
# Paragraphs


# A numbered item or a part run on inside a long line, after a sentence's end (a page that
# lost its line breaks: "… trong tháng 6 năm 2019. IV. TỔ CHỨC THỰC HIỆN 1. Báo Sóc Trăng …").
_RUN_ON_ITEM = re.compile(r"\s+(?=(?:[IVX]{1,4}|[0-9]{1,2}|Điều\s+[0-9]{1,2})\.\s+(\w))")


# Items written inline after an introduction's colon: "…: (1) Tập trung …; (2) Đẩy nhanh …",
# "…: a) kiểm tra …; b) báo cáo …". The first item follows the colon; each next one, in
# sequence and marked the same way, follows a ";" or a ".".
_INLINE_FIRST = re.compile(r":\s*(?=(?P<open>\(?)(?P<label>1|a)\)\s+\w)")


def _split_inline_items(line: str) -> list[str]:
    """The line as its introduction (ending with its colon) and one line per item, when it
    holds two items at least written inline in sequence; else the line alone."""
    first = _INLINE_FIRST.search(line)
    if first is None:
        return [line]
    opening = re.escape(first.group("open"))
    labels = [str(n) for n in range(2, 21)] if first.group("label") == "1" \
        else list("bcdđeghiklmn")
    cuts = [first.end()]
    for label in labels:
        found = re.compile(rf"[;.]\s+(?={opening}{label}\)\s+\w)").search(line, cuts[-1])
        if found is None:
            break
        cuts.append(found.end())
    if len(cuts) < 2:
        return [line]
    items = [line[start:end].rstrip() for start, end in zip(cuts, [*cuts[1:], len(line)],
                                                              strict=True)]
    # orders, most of them opening with their verb; not the things one order lists ("cử vận
    # động viên tham gia các môn: (1) bóng đá; (2) cầu lông; …")
    ordering = sum(_starts_with_order(skeleton(re.sub(r"^\(?\w{1,2}\)\s*", "", item)))
                   for item in items)
    if 2 * ordering < len(items):
        return [line]
    return [line[:first.start() + 1].rstrip(), *items]


# Items counted in words, as a speech or a directive enumerates them: "Thứ nhất, … . Thứ hai,
# …", "Một là, …; hai là, …", inline or each on its own line.
_ORDINALS = ("nhat", "hai", "ba", "tu", "nam", "sau", "bay", "tam", "chin", "muoi")
_COUNTS = ("mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi")


# What an enumeration that tells rather than orders is introduced by: "Nguyên nhân chủ yếu là:
# thứ nhất, …", "Kết quả nổi bật: Một là, …".
_TOLD_NOT_ORDERED = re.compile(
    r"\b(?:nguyen nhan|ket qua|han che|ton tai|uu diem|khuyet diem|thanh tich|bat cap|"
    r"kho khan|ly do|tinh hinh|dac diem|boi canh|y nghia)\b[^.;]*$")


_ORDINAL_AT = [re.compile(rf"(?:thu {ordinal}|{count} la)\s*[,:]\s+(?!ngay\b|[0-9])")
               for ordinal, count in zip(_ORDINALS, _COUNTS, strict=True)]


def _ordinal_at(folded: str, position: int, number: int) -> re.Match | None:
    """The ordinal of item `number` (0 for the first) at `position`, with its comma."""
    return _ORDINAL_AT[number].match(folded, position)


def _split_ordinals(lines: list[str]) -> list[str]:
    """Items counted in words made bullets: the text before the first (its introduction) and
    one line per item, without its ordinal. Inline, two items at least in sequence, each after
    a sentence's or a clause's end; on their own lines, from a first followed by a second."""
    out: list[str] = []
    expected = 0  # in a run of items on their own lines: the next item's number
    for position, line in enumerate(lines):
        if not line.strip():
            out.append(line)
            continue
        folded = skeleton(line)
        starts: list[tuple[int, int]] = []  # where each item's ordinal and its text start
        base: int | None = None
        for match in re.finditer(r"(?:^|(?<=[:.;])\s+)(?=\S)", folded):
            if base is None:
                for number in ([expected] if expected and match.start() == 0 else []) + [0]:
                    found = _ordinal_at(folded, match.end(), number)
                    if found:
                        base = number
                        break
            elif base + len(starts) < len(_ORDINALS):
                found = _ordinal_at(folded, match.end(), base + len(starts))
            else:
                break
            if found:
                starts.append((match.start(), found.end()))
        following = next((each for each in lines[position + 1:] if each.strip()), "")
        before = folded[:starts[0][0]] if starts and starts[0][0] else skeleton(
            next((each for each in reversed(lines[:position]) if each.strip()), ""))
        if base is None or (base == 0 and len(starts) == 1
                            and not _ordinal_at(skeleton(following), 0, 1)) \
                or (base == 0 and _TOLD_NOT_ORDERED.search(before)):
            expected = 0
            out.append(line)
            continue
        head = line[:starts[0][0]].rstrip()
        if head:
            out.append(head)
        for (_, text_at), (end, _) in zip(starts, [*starts[1:], (len(line), 0)], strict=True):
            text = re.sub(r"^(?:là|Là)\s+", "", line[text_at:end].strip())  # "Thứ ba, là …"
            out.append("- " + text[:1].upper() + text[1:])
        expected = base + len(starts)
    return out


def _split_run_on(lines: list[str]) -> list[str]:
    out: list[str] = []
    lines = _split_ordinals(lines)
    for line in (piece for each in lines for piece in _split_inline_items(each)):
        if len(line) <= 200:
            out.append(line)
            continue
        start = 0
        for match in _RUN_ON_ITEM.finditer(line):
            before = line[start:match.start()].rstrip()
            words = before.split()
            if match.group(1).isupper() and before and (
                    before[-1] in ".;:…!?"
                    # after a heading in capitals of two words or more ("TỔ CHỨC THỰC HIỆN")
                    or (len(words) >= 2 and all(w.isupper() and len(w) > 1
                                                for w in words[-2:]))):
                out.append(before)
                start = match.end()
        out.append(line[start:])
    return out


def _paragraphs(lines: list[str]) -> list[_Para]:
    paras: list[_Para] = []
    blank = False
    lines = _split_run_on(lines)
    width = _wrap_width(lines)
    previous = ""
    for line in lines:
        if not line:
            blank = True
            continue
        marker = _MARKER.match(line)
        if marker and width is not None and marker.group("marker") in "-–" and not blank \
                and paras and re.search(r"[0-9]$", previous) and re.match(
                    r"[-–]\s*[0-9]{4}\b", line):
            marker = None  # a wrapped line: "… giai đoạn 2016" then "- 2020; …"
        if marker:
            paras.append(_Para(marker.group("marker"), line[marker.end():]))
        elif paras and _joins(paras[-1], line, blank, width is not None) \
                and not _ends_short(previous, line, width):
            paras[-1].text += " " + line
        else:
            paras.append(_Para("", line))
        blank = False
        previous = line
    return paras


def _wrap_width(lines: list[str]) -> int | None:
    """The width a text was wrapped at (a PDF's lines), or None when its lines are paragraphs
    (a pasted or typed letter): the 90th percentile of the line lengths when most lines are
    close to it."""
    lengths = sorted(len(line) for line in lines if line.strip())
    if len(lengths) < 8:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    near = sum(1 for n in lengths if n >= 0.8 * width)
    return width if 50 <= width <= 200 and near >= len(lengths) * 0.3 else None


def _ends_short(previous: str, line: str, width: int | None) -> bool:
    """In a wrapped text, a line well short of the width ends its paragraph, unless the next
    line goes on in lower case or the line stops on a word that cannot end one."""
    if width is None or not previous or len(previous) >= 0.7 * width:
        return False
    if previous.isupper() and line.isupper():
        return False  # "I. ĐÁNH GIÁ" / "TÌNH HÌNH THỰC HIỆN …": a heading in capitals goes on
    folded = skeleton(previous).rstrip()
    if _OPENS_GROUNDS.match(folded) and not folded.endswith((".", ":", ";", "!", "?")):
        return False  # "Thực hiện Luật Đầu tư công, Luật" / "Ngân sách nhà nước, …": goes on
    return not (line[:1].islower() or folded.endswith(",") or _DANGLING.search(folded))


# A sentence of grounds opens: it goes on to its order, whatever the width of its first line.
_OPENS_GROUNDS = re.compile(r"(?:thuc hien|can cu|theo|trien khai|ngay [0-9])\b")


def _joins(prev: _Para, line: str, blank: bool, wrapped: bool = False) -> bool:
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
    if not wrapped and not prev.marker and _title_like(prev.text) and not _DANGLING.search(
            skeleton(text)) and not _OPENS_GROUNDS.match(skeleton(text)):
        # a title line (a web page's headline) stands alone; not "Thực hiện Luật Đầu tư công,
        # Luật" wrapped before "Ngân sách nhà nước, …", which goes on to its order
        return first_lower
    if not wrapped and prev.marker and not prev.article and len(text.split()) <= 8 \
            and line[:1].isupper() and not _DANGLING.search(skeleton(text)) \
            and not _names_or_orders(skeleton(text)):
        return False  # "1. Đánh giá chung" then "Trong tháng 9, …": a short heading, alone
    if prev.marker and text.isupper():
        # "III. TỔ CHỨC THỰC HIỆN" then "Các cơ quan, …": a part's heading stands alone,
        # unless its capitals go on ("II. NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG" / "TÂM")
        return first_lower or line.isupper()
    return first_lower or not _heading_like(prev)


def _names_or_orders(folded: str) -> bool:
    """The line opens with an order's word or with who acts ("Giao Phòng Y tế chủ trì …",
    "Phòng Nội vụ"): not a heading of a part, whatever follows it."""
    return bool(re.match(r"(?:giao|de nghi|yeu cau)\b", folded)
                or _ADDRESSEE_START.match(folded))


def _title_like(text: str) -> bool:
    """An unnumbered line of a few words or more with no full stop: a headline (not a
    paragraph of sentences whose copy was cut before its last full stop)."""
    return 6 <= len(text.split()) <= 50 and not text.rstrip().endswith((".", ";", ":", ",")) \
        and not re.search(r"[.;!?]\s+\S", text)


# A line broken after a post or a verb that cannot end a heading ("Điều 3. Chánh" / "Văn phòng
# …", "Điều 2. Giao" / "Giám đốc Sở …").
_DANGLING = re.compile(r"(?:^|\s)(?:chanh|giam doc|chu tich|thu truong|truong|pho|giao|de nghi|"
                       r"yeu cau|ban|cac|va|cua|ve|tai)$")


def _heading_like(para: _Para) -> bool:
    folded = skeleton(para.text).strip()
    if _DANGLING.search(folded):
        return False
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
                if index + 1 < n and not after[:1].isspace() and not (
                        # a web copy that lost the space between two sentences: "… của
                        # xã.Phát biểu tại hội nghị, …"
                        re.fullmatch(r"[A-ZĐÀ-Ỹ][a-zđà-ỹ]", after) and index >= 2
                        and text[index - 2:index].isalpha() and text[index - 1].islower()):
                    continue
                nxt = text[index + 1:].lstrip()[:1]
                if nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "(\"“-"):
                    continue
                word = text[max(start, text.rfind(" ", start, index) + 1):index]
                if re.fullmatch(r"(?:TP|Tp|tp|TM|KT|TL|TUQ|Q|ThS|TS|PGS|GS|St|v\.v|[A-ZĐa-z])",
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


def task_title(text: str) -> str:
    """A task's short title from its text: its first clause, without brackets or leading
    adverbs, cut at a comma or a word near 90 characters."""
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
    r"\b(?P<kw>truoc|cham nhat|han chot|han cuoi|thoi han|han nop|hoan thanh truoc|den het|"
    r"den ngay|vao luc(?=\s*[0-9])|vao(?=\s*[0-9]{1,2}\s*(?:gio|h)\b)|"
    r"vao(?=\s+(?:(?:sang|chieu|toi)\s+)?ngay\s*[0-9]{1,2}\s*[/.-]\s*[0-9])|"
    r"trong(?=\s*ngay\s*[0-9]{1,2}\s*[/.-]))\b"
    r"(?:\s+(?:hoan thanh|thuc hien|bao cao|nop|gui|nhan)(?:\s+(?:ho so|bao cao|van ban))?)?"
    # an occasion named before its full date: "trước ngày khai giảng 05/9/2025", "trước Lễ
    # kỷ niệm (02/9/2025)"
    # what is due, before the colon: "Hạn chót gửi bản đăng ký: 10 giờ ngày 08/01/2025"
    r"(?:(?:(?<=han chot)|(?<=han cuoi)|(?<=thoi han))(?:\s+[a-z]+){1,8}?\s*:)?"
    r"(?:(?:(?<=truoc)|(?<=nhat))\s+(?:ngay|dip|le|ky|thoi diem)\s+[a-z][a-z0-9 ]{1,40}?"
    r"(?=\s*\(?\s*[0-9]{1,2}\s*[/.-]\s*[0-9]{1,2}\s*[/.-]\s*[0-9]{4}))?"
    r"[\s:,(]*(?:la\s+|vao\s+|trong\s+)?(?:[0-9]{1,2}\s*(?:gio|h)(?:\s*[0-9]{1,2}\s*(?:phut|')?)?"
    r"(?:\s*(?:sang|chieu|toi))?\s*,?\s*)?(?:(?:ngay\s+)?(?:thu\s+(?:hai|ba|tu|nam|sau|bay|"
    r"[2-7])|chu nhat)\s*,?\s*)?"
    r"(?:(?:sang|chieu|toi)\s+)?(?:ngay\s*)?(?:(?P<d>[0-9]{1,2})\s*[/.-]\s*(?P<m>[0-9]{1,2})(?:\s*[/.-]\s*"
    r"(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9])"
    r"|(?P<d2>[0-9]{1,2})\s*thang\s*(?P<m2>[0-9]{1,2})(?:\s*nam\s*(?P<y2>[0-9]{4}))?)"
)


def _deadline(text: str, year: int | None, notes: list[str],
              issued: date | None = None,
              nearby: tuple[int, str] | None = None,
              received: date | None = None) -> tuple[date | None, str]:
    """The first deadline the words give. A date without a year takes the letter's year, or the
    next year when that day is already past on the letter's date ("trước ngày 15/01" in a
    letter of 20/12); in a copy that shows no year of its own, the year of a full date
    written in the same paragraph (`nearby`: the year and the words), and failing that the
    first such day from the day the letter reached the portal (`received`)."""
    found: list[tuple[date, str]] = []
    weak: list[tuple[date, str]] = []  # "đến ngày …": the end of a period, if nothing else
    sk = skeleton(text)
    relative = _relative_deadline(text, sk, issued, notes)
    if relative is not None:
        return relative
    for match in _DEADLINE.finditer(sk):
        words = text[match.start():match.end()]
        if _RECURRING.match(sk, match.end()) or _PERIODIC_BEFORE.search(sk[:match.start()]):
            # "trước ngày 05/6 và 05/12 hằng năm", "định kỳ 6 tháng (trước ngày 10/6)": a
            # date that comes back, no one deadline
            notes.append(f"Hạn «{words}» lặp lại định kỳ: không đặt một hạn.")
            continue
        if match.group("kw") in ("den ngay", "den het") and _FIGURES_UP_TO.search(
                sk[:match.start()]):
            # "số liệu tính đến ngày 31/12": the day the figures stop, not by when
            continue
        day = int(match.group("d") or match.group("d2"))
        month = int(match.group("m") or match.group("m2"))
        raw_year = match.group("y") or match.group("y2")
        if raw_year:
            the_year = int(raw_year) + (2000 if len(raw_year) == 2 else 0)
        elif issued and 1 <= month <= 12 and (month, day) < (issued.month, issued.day):
            the_year = issued.year + 1
            notes.append(f"Hạn «{words}» không ghi năm và đã qua so với ngày của văn bản: lấy "
                         f"năm sau ({the_year}).")
        elif year:
            the_year = year
            notes.append(f"Hạn «{words}» không ghi năm: lấy năm của văn bản ({year}).")
        elif nearby:
            the_year = nearby[0]
            notes.append(f"Hạn «{words}» không ghi năm, văn bản cũng không: lấy năm {the_year} "
                         f"của «{nearby[1]}» trong cùng đoạn.")
        elif received and 1 <= month <= 12:
            the_year = received.year + ((month, day) < (received.month, received.day))
            notes.append(f"Hạn «{words}» không ghi năm, văn bản cũng không: lấy ngày gần nhất "
                         f"kể từ ngày nhập văn bản ({received:%d/%m/%Y}), năm {the_year}; "
                         "kiểm tra lại.")
        else:
            notes.append(f"Hạn «{words}» không ghi năm: chưa đặt hạn.")
            continue
        try:
            when = date(the_year, month, day)
        except ValueError:
            notes.append(f"Hạn «{words}» không phải ngày có thật: chưa đặt hạn.")
            continue
        if match.group("kw") == "vao" and (
                (issued and when < issued)
                or re.search(r"\bdu kien\b[^,.;]{0,40}$", sk[:match.start()])):
            # "vào ngày 15/6" before the letter: when something was done; "kỳ họp dự kiến tổ
            # chức vào ngày 26/12": when an event is planned, not by when a unit acts
            continue
        (weak if match.group("kw") in ("den ngay", "den het") else found).append((when, words))
    if weak and not found:
        found = weak
    elif weak:
        # "báo cáo kết quả (số liệu từ ngày 15/11 đến ngày 14/12) trước ngày 18/12": the
        # period the report covers, then by when it is sent
        notes.append("Bỏ qua «" + "», «".join(w for _, w in weak) + "»: khoảng thời gian, "
                     "không phải hạn (đã có hạn khác trong đoạn).")
    if not found:
        period = _period_end(text, sk, year, issued, nearby, notes)
        if period is not None:
            return period
    if not found:
        # a month or a quarter written without its year is the letter's (or the paragraph's)
        the_year = year or (nearby[0] if nearby else None)
        month = _MONTH_DEADLINE.search(sk)
        if month and not month.group("y") and not _period_by_when(
                sk, month, issued, (int(month.group("m")),) * 2):
            month = None
        if month and (month.group("y") or the_year):
            words = text[month.start():month.end()]
            the_month = int(month.group("m"))
            in_year = int(month.group("y")) if month.group("y") else _next_of(
                the_year, issued, int(month.group("m")))
            if 1 <= the_month <= 12:
                last = calendar.monthrange(in_year, the_month)[1]
                notes.append(f"Hạn «{words}»: lấy ngày cuối tháng" + (
                    "." if month.group("y") else f" (không ghi năm: lấy năm {in_year})."))
                return date(in_year, the_month, last), words
        half = _FIRST_HALF.search(sk)
        if half and (half.group("y") or year) and not (
                not half.group("y") and issued and issued.month > 6):
            # "hoàn thành … trong 6 tháng đầu năm": by 30 June (of the letter's year; not the
            # first half already over when the letter was written, whose figures it asks for)
            in_year = int(half.group("y") or year)
            notes.append(f"Hạn «{text[half.start():half.end()]}»: lấy ngày cuối sáu tháng "
                         f"đầu năm {in_year}.")
            return date(in_year, 6, 30), text[half.start():half.end()]
        whole = _WHOLE_YEAR_DEADLINE.search(sk)
        if whole:
            words = text[whole.start():whole.end()]
            in_year = int(whole.group("y"))
            first_half = (whole.group("half") or "").startswith("6 thang dau")
            notes.append(f"Hạn «{words}»: lấy ngày cuối "
                         + ("sáu tháng đầu năm." if first_half else "năm."))
            return date(in_year, 6, 30) if first_half else date(in_year, 12, 31), words
        rest = _YEAR_END_DEADLINE.search(sk)
        the_year = int(rest.group("y")) if rest and rest.group("y") else (
            year or (nearby[0] if nearby else None) or (received.year if received else None))
        if rest and the_year:
            words = text[rest.start():rest.end()]
            guessed = not (rest.group("y") or year or nearby)
            notes.append(f"Hạn «{words}»: lấy ngày cuối năm {the_year}"
                         + (f" của ngày nhập văn bản ({received:%d/%m/%Y}); kiểm tra lại."
                            if guessed else "."))
            return date(the_year, 12, 31), words
        quarter = _QUARTER_DEADLINE.search(sk)
        the_year = year or (nearby[0] if nearby else None)
        if quarter and not quarter.group("y") and not _period_by_when(
                sk, quarter, issued, (3 * _QUARTERS[quarter.group("q")] - 2,
                                      3 * _QUARTERS[quarter.group("q")])):
            quarter = None
        if quarter and (quarter.group("y") or the_year):
            words = text[quarter.start():quarter.end()]
            number = _QUARTERS[quarter.group("q")]
            in_year = int(quarter.group("y")) if quarter.group("y") else _next_of(
                the_year, issued, 3 * number)
            last_month = 3 * number
            notes.append(f"Hạn «{words}»: lấy ngày cuối quý" + (
                "." if quarter.group("y") else f" (không ghi năm: lấy năm {in_year})."))
            return date(in_year, last_month, calendar.monthrange(in_year, last_month)[1]), \
                words
        return None, ""
    if len({d for d, _ in found}) > 1:
        notes.append("Có nhiều hạn trong đoạn: " + "; ".join(w for _, w in found)
                     + f". Lấy hạn đầu tiên ({found[0][1]}).")
    return found[0]


def _next_of(year: int, issued: date | None, last_month: int) -> int:
    """The year of a month or a quarter without its year: the letter's, or the next when the
    period ended more than half a year before the letter ("trong tháng 1" in December)."""
    return year + 1 if issued is not None and issued.month - last_month > 6 else year


def _period_by_when(sk: str, found: re.Match, issued: date | None,
                    months: tuple[int, int]) -> bool:
    """Whether a month or a quarter written without its year says by when: not the work of a
    period ("các nhiệm vụ, công việc trọng tâm trong tháng 4"), a period that comes back ("…
    trong tháng 4 hằng năm"), one a plan gives for its work ("Thời gian thực hiện: trong quý
    IV"), nor one already over on the letter's date (the figures of "trong quý I" asked for
    in April)."""
    before = sk[:found.start()]
    finish = re.search(r"\b(?:hoan thanh|xong)\b[^.;]{0,80}$", before)
    return not (
        (re.search(r"\b(?:nhiem vu|cong viec|cong tac)(?:\s+[^\W\d_]+){0,4}\s*$", before)
         and not finish)
        or _RECURRING.match(sk, found.end())
        or re.search(r"\bthoi gian thuc hien\s*:\s*$", before)
        or (issued is not None and 0 < issued.month - months[1] <= 6))


# What follows a date that comes back: "… hằng năm", "… và 05/12 hằng năm", "… của tháng
# cuối quý".
_RECURRING = re.compile(
    r"(?:\s*(?:va|,)\s*(?:(?:truoc|cham nhat)\s+)?(?:ngay\s*)?[0-9]{1,2}\s*[/.-]\s*[0-9]{1,2})*\s*"
    r"(?:hang|moi|cua moi)\s+(?:nam|thang|quy|tuan)\b|"
    r"\s*(?:cua\s+)?thang cuoi (?:moi\s+)?quy\b"
)

# "từ ngày 19/8/2015 đến 28/8/2015", "từ ngày 27/1 - 6/2/2023", "từ ngày 27.1-24.2", "từ ngày
# 18 - 20/9": by the period's last day (the corpus README: "Từ ngày A đến hết ngày B" is B).
# "đến ngày B" alone is read by `_DEADLINE`. With dots, "ngày" or the end's year must be
# written ("từ 8.5 - 9.5%" is a rate, "từ 7.30 - 11.30" an hour).
_RANGE = re.compile(
    r"\btu\s+(?:(?P<ngay>ngay)\s*)?(?P<d0>[0-9]{1,2})(?:\s*(?P<sep>[/.])\s*(?P<m0>[0-9]{1,2})"
    r"(?:\s*[/.]\s*(?P<y0>[0-9]{4}))?)?"
    r"\s*(?:-|–|den(?:\s+het)?)\s*(?:ngay\s*)?"
    r"(?P<d>[0-9]{1,2})\s*[/.]\s*(?P<m>[0-9]{1,2})(?:\s*[/.]\s*(?P<y>[0-9]{4}|[0-9]{2}))?"
    r"(?![0-9%]|\s*%)"
)
# "Hằng năm, từ ngày 1/6 đến 30/6": a period that comes back, written before it.
_RECURRING_BEFORE = re.compile(r"\b(?:hang|moi)\s+(?:nam|thang|quy|tuan)\b[^.;]{0,20}$")
# "định kỳ 6 tháng (trước ngày 10/6) và năm (trước ngày 10/12)": reports that come back.
_PERIODIC_BEFORE = re.compile(r"\bdinh ky\b[^.;]{0,40}$")
# "số liệu tính đến ngày 31/12", "dữ liệu đến hết ngày 30/9": the day the figures stop.
_FIGURES_UP_TO = re.compile(r"\b(?:tinh|so lieu|du lieu|thong ke)\b[^.;()]{0,25}$")
# "trong 6 tháng đầu năm (2025)": by 30 June; not the work or the results of that half.
_FIRST_HALF = re.compile(
    r"(?<!nhiem vu )(?<!cong viec )(?<!ket qua )(?<!tinh hinh )(?<!so lieu )"
    r"\btrong\s+(?:6|sau)\s+thang\s+dau\s+nam(?:\s+(?P<y>(?:19|20)[0-9]{2}))?\b")
# "trong thời hạn 10 ngày (làm việc) kể từ ngày ký", "… kể từ ngày 28/5/2024": by that many
# days after the letter's date, or after the date written.
_RELATIVE = re.compile(
    r"\btrong\s+(?:thoi han|vong)?\s*(?P<n>[0-9]{1,3})\s+ngay(?P<work>\s+lam viec)?\s*,?\s*"
    r"(?:ke tu|tinh tu)\s+(?:ngay\s+)?(?:(?P<sign>ky|ban hanh|van ban nay duoc ban hanh|"
    r"ky ban hanh|cong van nay|ke hoach nay|quyet dinh nay)|"
    r"(?P<d>[0-9]{1,2})\s*[/.-]\s*(?P<m>[0-9]{1,2})\s*[/.-]\s*(?P<y>[0-9]{4}))")


def _relative_deadline(text: str, sk: str, issued: date | None,
                       notes: list[str]) -> tuple[date, str] | None:
    """A deadline given as days after the letter or after a date (see `_RELATIVE`); working
    days skip Saturdays and Sundays (public holidays are not known: noted, to check)."""
    match = _RELATIVE.search(sk)
    if match is None:
        return None
    words = text[match.start():match.end()]
    if match.group("sign"):
        if issued is None:
            notes.append(f"Hạn «{words}»: không thấy ngày ký của văn bản, chưa đặt hạn.")
            return None
        start = issued
    else:
        try:
            start = date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        except ValueError:
            return None
    days = int(match.group("n"))
    if match.group("work"):
        when = start
        while days:
            when += timedelta(days=1)
            days -= when.weekday() < 5
        notes.append(f"Hạn «{words}»: tính ngày làm việc từ {start:%d/%m/%Y} (không trừ ngày "
                     "lễ; kiểm tra lại).")
    else:
        when = start + timedelta(days=days)
        notes.append(f"Hạn «{words}»: {int(match.group('n'))} ngày kể từ {start:%d/%m/%Y}.")
    return when, words


def _period_end(text: str, sk: str, year: int | None, issued: date | None,
                nearby: tuple[int, str] | None, notes: list[str]) -> tuple[date, str] | None:
    """The last day of the period the words give, as a deadline; None for a period that comes
    back each year, and for one that ended before the letter's date (the figures of "từ ngày
    1/1 đến 30/6" asked for later, a period inspected), which is what the order is about, not
    by when."""
    span = _RANGE.search(sk)
    # "từ ngày 18 - 20/9": the start's month is the end's; with no month, "ngày" must be said;
    # with dots, "ngày" or the end's year ("từ 15.11-18.11.2025")
    if span is None or (span.group("sep") is None and not span.group("ngay")) or (
            span.group("sep") == "." and not span.group("ngay")
            and not (span.group("y") and len(span.group("y")) == 4)) \
            or _RECURRING.match(sk, span.end()) or _RECURRING_BEFORE.search(sk[:span.start()]):
        return None
    words = text[span.start():span.end()]
    raw_year = span.group("y") or span.group("y0")
    the_year = (int(raw_year) + (2000 if len(raw_year) == 2 else 0) if raw_year
                else year or (nearby[0] if nearby else None))
    if not the_year:
        return None
    try:
        end = date(the_year, int(span.group("m")), int(span.group("d")))
        start = date(int(span.group("y0")) if span.group("y0") else the_year,
                     int(span.group("m0") or span.group("m")), int(span.group("d0")))
    except ValueError:
        notes.append(f"Hạn «{words}» không phải ngày có thật: chưa đặt hạn.")
        return None
    if not span.group("y") and end < start:  # "từ ngày 20/12/2025 đến 15/02": the next year's
        end = end.replace(year=end.year + 1)
    if issued and end < issued:
        return None
    notes.append(f"Hạn «{words}»: lấy ngày cuối của khoảng thời gian.")
    return end, words


# "trong tháng 9/2014": by the month's last day.
# The words that say by when, before a month, a quarter or a year: "trong tháng 6/2025",
# "Thời gian hoàn thành: tháng 6/2025", "Thời hạn: Quý II/2025" (not "Thời gian thực hiện:
# Quý IV", a plan's time for the work).
_PERIOD_LEAD = (r"(?:\b(?:trong|truoc het|cuoi|hoan thanh trong|xong trong)|"
                r"\bthoi (?:gian(?: hoan thanh)?|han(?: hoan thanh)?)\s*:\s*(?:trong\s+)?)")
_MONTH_DEADLINE = re.compile(
    _PERIOD_LEAD + r" ?thang\s*(?P<m>[0-9]{1,2})"
    r"(?:(?:\s*[/.-]\s*|\s+nam\s+)(?P<y>(?:19|20)[0-9]{2}))?\b(?!\s*[/.-]\s*[0-9])"
)
# "trong những tháng cuối năm", "từ nay đến cuối năm 2025", "những tháng còn lại của năm":
# by the year's last day (of the year written, else the letter's).
_YEAR_END_DEADLINE = re.compile(
    r"\b(?:(?:nhung|cac) thang (?:cuoi|con lai(?: cua)?) nam|tu nay den (?:cuoi|het) nam)"
    r"(?:\s+(?P<y>(?:19|20)[0-9]{2}))?\b"
)
# "trong quý III/2025", "hoàn thành trong quý 3 năm 2025": by the quarter's last day.
_QUARTER_DEADLINE = re.compile(
    _PERIOD_LEAD + r" ?quy\s*(?P<q>iv|iii|ii|i|[1-4])"
    r"(?:(?:\s*[/.-]\s*|\s+nam\s+)(?P<y>(?:19|20)[0-9]{2}))?\b(?!\s*[/.-]\s*[0-9])"
)
# "hoàn thành trong năm 2025", "Thời gian hoàn thành: năm 2025", "trong 6 tháng đầu năm
# 2025": by that year's last day (its half's, for the first six months).
_WHOLE_YEAR_DEADLINE = re.compile(
    r"\b(?:(?:hoan thanh|xong) trong|thoi (?:gian hoan thanh|han(?: hoan thanh)?)\s*:\s*"
    r"(?:trong\s+)?)"
    r"\s*(?P<half>6 thang dau |6 thang cuoi )?nam\s+(?P<y>(?:19|20)[0-9]{2})\b"
)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
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


_BY_KEYWORDS = ("truoc", "cham nhat", "han chot", "han cuoi", "han nop", "hoan thanh truoc")
_JOINED = re.compile(r"(?:\s*[,;]\s*|\s+)(?:va|con)?\s*$")


def _split_deadlines(text: str) -> list[str] | None:
    """'Trước ngày A, các huyện báo cáo sơ bộ …; trước ngày B báo cáo chính thức …' and
    '… báo cáo sơ bộ trước ngày A và báo cáo chính thức trước ngày B': two steps, each with a
    deadline of its own, are two tasks (the corpus README, "One task or two")."""
    sk = skeleton(text)
    found = [m for m in _DEADLINE.finditer(sk)
             if m.group("kw") in _BY_KEYWORDS and not _RECURRING.match(sk, m.end())]
    if len(found) != 2:
        return None
    first, second = found
    if not sk[:first.start()].strip(" ,-–"):
        # the first date leads its part: the second part opens at its own date
        joined = _JOINED.search(sk, first.end(), second.start())
        if joined is None or not joined.group().strip():
            return None
        cut, start = joined.start(), second.start()
    else:
        # the first date ends its part: a comma, a semicolon or "và", then the next step
        joined = re.match(r"\s*(?:[,;]\s*(?:va\s+)?|va\s+)", sk[first.end():])
        if joined is None:
            return None
        cut, start = first.end(), first.end() + joined.end()
        if start >= second.start():
            return None
    head, rest = text[:cut], text[start:]
    if not _VERB_RE.search(skeleton(head)) or not _VERB_RE.search(skeleton(rest)) \
            or len(rest.split()) < 5:
        return None
    if re.match(r"(?:truong hop|trong truong hop|neu|khi)\b", sk[start:]) \
            or re.search(r"\b(?:phat sinh|tinh den|tinh tu|so lieu|ke tu|tu ngay)\s*$",
                         sk[:first.start()]):
        # a fallback ("…, trường hợp chưa hoàn thành thì gửi chậm nhất …") or a date that
        # bounds what is counted ("các khoản chi phát sinh trước ngày …"): one task
        return None
    return [_clean_task_text(head), _clean_task_text(rest)]


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
