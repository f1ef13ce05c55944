"""Vietnamese text: search that ignores diacritics and case, and alphabetical order.

Vietnamese orders letters a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, then tones
(none, huyền, hỏi, ngã, sắc, nặng); Python's default order puts "Đ" after "Z" and "Ă" after "A"
only by accident of code points.
"""

from __future__ import annotations

import functools
import unicodedata

_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ORDER = {letter: index for index, letter in enumerate(_LETTERS)}
# Combining marks of the five tones, in dictionary order after the unmarked one.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a letter of their own (ă â ê ô ơ ư) are kept with the letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}


def fold(text: str) -> str:
    """'Phường Tân Quy Đông' -> 'phuong tan quy dong': for search, not for display."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def sort_key(text: str) -> tuple:
    """A key that orders Vietnamese names as a Vietnamese reader expects."""
    letters, tones = [], []
    for base in unicodedata.normalize("NFD", text.casefold()):
        if base in _TONES:
            tones[-1:] = [_TONES[base]]
            continue
        if base in _LETTER_MARKS and letters:
            letters[-1] = _letter_with_mark(letters[-1], base)
            continue
        letters.append(base)
        tones.append(0)
    ranked = [(_ORDER.get(ch, 100), ch) if not ch.isdigit() else (-1, ch) for ch in letters]
    return (tuple(_natural(ranked)), tuple(tones))


@functools.lru_cache(maxsize=20_000)
def name_order(name: str) -> tuple:
    """`sort_key` of a unit's name, kept: the matrix sorts the same names on every render."""
    return sort_key(name)


def _letter_with_mark(letter: str, mark: str) -> str:
    return unicodedata.normalize("NFC", letter + mark)


def _natural(ranked: list[tuple[int, str]]) -> list:
    """Runs of digits compare as numbers: Phường 2 before Phường 10."""
    out: list = []
    digits = ""
    for rank, ch in ranked:
        if rank == -1:
            digits += ch
            continue
        if digits:
            out.append((-1, int(digits)))
            digits = ""
        out.append((rank, ch))
    if digits:
        out.append((-1, int(digits)))
    return out
