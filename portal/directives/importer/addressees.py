"""The third stage: whom a heading names, among the portal's units. `UnitIndex` knows each unit
(`UnitRef`) by its name and, for an office or a service, its short name, with HĐND/UBND expanded;
`UnitIndex.match` reads a heading's unit names and group words ("các xã, phường", "đơn vị được
kiểm tra", "các sở, ban, ngành", "UBND các huyện, thị xã, thành phố", "UBND cấp xã") into one
audience rule (several units, or a group with a unit of another kind, as `units:<id>,…`), and
returns what matched nothing as `unmatched`, so that an addressee the portal does not know is
shown to the editor instead of dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .text import skeleton


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
    r"(?:(?:tat ca|toan the|toan bo)\s+)?(?:"
    r"thu truong|pho truong|truong|chanh|giam doc|pho giam doc|chu tich|pho chu tich|"
    r"uy ban|ubnd|hdnd|hoi dong|phong|van phong|so|ban|cac|co quan|don vi|trung tam|"
    r"thanh tra|cong an|chi cuc|cuc|xa|phuong|thi tran|lanh dao|bi thu|mat tran|"
    r"ban chi huy|cong chuc|vien chuc|doan|hoi|liên doan|lien doan|bo phan)\b"
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
    "tinh", "huyen", "lien", "dia", "nay", "mot", "khac", "tuong", "ung",
}
_ABBREVIATIONS = {
    "ubnd": ("uy", "ban", "nhan", "dan"),
    "hdnd": ("hoi", "dong", "nhan", "dan"),
    "tp": ("thanh", "pho"),
    "vp": ("van", "phong"),
    "qlnn": ("quan", "ly", "nha", "nuoc"),
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
        ("co quan quan ly nha nuoc", "kind:office"),
        ("co quan hanh chinh", "kind:office"),
        ("phong chuyen mon", "kind:office"),
        ("ban chuyen mon", "kind:office"),
        ("cac phong ban", "kind:office"),
        ("ban nganh", "kind:office"),
        ("cap xa", "kind:commune"),
        ("cap huyen", "kind:commune"),
        ("co quan chuyen mon thuoc uy ban nhan dan", "kind:office"),
        ("so ban nganh", "kind:office"),
        ("so nganh", "kind:office"),
        ("xa phuong thi tran", "kind:commune"),
        ("xa phuong dac khu", "kind:commune"),
        ("phuong xa thi tran", "kind:commune"),
        ("xa thi tran", "kind:commune"),
        ("phuong thi tran", "kind:commune"),
        ("xa phuong", "kind:commune"),
        ("phuong xa", "kind:commune"),
        ("huyen thi xa thanh pho", "kind:commune"),
        ("huyen thanh pho thi xa", "kind:commune"),
        ("huyen thi xa", "kind:commune"),
        ("huyen thanh pho", "kind:commune"),
        ("quan huyen", "kind:commune"),
        ("cac xa", "kind:commune"),
        ("cac phuong", "kind:commune"),
        ("cac huyen", "kind:commune"),
        ("cac dia phuong", "kind:commune"),  # "đề nghị các địa phương …": local governments
        ("co quan don vi dia phuong", "all"),
        ("so ban nganh dia phuong", "all"),
        ("so nganh dia phuong", "all"),
        ("ban nganh dia phuong", "all"),
        ("don vi dia phuong", "all"),
        ("co quan don vi", "all"),
        ("cac don vi", "all"),
        ("cac co quan", "all"),
    ]
]
_GROUPS.sort(key=lambda group: -len(group[0]))  # the longest words first, whatever the rule
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
        self.ids = {unit.name: unit.id for unit in units}

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
        if not kinds and len(units) == 1:
            return f"unit:{units[0]}"
        # Several units, or a group with units of another kind: the units themselves.
        names = set(units) | {name for name, kind in self.kinds.items()
                              if f"kind:{kind}" in kinds}
        ids = sorted(self.ids[name] for name in names)
        return "units:" + ",".join(map(str, ids)) if ids else None
