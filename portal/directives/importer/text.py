"""What the importer's stages share: a letter's words folded to their skeleton, capitalising,
the markers that open a numbered or bulleted paragraph, and the verbs that give an order.

The vocabulary is folded (lower case, no diacritics) and looked for in `skeleton(text)`, which
keeps every character where it was: a match found in the skeleton slices the letter's own words,
so the header, the addressees and the body all read the letter the same way and quote it as
written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


class _SkeletonTable(dict):
    """str.translate table, filled as characters are met: one character for one character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "Đđ":
            out = "d"
        elif ch in "\"“”„«»":  # a quotation's marks: «“Giao Sở X …»» is the order "giao"
            out = " "
        else:
            base = next((c for c in unicodedata.normalize("NFD", ch)
                         if not unicodedata.combining(c)), " ")
            low = base.lower()
            out = low if len(low) == 1 else base if len(base) == 1 else " "
        self[code] = out
        return out


_SKELETON = _SkeletonTable()


# "giáo" (giáo dục, tôn giáo, Ban Tuyên giáo) folds to "gjao", so that it is never read as
# "giao", the order word ("Giao Sở X …"): "Sở Dân tộc và Tôn giáo chủ trì …" names a unit.
_TONED_GIAO = re.compile(r"(?i)\bgi[áàảãạ]o\b")
# "giao thông", "giao dịch", … are not the order word either.
NOT_ORDER_GIAO = r"(?!\s+(?:thong|dich|luu|tiep|thua)\b)"


def skeleton(text: str) -> str:
    """Lower case without diacritics, character for character: positions in the result are
    positions in `text`, so a match found here slices the original words. "giáo" folds to
    "gjao", apart from the order word "giao"."""
    out = text.translate(_SKELETON)
    if "gia" in out:
        toned = [match.start() + 1 for match in _TONED_GIAO.finditer(text)]
        if toned:
            chars = list(out)
            for position in toned:
                chars[position] = "j"
            out = "".join(chars)
    return out


def _capitalize(text: str) -> str:
    for index, ch in enumerate(text):
        if ch.isalpha():
            if ch.islower():
                return text[:index] + ch.upper() + text[index + 1:]
            return text
        if ch not in "(\"'“«[":
            return text
    return text


# --------------------------------------------------------------------------------------------
# Vocabulary (folded: lower case, no diacritics)

