"""How often the letter importer gives the right checklist, on the corpus of real letters.

    .venv/bin/python bench/importer.py                 # both halves, text, PDF and scan
    .venv/bin/python bench/importer.py --half tune --inputs text

The corpus is tests/data/letters/, split into tune/ (the half the importer's rules were written
against) and holdout/ (never looked at while writing them: its figures are the honest measure).
Each letter is a text file with a YAML file beside it (tests/data/letters/README.md): the units
the letter's issuer has (`units`), the letter's kind and its expected tasks, each with its
addressees (unit names), its deadline (or none) and a short summary.

For each half, each kind and each input it prints:

- tasks found: expected tasks matched by a draft task whose audience, resolved against the
  letter's units, is exactly the expected set of addressees AND whose deadline is exactly the
  expected one (none when none is expected);
- deadlines exact: of the expected tasks that have a deadline, those matched by a draft task
  with exactly that date;
- tasks invented: draft tasks matched to no expected task, as a share of all draft tasks;
- time per letter: reading the input (for PDF and scan, through `read_letter_file`) and
  importing it, in milliseconds (the PDF and the scan themselves are made beforehand);
- why, for each half's first input: how many of the tasks not found had no draft task at all,
  how many the wrong addressees (of them, how many reach no unit, left for the editor, and of
  those how many the letter meant for every unit it names), the wrong deadline or both; and how
  many invented tasks reach no unit (flagged "chưa xác định đơn vị" for the editor) rather than
  a wrong one; and how many sentences the draft set aside for the editor, quoted in its
  warnings: as no task (a text with no recipients, a sentence naming no unit and giving no
  order), or as an order to a unit the importer could not read.

Matching draft tasks to expected tasks is one-to-one and greedy: every pair (expected, draft) is
scored by how many of the summary's words (folded, two letters or more) occur in the draft task's
text, as a share of the summary's words, plus a small bonus when the draft task comes at the same
place in the letter's order; pairs are taken best first while both are free and the score reaches
MIN_OVERLAP. An expected task left unpaired is not found; a draft task left unpaired is invented.

Inputs: the text as written; a PDF made from it by LibreOffice (`soffice --headless
--convert-to pdf`), read back with `read_letter_file(data, "x.pdf")`; and a scan of that PDF
(`pdftoppm -r 200`, each page given slight noise with Pillow: Gaussian grain and a small
rotation), each page read with `read_letter_file(data, "x.png")` and the pages' texts joined
(a blank page adds nothing, as in a scanned PDF the portal reads).
A letter whose input could not be made or read is named with the reason, and its tasks count as
not found; where no letter of a line could be read, the line says "chưa đọc được định dạng
này".
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.directives.importer import (  # noqa: E402
    LetterImportError,
    UnitRef,
    import_letter,
    read_letter_file,
)
from portal.directives.importer.text import skeleton  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "letters"
HALVES = ("tune", "holdout")
INPUTS = ("text", "pdf", "scan")
MIN_OVERLAP = 0.3
UNREADABLE = "chưa đọc được định dạng này"
AIMS = {
    "found": "≥ 90 % (holdout)",
    "deadlines": "100 % (holdout)",
    "invented": "≤ 5 % (holdout)",
    "pdf": "PDF within 2 points of text, scan within 10",
    "scan_time": "a 5-page scan, start to draft, ≤ 30 s",
}
KIND_NAMES = {
    "cong_van": "công văn", "cong van": "công văn", "ke_hoach": "kế hoạch",
    "ke hoach": "kế hoạch", "quyet_dinh": "quyết định", "quyet dinh": "quyết định",
    "thong_bao": "thông báo", "thong bao": "thông báo",
    "thong_bao_ket_luan": "thông báo kết luận", "thong bao ket luan": "thông báo kết luận",
}


# --------------------------------------------------------------------------------------------
# The corpus


@dataclass
class Expected:
    addressees: frozenset[str]
    deadline: date | None
    summary: str


@dataclass
class Letter:
    half: str
    path: Path
    kind: str
    units: list[UnitRef]
    tasks: list[Expected]
    text: str
    inputs: dict[str, bytes | list[bytes]] = field(default_factory=dict)  # pdf; scan pages


def _kind_label(raw: str) -> str:
    folded = skeleton(str(raw or "")).strip().replace("-", "_")
    return KIND_NAMES.get(folded, KIND_NAMES.get(folded.replace("_", " "), str(raw or "?")))


def _as_date(value) -> date | None:
    if value in (None, "", "none", "null"):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable deadline {value!r}")


def _units(raw) -> list[UnitRef]:
    units = []
    for position, entry in enumerate(raw or [], start=1):
        if isinstance(entry, str):
            units.append(UnitRef(position, entry, "", _guess_kind(entry)))
        else:
            name = entry["name"]
            units.append(UnitRef(position, name, entry.get("short_name") or "",
                                 entry.get("kind") or _guess_kind(name)))
    return units


def _guess_kind(name: str) -> str:
    folded = skeleton(name)
    if re.match(r"(?:ubnd|uy ban nhan dan)\s+(?:xa|phuong|thi tran|dac khu)\b|"
                r"(?:xa|phuong|thi tran)\b", folded):
        return "commune"
    if re.search(r"\b(?:trung tam|truong|benh vien|ban quan ly|dai)\b", folded):
        return "service"
    return "office"


def _addressees(entry: dict, units: list[UnitRef]) -> frozenset[str]:
    raw = None
    for key in ("addressees", "addressee", "audience", "units", "to"):
        if key in entry:
            raw = entry[key]
            break
    if raw is None:
        return frozenset()
    names = [raw] if isinstance(raw, str) else list(raw)
    out: set[str] = set()
    for name in names:
        name = str(name).strip()
        if name == "all":
            out |= {u.name for u in units}
        elif name.startswith("kind:"):
            out |= {u.name for u in units if u.kind == name[5:]}
        else:
            out.add(name.removeprefix("unit:"))
    return frozenset(out)


def load_corpus(halves: list[str], corpus: Path = CORPUS) -> list[Letter]:
    letters = []
    for half in halves:
        folder = corpus / half
        if not folder.is_dir():
            continue
        for spec in sorted(folder.glob("*.y*ml")):
            data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
            text_path = None
            for candidate in (data.get("text"), data.get("file"), spec.stem + ".txt"):
                if candidate and (folder / candidate).is_file():
                    text_path = folder / candidate
                    break
            if text_path is None:
                continue
            units = _units(data.get("units"))
            tasks = [Expected(_addressees(entry, units), _as_date(entry.get("deadline")),
                              str(entry.get("summary") or entry.get("title") or ""))
                     for entry in data.get("tasks") or []]
            letters.append(Letter(half, text_path, _kind_label(data.get("kind")), units, tasks,
                                  text_path.read_text(encoding="utf-8")))
    return letters


# --------------------------------------------------------------------------------------------
# The inputs


def make_pdfs(letters: list[Letter], work: Path) -> None:
    """One PDF per letter, by LibreOffice from the text file (one soffice run a hundred)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return
    sources = work / "txt"
    sources.mkdir()
    for index, letter in enumerate(letters):
        (sources / f"{index:03d}.txt").write_text(letter.text, encoding="utf-8")
    files = sorted(map(str, sources.glob("*.txt")))
    for start in range(0, len(files), 100):  # one run stops short of some 250 files
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
             "--infilter=Text (encoded):UTF8,LF,Liberation Serif,vi", "--convert-to", "pdf",
             "--outdir", str(work / "pdf"), *files[start:start + 100]],
            check=True, capture_output=True, timeout=600,
        )
    for index, letter in enumerate(letters):
        pdf = work / "pdf" / f"{index:03d}.pdf"
        if pdf.is_file():
            letter.inputs["pdf"] = pdf.read_bytes()


