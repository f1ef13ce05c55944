"""The letter importer: from a công văn (text or Word) to a draft directive for review."""

from __future__ import annotations

import contextlib
import os
import random
import unicodedata
from datetime import date, datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.demo import UNITS
from portal.directives.importer import (
    Draft,
    LetterImportError,
    UnitRef,
    import_letter,
    normalize_text,
    read_letter_file,
)
from portal.directives.loader import DIRECTIVES_DIR, load_directive
from portal.extensions import db
from portal.models import Directive, Progress, Task

from .support.letters import letter_docx

SEED = (DIRECTIVES_DIR / "sa-dec-2023-cchc.txt").read_text(encoding="utf-8")
DEMO_UNITS = [UnitRef(i, name, short, kind.value) for i, (kind, name, short) in enumerate(UNITS)]


def draft_of(text: str) -> Draft:
    return import_letter(text, DEMO_UNITS)


def shape(draft: Draft) -> list:
    """What a draft says, to compare drafts of variants of one letter."""
    return [
        (s.heading, s.audience, s.unmatched,
         [(t.code, t.title, t.text, t.kind, t.measure, t.audience, t.deadline) for t in s.tasks])
        for s in draft.sections
    ]


@pytest.fixture(scope="module")
def seed() -> Draft:
    return draft_of(SEED)


def by_code(draft: Draft) -> dict:
    return {task.code: (section, task) for section in draft.sections for task in section.tasks}


# ---- the seed letter against DOMAIN.md's table


def test_seed_metadata(seed):
    assert seed.issuer == "Ủy ban nhân dân thành phố Sa Đéc"
    assert (seed.number, seed.number_symbol) == ("", "UBND-HC")
    assert seed.place == "Sa Đéc"
    assert (seed.day, seed.month, seed.year, seed.issued_on) == (None, 6, 2023, None)
    assert seed.date_line == "Sa Đéc, ngày tháng 6 năm 2023"
    assert seed.subject == ("V/v chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả "
                            "kiểm tra năm 2023")
    assert seed.title == ("Chấn chỉnh, khắc phục thực hiện công tác CCHC qua kết quả kiểm tra "
                          "năm 2023")
    assert seed.signer == "Nguyễn Văn Hôn"
    assert seed.signer_title == "TM. Ủy ban nhân dân - Chủ tịch"
    assert seed.recipients == [
        "Thủ trưởng các phòng chuyên môn thuộc UBND Thành phố",
        "Thủ trưởng các đơn vị sự nghiệp công lập trực thuộc UBND Thành phố",
        "Chủ tịch Ủy ban nhân dân các xã, phường",
    ]


def test_seed_sections_reach_the_units_the_letter_names(seed):
    assert [s.audience for s in seed.sections] == [
        "all",
        "unit:Phòng Văn hóa và Thông tin",
        "unit:Văn phòng HĐND và UBND",
        "unit:Phòng Tài chính - Kế hoạch",
        "unit:Phòng Nội vụ",
    ]
    assert seed.unmatched == []
    assert seed.sections[1].heading == "Trưởng phòng, phòng Văn hóa và Thông tin Thành phố"


def test_seed_tasks_audiences_and_deadlines(seed):
    tasks = by_code(seed)
    assert abs(len(tasks) - 23) <= 3
    assert len(seed.tasks) == 24  # as the draft page shows it (tests/test_admin_directives.py)
    first = seed.sections[0].tasks
    assert (first[0].code, first[0].audience, first[0].deadline, first[0].kind) == (
        "1.1", "inspected", date(2023, 6, 16), "report")
    last = first[-1]
    assert (last.code, last.audience, last.deadline, last.kind) == (
        "1.14", "not_inspected", date(2023, 6, 20), "report")
    assert "chưa được kiểm tra" in last.text
    assert tasks["1.6"][1].audience == "kind:commune"
    assert "Bộ phận Một cửa xã, phường" in tasks["1.6"][1].text
    # every other task of section 1 reaches every unit; no other deadline in the letter
    narrowed = {t.code for t in first if t.audience}
    assert narrowed == {"1.1", "1.6", "1.14"}
    assert {t.code for t in seed.tasks if t.deadline} == {"1.1", "1.14"}
    for section in seed.sections[1:]:
        assert all(task.audience is None for task in section.tasks)
        assert len(section.tasks) >= 2