# What units are told to do in the field, in emergencies and in public services: verbs that
# also name a body or a piece of work (see `_NOT_VERB`).
_FIELD_VERBS = [
    "ap dung", "thuc thi", "phat quang", "khoi thong", "nao vet", "di doi", "so tan",
    "gia co", "chang chong", "ke khai", "cham soc", "tiem phong", "tiem vac xin",
    "phun", "khu trung", "tieu doc", "cam bien", "lap dat", "giai toa", "cuong che",
    "boi thuong", "giai phong mat bang", "phan loai", "luu y", "tuyet doi khong",
    "han che", "bao quan", "du tru", "cap phat", "ung pho", "chuyen giao", "can doi",
    "chi tra", "van chuyen", "luu tru", "hoa giai", "tra ket qua", "cuu ho", "cuu nan",
    "ung cuu", "truc ban", "giu vung", "cai tao", "chinh trang", "tiep cong dan",
    "ngan ngua", "xu ly dut diem", "quan ly", "bao ve", "phong chong", "phong, chong",
    "kiem soat", "lam viec voi", "trong cay", "trong rung", "ve sinh",
]
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
    "giai trinh", "trinh ubnd", "trinh uy ban", "trinh chu tich", "phan hoi", "thu thap",
    "soan thao", "lay y kien", "xac minh", "khao sat", "kien toan", "sap xep", "don gian hoa",
    "nang cap", "giam sat", "tham dinh", "cung co", "hoan thien", "day nhanh", "bao dam",
    "uu tien", "phat dong", "van dong", "thanh lap", "phe duyet", "huy dong", "tham gia",
    "don dep", "ra quan", "phan dau", "so ket", "tong ket", "tap huan",
    "giai ngan", "quyet toan", "thu hoi", "tuan tra", "ngan chan", "phat hien",
    "tiep thu", "chinh sua", "nang ty le", "tiep dan", "doi thoai", "boi duong", "kiem ke",
    # more of the verbs orders are given with (not those that name units too: "Ban Quản lý",
    # "Trung tâm Kiểm soát bệnh tật", "Chi cục Bảo vệ thực vật", "Hội đồng Thi đua - Khen
    # thưởng", "Ban Chỉ huy phòng chống thiên tai", "Văn phòng Đăng ký đất đai"; nor
    # "chịu trách nhiệm", "xử phạt", which tell who answers for what and what was done)
    "chuan bi", "van hanh", "dieu chinh", "sua chua", "xac dinh", "lua chon",
    "gioi thieu", "kiem diem", "doi chieu", "thong ke", "dieu tra", "long ghep",
    "ung dung", "ket noi", "xem xet", "ban giao", "hoan chinh", "phat huy",
    "tham tra", "quan tam", "cham lo", "tham hoi", "tang qua", "binh xet",
    "xet duyet", "phan bo", "dieu dong", "tai van ban", "tai ve", "tai du thao",
    "luan chuyen", "tuyen dung", "nam bat", "nam chac", "san sang",
    "giu gin", "thu gom", "pho bien",
    "tao dieu kien", "xep loai", "kiem dinh", "mo rong", "duy tu", "thi cong",
    "nghiem thu", "thanh toan", "cong bo", "gop y", "xac nhan", "thay the", "bai bo",
    "tam dung", "dinh chi", "siet chat", "nghiem cam", "cham dut", "truy quet", "thuc day",
    "nhan rong", "lam ro", "chap hanh", "tuan thu", "dieu phoi", "mua sam",
    "treo co", "lam tot", "chu trong", "bam sat", "de cao", "chu y", "dac biet chu y",
    "dac biet quan tam", "dac biet luu y",
    *_FIELD_VERBS,
    # "có kế hoạch …", "có ý kiến …" (not "có Kế hoạch số 12/KH-UBND", a document cited)
    "co ke hoach", "co giai phap", "co phuong an", "co bien phap", "co van ban", "co y kien",
    "cu",  # "cử cán bộ theo dõi …", "cử 01 lãnh đạo tham gia …" (_NOT_VERB: only before whom)
    "co nhiem vu", "co trach nhiem",  # "Ban Chỉ đạo có nhiệm vụ giúp …"
    "dang ky",  # "Các sở đăng ký danh hiệu thi đua" (_NOT_VERB: not "bản đăng ký")
]
# "tổ chức" is also a noun in an addressee list: "các tổ chức", "tổ chức đoàn thể", "tổ chức
# chính trị - xã hội", "tổ chức, cá nhân".
_NOT_VERB = {"to chuc": r"(?<!\bcac )(?<!\bmoi )(?<!\bban )"
                        r"to chuc(?!\s*,?\s*(?:doan the(?! thao)|chinh tri|"
                        r"xa hoi|hoi(?!\s+(?:nghi|thao|thi|cho|dien|giang|dam|truong))|"
                        r"thanh vien|co lien quan|lien quan|kinh te|ca nhan(?! hoa)|ton giao|"
                        r"cong doan|quoc te|phi chinh phu|tin dung|tu van|su nghiep)\b)",
             # "an toàn vệ sinh thực phẩm", "tổng vệ sinh", "nhà vệ sinh": the thing, not the act
             "ve sinh": r"(?<!\ban toan )(?<!\btong )(?<!\bnha )(?<!\bcong trinh )ve sinh",
             # "bản đăng ký", "hồ sơ đăng ký", "Văn phòng Đăng ký đất đai": the thing
             "dang ky": r"(?<!\bban )(?<!\bho so )(?<!\bgiay )(?<!\bphieu )(?<!\bmau )"
                        r"(?<!\bdanh sach )(?<!\bvan phong )(?<!\bthu tuc )(?<!\bngay )"
                        r"(?<!\bso )(?<!\bda )(?<!\bviec )dang ky",
             # "Ban Chỉ đạo", "Ban Tổ chức": a body, not the act
             "chi dao": r"(?<!\bban )chi dao",
             "cu": r"cu(?=\s+(?:can bo|lanh dao|dai dien|dai bieu|cong chuc|vien chuc|"
                   r"chuyen vien|thanh vien|nguoi|luc luong|[0-9]+)\b)",
             **{verb: re.escape(verb) + r"(?!\s+so\b)"
                for verb in ("co ke hoach", "co van ban", "co phuong an")}}