def make_scans(letters: list[Letter], work: Path) -> None:
    """Each PDF's pages at 200 dpi, with slight noise: grain, a rotation under half a degree
    and a little blur; each page a PNG file."""
    from PIL import Image, ImageFilter  # Pillow comes with matplotlib

    rng = random.Random(21)
    for index, letter in enumerate(letters):
        pdf = letter.inputs.get("pdf")
        if not pdf:
            continue
        folder = work / "scan" / f"{index:03d}"
        folder.mkdir(parents=True)
        (folder / "in.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(folder / "in.pdf"),
                        str(folder / "page")], check=True, capture_output=True, timeout=300)
        pages = []
        for page in sorted(folder.glob("page*.png")):
            image = Image.open(page).convert("L")
            noise = Image.effect_noise(image.size, 40)  # grey grain around 128
            image = Image.blend(image, noise, 0.08)
            image = image.rotate(rng.uniform(-0.4, 0.4), fillcolor=255, expand=False)
            image = image.filter(ImageFilter.GaussianBlur(0.4))
            out = io.BytesIO()
            image.save(out, format="PNG")
            pages.append(out.getvalue())
        letter.inputs["scan"] = pages


def read_input(letter: Letter, kind: str) -> str:
    if kind == "text":
        return letter.text
    if kind == "pdf":
        return read_letter_file(letter.inputs["pdf"], "x.pdf")
    # as the portal reads a scanned PDF: the pages' texts joined, a blank page none of them
    texts = []
    for page in letter.inputs["scan"]:
        try:
            texts.append(read_letter_file(page, "x.png"))
        except LetterImportError:
            if len(letter.inputs["scan"]) == 1:
                raise
    if not texts:
        raise LetterImportError("Không nhận ra chữ nào trên các trang quét.")
    return "\n".join(texts)