def test_seed_rates_are_percent_metrics(seed):
    tasks = by_code(seed)
    for code, words in [("1.10", "ký số văn bản điện tử"), ("1.11", "ký số hồ sơ TTHC"),
                        ("1.12", "phần mềm chống mã độc")]:
        task = tasks[code][1]
        assert (task.kind, task.measure) == ("metric", "percent"), code
        assert words in task.text and task.text.startswith("Nâng cao tỷ lệ")
    assert {t.code for t in seed.tasks if t.measure == "percent"} == {
        "1.10", "1.11", "1.12", "2.2"}
    assert tasks["1.3"][1].kind == "document"
    assert tasks["4.2"][1].kind == "document"


def test_seed_keeps_the_letters_words_and_proposes_short_titles(seed):
    tasks = by_code(seed)
    assert tasks["1.5"][1].text == ("Thực hiện đúng quy trình giải quyết TTHC theo cơ chế một cửa,"
                                    " cơ chế một cửa liên thông.")
    # the paragraph broken in the middle of "khắc phục" is joined again
    assert tasks["1.7"][1].text.endswith("Đồng thời, khắc phục các hồ sơ bị trễ hạn, quá hạn.")
    for _, task in tasks.values():
        assert task.title and len(task.title) <= 91, task.title
        assert task.text[0].isupper() and task.text.endswith(".")
    assert not any("Yêu cầu Thủ trưởng" in t.text for t in seed.tasks)  # the closing line


# ---- messy variants of the same letter


@pytest.mark.parametrize("variant", [
    pytest.param(lambda s: s.replace("\n", "\r\n"), id="windows-line-endings"),
    pytest.param(lambda s: s.replace("\n", "\r"), id="old-mac-line-endings"),
    pytest.param(lambda s: s.replace(" ", "\u00a0"), id="non-breaking-spaces"),
    pytest.param(lambda s: unicodedata.normalize("NFD", s), id="nfd"),
    pytest.param(lambda s: "\ufeff" + s.replace("Sa Đéc", "Sa\u200b Đéc"), id="bom-zero-width"),
    pytest.param(lambda s: s.replace("\n- ", "\n+ "), id="plus-bullets"),
    pytest.param(lambda s: s.replace("\n- ", "\n• "), id="dot-bullets"),
    pytest.param(lambda s: s.replace("\n- ", "\n\t-   "), id="tabs"),
    pytest.param(lambda s: s.replace("**", ""), id="no-markdown"),
])
def test_messy_variants_give_the_same_draft(seed, variant):
    assert shape(draft_of(variant(SEED))) == shape(seed)


def test_nfc_and_nfd_give_the_same_draft():
    nfd = draft_of(unicodedata.normalize("NFD", SEED))
    nfc = draft_of(unicodedata.normalize("NFC", SEED))
    assert shape(nfd) == shape(nfc)
    assert nfd.issuer == "Ủy ban nhân dân thành phố Sa Đéc"
    assert all(unicodedata.is_normalized("NFC", t.text) for t in nfd.tasks)


def test_normalize_text():
    text = "**Đậm**\u00a0và *nghiêng*\r\n\u200fDòng\u202f2\t\tcuối \u00ad"
    assert normalize_text(text) == "Đậm và nghiêng\nDòng 2 cuối"


LETTER = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP

Số: 45/UBND-NC
V/v tăng cường công tác
văn thư, lưu trữ