# The verbs of field work also name a body or a piece of work ("Ban Quản lý dự án", "Chi cục
# Bảo vệ thực vật", "Trung tâm Lưu trữ", "Hội đồng bồi thường", "công tác quản lý", "phương án
# di dời"): a verb only after none of those; and what a unit holds, counted ("quản lý 3 chợ",
# "bảo quản hơn 500 hồ sơ"), is what it is, not an order. One group, so that the words before
# are looked at only where such a verb starts.
_FIELD = "|".join(re.escape(verb) for verb in sorted(
    (verb for verb in _FIELD_VERBS if verb not in _NOT_VERB), key=len, reverse=True))
_FIELD_VERB = (
    r"(?=(?:" + _FIELD + r")\b)"
    r"(?<!\bban )(?<!\bphong )(?<!\bchi cuc )(?<!\bcuc )(?<!\bcong tac )(?<!\bban chi huy )"
    r"(?<!\btrung tam )(?<!\bdoi )(?<!\bso )(?<!\bhoi )(?<!\bvan phong )(?<!\bhieu qua )"
    r"(?<!\bviec )(?<!\bhoi dong )(?<!\bphuong an )(?<!\bke hoach )(?<!\bde an )"
    r"(?<!\bquy trinh )(?<!\bnhiem vu )(?<!\bchinh sach )(?<!\bkinh phi )(?<!\bnguon )"
    r"(?<!\bve )(?<!\bcua )"  # "về phòng, chống dịch": what it is about
    r"(?:" + _FIELD + r")(?![\s,]+(?:(?:quan ly|bao ve|bao quan|luu tru)[\s,]+)?"
    r"(?:(?:hon|khoang|gan|tren|tong so|toan bo)\s+)?[0-9]+(?![0-9/]))")
_VERB_RE = re.compile(r"\b(?:" + "|".join(
    _NOT_VERB.get(verb, re.escape(verb))
    for verb in sorted(ORDER_VERBS, key=len, reverse=True)
    if verb in _NOT_VERB or verb not in _FIELD_VERBS) + "|" + _FIELD_VERB + r")\b")


# --------------------------------------------------------------------------------------------
# Paragraphs


_MARKER = re.compile(
    r"^(?P<marker>(?:Điều|ĐIỀU|Ðiều)\s+[0-9]{1,2}\s*[.:]|[-+•●▪◦‣–—*·○■□➢➤✓❖→>]|\(?[0-9]{1,2}(?:\.[0-9]{1,2})+\.?|"
    r"\(?[0-9]{1,2}[.)]|\(?[a-zđ][.)]|\(?[IVX]{1,5}[.)])\s+(?=\S)"
)


@dataclass
class _Para:
    marker: str
    text: str

    @property
    def level(self) -> str:
        marker = self.marker.strip("()")
        if not marker:
            return ""
        if self.article or self.roman:
            return "top"
        if re.fullmatch(r"[0-9]{1,2}[.)]", marker) or re.fullmatch(r"[IVX]{1,5}[.)]", marker):
            return "top"
        if marker[0].isdigit():
            return "sub"
        return "bullet"

    @property
    def roman(self) -> bool:
        """A part of a plan or a report: "I.", "II)"."""
        return bool(re.fullmatch(r"\(?[IVX]{1,5}[.)]", self.marker))

    @property
    def article(self) -> bool:
        """An article of a decision: "Điều 1."."""
        return skeleton(self.marker[:4]) == "dieu"


