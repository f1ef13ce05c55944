"""The corpus of real letters under tests/data/letters checks itself: every letter has its text and
its hand-written expectation, every addressee is a unit the expectation lists, dates are dates, the
corpus is as broad as it claims, and the split into tune/ and holdout/ follows the rule written in
its README. Nothing here runs the importer."""

import datetime
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent / "data" / "letters"
HALVES = ("tune", "holdout")
KINDS = {"cong_van", "ke_hoach", "quyet_dinh", "thong_bao_ket_luan"}
LEVELS = {"tinh", "huyen", "xa"}
UNIT_KINDS = {"office", "service", "commune"}
REQUIRED = {"source", "kind", "province", "level", "issued", "whole", "units", "tasks"}
OPTIONAL = {"notes"}


def _letters():
    found = []
    for half in HALVES:
        for path in sorted((ROOT / half).glob("*.yaml")):
            found.append((half, path.stem, path))
    return found


LETTERS = _letters()


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _is_date(value):
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


@pytest.mark.parametrize(("half", "slug", "path"), LETTERS, ids=[s for _, s, _ in LETTERS])
def test_each_letter_is_complete_and_consistent(half, slug, path):
    meta = _load(path)
    assert isinstance(meta, dict)
    assert set(meta) >= REQUIRED, f"missing: {REQUIRED - set(meta)}"
    assert set(meta) <= REQUIRED | OPTIONAL, f"unknown fields: {set(meta) - REQUIRED - OPTIONAL}"
    assert str(meta["source"]).startswith(("http://", "https://"))
    assert meta["kind"] in KINDS
    assert isinstance(meta["province"], str) and meta["province"].strip()
    assert meta["level"] in LEVELS
    assert meta["issued"] is None or _is_date(meta["issued"])
    assert isinstance(meta["whole"], bool)

    units = meta["units"]
    assert isinstance(units, list) and units
    names = [u["name"] for u in units]
    assert len(names) == len(set(names)), "a unit is listed twice"
    for unit in units:
        assert set(unit) == {"name", "short_name", "kind"}
        assert unit["name"].strip() and unit["short_name"].strip()
        assert unit["kind"] in UNIT_KINDS
    kinds_held = {u["kind"] for u in units}

    assert isinstance(meta["tasks"], list)
    for task in meta["tasks"]:
        assert set(task) == {"addressee", "deadline", "summary"}
        assert isinstance(task["addressee"], list) and task["addressee"]
        for who in task["addressee"]:
            if who == "all":
                continue
            if who.startswith("kind:"):
                assert who[5:] in kinds_held, f"{who}: no unit of that kind in units"
                continue
            assert who in names, f"{who!r} is not in units"
        assert task["deadline"] is None or _is_date(task["deadline"])
        assert isinstance(task["summary"], str) and task["summary"].strip()

    text_path = path.with_suffix(".txt")
    assert text_path.exists(), "the letter's text is missing"
    text = text_path.read_bytes().decode("utf-8")
    assert text.strip()
    assert unicodedata.is_normalized("NFC", text)


def test_every_text_has_its_expectation():
    for half in HALVES:
        for text in (ROOT / half).glob("*.txt"):
            assert text.with_suffix(".yaml").exists(), text.name


def test_the_corpus_is_as_broad_as_it_claims():
    metas = [_load(p) for _, _, p in LETTERS]
    assert len(metas) >= 40
    assert {m["kind"] for m in metas} == KINDS
    assert len({m["province"] for m in metas}) >= 8
    levels = {m["level"] for m in metas}
    assert "tinh" in levels and levels & {"huyen", "xa"}
    no_task = [m for m in metas if not m["tasks"]]
    assert len(no_task) >= 3, "letters that must give no task"
    # A letter with no task says why: no order at all, or a copy that stops before its orders.
    assert all(m.get("notes", "").strip() for m in no_task)
    sources = [m["source"] for m in metas]
    assert len(sources) == len(set(sources)), "one source saved twice"


def test_every_kind_is_in_both_halves():
    present = Counter()
    for half, _, path in LETTERS:
        present[(half, _load(path)["kind"])] += 1
    for kind in KINDS:
        for half in HALVES:
            assert present[(half, kind)] > 0, f"{kind} has no letter in {half}/"


def test_the_split_follows_the_written_rule():
    """README: within each kind, letters in the order they were saved (ORDER) alternate
    tune, holdout, tune, …"""
    order = (ROOT / "ORDER").read_text(encoding="utf-8").split()
    where = {slug: half for half, slug, _ in LETTERS}
    assert len(order) == len(set(order))
    assert set(order) == set(where), "ORDER and the files disagree"
    seen = Counter()
    for slug in order:
        kind = _load(ROOT / where[slug] / f"{slug}.yaml")["kind"]
        expected = "tune" if seen[kind] % 2 == 0 else "holdout"
        assert where[slug] == expected, f"{slug} belongs in {expected}/"
        seen[kind] += 1