Đồng Tháp, ngày 05 tháng 3 năm 2024

Kính gửi: Sở Nội vụ tỉnh Đồng Tháp.

Để nâng cao chất lượng công tác văn thư, Ủy ban nhân dân Tỉnh đề nghị như sau:

1. Giao Sở Nội vụ chủ trì, phối hợp với các sở, ngành kiểm tra công tác văn thư lưu trữ; báo \
cáo kết quả chậm nhất ngày 15 tháng 7 năm 2024.

2. UBND các xã, phường:
a) Rà soát hồ sơ lưu trữ tại xã, phường trước ngày 1/6/2024.
b) Cập nhật danh mục hồ sơ.

3. Trưởng phòng Tài chính - Kế hoạch
1.1. Hướng dẫn lập dự toán kinh phí lưu trữ.
1.2. Kiểm tra việc sử dụng kinh phí, hạn chót 30/6/2024.

4. Văn phòng HĐND và UBND Thành phố
• Nâng cao tỷ lệ hồ sơ lưu trữ điện tử đạt 90%.

Trong quá trình thực hiện, nếu có khó khăn, vướng mắc báo cáo về Sở Nội vụ để được hướng dẫn./.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Trần Văn Bình
"""


def test_numbering_styles_deadline_forms_and_an_unmatched_addressee():
    draft = draft_of(LETTER)
    assert draft.issuer == "Ủy ban nhân dân tỉnh Đồng Tháp"
    assert (draft.number, draft.number_symbol) == ("45/UBND-NC", "UBND-NC")
    assert draft.issued_on == date(2024, 3, 5) and draft.place == "Đồng Tháp"
    assert draft.subject == "V/v tăng cường công tác văn thư, lưu trữ"
    assert (draft.signer, draft.signer_title) == ("Trần Văn Bình", "KT. Chủ tịch - Phó Chủ tịch")
    assert draft.recipients == ["Sở Nội vụ tỉnh Đồng Tháp"]
    giao, communes, finance, office = draft.sections
    # "Sở Nội vụ" is the province's department, not the city's Phòng Nội vụ: never guessed
    assert giao.audience is None and giao.unmatched == ["Sở Nội vụ"]
    # "…; báo cáo kết quả chậm nhất ngày …": reporting on the order is part of it, one task
    assert [t.deadline for t in giao.tasks] == [date(2024, 7, 15)]
    assert communes.audience == "kind:commune"
    assert [(t.code, t.deadline) for t in communes.tasks] == [
        ("2.1", date(2024, 6, 1)), ("2.2", None)]
    assert finance.audience == "unit:Phòng Tài chính - Kế hoạch"
    assert [t.deadline for t in finance.tasks] == [None, date(2024, 6, 30)]
    assert office.audience == "unit:Văn phòng HĐND và UBND"
    (rate,) = office.tasks
    assert (rate.kind, rate.measure, rate.target) == ("metric", "percent", 90)
    assert len(draft.tasks) == 6  # the closing "Trong quá trình thực hiện…" is no task
    summary = draft.summary()
    assert "Chưa khớp đơn vị: Sở Nội vụ" in summary
    assert "hạn 15/07/2024" in summary
    loaded = yaml.safe_load(draft.to_yaml("dong-thap"))
    assert loaded["sections"][0]["audience"] == "unmatched"
    assert loaded["sections"][0]["unmatched"] == ["Sở Nội vụ"]


def test_a_letter_without_deadlines():
    text = SEED.replace("**trước ngày 16/6/2023**", "").replace("**trước ngày 20/6/2023**", "")
    draft = draft_of(text)
    assert not any(task.deadline for task in draft.tasks)
    assert by_code(draft)["1.1"][1].audience == "inspected"


def test_deadline_without_a_year_takes_the_letters_year():
    draft = draft_of(SEED.replace("16/6/2023", "16/6"))
    task = by_code(draft)["1.1"][1]
    assert task.deadline == date(2023, 6, 16)
    assert any("không ghi năm" in note for note in task.notes)


def test_an_impossible_deadline_is_noted_not_a_crash():
    draft = draft_of(SEED.replace("16/6/2023", "31/2/2023"))
    task = by_code(draft)["1.1"][1]
    assert task.deadline is None and any("không phải ngày có thật" in n for n in task.notes)


def test_an_addressee_that_matches_no_unit_is_shown_unmatched():
    text = "Kính gửi: Công an Thành phố.\n\n1. Công an Thành phố\n\n- Tăng cường tuần tra."
    draft = draft_of(text)
    (section,) = draft.sections
    assert section.audience is None and section.unmatched == ["Công an"]
    assert "Công an" in draft.summary() and "CHƯA XÁC ĐỊNH" in draft.summary()
    assert section.tasks[0].title == "Tăng cường tuần tra"


def test_a_letter_without_sections_is_one_section_for_its_recipients():
    text = ("Kính gửi:\n- Thủ trưởng các phòng chuyên môn;\n- Thủ trưởng các đơn vị sự nghiệp;"
            "\n- Chủ tịch UBND các xã, phường.\n\nThực hiện tốt công tác tuyên truyền về CCHC. "
            "Báo cáo kết quả trước ngày 10/5/2024.")
    (section,) = draft_of(text).sections
    assert (section.heading, section.audience) == ("Chung", "all")
    assert [(t.kind, t.deadline) for t in section.tasks] == [
        ("action", None), ("report", date(2024, 5, 10))]
    # with no recipients, orders that name no one are every unit's, each to be checked
    alone = draft_of("Đề nghị rà soát hồ sơ trễ hạn, quá hạn.\n- Kiểm tra hồ sơ.")
    (section,) = alone.sections
    assert section.heading == "Chung" and section.audience == "all"
    assert all(task.notes[-1].endswith("kiểm tra lại trước khi ban hành.") for task in
               section.tasks)
    assert any("tạm giao mọi đơn vị" in warning for warning in alone.warnings)


def test_several_addressees_reach_exactly_those_units():
    draft = draft_of("1. Phòng Nội vụ, Phòng Tư pháp\n- Kiểm tra hồ sơ lưu trữ.")
    (section,) = draft.sections
    ids = {unit.name: unit.id for unit in DEMO_UNITS}
    assert section.audience == f"units:{ids['Phòng Nội vụ']},{ids['Phòng Tư pháp']}"
    assert section.matched == ["unit:Phòng Nội vụ", "unit:Phòng Tư pháp"]
    assert any("Phòng Nội vụ, Phòng Tư pháp" in note for note in section.notes)
    # a group and a unit of another kind: the group's units and that unit
    (mixed,) = draft_of("1. Phòng Nội vụ và UBND các xã, phường\n- Kiểm tra hồ sơ.").sections
    communes = {unit.id for unit in DEMO_UNITS if unit.kind == "commune"}
    assert mixed.audience == "units:" + ",".join(
        map(str, sorted(communes | {ids["Phòng Nội vụ"]})))


@pytest.mark.parametrize("text", ["", "   \n\t\r\n", "\u200b\u200f\ufeff", "*** ** *", "\x00\x01"])
def test_empty_text_is_refused_with_a_message(text):
    with pytest.raises(LetterImportError, match="trống"):
        draft_of(text)


# ---- files


def windows_1258(text: str) -> bytes:
    """Windows-1258 keeps ă â ê ô ơ ư đ whole and writes the tones as combining marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def test_read_text_files_in_their_encodings():
    assert read_letter_file(SEED.encode("utf-8"), "cv.txt") == SEED
    assert read_letter_file(b"\xef\xbb\xbf" + SEED.encode("utf-8"), "cv.txt") == SEED
    assert read_letter_file(SEED.encode("utf-16"), "cv.txt") == SEED
    assert read_letter_file(SEED.encode("utf-16-le"), "cv.txt") == SEED
    legacy = read_letter_file(windows_1258(SEED), "cv.txt")
    assert unicodedata.normalize("NFC", legacy) == SEED
    assert shape(draft_of(legacy)) == shape(draft_of(SEED))


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize("data, name, words", [
    (PNG, "anh.txt", "không phải văn bản"),
    (random.Random(7).randbytes(4096), "rac.txt", "không phải văn bản"),
    (b"", "trong.txt", "trống"),
    (b"%PDF-1.7\n...", "cv.pdf", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "cv.doc", ".doc"),
    (b"not a zip at all", "cv.docx", "không phải tệp Word"),
    (b"PK\x03\x04broken", "cv.docx", "bị hỏng"),
])
def test_unreadable_files_are_refused_with_a_message(data, name, words):
    with pytest.raises(LetterImportError, match=words):
        read_letter_file(data, name)