# Lines that are no part of the letter: page numbers and what a web page puts around the text
# it shows ("Tải về", "Lượt xem: 120", a bare link).
_FURNITURE = re.compile(
    r"^(?:trang\s*[0-9]{1,3}(?:\s*(?:/|tren)\s*[0-9]{1,3})?|[-–]?\s*[0-9]{1,3}\s*[-–]?|"
    r"(?:https?://|www\.)\S+|"
    # words a page puts before something of its own ("Lượt xem: 120", "Nguồn: Báo …")
    r"(?:tai ve|tai xuong|tai van ban|download|luot xem|so luot xem|luot truy cap|"
    r"so luot truy cap|dang truy cap|tong (?:so )?luot truy cap|chia se|in trang|"
    r"in van ban|ve dau trang|len dau trang|gui email|gui bai viet|van ban lien quan|"
    r"tin lien quan|cac tin khac|ban quyen|copyright|©|cac bai (?:moi|da dang|khac|lien quan)|"
    r"bai viet lien quan|tin da dang|tin tuc lien quan|anh minh hoa|ngay cap nhat)\b.{0,60}|"
    r"(?:nguon|ngay dang)\s*:.{0,60}|"
    # words a page shows alone on a line
    r"(?:ban in|quay lai|facebook|zalo|twitter|xem them|binh luan|thuoc tinh|luoc do|"
    r"email\s*print\s*aa|emailprintaa|"
    r"trang chu|tin moi|danh gia|pv|ctv|btv|tim kiem|insert title here)\s*:?)$"
)


# A web page's comment form: its fields marked "*" ("Tiêu đề *", "Email*"), its notes.
_FORM = re.compile(r"^[•·\-\s]*[^\W\d_]+(?:\s[^\W\d_]+){0,3}\s?\*$|^(?:tra loi|gui binh luan)$|"
                   r"^email cua ban se khong duoc hien thi|^cac truong bat buoc")


# The moment a page was posted, alone on its line: "07/09/2022 17:03", "Thứ hai 23/5/2022",
# "05/08/2022 10:07 GMT+7", "2025-09-24 10:00".
_POSTED_AT = re.compile(
    r"(?:(?:thu (?:hai|ba|tu|nam|sau|bay)|chu nhat),?\s*)?(?:ngay\s*)?"
    r"(?:[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:\s*[-|,]?\s*[0-9]{1,2}[:h][0-9]{2}(?::[0-9]{2})?(?:\s*(?:am|pm|sa|ch))?)?"
    r"(?:\s*\(?gmt\s*\+\s*7\)?)?")


def is_posting_time(line: str) -> bool:
    """A line that only says when a page was posted: no part of the letter's text, but where
    it stands, the headline above it ends (`import_letter` keeps it as a break)."""
    return bool(_POSTED_AT.fullmatch(skeleton(line).strip(" .:|")))


def is_furniture(line: str) -> bool:
    """A page number or a web page's own words, never part of a letter's body."""
    folded = skeleton(line).strip(" .:|")
    if len(folded) < 220 and (_CAPTION.search(folded) or _CREDIT.search(line)) \
            and not re.search(r"\b(?:truoc|cham nhat)\s+(?:ngay\s+)?[0-9]", folded):
        return True  # (an order with its deadline carried by a caption is kept, its credit too)
    return len(folded) < 80 and bool(_FURNITURE.match(folded) or _FORM.match(folded)
                                     or _POSTED_AT.fullmatch(folded))


# A photo's caption, which ends with its credit: "Lãnh đạo Sở Y tế kiểm tra … – Ảnh minh họa",
# "Chủ tịch UBND thành phố phát biểu chỉ đạo tại cuộc họp. Ảnh: NHẪN NAM", "(Ảnh: TTXVN)".
_CAPTION = re.compile(r"(?:^|[-–(.|]\s*)anh\s+minh\s+hoa\)?\s*$")
_CREDIT = re.compile(r"(?:\S.{8,}[-–(.|]\s*|^\(\s*)Ảnh\s*:\s*[^\W\d_a-zđ][^.:;,\d]{0,40}\)?\s*\|?"
                     r"\s*$")
