"""The second stage: the letter around its body. Above it, the issuer, the number (Số), the
place and date, the subject (V/v …) and the recipients (Kính gửi); below it, where the closing
starts (Nơi nhận, the signature block), and the signer and their title.

Each is written into the `Draft`. `_parse_header` returns the line where the body starts and
`_closing_start` the line where it ends, so that the body stage reads only the orders and never
takes a recipient or a signer's title for one.
"""

from __future__ import annotations

import re
from datetime import date

from .draft import Draft
from .text import _MARKER, _VERB_RE, _capitalize, _Para, skeleton

_SO = re.compile(r"^so\s*(?:hieu)?\s*:\s*")
_SUBJECT = re.compile(r"^(?:v/v|v\.v|ve viec(?! nay\b))\b[\s:.]*")
_DATE_LINE = re.compile(
    r"(?P<place>[^\W\d_][^,\n]{0,60}?)\s*,\s*ngay\b\s*(?:"
    r"(?P<d>[0-9]{1,2})?\s*thang\b\s*(?P<m>[0-9]{1,2})?\s*nam\b\s*(?P<y>[0-9]{4})?"
    r"|(?P<d2>[0-9]{1,2})\s*[/.-]\s*(?P<m2>[0-9]{1,2})\s*[/.-]\s*(?P<y2>[0-9]{4}))"
)
_KIND_TITLE = re.compile(r"(?:ke hoach|quyet dinh|thong bao|chi thi|cong dien|huong dan)"
                         r"(?: ket luan)?\s*:?")
_SIGN_PREFIX = re.compile(r"^(?:tm|kt|tl|tuq|q)\s*\.\s*\S")
_ROLE = re.compile(
    r"\b(?:chu tich|giam doc|truong phong|truong ban|chanh van phong|thu truong|bi thu|"
    r"chanh thanh tra|truong)\b"
)
_PLACE_WORDS = ["thanh pho", "thi xa", "thi tran", "tinh", "huyen", "quan", "xa", "phuong"]
_ORG_WORDS = ["so", "phong", "ban", "van phong", "trung tam", "chi cuc", "cuc", "bo",
              "thanh tra", "cong an"]


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
        if position > 0 and line[:position].strip(" |"):
            # (a table pasted with its cells joined by "|": "ỦY BAN NHÂN DÂN | CỘNG HÒA … |")
            return [line[:position].strip(" |"), line[position:].strip(" |")]
    return [line]


def _beside_motto(line: str) -> bool:
    """A header table's row: the issuer's cell in capitals, the motto's beside it (that row
    alone, not a whole letter read into one line)."""
    parts = _split_header_line(line)
    return len(parts) > 1 and len(line) <= 160 and _is_upper_line(parts[0]) \
        and _is_motto(skeleton(parts[1]).strip())


def _letter_start(lines: list[str]) -> int:
    """The first line of the letter: its first line with words, or, below a web copy's banner
    ("Ủy ban nhân dân tỉnh … tải về 9.17 Kb.", "Chuyển đổi dữ liệu …"), its issuer's name in
    capitals, where one comes within the first lines and the letter's number or subject
    follows it."""
    first = next((i for i, line in enumerate(lines) if line), len(lines))
    if first == len(lines) or _is_upper_line(lines[first]) or _SO.match(
            skeleton(lines[first]).strip()):
        return first
    for j in range(first + 1, min(len(lines), first + 15)):
        if _is_upper_line(lines[j]) and re.match(
                r"(?:uy ban nhan dan|ubnd|hoi dong nhan dan|so |van phong)",
                skeleton(lines[j]).strip()) and any(
                    _SO.match(folded := skeleton(line).strip()) or _SUBJECT.match(folded)
                    for line in lines[j + 1:j + 12]):
            return j
    return first