def test_random_bytes_never_crash():
    rng = random.Random(2023)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        with contextlib.suppress(LetterImportError):
            import_letter(read_letter_file(data, "x.txt"), DEMO_UNITS)


def test_docx_letter_gives_the_same_draft_as_the_text(seed):
    text = read_letter_file(letter_docx(SEED), "cong-van.docx")
    draft = draft_of(text)
    assert draft.issuer == seed.issuer and draft.signer == seed.signer
    assert (draft.number_symbol, draft.month, draft.year) == ("UBND-HC", 6, 2023)
    assert draft.subject == seed.subject
    assert draft.signer_title == seed.signer_title
    assert [s.audience for s in draft.sections] == [s.audience for s in seed.sections]
    assert [(t.code, t.audience, t.deadline, t.kind) for t in draft.tasks] == [
        (t.code, t.audience, t.deadline, t.kind) for t in seed.tasks]


# ---- never a crash

VIETNAMESE = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐ"
letters = st.one_of(
    st.characters(),
    st.sampled_from(list(VIETNAMESE) + list(unicodedata.normalize("NFD", VIETNAMESE))),
    st.sampled_from(["\u200f", "\u200e", "\u202e", "\u00a0", "\ufeff", "\r", "\n", "\t", "\x00",
                     "\x1b", "😀", "\u0301", "\u0323", "*", "(", ")", ":", ";",
                     "/", "."]),
)
fragments = st.sampled_from([
    "\n1. ", "\n- ", "\n+ ", "\na) ", "\n1.1. ", "\nII. ", "Kính gửi:", "Số: 12/UBND-HC\n",
    "V/v ", "Sa Đéc, ngày 5 tháng 6 năm 2023\n", "trước ngày 31/2/2023", "chậm nhất ngày 1/13/",
    "hạn chót 99/99/9999", "tỷ lệ 150%", "UBND các xã, phường", "Phòng Nội vụ:", "Giao Sở ",
    "Thực hiện ", "báo cáo ", "kế hoạch", "Đồng thời, ", "(Gọi tắt là ", "./.", "CHỦ TỊCH\n",
    "Nơi nhận:\n", "TM. ", "chưa được kiểm tra", "tại Bộ phận Một cửa xã, phường", "**",
    "👨\u200d👩\u200d👧",
])
texts = st.lists(st.one_of(st.text(letters, max_size=40), fragments), max_size=40).map("".join)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(texts)
def test_any_text_gives_a_draft_or_a_clear_refusal(text):
    try:
        draft = import_letter(text, DEMO_UNITS)
    except LetterImportError as error:
        assert str(error)
        return
    assert isinstance(draft, Draft)
    for task in draft.tasks:
        assert task.kind in ("action", "document", "report", "metric")
    data = yaml.safe_load(draft.to_yaml("thu"))
    assert data["slug"] == "thu" and len(data["sections"]) == len(draft.sections)
    draft.summary()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_plain_text_gives_a_draft_or_a_clear_refusal(text):
    try:
        import_letter(text, DEMO_UNITS)
    except LetterImportError as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.docx", "a", "a.doc", "a.pdf"]))