# --------------------------------------------------------------------------------------------
# Scoring


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]+", skeleton(text)) if len(w) >= 2}


def resolve(rule: str | None, units: list[UnitRef]) -> frozenset[str]:
    """The units' names an audience rule reaches (no inspected list: those reach none)."""
    if not rule:
        return frozenset()
    if rule == "all":
        return frozenset(u.name for u in units)
    prefix, _, value = rule.partition(":")
    if prefix == "kind":
        return frozenset(u.name for u in units if u.kind == value)
    if prefix == "unit":
        return frozenset({value})
    if prefix == "units":
        ids = {int(part) for part in value.split(",") if part.strip()}
        return frozenset(u.name for u in units if u.id in ids)
    return frozenset()


@dataclass
class Score:
    letters: int = 0
    expected: int = 0
    found: int = 0
    with_deadline: int = 0
    deadlines: int = 0
    drafted: int = 0
    invented: int = 0
    seconds: float = 0.0
    unreadable: int = 0
    # why an expected task was not found, and what the invented ones were
    not_drafted: int = 0
    wrong_addressee: int = 0
    wrong_deadline: int = 0
    wrong_both: int = 0
    invented_unplaced: int = 0
    # of the wrong addressees: the draft task reaches no unit (left for the editor), and of
    # those, the letter meant every unit it names
    wrong_unplaced: int = 0
    wrong_unplaced_all: int = 0
    set_aside: int = 0  # sentences the draft quotes as no task, for the editor to add

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def score_letter(letter: Letter, text: str) -> Score:
    draft = import_letter(text, letter.units)
    drafted = [(section.audience_of(task), task) for section in draft.sections
               for task in section.tasks]
    pairs = []
    n_exp, n_draft = len(letter.tasks), len(drafted)
    for i, expected in enumerate(letter.tasks):
        want = _words(expected.summary)
        if not want:
            continue
        for j, (_, task) in enumerate(drafted):
            overlap = len(want & _words(task.text)) / len(want)
            place = 1 - abs(i / max(n_exp, 1) - j / max(n_draft, 1))
            if overlap >= MIN_OVERLAP:
                pairs.append((overlap + 0.1 * place, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    taken_i: dict[int, int] = {}
    taken_j: set[int] = set()
    for _, i, j in pairs:
        if i not in taken_i and j not in taken_j:
            taken_i[i] = j
            taken_j.add(j)
    score = Score(letters=1, expected=n_exp, drafted=n_draft, invented=n_draft - len(taken_j),
                  set_aside=len(draft.set_aside))
    score.invented_unplaced = sum(1 for j, (rule, _) in enumerate(drafted)
                                  if j not in taken_j and not resolve(rule, letter.units))
    for i, expected in enumerate(letter.tasks):
        j = taken_i.get(i)
        rule, task = drafted[j] if j is not None else (None, None)
        if expected.deadline:
            score.with_deadline += 1
            if task is not None and task.deadline == expected.deadline:
                score.deadlines += 1
        if task is None:
            score.not_drafted += 1
            continue
        date_right = task.deadline == expected.deadline
        who_right = resolve(rule, letter.units) == expected.addressees
        if date_right and who_right:
            score.found += 1
        elif date_right:
            score.wrong_addressee += 1
            if not resolve(rule, letter.units):
                score.wrong_unplaced += 1
                score.wrong_unplaced_all += expected.addressees == {u.name for u in letter.units}
        elif who_right:
            score.wrong_deadline += 1
        else:
            score.wrong_both += 1
    return score


def unread(letter: Letter, kind: str, why: str) -> Score:
    """A letter whose input could not be made or read: named, its tasks all not found."""
    print(f"  {letter.half}/{letter.path.name}, {kind}: {UNREADABLE} ({why})")
    return Score(letters=1, unreadable=1, expected=len(letter.tasks),
                 with_deadline=sum(1 for t in letter.tasks if t.deadline))


def run(letter: Letter, kind: str) -> Score:
    if kind != "text" and kind not in letter.inputs:
        return unread(letter, kind, "không tạo được tệp")
    started = time.perf_counter()
    try:
        text = read_input(letter, kind)
    except LetterImportError as error:
        return unread(letter, kind, str(error)[:120])
    try:
        score = score_letter(letter, text)
    except LetterImportError:  # nothing readable in it: every expected task is missed
        score = Score(letters=1, expected=len(letter.tasks),
                      with_deadline=sum(1 for t in letter.tasks if t.deadline))
    score.seconds = time.perf_counter() - started
    return score


# --------------------------------------------------------------------------------------------
# Printing


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    –  "


def cell(score: Score) -> str:
    if score.unreadable == score.letters:
        return UNREADABLE
    read = score.letters - score.unreadable
    return (f"found {score.found:3d}/{score.expected:<3d} {_pct(score.found, score.expected)}"
            f" · deadlines {score.deadlines:2d}/{score.with_deadline:<2d} "
            f"{_pct(score.deadlines, score.with_deadline)}"
            f" · invented {score.invented:3d}/{score.drafted:<3d} "
            f"{_pct(score.invented, score.drafted)}"
            f" · {1000 * score.seconds / max(read, 1):7.1f} ms/letter"
            + (f" · {score.unreadable} {UNREADABLE}" if score.unreadable else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=HALVES, action="append",
                        help="only this half (repeatable); both by default")
    parser.add_argument("--inputs", default=",".join(INPUTS),
                        help="comma-separated among text,pdf,scan (default all)")
    parser.add_argument("--letters", action="store_true", help="one line per letter too")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder")
    args = parser.parse_args(argv)
    halves = args.half or list(HALVES)
    inputs = [each for each in args.inputs.split(",") if each in INPUTS]

    print(f"bench/importer.py · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · "
          f"{platform.node()} · {platform.platform()} · "
          f"{platform.processor() or platform.machine()}"
          f" · {os.cpu_count()} CPUs · Python {platform.python_version()}")
    letters = load_corpus(halves, args.corpus)
    if not letters:
        print(f"No letters in {args.corpus} ({', '.join(halves)}).")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-importer-"))
    try:
        if "pdf" in inputs or "scan" in inputs:
            started = time.perf_counter()
            make_pdfs(letters, work)
            print(f"PDFs made by LibreOffice in {time.perf_counter() - started:.1f} s")
        if "scan" in inputs:
            started = time.perf_counter()
            make_scans(letters, work)
            print(f"scans made at 200 dpi in {time.perf_counter() - started:.1f} s")
        totals: dict[tuple[str, str, str], Score] = {}
        for letter in letters:
            for kind in inputs:
                score = run(letter, kind)
                for key in ((letter.half, letter.kind, kind), (letter.half, "(all)", kind)):
                    totals.setdefault(key, Score()).add(score)
                if args.letters and kind == "text":
                    print(f"  {letter.half}/{letter.path.name}: {cell(score)}")
        for half in halves:
            kinds = sorted({k for h, k, _ in totals if h == half and k != "(all)"})
            count = sum(1 for letter in letters if letter.half == half)
            print(f"\n== {half} ({count} letters)")
            if not count:
                continue
            for kind in [*kinds, "(all)"]:
                n = totals[(half, kind, inputs[0])].letters
                print(f"  {kind} ({n} letters)")
                for each in inputs:
                    aim = ""
                    if kind == "(all)" and half == "holdout":
                        aim = {"text": "   aims: ≥ 90 % · 100 % · ≤ 5 %",
                               "pdf": "   aim: within 2 points of text",
                               "scan": "   aim: within 10 points of text"}[each]
                    print(f"    {each:5s} {cell(totals[(half, kind, each)])}{aim}")
            total = totals[(half, "(all)", inputs[0])]
            print(f"  why, {inputs[0]}: of {total.expected - total.found} tasks not found, "
                  f"{total.not_drafted} had no draft task, {total.wrong_addressee} the wrong "
                  f"addressees ({total.wrong_unplaced} reaching no unit, left for the editor, "
                  f"{total.wrong_unplaced_all} of them meant for every unit), "
                  f"{total.wrong_deadline} the wrong deadline, {total.wrong_both} "
                  f"both; of {total.invented} invented, {total.invented_unplaced} reach no unit "
                  f"(left for the editor); {total.set_aside} sentences set aside for the "
                  f"editor, quoted in the draft's warnings")
        print("\nAims, on the holdout half: tasks found " + AIMS["found"] + " · deadlines exact "
              + AIMS["deadlines"] + " · invented " + AIMS["invented"] + " · " + AIMS["pdf"]
              + " · " + AIMS["scan_time"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