def _parse_header(lines: list[str], draft: Draft) -> int:
    """Fill the draft's metadata from the lines above the body; the index where the body
    starts."""
    n = len(lines)
    i = _letter_start(lines)
    issuer: list[str] = []
    while i < n and lines[i] and len(issuer) < 4:
        parts = _split_header_line(lines[i])
        # the issuer's cell beside the motto's: "XÃ XUÂN TÍN | Độc lập - Tự do - Hạnh phúc"
        if not (_is_upper_line(lines[i]) or _beside_motto(lines[i])):
            break
        if _is_motto(skeleton(parts[0]).strip()) or _SO.match(skeleton(parts[0])):
            break
        issuer.append(parts[0])
        i += 1
        if len(parts) > 1 and not (i < n and _beside_motto(lines[i])):
            break  # the header table's second row goes on with the issuer's name
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
            # "V/v … | Quảng Trị, ngày …": the header's two cells on one line; the date
            # cell is the date, not the subject.
            line = _without_date_cell(line, draft)
            subject = [line]
            i += 1
            while i < n and lines[i] and len(subject) < 6:
                nxt = skeleton(lines[i]).strip()
                if (_SO.match(nxt) or _DATE_LINE.search(nxt) or nxt.startswith("kinh gui")
                        or _is_motto(nxt) or _MARKER.match(lines[i])
                        or _is_upper_line(lines[i])):
                    if _DATE_LINE.search(nxt) and "|" in lines[i]:
                        # "tăng cường … | Quảng Trị, ngày …": the subject's next line, with
                        # the date cell beside it
                        subject.append(_without_date_cell(lines[i], draft))
                        i += 1
                    break
                subject.append(lines[i])
                i += 1
            draft.subject = " ".join(" ".join(subject).split())
            marker = _SUBJECT.match(skeleton(draft.subject))
            draft.title = _capitalize(draft.subject[marker.end() if marker else 0:].strip())
            continue
        if folded.startswith("kinh gui") or _WIRED_TO.match(folded):
            # (a công điện's "CHỦ TỊCH UBND TỈNH ĐIỆN:" and whom, as "Kính gửi")
            i = _parse_recipients(lines, i, draft)
            break
        if _KIND_TITLE.fullmatch(folded) and not draft.subject:
            # "KẾ HOẠCH" / "QUYẾT ĐỊNH" then the title on the lines below (a plan, a decision)
            title: list[str] = []
            j = i + 1
            while j < n and len(title) < 4:
                nxt = skeleton(lines[j]).strip()
                if not nxt:
                    if title:
                        break
                    j += 1
                    continue
                if (_SO.match(nxt) or _DATE_LINE.search(nxt) or nxt.startswith(("kinh gui",
                                                                               "can cu"))
                        or _MARKER.match(lines[j]) or (_is_upper_line(lines[j]) and title)
                        or _WIRED_TO.match(nxt)
                        or (title and lines[j].rstrip().endswith((".", ":", ";", "!")))):
                    # (a line that ends its sentence, below the title, is the body's)
                    break
                title.append(lines[j])
                j += 1
            if title:
                draft.subject = " ".join(" ".join([line] + title).split())
                draft.title = _capitalize(" ".join(" ".join(title).split()))
                i = j
                continue
        if re.search(r",\s*ngay\s*$", folded) and i + 1 < n and \
                _take_date(line.rstrip() + " " + lines[i + 1].strip(), draft):
            i += 2  # "Thanh Hoá, ngày" and on the next line "10 tháng 10 năm 2019"
            continue
        if _take_date(line, draft):
            i += 1
            continue
        if _is_motto(folded) or (_is_upper_line(line) and len(line) < 80
                                 and not _VERB_RE.search(folded)
                                 and not _PART_MARK.match(line.strip())):
            i += 1
            continue
        break
    return i


# Whom a công điện is wired to: "CHỦ TỊCH UBND TỈNH ĐIỆN:", "Thủ tướng Chính phủ điện: …".
_WIRED_TO = re.compile(r"(?:(?:pho )?chu tich|uy ban nhan dan|ubnd|thu tuong|bo truong|"
                       r"giam doc|truong ban|ban chi dao|ban chi huy)\b[^:]{0,80}\bdien\s*:")
# A part of the body in capitals ("I. MỤC ĐÍCH, YÊU CẦU", "A . NHIỆM VỤ"): the body has begun.
_PART_MARK = re.compile(r"(?:[IVX]{1,5}|[A-H])\s?[.)]\s")


def _without_date_cell(line: str, draft: Draft) -> str:
    """The line without the cell that holds the letter's place and date (taken as its date),
    when the line is table cells joined by "|"."""
    cells = line.split("|")
    if len(cells) < 2:
        return line
    kept = [cell for cell in cells if _SUBJECT.match(skeleton(cell).strip())
            or not (_DATE_LINE.search(skeleton(cell)) and _take_date(cell, draft))]
    return " ".join(" ".join(kept).split()) or line


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