def test_any_file_gives_text_or_a_clear_refusal(data, name):
    try:
        text = read_letter_file(data, name)
    except LetterImportError as error:
        assert str(error)
        return
    try:
        import_letter(text, DEMO_UNITS)
    except LetterImportError as error:
        assert str(error)


# ---- into the portal


def test_round_trip_draft_yaml_load_directive(app, tmp_path, seed):
    path = tmp_path / "imported.yaml"
    path.write_text(seed.to_yaml("sa-dec-2023-imported"), encoding="utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["full_text"] == seed.full_text
    with app.app_context():
        directive = load_directive(path)
        db.session.commit()
        assert directive.title == seed.title and directive.year == 2023
        tasks = {t.code: t for t in db.session.scalars(
            select(Task).where(Task.directive_id == directive.id))}
        assert len(tasks) == len(seed.tasks)
        assert tasks["1.1"].deadline == date(2023, 6, 16)
        assert tasks["1.14"].audience == "not_inspected"
        assert tasks["1.10"].measure.value == "percent"

        def reached(code: str) -> int:
            return db.session.scalar(select(func.count()).select_from(Progress).where(
                Progress.task_id == tasks[code].id))

        assert reached("1.2") == len(UNITS)
        assert reached("1.6") == 9  # the nine communes
        assert reached("2.1") == 1
        assert reached("1.14") == len(UNITS)  # the draft's inspected list is empty: to fill in
        assert reached("1.1") == 0


def test_cli_import_directive(app, tmp_path):
    letter = tmp_path / "cong-van-2023.txt"
    letter.write_bytes(b"\xef\xbb\xbf" + SEED.replace("\n", "\r\n").encode("utf-8"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-directive", str(letter)])
    assert result.exit_code == 0, result.output
    assert "5 mục" in result.output
    assert "unit:Phòng Văn hóa và Thông tin" in result.output
    assert "hạn 16/06/2023" in result.output and "hạn 20/06/2023" in result.output
    out = tmp_path / "cong-van-2023.yaml"
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["slug"] == "cong-van-2023"

    again = runner.invoke(args=["import-directive", str(letter)])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(args=["import-directive", str(letter), "--force",
                                 "--out", str(tmp_path / "khac.yaml"), "--slug", "khac"])
    assert forced.exit_code == 0, forced.output

    result = runner.invoke(args=["load-directive", str(out)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Directive.id).where(Directive.slug == "cong-van-2023"))


def test_cli_reads_a_date_with_no_year_from_the_day_it_runs(app, tmp_path):
    from tests.test_admin_directives import NO_YEAR

    letter = tmp_path / "khong-ghi-nam.txt"
    letter.write_text(NO_YEAR, encoding="utf-8")
    app.config["FROZEN_NOW"] = datetime(2026, 12, 7, 2, 0)
    result = app.test_cli_runner().invoke(args=["import-directive", str(letter)])
    assert result.exit_code == 0, result.output
    assert "hạn 15/06/2027" in result.output


def test_cli_refuses_a_binary_file(app, tmp_path):
    picture = tmp_path / "anh.txt"
    picture.write_bytes(PNG)
    result = app.test_cli_runner().invoke(args=["import-directive", str(picture)])
    assert result.exit_code != 0
    assert "không phải văn bản" in result.output
    assert not os.path.exists(tmp_path / "anh.yaml")


def test_cli_reads_docx(app, tmp_path):
    letter = tmp_path / "cv.docx"
    letter.write_bytes(letter_docx(SEED))
    result = app.test_cli_runner().invoke(args=["import-directive", str(letter)])
    assert result.exit_code == 0, result.output
    assert "hạn 16/06/2023" in result.output and (tmp_path / "cv.yaml").exists()
