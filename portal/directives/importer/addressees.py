"""The third stage: whom a heading names, among the portal's units. `UnitIndex` knows each unit
(`UnitRef`) by its name and, for an office or a service, its short name, with HĐND/UBND expanded;
`UnitIndex.match` reads a heading's unit names and group words ("các xã, phường", "đơn vị được
kiểm tra", "các sở, ban, ngành", "UBND các huyện, thị xã, thành phố", "UBND cấp xã") into one
audience rule (several units, or a group with a unit of another kind, as `units:<id>,…`), and
returns what matched nothing as `unmatched`, so that an addressee the portal does not know is
shown to the editor instead of dropped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from .text import _VERB_RE, skeleton


class UnitRef(NamedTuple):
    """A unit of the portal as the importer sees it; `kind` is office, service or commune."""

    id: int
    name: str
    short_name: str
    kind: str


# --------------------------------------------------------------------------------------------
# Vocabulary (folded: lower case, no diacritics)

# Who a heading names: the words it starts with.
_ADDRESSEE_START = re.compile(
    r"^(?:(?:giao(?: (?:trach nhiem|nhiem vu))?(?: cho)?|de nghi|yeu cau|doi voi|rieng)\s+)?"
    # "(Đề nghị) đồng chí Giám đốc …", "Đ/c Chủ tịch UBND xã …"
    r"(?:(?:(?:cac )?dong chi|d/c|ong\s*\(\s*ba\s*\)|ong\s*/\s*ba|ong,? ba)\s+)?"
    r"(?:(?:tat ca|toan the|toan bo|100\s*%)\s+)?(?:cap (?:huyen|xa|tinh)\b|"
    r"tu (?:cap )?(?:tinh|huyen) den (?:cap xa|xa|co so)\b|"
    r"thu truong|pho truong|truong|chanh|giam doc|pho giam doc|chu tich|pho chu tich|"
    r"hieu truong|uy ban|ubnd|hdnd|hoi dong|phong|van phong|so|ban|cac|co quan|don vi|trung tam|"
    r"quy (?:co quan|don vi|so|uy ban|phong|ban)|"
    r"thanh tra|cong an|chi cuc|cuc|xa|phuong|thi tran|lanh dao|bi thu|mat tran|"
    r"ban chi huy|can bo,? cong chuc (?:xa|phuong|thi tran|uy ban|ubnd|chuyen mon)|"
    r"cong chuc|vien chuc|doan|hoi|liên doan|lien doan|bo phan|"
    r"chu dau tu|"
    r"chinh quyen (?:co so|dia phuong))\b"
)
_STRONG_ADDRESSEE = re.compile(
    r"^(?:(?:giao(?: (?:trach nhiem|nhiem vu))?(?: cho)?|de nghi|yeu cau)\s+)?"
    r"(?:(?:tat ca|toan the|toan bo)\s+)?(?:thu truong|pho truong|truong|chanh|giam doc|"
    r"pho giam doc|chu tich|pho chu tich|uy ban|ubnd|phong|van phong|so|trung tam|thanh tra|"
    r"chi cuc|cong an|ban chi huy)\b"
)
# Words that say someone's post or link names, not who the unit is.
FILLER = {
    "thu", "truong", "chanh", "pho", "giam", "doc", "chu", "tich", "lanh", "dao", "cac",
    "thuoc", "truc", "cua", "giao", "de", "nghi", "yeu", "cau", "uy", "ban", "nhan", "dan",
    "thanh", "phong", "chuyen", "mon", "goi", "tat", "la", "chung", "sau", "day", "voi", "hoi",
    "dong", "tp", "ubnd", "hdnd", "vp", "van", "doi", "rieng", "vien", "chuc", "cap", "tren",
    "ca", "nhung", "co", "quan", "don", "vi", "duoc", "va", "cung", "tham", "muu", "nganh",
    "tinh", "huyen", "lien", "dia", "nay", "mot", "khac", "tuong", "ung", "hieu",
}
_ABBREVIATIONS = {
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "tp": ("thanh", "pho"),
    "tx": ("thi", "xa"),
    "thpt": ("trung", "hoc", "pho", "thong"),
    "thcs": ("trung", "hoc", "co", "so"),
    "mttq": ("mat", "tran", "to", "quoc"),
    "mttqvn": ("mat", "tran", "to", "quoc", "viet", "nam"),
    "ubmttq": ("uy", "ban", "mat", "tran", "to", "quoc"),
    "ubmttqvn": ("uy", "ban", "mat", "tran", "to", "quoc", "viet", "nam"),
    "ub": ("uy", "ban"),
    "vp": ("van", "phong"),
    "qlnn": ("quan", "ly", "nha", "nuoc"),
}
_SEPARATOR_WORDS = {"va", "cung"}
# A level's word after "Ủy ban nhân dân" with no place after it: each unit of that level.
_GENERIC_LEVEL = {("quan",), ("huyen",), ("thi", "xa"), ("xa",), ("phuong",), ("thi", "tran"),
                  ("dac", "khu")}
_WARD_LEVEL = {("xa",), ("phuong",), ("thi", "tran"), ("dac", "khu")}
# Group words: (token sequence, rule), longest first within each rule.
_RELATED = "related:office"  # the offices "các ngành liên quan" names (see `match`)
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
        ("co quan quan ly nha nuoc", "kind:office"),
        ("co quan hanh chinh", "kind:office"),
        ("phong chuyen mon", "kind:office"),
        ("ban chuyen mon", "kind:office"),
        ("cac phong ban", "kind:office"),
        ("ban nganh", "kind:office"),
        ("cap xa", "level:ward"),
        ("cap huyen", "level:district"),
        ("co quan chuyen mon thuoc uy ban nhan dan", "kind:office"),
        ("so ban nganh", "kind:office"),
        ("so nganh", "kind:office"),
        ("xa phuong thi tran", "level:ward"),
        ("xa phuong dac khu", "level:ward"),
        ("phuong xa thi tran", "level:ward"),
        ("xa thi tran", "level:ward"),
        ("phuong thi tran", "level:ward"),
        ("xa phuong", "level:ward"),
        ("phuong xa", "level:ward"),
        ("huyen thi xa thanh pho", "level:district"),
        ("thi xa thanh pho", "level:district"),
        ("thanh pho thi xa", "level:district"),
        ("nganh dia phuong", "all"),
        ("cac cap cac nganh", "all"),  # "các cấp, các ngành": every unit, whatever its level
        # "từ cấp huyện đến cấp xã", "từ tỉnh đến cơ sở": every level, every unit
        ("tu cap huyen den cap xa", "all"),
        ("tu cap huyen den co so", "all"),
        ("tu cap tinh den cap xa", "all"),
        ("tu cap tinh den co so", "all"),
        ("tu huyen den xa", "all"),
        ("tu huyen den co so", "all"),
        ("tu tinh den co so", "all"),
        ("tu tinh den xa", "all"),
        ("cap nganh", "all"),
        ("huyen thanh pho thi xa", "level:district"),
        ("huyen thi xa", "level:district"),
        ("huyen thanh pho", "level:district"),
        ("quan huyen", "level:district"),
        ("cac xa", "level:ward"),
        ("cac phuong", "level:ward"),
        ("cac huyen", "level:district"),
        ("cac dia phuong", "kind:commune"),  # "đề nghị các địa phương …": local governments
        ("cac nganh", "kind:office"),  # "đề nghị các ngành, các địa phương …": the offices
        # "các ngành liên quan": the offices, after a group ("UBND các xã, thị trấn, các ngành
        # có liên quan …"), but after a unit ("Sở Y tế, các ngành liên quan …") that unit,
        # with whichever offices concern it, not every office
        ("cac nganh lien quan", _RELATED),
        ("cac nganh co lien quan", _RELATED),
        ("cac nganh chuc nang", _RELATED),
        ("cac nganh thanh vien", _RELATED),
        ("chinh quyen co so", "kind:commune"),
        ("chinh quyen dia phuong", "kind:commune"),
        ("co quan don vi dia phuong", "all"),
        # "các cơ quan thuộc UBND huyện": its offices and service units, not the communes
        ("co quan thuoc uy ban nhan dan", "kind:office+kind:service"),
        ("co quan truc thuoc uy ban nhan dan", "kind:office+kind:service"),
        ("co quan don vi thuoc uy ban nhan dan", "kind:office+kind:service"),
        ("co quan don vi truc thuoc uy ban nhan dan", "kind:office+kind:service"),
        ("so ban nganh dia phuong", "all"),
        ("so nganh dia phuong", "all"),
        ("ban nganh dia phuong", "all"),
        ("don vi dia phuong", "all"),
        ("co quan don vi", "all"),
        ("cac bo phan", "all"),  # "yêu cầu các bộ phận …": every part of the issuer's body
        # the members of the committee whose portal it is: its units
        ("cac thanh vien ban chi dao", "all"),
        ("cac thanh vien ban to chuc", "all"),
        ("thanh vien ban chi dao", "all"),
        ("thanh vien ban to chuc", "all"),
        ("cac don vi", "all"),
        ("cac co quan", "all"),
        # "đề nghị Quý cơ quan …": the letter's recipients (see build._all_are_the_recipients)
        ("quy co quan", "all"),
        ("quy don vi", "all"),
        ("quy so", "all"),
        ("quy uy ban", "all"),
        ("quy phong", "all"),
        ("quy ban", "all"),
    ]
]
_GROUPS.sort(key=lambda group: -len(group[0]))  # the longest words first, whatever the rule
_KINDS = ("kind:office", "kind:service", "kind:commune")
# A local government's level, from its name: where a portal holds districts and communes
# alike as its local governments (a province before July 2025), "các huyện" are the districts
# and "các xã, phường" the communes; where it holds one level only, either is every one.
_LEVELS_OF = {"level:district": ("huyen", "quan", "thi xa", "thanh pho"),
              "level:ward": ("xa", "phuong", "thi tran", "dac khu")}


def _level(key: tuple[str, ...]) -> str | None:
    words, _ = _split_level(key)
    return next((level for level, each in _LEVELS_OF.items()
                 if words and " ".join(words) in each), None)


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
    acronym: bool = False


def _tokens(text: str) -> list[_Token]:
    """The words and separators of `text`, folded. Capitals joined by "&" or "-" with no space
    ("TN&MT", "LĐ-TB&XH", "KH&ĐT") are one word, as an acronym written whole ("TNMT") is."""
    sk = skeleton(text)
    tokens: list[_Token] = []
    for m in re.finditer(r"[^\W_]+|[,;()]", sk):
        word = text[m.start():m.end()]
        # plain capitals only: "XÃ-THỊ TRẤN", "Y-TẾ" are words, not an acronym's pieces
        acronym = len(word) <= 5 and bool(_PLAIN_CAPITALS.fullmatch(word))
        if (tokens and acronym and m.start() - tokens[-1].end == 1
                and text[tokens[-1].end] in "&-–" and tokens[-1].acronym
                and m.group(0) not in _ABBREVIATIONS
                and tokens[-1].word not in _ABBREVIATIONS):
            tokens[-1] = _Token(tokens[-1].word + m.group(0), tokens[-1].start, m.end(), True)
        else:
            tokens.append(_Token(m.group(0), m.start(), m.end(), acronym))
    return tokens


_PLAIN_CAPITALS = re.compile(r"[A-ZĐ]+")


def _acronym_like(token: _Token) -> bool:
    """An acronym, written in capitals or not: every Vietnamese syllable has a vowel."""
    return token.acronym or (token.word.isalpha() and not re.search(r"[aeiouy]", token.word))


# The words that say what a unit is, before its own name ("Sở" Tài nguyên và Môi trường,
# "Trung tâm" Phục vụ hành chính công): an acronym stands for the words after them.
_HEADS = [tuple(words.split()) for words in (
    "bo chi huy", "van phong", "trung tam", "chi cuc", "ban quan ly", "thanh tra", "so",
    "phong", "ban", "cuc", "bo", "cong an", "doi", "hat", "ban chi huy", "dai", "hoi")]
_HEADS.sort(key=len, reverse=True)
# The words that end a department's own name and begin its place ("Công an tỉnh Quảng Trị").
_LEVELS = {("tinh",), ("huyen",), ("thanh", "pho"), ("thi", "xa")}
_LEVEL_WORDS = [tuple(words.split()) for words in
                ("thanh pho", "thi xa", "thi tran", "dac khu", "tinh", "huyen", "quan", "xa",
                 "phuong")]


def _branch_key(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """("nganh", "y", "te") for ("so", "y", "te"): a department or an office of a district by
    the branch it heads, as letters write it ("ngành Y tế cần …"), without its place."""
    if key[:1] not in (("so",), ("phong",)) or len(key) < 2:
        return None
    rest = _without_place(key) or key
    return ("nganh", *rest[1:]) if len(rest) >= 2 else None


def _acronym_keys(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """("so", "tnmt") for ("so", "tai", "nguyen", "moi", "truong"): a head, the initials of
    the name's words after it, and the place words after them; for each head the name opens
    with ("bo", "chqs", "tinh" and "bo", "chi", "huy", "qs", "tinh")."""
    return [each for head in _HEADS if key[:len(head)] == head
            and (each := _acronym_key(key, head)) is not None]


def _place_start(rest: tuple[str, ...]) -> int:
    """Where the place's words start in a name's words after its head ("tinh …", "huyen …"),
    or their length when there are none."""
    return next((i for i in range(len(rest)) if rest[i:i + 1] in _LEVELS
                 or rest[i:i + 2] in _LEVELS), len(rest))


def _acronym_key(key: tuple[str, ...], head: tuple[str, ...]) -> tuple[str, ...] | None:
    rest = key[len(head):]
    end = _place_start(rest)
    if end < 2:
        return None
    return (*head, "".join(word[0] for word in rest[:end]), *rest[end:])


def _partial_acronym_keys(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """("ban", "qlda", "dau", "tu", "xay", "dung", "huyen") for "Ban Quản lý dự án đầu tư xây
    dựng huyện": the first words after the shortest head written as their initials, the rest
    in full, as letters write "Ban QLDA đầu tư xây dựng huyện"."""
    head = next((h for h in sorted(_HEADS, key=len) if key[:len(h)] == h), None)
    if head is None:
        return []
    rest = key[len(head):]
    return [(*head, "".join(word[0] for word in rest[:end]), *rest[end:])
            for end in range(2, _place_start(rest))]


# What divides a name into parts that letters shorten one by one: "và", "&", a comma, a dash.
_PART_SEPARATORS = {",", "&", "-", "–", "va"}


def _part_keys(name: str) -> list[tuple[str, ...]]:
    """The name with each of its parts (between "và", commas and dashes) in full or as its
    initials, as letters write "Sở NN và PTNT", "Sở Nông nghiệp và PTNT", "Sở LĐ-TB và XH",
    "Sở VH, TT và DL": ("so", "nn", "ptnt"), ("so", "nong", "nghiep", "ptnt"), ("so", "ldtb",
    "xh"), … Initials side by side may be one word ("LĐ-TB"); the place after the name stays
    (and, for "Phòng GD và ĐT" in a district's letter, may be left out)."""
    key = _key(name)
    head = next((h for h in _HEADS if key[:len(h)] == h), None)
    if head is None:
        return []
    rest = key[len(head):]
    end = _place_start(rest)
    place = rest[end:]
    parts: list[list[str]] = [[]]
    seen = 0  # the words of the name read so far, head included
    for piece in re.findall(r"[^\W_]+|[,&]|(?<=\s)[-–](?=\s)", skeleton(name)):
        if piece in _PART_SEPARATORS:
            if seen > len(head) and parts[-1]:
                parts.append([])
            continue
        for word in _ABBREVIATIONS.get(piece, (piece,)):
            seen += 1
            if len(head) < seen <= len(head) + end:
                parts[-1].append(word)
    parts = [part for part in parts if part]
    if not 2 <= len(parts) <= 3 or sum(map(len, parts)) != end:
        return []
    keys: list[tuple[str, ...]] = []
    for short in itertools.product((False, True), repeat=len(parts)):
        if not any(short[i] and len(parts[i]) >= 2 for i in range(len(parts))):
            continue
        pieces = [("".join(word[0] for word in part),) if cut else tuple(part)
                  for part, cut in zip(parts, short, strict=True)]
        # initials side by side: each pair apart or glued ("LĐ-TB" is one word)
        joints = [i for i in range(1, len(parts)) if short[i - 1] and short[i]]
        for glue in itertools.product((False, True), repeat=len(joints)):
            words = list(pieces[0])
            for i in range(1, len(parts)):
                if i in joints and glue[joints.index(i)]:
                    words[-1] += pieces[i][0]
                else:
                    words += pieces[i]
            keys.append((*head, *words, *place))
            if place:
                keys.append((*head, *words))
    return keys


def _initials_key(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """("ttpvhcc",) for ("trung", "tam", "phuc", "vu", "hanh", "chinh", "cong", …): a unit
    written as the initials of its whole name, up to its place."""
    head = next((h for h in _HEADS if key[:len(h)] == h), None)
    acronym = _acronym_key(key, head) if head else None
    if acronym is None:
        return None
    initials = "".join(word[0] for word in head) + acronym[len(head)]
    return (initials,) if len(initials) >= 4 and len(head) > 1 else None


def _without_place(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """("cong", "an", "tinh") for ("cong", "an", "tinh", "quang", "tri"): a unit known without
    its place's name."""
    for i in range(2, len(key) - 1):
        if key[i] in ("tinh", "huyen"):
            return key[:i + 1]
    return None


# The level words of a district's or a commune's name, where an office of each begins its
# place ("Trung tâm Y tế huyện Diễn Châu", "Trạm Y tế xã Tân Phú").
_LOCAL_LEVELS = [tuple(words.split()) for words in
                 ("thanh pho", "thi xa", "thi tran", "huyen", "quan", "xa", "phuong")]


def _local_place(key: tuple[str, ...]) -> int | None:
    """Where the place begins in the name of an office each district or commune has: at its
    last level word with a place after it ("… Xã hội huyện Diễn Châu": at "huyện")."""
    for i in range(len(key) - 2, 1, -1):
        for level in _LOCAL_LEVELS:
            if key[i:i + len(level)] == level and i + len(level) < len(key):
                # "thị xã", "thành phố": the level's first word
                return i - 1 if key[i - 1:i + 1] in _LOCAL_LEVELS else i
    return None


def _name_upto(name: str, size: int) -> str:
    """The first words of `name` whose key is `size` words long."""
    count = 0
    for token in _tokens(name):
        if token.word in ",;()" or token.word in _SEPARATOR_WORDS:
            continue
        count += len(_ABBREVIATIONS.get(token.word, (token.word,)))
        if count >= size:
            return name[:token.end]
    return name


_FRONT = ("mat", "tran", "to", "quoc")
# The words of the mass bodies as a group, longest first.
_MASS_GROUPS = [tuple(words.split()) for words in (
    "doan the chinh tri xa hoi", "to chuc chinh tri xa hoi", "hoi doan the", "doan the")]


def _is_mass_body(key: tuple[str, ...]) -> bool:
    """The Fatherland Front's committee, an association, the youth union or a trade union."""
    front = any(key[i:i + 4] == _FRONT for i in range(len(key)))
    return front or (key[:1] == ("hoi",) and key[1:2] != ("dong",)) or key[:1] == ("doan",) \
        or key[:2] in (("tinh", "doan"), ("huyen", "doan"), ("thanh", "doan"),
                       ("lien", "doan"), ("cong", "doan"))


def _front_keys(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """("mat", "tran", "to", "quoc", "tinh") and the like for "Ủy ban MTTQ Việt Nam tỉnh": the
    Front's committee as letters shorten it ("MTTQ tỉnh", "Mặt trận Tổ quốc Việt Nam tỉnh")."""
    if key[:6] != ("uy", "ban", *_FRONT):
        return []
    rest = key[6:]
    plain = rest[2:] if rest[:2] == ("viet", "nam") else rest
    return [(*_FRONT, *rest), (*_FRONT, *plain), ("uy", "ban", *_FRONT, *plain),
            # without its place, where the portal holds one Front
            _FRONT, (*_FRONT, "viet", "nam"), ("uy", "ban", *_FRONT),
            ("uy", "ban", *_FRONT, "viet", "nam")]


_COUNCIL_AND_COMMITTEE = ("hoi", "dong", "nhan", "dan", "uy", "ban", "nhan", "dan")


def _without_council(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """("van", "phong", "uy", "ban", "nhan", "dan", "xa") for "Văn phòng HĐND và UBND xã": the
    office of both known by the committee alone, as letters write "Văn phòng UBND xã"."""
    for i in range(len(key) - len(_COUNCIL_AND_COMMITTEE) + 1):
        if key[i:i + len(_COUNCIL_AND_COMMITTEE)] == _COUNCIL_AND_COMMITTEE:
            return key[:i] + key[i + 4:]
    return None


# Words after a shortened name that show the name has ended: what the unit is or does.
_AFTER_NAME = {"co", "can", "phai", "da", "se", "dang", "khan", "tiep", "chu", "thuong",
               "nghiem", "tich", "kip", "duoc", "la", "tai", "theo", "ve", "thuoc", "truc",
               "tren"}


# What may follow "cán bộ, công chức": their commune ("xã", "UBND phường"), "chuyên môn".
_CIVIL_SERVANTS_OF = sorted((tuple(words.split()) for words in (
    "chuyen mon", "xa", "phuong", "thi tran", "dac khu", "uy ban nhan dan xa",
    "uy ban nhan dan phuong", "uy ban nhan dan thi tran", "cap xa", "chuyen mon xa",
    "chuyen mon phuong", "chuyen mon thuoc uy ban nhan dan xa")), key=len, reverse=True)


def _name_ends(tokens: list[_Token], index: int) -> bool:
    """Whether the letter's words stop before tokens[index], after a name's first words: the
    end, a separator, an acronym ("Sở Lao động TBXH") or what the unit does ("Tổ công tác có
    nhiệm vụ …")."""
    if index >= len(tokens):
        return True
    after = tokens[index]
    return (after.word in ",;()" or after.word in _SEPARATOR_WORDS or _acronym_like(after)
            or after.word in _AFTER_NAME
            or bool(_VERB_RE.match(" ".join(t.word for t in tokens[index:index + 4]))))


def _by_first(items: list[tuple[tuple[str, ...], str]]
              ) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Keys by their first word, each list in the order given (the longest first)."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, value in items:
        out.setdefault(key[0], []).append((key, value))
    return out


def _split_level(key: tuple[str, ...]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """(level words, place) of a local government's name: (("xa",), ("tan", "phu")) for
    ("uy", "ban", "nhan", "dan", "xa", "tan", "phu"); (None, key) when it opens with none."""
    if key[:4] == ("uy", "ban", "nhan", "dan"):
        key = key[4:]
    level = next((lw for lw in _LEVEL_WORDS if key[:len(lw)] == lw), None)
    return (level, key[len(level):]) if level else (None, key)


# "các Sở: Nội vụ, Tài chính", "Giám đốc các sở Y tế, Tài chính và Nội vụ": one head for the
# names after it.
_PLURAL_HEAD = re.compile(r"\bcac (so|phong|trung tam|chi cuc)\b\s*:?\s*(?=\w)")


_COUNTED = re.compile(r"\b((?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|các)\s+|^)[0-9]{1,4}\s+"
                     r"(?=(?:xã|phường|thị trấn|huyện|quận)\b)", re.I)


def _distribute(text: str) -> str:
    """The text with the plural head given to each name of its list, up to the list's end
    ("các Sở: Nội vụ, Tài chính và Y tế" → "Sở Nội vụ, Sở Tài chính, Sở Y tế")."""
    folded = skeleton(text)
    head = _PLURAL_HEAD.search(folded)
    if head is None:
        return text
    end = next((i for i in range(head.end(), len(text)) if text[i] in ";.()"), len(text))
    items = [item for item in re.split(r"\s*,\s*|\s+(?:và|cùng)\s+", text[head.end():end])
             if item.strip()]
    word = text[head.start(1):head.end(1)]
    word = word[:1].upper() + word[1:]
    return text[:head.start()] + ", ".join(f"{word} {item.strip()}" for item in items) \
        + text[end:]


def _key(name: str) -> tuple[str, ...]:
    words: list[str] = []
    for token in _tokens(name):
        if token.word in ",;()" or token.word in _SEPARATOR_WORDS:
            continue
        words += _ABBREVIATIONS.get(token.word, (token.word,))
    return tuple(words)


class UnitIndex:
    """The keys each unit is known by: its name (HĐND/UBND expanded, "và" and dashes ignored),
    its short name (for an office after "phòng"), and, where they name that unit alone, its
    acronym after its head ("Sở TN&MT") or whole ("TTPVHCC"), its name without its place
    ("Công an tỉnh"), its first words when the letter's words stop there ("Tổ công tác có
    nhiệm vụ …"), a commune's place after its level ("các xã Tân Phú, An Bình"), and a head
    several units share after "các" ("các Tổ"). Group words that name a level ("các huyện",
    "các xã, phường") are that level's units where the portal holds two levels, and every unit
    in a commune's own portal; "các chủ đầu tư" are its project management boards."""

    def __init__(self, units: list[UnitRef]):
        keys: dict[tuple[str, ...], str] = {}
        # Other ways letters write a unit's name (its acronym, without its place), kept only
        # where they name one unit.
        aliases: dict[tuple[str, ...], set[str]] = {}
        prefixes: dict[tuple[str, ...], set[str]] = {}
        places: dict[tuple[str, ...], set[tuple[tuple[str, ...], str]]] = {}
        heads: dict[tuple[str, ...], set[str]] = {}
        owns: dict[tuple[str, ...], set[str]] = {}
        full_keys = []  # each unit's name as its words, in the units' order
        for unit in units:
            kind = getattr(unit.kind, "value", unit.kind)
            full = _key(unit.name)
            full_keys.append(full)
            candidates = [full]
            if unit.short_name and kind == "office":
                short = _key(unit.short_name)
                candidates.append(short if short[:1] in (("phong",), ("van",)) or any(
                    short[:len(head)] == head for head in _HEADS) else ("phong", *short))
            elif unit.short_name and kind == "service":
                candidates.append(_key(unit.short_name))
            for key in candidates:
                if len(key) >= 2:
                    keys.setdefault(key, unit.name)
            branch = _branch_key(full) if kind == "office" else None
            level, place = _split_level(full)
            # "UBND phường" in a letter of the ward itself: the one commune of that level
            own = full[:len(full) - len(place)] \
                if kind == "commune" and level and place and full[:4] == ("uy", "ban", "nhan",
                                                                          "dan") else None
            partial = [*_partial_acronym_keys(full), *_part_keys(unit.name)] \
                if kind != "commune" else []
            if own:
                owns.setdefault(own, set()).add(unit.name)
            for alias in (*_acronym_keys(full), *partial, _initials_key(full),
                          _without_place(full) if kind != "commune" else None, branch,
                          _without_council(full), *_front_keys(full)):
                if alias:
                    aliases.setdefault(alias, set()).add(unit.name)
            if branch:  # "ngành Giáo dục" for "Phòng Giáo dục và Đào tạo"
                for size in range(3, len(branch)):
                    prefixes.setdefault(branch[:size], set()).add(unit.name)
            if kind == "commune" and level and place:
                places.setdefault(place, set()).add((level, unit.name))
            elif kind != "commune":
                # the first words of a long name, as letters shorten it ("Tổ công tác" for
                # "Tổ công tác liên ngành", "Sở Lao động TBXH"): three words at least
                for size in range(3, len(full)):
                    prefixes.setdefault(full[:size], set()).add(unit.name)
            head = next((h for h in _HEADS if full[:len(h)] == h), full[:1])
            if head:
                heads.setdefault(head, set()).add(unit.name)
        for alias, names in aliases.items():
            if len(names) == 1 and alias not in keys:
                keys[alias] = next(iter(names))
        self.keys = sorted(keys.items(), key=lambda item: -len(item[0]))
        self.by_first = _by_first(self.keys)
        self.rank = {key: position for position, (key, _) in enumerate(self.keys)}
        # A name's first words count only where no full name or alias is the same words,
        # one unit's name opens with them, and the letter's words stop there (_free_after).
        self.prefixes = _by_first(sorted(
            ((prefix, next(iter(names))) for prefix, names in prefixes.items()
             if len(names) == 1 and prefix not in keys), key=lambda item: -len(item[0])))
        # A commune by its place's name alone, in a list after its level ("các xã Tân Phú,
        # Tân Hòa"); a name two communes of one level share is left out, and two of different
        # levels are told apart by it ("thành phố Thủ Đức", "quận Thủ Đức").
        self.places = _by_first(sorted(
            ((place, item) for place, each in places.items()
             if len({level for level, _ in each}) == len(each) for item in sorted(each)),
            key=lambda item: -len(item[0])))
        # "các Tổ", "các Trung tâm": every unit whose name opens with that head, when
        # several do and the letter's words stop there.
        self.heads = {head: names for head, names in heads.items() if len(names) >= 2}
        # in a list after a group ("các phòng, ban, Trung tâm"), the one unit with that head
        self.listed_heads = dict(heads)
        # "UBND phường" without its place where the portal holds one ward: read after the
        # groups, so that "UBND phường, xã …" stays every commune
        self.owns = [(key, next(iter(names))) for key, names in owns.items()
                     if len(names) == 1 and key not in keys]
        # "Chủ tịch UBND quận ban hành …" in a letter to several of them: each one of that
        # level, where the portal holds two at least ("UBND tỉnh", "UBND thành phố" name the
        # issuer, never its units)
        self.mentioned: dict[tuple[str, ...], list[str]] = {}  # see `read_letter`
        self.generic = sorted(
            ((key, sorted(names)) for key, names in owns.items()
             if len(names) >= 2 and key not in keys and key[4:] in _GENERIC_LEVEL),
            key=lambda item: -len(item[0]))
        # the names as a letter's words write them, with a name's first words (three at least)
        # where one unit's name opens with them: blanked before looking for an order's verb
        patterns = [r"\W+(?:va\W+)?".join(map(re.escape, key)) for key, _ in (
            *self.keys, *(item for items in self.prefixes.values() for item in items))]
        self.names = re.compile(r"\b(?:" + "|".join(sorted(patterns, key=len, reverse=True))
                                + r")\b") if patterns else None
        self.kinds = {unit.name: getattr(unit.kind, "value", unit.kind) for unit in units}
        # each unit's name as its words, read once
        self.name_keys = dict(zip((unit.name for unit in units), full_keys, strict=True))
        self.levels = {unit.name: _level(self.name_keys[unit.name]) for unit in units
                       if getattr(unit.kind, "value", unit.kind) == "commune"}
        self.ids = {unit.name: unit.id for unit in units}
        self.level_words = {unit.name: _split_level(self.name_keys[unit.name])[0]
                            for unit in units
                            if getattr(unit.kind, "value", unit.kind) == "commune"}
        # A commune's or a ward's own portal: no local government among its units, whose
        # names end with its level ("Văn phòng HĐND và UBND phường", "Trung tâm Phục vụ hành
        # chính công xã"). There "UBND phường", "phường" alone and "các xã, phường" are the
        # commune itself: every unit.
        own = {level for full in full_keys for level in _WARD_LEVEL
               if full[-len(level):] == level}
        self.own_level = sorted(own, key=len, reverse=True) \
            if own and not self.level_words else []
        # An office or a centre each district (or commune) has, by its name without the place,
        # in any form the index knows ("Phòng Giáo dục và Đào tạo", "Phòng GD&ĐT", "Trung tâm
        # Y tế"), where two units at least share it: "các Trung tâm Y tế", "Phòng GD&ĐT các
        # huyện, thành phố" are each of them (see `_consume_stems`).
        stems: dict[tuple[str, ...], set[str]] = {}
        self.local_places: dict[str, tuple[str, ...]] = {}  # each such unit's place's words
        self.place_names: dict[str, tuple[str, ...]] = {}  # the same without the level word
        for unit, full in zip(units, full_keys, strict=True):
            at = _local_place(full) if self.kinds[unit.name] != "commune" else None
            if at is None:
                continue
            stem = full[:at]
            self.local_places[unit.name] = full[at:]
            level = next(each for each in _LOCAL_LEVELS if full[at:at + len(each)] == each)
            # its place's name alone after the office ("Phòng GD&ĐT Diễn Châu")
            self.place_names[unit.name] = full[at + len(level):]
            for key in {stem, *_acronym_keys(stem), _initials_key(stem),
                        *_part_keys(_name_upto(unit.name, at))}:
                if key and len(key) >= 2:
                    stems.setdefault(key, set()).add(unit.name)
        self.stems = sorted(((key, sorted(names, key=lambda name: -len(
            self.local_places[name]))) for key, names in stems.items() if len(names) >= 2),
            key=lambda item: -len(item[0]))
        # the owners of public investment projects ("các chủ đầu tư"): its project boards
        self.project_boards = sorted(
            unit.name for unit, full in zip(units, full_keys, strict=True)
            if full[:5] == ("ban", "quan", "ly", "du", "an"))
        # the Front and the mass organisations ("các đoàn thể", "các tổ chức chính trị - xã
        # hội"): the Fatherland Front, the associations, the youth union, the trade unions
        # a commune's civil servants, each a unit ("Công chức Tư pháp - Hộ tịch"): "cán bộ,
        # công chức xã", "các công chức chuyên môn" are those units
        self.civil_servants = sorted(
            unit.name for unit, full in zip(units, full_keys, strict=True)
            if full[:2] == ("cong", "chuc"))
        self.mass_bodies = sorted(
            unit.name for unit, full in zip(units, full_keys, strict=True)
            if _is_mass_body(full))

    def read_letter(self, text: str) -> None:
        """The units of a level the letter names in full anywhere (its recipients included):
        "UBND quận" with no place then means those, not every one of that level."""
        folded = skeleton(text)
        self.mentioned = {}
        for key, names in self.generic:
            by_words = {self.name_keys[name][4:]: name for name in names}  # ("quan", "hai", …)
            pattern = re.compile(r"\b(?:" + "|".join(
                r"\W+".join(map(re.escape, words))
                for words in sorted(by_words, key=len, reverse=True)) + r")\b")
            found = {tuple(re.findall(r"\w+", m.group(0))) for m in pattern.finditer(folded)}
            named = [by_words[words] for words in by_words if words in found]
            if named:
                self.mentioned[key] = named

    def match(self, text: str) -> AudienceMatch:
        # "UBND 7 phường", "273 phường, xã": every one of that level, as "các phường"
        text = _COUNTED.sub(r"\1các ", text)
        found = self._match(text)
        if found.unmatched and _PLURAL_HEAD.search(skeleton(text)):
            # "các Sở: Nội vụ, Tài chính và Y tế": each name after the head its own unit
            spread = self._match(_distribute(text))
            if len(spread.unmatched) < len(found.unmatched) and \
                    len(spread.matched) > len(found.matched):
                return spread
        return found

    def _match(self, text: str) -> AudienceMatch:
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
        owner: list[str | None] = [None] * len(stream)  # the rule each word went to
        rules: list[str] = []
        where: dict[str, list[int]] = {}
        for position, word in enumerate(words):
            where.setdefault(word, []).append(position)

        def take(start: int, end: int, rule: str) -> None:
            for k in range(start, end):
                used[k] = True
                owner[k] = rule
            for each in rule.split("+"):  # a group of two kinds names both
                if each not in rules:
                    rules.append(each)

        def consume(key: tuple[str, ...], rule: str) -> None:
            size = len(key)
            free_from = 0
            for position in where.get(key[0], ()):
                if position >= free_from and tuple(words[position:position + size]) == key \
                        and not any(used[position:position + size]):
                    take(position, position + size, rule)
                    free_from = position + size

        def free_after(end: int) -> bool:
            return end >= len(stream) or _name_ends(tokens, stream[end - 1][1] + 1)

        # the keys whose first word is here, longest first as in self.keys
        present = sorted((item for word in where for item in self.by_first.get(word, ())),
                         key=lambda item: self.rank[item[0]])
        self._consume_stems(words, used, take)
        for key, name in present:
            consume(key, f"unit:{name}")
        for position in range(len(words)):
            for key, name in self.prefixes.get(words[position], ()):
                end = position + len(key)
                if tuple(words[position:end]) == key and not any(used[position:end]) \
                        and free_after(end):
                    take(position, end, f"unit:{name}")
                    break
        self._consume_places(words, used, owner, take)
        # "các chủ đầu tư", "các đơn vị chủ đầu tư": the project management boards
        for position in where.get("chu", ()):
            end = position + 3
            if tuple(words[position:end]) == ("chu", "dau", "tu") and self.project_boards \
                    and not any(used[position:end]):
                start = position
                for lead in (("cac", "don", "vi"), ("don", "vi"), ("cac",)):
                    if tuple(words[max(0, position - len(lead)):position]) == lead:
                        start = position - len(lead)
                        break
                for name in self.project_boards:
                    take(start, end, f"unit:{name}")
        # "Ủy ban MTTQ và các đoàn thể", "các tổ chức chính trị - xã hội": the mass bodies
        for key in _MASS_GROUPS:
            for position in where.get(key[0], ()):
                end = position + len(key)
                if tuple(words[position:end]) == key and self.mass_bodies \
                        and not any(used[position:end]):
                    start = position - 1 if position and words[position - 1] == "cac" \
                        and not used[position - 1] else position
                    for name in self.mass_bodies:
                        take(start, end, f"unit:{name}")
        for position in where.get("cong", ()) if len(self.civil_servants) >= 2 else ():
            end = position + 2
            if words[position:end] != ["cong", "chuc"] or any(used[position:end]):
                continue
            start = position - 2 if words[max(0, position - 2):position] == ["can", "bo"] \
                else position
            start -= 1 if start and words[start - 1] == "cac" and not used[start - 1] else 0
            for tail in _CIVIL_SERVANTS_OF:
                if tuple(words[end:end + len(tail)]) == tail:
                    end += len(tail)
                    break
            # (not persons in a list: "vi phạm là cán bộ, công chức, người lao động")
            persons = words[start - 1:start] in (["la"], ["vien"]) or \
                words[end:end + 2] in (["nguoi", "lao"], ["dang", "vien"])
            if free_after(end) and not persons:
                for name in self.civil_servants:
                    take(start, end, f"unit:{name}")
        for key, rule in _GROUPS:
            if key[0] in where:
                consume(key, rule)
        for key, name in self.owns:
            # (not "UBND thị xã Hoàng Mai", a place the portal does not hold)
            for position in where.get(key[0], ()):
                end = position + len(key)
                if tuple(words[position:end]) == key and not any(used[position:end]) \
                        and free_after(end):
                    take(position, end, f"unit:{name}")
        for key, names in self.generic:
            for position in where.get(key[0], ()):
                end = position + len(key)
                if tuple(words[position:end]) == key and not any(used[position:end]) \
                        and free_after(end):
                    named_here = self.mentioned.get(key)
                    if named_here:  # "UBND quận" in a letter about UBND quận Hải Châu
                        for name in named_here:
                            take(position, end, f"unit:{name}")
                    elif key[4:] in _WARD_LEVEL:  # "Chủ tịch UBND xã": each commune, ward
                        take(position, end, "level:ward")
                    else:
                        for name in names:
                            take(position, end, f"unit:{name}")
        for level in self.own_level:  # "UBND phường cần …" in the ward's own portal
            for key in (("uy", "ban", "nhan", "dan", *level), level):
                for position in where.get(key[0], ()):
                    end = position + len(key)
                    # the level word alone opens the words or follows an order's word; after
                    # a name ("Công an phường") it is that body's place, not the ward
                    alone = len(key) > len(level) or position == 0 \
                        or words[position - 1] in ("nghi", "cau", "giao", "cac")
                    if tuple(words[position:end]) == key and not any(used[position:end]) \
                            and free_after(end) and alone:
                        take(position, end, "all")
        # "các Tổ"; and a head in a list after a group that "các" opened ("các phòng, ban,
        # ngành, trung tâm thuộc huyện")
        def after_a_group(position: int) -> bool:
            before = position - 1
            while before >= 0 and not used[before] and words[before] in FILLER:
                before -= 1  # "các phòng, ban, ngành, trung tâm": "ngành" is no unit's word
            return before >= 0 and (owner[before] or "").startswith("kind:")

        after_group = [position for position in range(1, len(words))
                       if not used[position] and after_a_group(position)]
        listed = set(after_group)
        for position in (*where.get("cac", ()), *after_group):
            start = position + 1 if words[position] == "cac" else position
            for head, names in (self.listed_heads if position in listed
                                else self.heads).items():
                end = start + len(head)
                if tuple(words[start:end]) != head or any(used[position:end]):
                    continue
                # "các trường THCS": those of the heads' units whose names go on that way
                if head == ("truong",) and words[end:end + 1] == ["hoc"] \
                        and free_after(end + 1):
                    end += 1  # "các trường học": every school
                # (by as many of their words as the letter gives: "các trường trung học
                # phổ thông", not every "trường trung học")
                for size in range(4, 0, -1):
                    kind = [name for name in names if len(words[end:end + size]) == size
                            and self.name_keys[name][len(head):len(head) + size]
                            == tuple(words[end:end + size])]
                    if kind and free_after(end + size):
                        names, end = kind, end + size
                        break
                if free_after(end):
                    for name in sorted(names):
                        take(position, end, f"unit:{name}")
                    break

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
        if _RELATED in rules:
            rules = [rule for rule in rules if rule != _RELATED]
            if not any(rule.startswith("unit:") for rule in rules) \
                    and "kind:office" not in rules:
                rules.append("kind:office")
        grouped = any(rule in _LEVELS_OF for rule in rules)
        rules = self._resolve_levels(rules)
        return AudienceMatch(self._rule(rules, unmatched, grouped), rules, unmatched)

    def _resolve_levels(self, rules: list[str]) -> list[str]:
        """"level:district"/"level:ward" as every local government when the portal holds
        one level only (or the words name both), else as the units of that level."""
        levels = [rule for rule in rules if rule in _LEVELS_OF]
        if not levels:
            return rules
        held = {level for level in self.levels.values() if level}
        out = [rule for rule in rules if rule not in _LEVELS_OF]
        if self.own_level and "level:ward" in levels:  # "các xã, phường": the commune itself
            return [*out, "all"]
        if len(held) < 2 or set(levels) >= held:
            return [*out, "kind:commune"] if "kind:commune" not in out else out
        for level in levels:
            out += [f"unit:{name}" for name, each in self.levels.items()
                    if each == level and f"unit:{name}" not in out]
        return out

    def _consume_stems(self, words: list[str], used: list[bool],
                       take: Callable[[int, int, str], None]) -> None:
        """An office each district has, by its name without the place, after "các" or before
        the levels' words ("các Phòng GD&ĐT", "Trung tâm Y tế các huyện, thành phố, thị xã",
        "các Trạm Y tế xã, phường"): each unit of that name."""
        for stem, names in self.stems:
            for position, word in enumerate(words):
                end = position + len(stem)
                if word != stem[0] or tuple(words[position:end]) != stem \
                        or any(used[position:end]):
                    continue
                # "Phòng GD&ĐT huyện A, thành phố B": the same office of each place named
                at, first = end, position
                while True:
                    hit = next(((name, len(place)) for name in names
                                for place in (self.local_places[name], self.place_names[name])
                                if tuple(words[at:at + len(place)]) == place
                                and not any(used[at:at + len(place)])), None)
                    if hit is None:
                        break
                    take(first, at + hit[1], f"unit:{hit[0]}")
                    at = first = at + hit[1]
                if at > end:
                    continue
                start = position - 1 if position and words[position - 1] == "cac" \
                    and not used[position - 1] else position
                after = end + (words[end:end + 1] == ["cac"])
                level = next((len(key) for key, rule in _GROUPS if rule.startswith("level:")
                              and tuple(words[after:after + len(key)]) == key), 0)
                if not level and after > end:  # "… các quận", "… các thị xã"
                    level = next((len(each) for each in _LOCAL_LEVELS
                                  if tuple(words[after:after + len(each)]) == each), 0)
                if not level and (start == position or any(
                        tuple(words[end:end + len(each)]) == each for each in _LOCAL_LEVELS)):
                    continue  # no "các", or one place's ("các Trung tâm Y tế huyện A, B")
                stop = after + level if level else end
                if any(used[start:stop]):
                    continue
                for name in names:
                    take(start, stop, f"unit:{name}")

    def opens_with_unit(self, text: str) -> bool:
        """Whether `text` opens (after "giao", "đề nghị" or "yêu cầu") with a unit's name in
        any form this index knows ("Đề nghị Bộ CHQS tỉnh …", "Sở TN&MT …")."""
        words: list[str] = []
        token_of: list[int] = []  # the token each word comes from
        tokens = _tokens(text[:160])
        for index, token in enumerate(tokens):
            if token.word in ";()":
                break
            if token.word == "," or (words and token.word in _SEPARATOR_WORDS):
                # a name may hold them: "Báo và Phát thanh, Truyền hình Tuyên Quang" (its
                # key, like every key, is without "và")
                continue
            for word in _ABBREVIATIONS.get(token.word, (token.word,)):
                words.append(word)
                token_of.append(index)
        for lead in (("giao",), ("de", "nghi"), ("yeu", "cau")):
            if tuple(words[:len(lead)]) == lead:
                words, token_of = words[len(lead):], token_of[len(lead):]
                break
        if not words:
            return False
        if any(tuple(words[:len(key)]) == key for key, _ in self.by_first.get(words[0], ())):
            return True
        # a local government by its level and place: "TP Thủ Đức", "huyện Hòa Vang"
        level = next((lw for lw in _LEVEL_WORDS if tuple(words[:len(lw)]) == lw), None)
        if level is not None and len(words) > len(level) and any(
                tuple(words[len(level):len(level) + len(place)]) == place and each == level
                for place, (each, _) in self.places.get(words[len(level)], ())):
            return True
        return any(tuple(words[:len(key)]) == key
                   and _name_ends(tokens, token_of[len(key) - 1] + 1)
                   for key, _ in self.prefixes.get(words[0], ()))

    def _consume_places(self, words: list[str], used: list[bool], owner: list[str | None],
                        take: Callable[[int, int, str], None]) -> None:
        """Communes named by their place after their level, one after another ("UBND các xã
        Tân Phú, Tân Hòa", "phường Hòa Bình và xã Tân Phú"): those units when their own level
        is the one named ("các xã thuộc huyện An Bình" is no commune An Bình), and the level
        words before them are not a group."""
        position = 0
        levels: set[tuple[str, ...]] = set()  # the level words of the list going on
        while position < len(words):
            if used[position]:
                # a commune named in full keeps the list going ("các xã Tân Quy Tây, Tân Phú")
                if not (owner[position] or "").startswith("unit:") or \
                        self.kinds.get(owner[position][5:]) != "commune":
                    levels = set()
                elif self.level_words.get(owner[position][5:]):
                    # "UBND phường 11, 12": the next place is of the same level
                    levels.add(self.level_words[owner[position][5:]])
                position += 1
                continue
            level = next((lw for lw in _LEVEL_WORDS
                          if tuple(words[position:position + len(lw)]) == lw), None)
            if level is not None:
                levels.add(level)
                position += len(level)
                continue
            found = next(((place, level_name) for place, level_name in
                          self.places.get(words[position], ())
                          if tuple(words[position:position + len(place)]) == place
                          and not any(used[position:position + len(place)])
                          and level_name[0] in levels), None)
            if found is None:
                if words[position] != "cac":
                    levels = set()
                position += 1
                continue
            place, (_, name) = found
            end = position + len(place)
            # the level word just before the place, and "UBND (các)" before it, belong to
            # this unit ("UBND các huyện, thành phố Cà Mau": "các huyện" stays the group)
            back = position
            level = next((lw for lw in _LEVEL_WORDS if back >= len(lw)
                          and tuple(words[back - len(lw):back]) == lw), None)
            if level is not None and not any(used[back - len(level):back]):
                back -= len(level)
                if back >= 1 and words[back - 1] == "cac" and not used[back - 1]:
                    back -= 1
                if back >= 4 and tuple(words[back - 4:back]) == ("uy", "ban", "nhan", "dan") \
                        and not any(used[back - 4:back]):
                    back -= 4
            take(back, end, f"unit:{name}")
            position = end

    def rule_for(self, names: list[str]) -> str | None:
        """The rule that reaches exactly the units `names`."""
        return self._rule([f"unit:{name}" for name in names], [])

    def _rule(self, rules: list[str], unmatched: list[str], grouped: bool = False
              ) -> str | None:
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
        if not kinds and len(units) == 1:
            return f"unit:{units[0]}"
        # Several units, or a group with units of another kind: the units themselves.
        names = set(units) | {name for name, kind in self.kinds.items()
                              if f"kind:{kind}" in kinds}
        if grouped:  # a level's group that is every local government: the kind
            every = {name for name, each in self.kinds.items() if each == "commune"}
            if every and names == every:
                return "kind:commune"
        ids = sorted(self.ids[name] for name in names)
        return "units:" + ",".join(map(str, ids)) if ids else None
