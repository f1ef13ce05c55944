"""Every form of the portal fed random and hostile values (issue #7, point 13): huge, empty, blank,
control characters, NUL, RTL marks, zero-width joiners, emoji, SQL and HTML meta-characters,
decomposed Vietnamese, numbers and dates out of range.

Each POST route of the URL map is either fuzzed here (FORMS, with the account that may post it) or
excused in NOT_FUZZED with the reason; `test_every_post_route_is_fuzzed_or_excused` fails for a
new route that is neither, and for a new field of a form that is not fuzzed.

What every answer must be:
- never a 5xx;
- a refusal (4xx) says why in Vietnamese (a field's error or the page's message) and writes
  nothing: no row of any table changes, no file appears (a failed login writes its failure only);
- a success stores what the app says it stores: names through `admin.fields.clean` (composed to
  NFC, spaces collapsed, invisible characters dropped), free text (notes, comments, reasons) as
  typed less the spaces at its ends, figures and dates as parsed; nothing longer than its column
  (PostgreSQL refuses what SQLite keeps);
- nothing with NUL is ever accepted (PostgreSQL cannot store it);
- what was typed comes back escaped, on the answer and on the page a redirect leads to.

One app per test function, many examples against it (hence the suppressed function-scoped
fixture health check): each example compares the database before and after itself, and a success
that would block the next one is undone through the portal (`reset`). Derandomized, no example
database: CI runs the same examples every time; the values that once failed are kept as @example.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.core import UnboundField

from portal.admin.areas import AreaForm
from portal.admin.directives.forms import (
    CopyForm,
    DirectiveForm,
    InspectedForm,
    LetterForm,
    LetterTextForm,
)
from portal.admin.directives.task_forms import AudienceForm, SplitForm, TaskForm
from portal.admin.finding_fields import FindingFieldForm
from portal.admin.people.forms import EditUserForm, ImportForm, NewUserForm, UnitForm
from portal.admin.report_settings import ReportSettingsForm
from portal.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    MailSettingsForm,
    PasswordForm,
    ResetPasswordForm,
)
from portal.deadlines import utcnow
from portal.demo import sample_pdf
from portal.extensions import db
from portal.items.finding_forms import AnswerForm, FindingForm, FindingReviewForm, WithdrawForm
from portal.items.forms import (
    AssignForm,
    ExtensionDecisionForm,
    ExtensionForm,
    LinkForm,
    ProgressForm,
    ReopenForm,
    ReviewForm,
    SignOffReturnForm,
    SubmitForm,
    UploadForm,
)
from portal.models import (
    Area,
    Assignment,
    AuditEvent,
    Directive,
    Evidence,
    EvidenceKind,
    Extension,
    ExtensionStatus,
    Finding,
    FindingField,
    LetterRead,
    LetterReadStatus,
    Message,
    PasswordReset,
    Progress,
    ProgressStatus,
    ReportSettings,
    ScoringFormula,
    Section,
    Task,
    Unit,
    User,
)
from portal.overview.forms import FormulaForm
from portal.review.forms import RemindForm
from portal.talk.forms import MessageForm

from .support.clients import PASSWORD, PortalClient
from .support.databases import writes, written_since
from .support.records import stored_files
from .support.world import world_app

pytestmark = pytest.mark.slow  # 30 examples a form: not for `make check`

PDF = sample_pdf("thu nghiem ngau nhien")

# --- hostile values ------------------------------------------------------------------------------

NAME = "Nguyễn Thị Phượng"
NFD_NAME = unicodedata.normalize("NFD", NAME)
XSS = ("<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>")
# Numbers out of range, in other scripts or notations; ids no row has.
NUMBERS = ("-1", "0", "1e309", "NaN", "inf", "٣", "²", "²²²²", "99999999999999999999", "9" * 5000,
           "1.234", "1,5", " 45 ", "1_000", "+5", "0x10", "10000001", "-0", "00000000000000000007")
# Dates that do not exist or are out of any sensible range.
DATES_OUT = ("31/02/2026", "00/00/0000", "2026-13-01", "29/02/2023", "01/01/0001", "31/12/9999",
             "1/1/10000", "32/01/2099", "15/12/2099", "2099-12-31", "٣١/١٢/٢٠٩٩")
HOSTILE = (
    # empty and blank
    "", " ", "  \t ", "\u3000", "\xa0",
    # control characters
    "\x00", "a\x00b", "\x1b[31mđỏ\x1b[0m", "\x07", "\x7f", "\r\n", "dòng một\r\ndòng hai\n",
    # direction marks, zero-width and invisible characters
    "\u200f", "\u200e", "\u202eabc\u202c", "\u200b", "\u200d", "\ufeff", "\u2028",
    # emoji, with joiners, flags and skin tones
    "😀", "👨‍👩‍👧‍👦", "🇻🇳", "👍🏽",
    # SQL and template meta-characters
    "'; DROP TABLE users;--", "' OR '1'='1", "%", "_", "%_%", "\\", "{{ 7*7 }}", "{% raw %}",
    "${7*7}", "{0}", "%s",
    # HTML
    *XSS, "&amp;", "&lt;b&gt;",
    # Vietnamese, composed and decomposed
    NAME, NFD_NAME, "Phường 1",
    *NUMBERS, *DATES_OUT,
    # characters that grow when composed, lowered or folded
    "\u0958", "ﬃ", "ǅ", "İ",
)
# Lengths around the forms' and columns' limits, and far beyond.
LENGTHS = (20, 21, 79, 80, 81, 200, 201, 300, 301, 2000, 2001, 5000, 5001, 100_000)


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()  # the field is not sent at all
# What long values are made of.
HUGE = ("a", "ệ", "9", " ", NFD_NAME, "😀", "👨‍👩‍👧‍👦", "\u0958", "<b>", "\u202e", "%")


@dataclass(frozen=True)
class Ref:
    """A value known only once the demo data exists: an id of the world (World.values, extras)."""

    name: str


def _repeat(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


def hostile() -> st.SearchStrategy:
    pieces = st.sampled_from(HOSTILE)
    return st.one_of(
        pieces,
        st.lists(st.one_of(pieces, st.text(max_size=12)), min_size=2, max_size=4).map("".join),
        st.builds(_repeat, st.sampled_from(HUGE), st.sampled_from(LENGTHS)),
        st.text(max_size=40),
        st.just(OMIT),
    )


def one_of(*good) -> st.SearchStrategy:
    return st.sampled_from(good)


@dataclass(frozen=True)
class Field:
    good: st.SearchStrategy
    bad: st.SearchStrategy = field(default_factory=hostile)


def text(*good) -> Field:
    """A field that takes text; `good` are values a careful user would type."""
    return Field(one_of(*good) if good else hostile())


def number(*good) -> Field:
    """A field that takes a number or an id: hostile values are numbers half the time."""
    return Field(one_of(*good), st.one_of(st.sampled_from(NUMBERS), hostile()))


def day(*good) -> Field:
    """A field that takes a date: hostile values are dates half the time."""
    return Field(one_of(*good), st.one_of(st.sampled_from(DATES_OUT), hostile()))


def several(*good) -> Field:
    """A field with many values (checkboxes, a multiple select, ids)."""
    return Field(st.lists(st.sampled_from(good), max_size=3, unique=True), st.lists(
        st.one_of(st.sampled_from(good), st.sampled_from(NUMBERS), hostile()), max_size=4))


@st.composite
def form_values(draw, fields: dict[str, Field]) -> dict:
    """One field hostile and the others good, every field hostile, or any mixture."""
    mode = draw(st.sampled_from(["one", "all", "any"]))
    target = draw(st.sampled_from(sorted(fields)))
    values = {}
    for name in sorted(fields):
        bad = mode == "all" or (mode == "one" and name == target) or (
            mode == "any" and draw(st.booleans()))
        values[name] = draw(fields[name].bad if bad else fields[name].good)
    return values


# --- what the app holds and says -----------------------------------------------------------------

MESSAGE = re.compile(r'<p class="(?:error|flash flash-error)"[^>]*>(.*?)</p>', re.S)
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                        re.I)
LOGIN_WRITES = {"audit_events", "login_failures"}  # a failed login is counted and audited


def messages(body: str) -> list[str]:
    """The errors and refusals a page shows: a field's message, the page's or the item's."""
    return [html.unescape(re.sub(r"<[^>]+>", "", found)).strip() for found in MESSAGE.findall(body)]


def assert_explained(body: str, status: int) -> None:
    said = messages(body)
    assert said, f"a {status} with no message:\n{body[:3000]}"
    english = [m for m in said if not VIETNAMESE.search(m)]
    assert not english, f"a message not in Vietnamese: {english}"


def assert_escaped(body: str, sent: dict) -> None:
    for payload in XSS:
        if any(payload in value for value in _strings(sent)):
            assert payload not in body, f"{payload!r} came back unescaped"


def _strings(sent: dict) -> list[str]:
    found = []
    for value in sent.values():
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found


def overlong(app, tables: set[str] | None = None) -> list[tuple[str, str, int]]:
    """Text longer than its column allows: SQLite keeps it, PostgreSQL refuses it (a 500). Only in
    `tables` where given (those written since the last look), one query per table."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if tables is not None and table.name not in tables:
                continue
            limited = [column for column in table.columns
                       if getattr(column.type, "length", None)]
            if not limited:
                continue
            longest = db.session.execute(
                select(*(func.max(func.length(column)) for column in limited))).one()
            found += [(table.name, column.name, length)
                      for column, length in zip(limited, longest, strict=True)
                      if length and length > column.type.length]
    return found


def clean(value: str) -> str:
    """What the administration stores of a name: composed, invisible characters dropped, single
    spaces (the rule of portal/admin/fields.py, written again to be checked against it)."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value
                    if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(value.split())


def figure(raw: str) -> int:
    """A figure as the checklist reads it: spaces dropped, 1.234 as thousands."""
    value = raw.strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", value):
        value = value.replace(".", "")
    return int(value)


def as_date(raw: str) -> date:
    raw = raw.strip()
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw):
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(raw)


def read(app, query):
    with app.app_context():
        return db.session.execute(query).one()


# --- the portal under test -----------------------------------------------------------------------


class Fuzz:
    """The world of tests/test_permissions.py, clients per account, and the checks above."""

    def __init__(self, app, world, login):
        self.app, self.world, self.login = app, world, login
        self.clients: dict[str, PortalClient] = {}
        with app.app_context():
            def item(code: str) -> int:
                return db.session.scalar(
                    select(Progress.id).join(Task, Task.id == Progress.task_id)
                    .where(Task.directive_id == world.directive, Task.code == code,
                           Progress.unit_id == world.unit))

            self.values = world.values() | {
                "count_item": item("1.7"),
                "percent_item": item("1.10"),
                "other_unit": world.own_units["other_ward"],
                "draft_section": db.session.scalar(
                    select(Section.id).where(Section.directive_id == world.draft)),
            }
        self.passwords = {"phongtuphap": PASSWORD}
        self.visits = 0
        self.prepared: set[str] = set()

    def client(self, username: str) -> PortalClient:
        if username not in self.clients:
            self.clients[username] = self.login(username)
        return self.clients[username]

    def resolve(self, value):
        if isinstance(value, Ref):
            if value.name == "password":
                return self.passwords["phongtuphap"]
            return str(self.values[value.name])
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def post(self, form: Form, given: dict, htmx: bool, url: str):
        """Send one example of `form` to `url` and check all the module's docstring promises."""
        if form.prepare and form.endpoint not in self.prepared:
            form.prepare(self)
            self.prepared.add(form.endpoint)
        sent = {name: self.resolve(value) for name, value in given.items() if value is not OMIT}
        url = url.format(**self.values)
        if form.account is None:  # a visitor from an address of its own, so that the per-address
            self.visits += 1      # login limit does not answer every later example
            browser = self.app.test_client()
            browser.environ_base["REMOTE_ADDR"] = f"10.0.{self.visits // 250}.{self.visits % 250}"
            client = PortalClient(browser)
            client.csrf_token()
        else:
            client = self.client(form.account)
        counted, files = writes(self.app), stored_files(self.app)
        extra = {"content_type": "multipart/form-data"} if form.multipart else {}
        if form.multipart and "file" in sent:
            sent["file"] = (io.BytesIO(PDF), sent["file"])
        response = client.post(url, sent, htmx=htmx, **extra)
        if "file" in sent:
            sent["file"] = sent["file"][1]
        self.check(form, client, sent, response, counted, files)
        return response

    def check(self, form: Form, client, sent: dict, response, counted, files) -> None:
        body = response.get_data(as_text=True)
        status = response.status_code
        assert status < 500, f"{status} for {sent!r}:\n{body[:3000]}"
        assert_escaped(body, sent)
        if status >= 400:
            assert_explained(body, status)
            changed = written_since(self.app, counted)
            assert changed <= form.refusal_writes, f"a refusal ({status}) wrote to {changed}"
            assert stored_files(self.app) == files, "a refusal left a file"
            return
        assert not any("\x00" in value for value in _strings(sent)), "NUL was accepted"
        written = written_since(self.app, counted)
        assert not overlong(self.app, written), overlong(self.app, written)
        if status == 303 and form.account is not None:
            page = client.get(response.headers["Location"])
            assert page.status_code == 200, page.get_data(as_text=True)[:3000]
            assert_escaped(page.get_data(as_text=True), sent)
        if form.stored:
            form.stored(self, sent, response)
        if form.reset:
            form.reset(self)


@pytest.fixture
def app(databases, world_template, tmp_path):
    """The portal of tests/test_permissions.py, World built."""
    yield from world_app(databases, tmp_path)


@pytest.fixture
def fuzz(app, world, login) -> Fuzz:
    return Fuzz(app, world, login)


# --- the forms: who posts what where, what a success stores --------------------------------------


@dataclass(frozen=True)
class Form:
    endpoint: str
    account: str | None  # who may post it; None: a visitor
    url: str | tuple[str, ...]  # with {placeholders} of Fuzz.values; one of them each time
    fields: dict[str, Field]
    form_class: type | None = None  # its fields must all be in `fields`
    multipart: bool = False
    stored: Callable[[Fuzz, dict, object], None] | None = None
    reset: Callable[[Fuzz], None] | None = None
    prepare: Callable[[Fuzz], None] | None = None  # once, before the first example
    refusal_writes: frozenset = frozenset()


def status_of(fuzz: Fuzz, item: str) -> ProgressStatus:
    return read(fuzz.app, select(Progress.status).where(Progress.id == fuzz.values[item]))[0]


# The checklist, as Phường 1's staff on Phường 1's items.

def saved_progress(fuzz: Fuzz, sent: dict, response) -> None:
    item_id = int(urlsplit(response.request.path).path.split("/")[2])
    note, numerator, denominator, quantity = read(fuzz.app, select(
        Progress.note, Progress.numerator, Progress.denominator, Progress.quantity,
    ).where(Progress.id == item_id))
    assert note == sent.get("note", "").strip()
    if item_id == fuzz.values["percent_item"]:
        given = [sent.get(name, "").strip() for name in ("numerator", "denominator")]
        expected = [figure(v) for v in given] if all(given) else [None, None]
        assert [numerator, denominator] == expected
    if item_id == fuzz.values["count_item"]:
        given = sent.get("quantity", "").strip()
        assert quantity == (figure(given) if given else None)


def added_link(fuzz: Fuzz, sent: dict, response) -> None:
    (url,) = read(fuzz.app, select(Evidence.url).where(
        Evidence.progress_id == fuzz.values["item"], Evidence.kind == EvidenceKind.LINK,
    ).order_by(Evidence.id.desc()).limit(1))
    assert url == sent["url"].strip()
    assert urlsplit(url).scheme.lower() in ("http", "https")


def uploaded(fuzz: Fuzz, sent: dict, response) -> None:
    (name,) = read(fuzz.app, select(Evidence.file_name).where(
        Evidence.progress_id == fuzz.values["item"], Evidence.kind == EvidenceKind.FILE,
    ).order_by(Evidence.id.desc()).limit(1))
    assert name and "/" not in name and "\\" not in name
    assert not any(unicodedata.category(ch)[0] == "C" for ch in name), repr(name)


def wrote_message(fuzz: Fuzz, sent: dict, response) -> None:
    body, file_name = read(fuzz.app, select(Message.body, Message.file_name).where(
        Message.progress_id == fuzz.values["item"]).order_by(Message.id.desc()).limit(1))
    assert body == sent["body"].strip()
    assert bool(file_name) == bool(sent.get("file"))  # no file chosen: none kept
    assert "/" not in file_name and "\\" not in file_name
    assert not any(unicodedata.category(ch)[0] == "C" for ch in file_name), repr(file_name)


def submitted(fuzz: Fuzz, sent: dict, response) -> None:
    status, late_reason = read(fuzz.app, select(Progress.status, Progress.late_reason)
                               .where(Progress.id == fuzz.values["item"]))
    assert status is ProgressStatus.SUBMITTED
    assert late_reason == sent.get("late_reason", "").strip()  # 1.1 is late: the reason is kept


def return_item(fuzz: Fuzz) -> None:
    """The reviewer sends 1.1 back, so that Phường 1 can submit it again."""
    response = fuzz.client("noivu.duyet").post(f"/items/{fuzz.values['item']}/review", {
        "verdict": "return", "comment": "Bổ sung để thử lại."})
    assert response.status_code == 303


def assigned(fuzz: Fuzz, sent: dict, response) -> None:
    """The ticked people of the unit have the item, with the due date and note as given."""
    with fuzz.app.app_context():
        found = db.session.scalar(select(Assignment).options(selectinload(Assignment.officers))
                                  .where(Assignment.progress_id == fuzz.values["item"]))
        if not sent.get("officers"):  # none ticked: the assignment taken back
            assert found.officers == [] and found.note == "" and found.due_on is None
            return
        assert [str(user.id) for user in found.officers] == sent["officers"]
        assert found.note == sent.get("note", "").strip()
        due = sent.get("due_on", "").strip()
        assert found.due_on == (as_date(due) if due else None)


def sent_up(fuzz: Fuzz, sent: dict, response) -> None:
    awaiting, late_reason = read(fuzz.app, select(Progress.awaiting_head_since,
                                                  Progress.late_reason)
                                 .where(Progress.id == fuzz.values["item"]))
    assert awaiting is not None
    assert late_reason == sent.get("late_reason", "").strip()


def head_returns(fuzz: Fuzz) -> None:
    """Phường 1's head sends 1.1 back, so that the officer can send it up again."""
    response = fuzz.client("phuong1").post(f"/items/{fuzz.values['item']}/return-to-officer",
                                           {"comment": "Sửa để thử lại."})
    assert response.status_code == 303


def returned_to_officer(fuzz: Fuzz, sent: dict, response) -> None:
    awaiting, comment = read(fuzz.app, select(Progress.awaiting_head_since,
                                              Progress.head_comment)
                             .where(Progress.id == fuzz.values["item"]))
    assert awaiting is None and comment == sent["comment"].strip()


def officer_sends_up(fuzz: Fuzz) -> None:
    response = fuzz.client("phuong1.cb1").post(f"/items/{fuzz.values['item']}/send-up",
                                               {"late_reason": "Chờ số liệu."})
    assert response.status_code == 303


def finding_row(fuzz: Fuzz, finding_id: int | None = None) -> Finding:
    with fuzz.app.app_context():
        found = db.session.get(Finding, finding_id or fuzz.values["finding"])
        db.session.expunge(found)
        return found


def added_finding(fuzz: Fuzz, sent: dict, response) -> None:
    (newest,) = read(fuzz.app, select(func.max(Finding.id)))
    found = finding_row(fuzz, newest)
    assert found.text == sent["text"].strip()
    assert found.field_id == (int(sent["field"]) if sent.get("field") else None)


def added_field(fuzz: Fuzz, sent: dict, response) -> None:
    (newest,) = read(fuzz.app, select(FindingField.name).order_by(FindingField.id.desc()).limit(1))
    assert newest == clean(sent["name"])


def edited_finding(fuzz: Fuzz, sent: dict, response) -> None:
    found = finding_row(fuzz)
    assert found.text == sent["text"].strip()
    assert found.field_id == (int(sent["field"]) if sent.get("field") else None)


def answered_finding(fuzz: Fuzz, sent: dict, response) -> None:
    found = finding_row(fuzz)
    assert found.answer.value == sent["answer"] == "not_fixed"  # fixed needs evidence first
    assert found.answer_note == sent["note"].strip()


def reviewed_finding(fuzz: Fuzz, sent: dict, response) -> None:
    found = finding_row(fuzz)
    assert found.review.value == {"approve": "approved", "return": "returned"}[sent["verdict"]]


def answer_finding_again(fuzz: Fuzz) -> None:
    """Phường 1 answers the world's finding anew, so that it waits for a review again."""
    response = fuzz.client("phuong1").post(f"/findings/{fuzz.values['finding']}/answer", {
        "answer": "not_fixed", "note": f"Đang chờ kinh phí ({fuzz.visits})."})
    fuzz.visits += 1
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def asked_extension(fuzz: Fuzz, sent: dict, response) -> None:
    reason, proposed = read(fuzz.app, select(Extension.reason, Extension.proposed_deadline)
                            .where(Extension.progress_id == fuzz.values["future_item"]))
    assert reason == sent["reason"].strip()
    assert proposed == as_date(sent["proposed"])


def forget_extension(fuzz: Fuzz) -> None:
    """Only one extension may be asked per item: forget it, to ask again."""
    with fuzz.app.app_context():
        db.session.execute(Extension.__table__.delete().where(
            Extension.progress_id == fuzz.values["future_item"]))
        db.session.commit()


# The reviewer's decisions, as Phòng Nội vụ's reviewer.

def decided(fuzz: Fuzz, sent: dict, response) -> None:
    status, comment = read(fuzz.app, select(Progress.status, Progress.review_comment)
                           .where(Progress.id == fuzz.values["submitted"]))
    wanted = {"approve": ProgressStatus.APPROVED, "return": ProgressStatus.RETURNED}
    assert status is wanted[sent["verdict"]]
    assert comment == sent.get("comment", "").strip()


def submit_again(fuzz: Fuzz, item: str = "submitted") -> None:
    """Bring an item back to the reviewer: reopened if approved, then submitted by Phường 1."""
    if status_of(fuzz, item) is ProgressStatus.APPROVED:
        assert fuzz.client("noivu.duyet").post(f"/items/{fuzz.values[item]}/reopen").status_code \
            == 303
    if status_of(fuzz, item) is not ProgressStatus.SUBMITTED:
        response = fuzz.client("phuong1").post(f"/items/{fuzz.values[item]}/submit",
                                               {"late_reason": "Giải trình."})
        assert response.status_code == 303, response.get_data(as_text=True)


def reopened(fuzz: Fuzz, sent: dict, response) -> None:
    status, comment = read(fuzz.app, select(Progress.status, Progress.review_comment)
                           .where(Progress.id == fuzz.values["approved"]))
    assert status is ProgressStatus.IN_PROGRESS
    assert comment == sent.get("comment", "").strip()


def approve_again(fuzz: Fuzz) -> None:
    submit_again(fuzz, "approved")
    response = fuzz.client("noivu.duyet").post(f"/items/{fuzz.values['approved']}/review",
                                               {"verdict": "approve"})
    assert response.status_code == 303


def decided_extension(fuzz: Fuzz, sent: dict, response) -> None:
    status, granted, proposed, note = read(fuzz.app, select(
        Extension.status, Extension.granted_deadline, Extension.proposed_deadline,
        Extension.decision_note).where(Extension.progress_id == fuzz.values["extension_item"]))
    assert note == sent.get("note", "").strip()
    if sent["decision"] == "grant":
        assert status is ExtensionStatus.GRANTED
        typed = sent.get("granted", "").strip()
        assert granted == (as_date(typed) if typed else proposed)
    else:
        assert status is ExtensionStatus.REFUSED and granted is None


def extension_pending(fuzz: Fuzz) -> None:
    with fuzz.app.app_context():
        db.session.execute(Extension.__table__.update().where(
            Extension.progress_id == fuzz.values["extension_item"],
        ).values(status=ExtensionStatus.PENDING, granted_deadline=None, decision_note=""))
        db.session.commit()


def approved_many(fuzz: Fuzz, sent: dict, response) -> None:
    wanted = set()
    for value in sent.get("item", []):
        wanted.add(int(value))
    if fuzz.values["submitted"] in wanted:
        assert status_of(fuzz, "submitted") is ProgressStatus.APPROVED


# Units, accounts and directives, as the administrator.

def unit_named(fuzz: Fuzz, name: str) -> tuple:
    return read(fuzz.app, select(Unit.name, Unit.short_name, Unit.position)
                .where(Unit.name == clean(name)))


def created_unit(fuzz: Fuzz, sent: dict, response) -> None:
    name, short_name, position = unit_named(fuzz, sent["name"])
    assert short_name == clean(sent.get("short_name", ""))
    if sent.get("position", "").strip():
        assert position == int(sent["position"])


def edited_unit(fuzz: Fuzz, sent: dict, response) -> None:
    """A field left out of the post keeps what the unit had (the form starts from it)."""
    name, short_name, position = read(fuzz.app, select(Unit.name, Unit.short_name, Unit.position)
                                      .where(Unit.id == fuzz.values["unit"]))
    if "name" in sent:
        assert name == clean(sent["name"])
    if "short_name" in sent:
        assert short_name == clean(sent["short_name"])
    if sent.get("position", "").strip():
        assert position == int(sent["position"])


def created_area(fuzz: Fuzz, sent: dict, response) -> None:
    """The new area is under the parent chosen, its path its parent's and its own id."""
    name = clean(sent["name"])
    found = read(fuzz.app, select(Area.id, Area.parent_id, Area.path, Area.depth)
                 .where(Area.name == name).order_by(Area.id.desc()).limit(1))
    area_id, parent_id, path, depth = found
    wanted = int(sent["parent"]) if sent.get("parent") else None
    assert parent_id == wanted
    parent_path = "/" if wanted is None else read(
        fuzz.app, select(Area.path).where(Area.id == wanted))[0]
    assert path == f"{parent_path}{area_id}/" and depth == path.count("/") - 2


def edited_area(fuzz: Fuzz, sent: dict, response) -> None:
    """A field left out keeps what the area had; its path always follows its parent."""
    name, parent_id, path = read(fuzz.app, select(Area.name, Area.parent_id, Area.path)
                                 .where(Area.id == fuzz.values["sub_area"]))
    if "name" in sent:
        assert name == clean(sent["name"])
    if "parent" in sent:
        assert parent_id == (int(sent["parent"]) if sent["parent"] else None)
    parent_path = "/" if parent_id is None else read(
        fuzz.app, select(Area.path).where(Area.id == parent_id))[0]
    assert path == f"{parent_path}{fuzz.values['sub_area']}/"


def created_user(fuzz: Fuzz, sent: dict, response) -> None:
    username = sent["username"].strip().lower()
    full_name, unit_id = read(fuzz.app, select(User.full_name, User.unit_id)
                              .where(User.username == username))
    assert full_name == clean(sent["full_name"])
    assert unit_id == (int(sent["unit"]) if sent.get("unit") else None)
    (email,) = read(fuzz.app, select(User.email).where(User.username == username))
    assert email == sent.get("email", "").strip()
    (position,) = read(fuzz.app, select(User.position).where(User.username == username))
    assert position == stored_position(sent)
    (title,) = read(fuzz.app, select(User.title).where(User.username == username))
    assert title == clean(sent.get("title", ""))


def stored_position(sent: dict) -> str | None:
    """A unit account is stored as what was chosen, an officer if nothing was; others as none."""
    if sent.get("role") != "unit":
        return None
    return sent.get("position") or "officer"


def edited_user(fuzz: Fuzz, sent: dict, response) -> None:
    full_name, role, active = read(fuzz.app, select(User.full_name, User.role, User.active)
                                   .where(User.id == fuzz.values["account"]))
    if "full_name" in sent:
        assert full_name == clean(sent["full_name"])
    if "role" in sent:
        assert role.value == sent["role"]
    if "email" in sent:
        (email,) = read(fuzz.app, select(User.email).where(User.id == fuzz.values["account"]))
        assert email == sent["email"].strip()
    if "position" in sent and "role" in sent:
        (position,) = read(fuzz.app, select(User.position)
                           .where(User.id == fuzz.values["account"]))
        assert position == stored_position(sent)
    assert active is (sent.get("active", "") not in ("", "false"))  # a box not ticked is off


def directive_saved(fuzz: Fuzz, sent: dict, directive_id: int) -> None:
    """What was sent is stored; a field left out is empty on a new directive and unchanged on
    an edited one (`sent` then holds only what was sent)."""
    found = read(fuzz.app, select(Directive).where(Directive.id == directive_id))[0]
    for name in ("title", "number", "issuer", "date_line", "signer", "signer_title"):
        if name in sent:
            assert getattr(found, name) == clean(sent[name]), name
    if "subject" in sent:
        assert found.subject == sent["subject"].strip()
    if "year" in sent:
        assert found.year == int(sent["year"])
    if "issued_on" in sent:
        issued = sent["issued_on"].strip()
        assert found.issued_on == (as_date(issued) if issued else None)
    if "deadline_reading" in sent:  # left out: the default (new) or unchanged (edited)
        assert found.deadline_day_counts is (sent["deadline_reading"] == "counts")
    if "sign_off" in sent:
        assert found.sign_off_required is (sent["sign_off"] == "required")


def report_settings_saved(fuzz: Fuzz, sent: dict, response) -> None:
    """Names as the administration stores them, the symbol in capitals, "Nơi nhận" one cleaned
    line each without the decree's dashes and stops (added when printed)."""
    stored = read(fuzz.app, select(ReportSettings).order_by(ReportSettings.id).limit(1))[0]
    for name in ("office", "authority_line", "signer_title", "signer_name"):
        if name in sent:
            assert getattr(stored, name) == clean(sent[name])
    if "number_symbol" in sent:
        assert stored.number_symbol == clean(sent["number_symbol"]).upper()
    if "recipients" in sent:
        lines = [clean(line).lstrip("-–•+* ").rstrip(" ;.,")
                 for line in sent["recipients"].splitlines()]
        assert stored.recipients == "\n".join(line for line in lines if line)


def formula_saved(fuzz: Fuzz, sent: dict, response) -> None:
    """Each weight as typed, read with a decimal comma or point, spaces dropped."""
    stored = read(fuzz.app, select(ScoringFormula).order_by(ScoringFormula.id).limit(1))[0]
    for name in ("on_time", "late", "overdue", "returned"):
        typed = sent.get(name, "").strip().replace(" ", "").replace(",", ".")
        assert getattr(stored, name) == Decimal(typed), name


def read_ended(fuzz: Fuzz, sent: dict, response) -> None:
    """A letter's file taken for a read outside the request: the read ends (its process writes
    the draft, or its failure) before the next example, whose refusal must write nothing."""
    found = re.fullmatch(r"/admin/directives/reads/(\d+)", response.headers.get("Location", ""))
    if found is None:
        return
    deadline = time.monotonic() + 180
    while read(fuzz.app, select(LetterRead.status).where(
            LetterRead.id == int(found.group(1))))[0] in (LetterReadStatus.QUEUED,
                                                           LetterReadStatus.READING):
        assert time.monotonic() < deadline, "the read did not end"
        time.sleep(0.2)


def created_directive(fuzz: Fuzz, sent: dict, response) -> None:
    fields = ("title", "subject", "number", "issuer", "date_line", "signer", "signer_title",
              "issued_on")
    directive_saved(fuzz, dict.fromkeys(fields, "") | sent,
                    int(response.headers["Location"].rsplit("/", 1)[1]))


def edited_directive(fuzz: Fuzz, sent: dict, response) -> None:
    directive_saved(fuzz, sent, fuzz.values["draft"])


def copied(fuzz: Fuzz, sent: dict, response) -> None:
    directive_id = int(response.headers["Location"].rsplit("/", 1)[1])
    title, year, slug = read(fuzz.app, select(Directive.title, Directive.year, Directive.slug)
                             .where(Directive.id == directive_id))
    # A field left out keeps what the form proposed (the next year, its title and code).
    if "year" in sent:
        assert year == int(sent["year"])
    if "slug" in sent:
        assert slug == sent["slug"].strip().lower()
    if "title" in sent:
        assert title == clean(sent["title"])


def task_saved(fuzz: Fuzz, sent: dict, task_id: int) -> None:
    """As directive_saved: a field left out is empty on a new task, unchanged on an edited one."""
    found = read(fuzz.app, select(Task).where(Task.id == task_id))[0]
    if "title" in sent:
        assert found.title == clean(sent["title"])
    if "text" in sent:
        assert found.text == sent["text"].strip().replace("\r\n", "\n")
    if "evidence_hint" in sent:
        assert found.evidence_hint == clean(sent["evidence_hint"])
    if "deadline" in sent:
        deadline = sent["deadline"].strip()
        assert found.deadline == (as_date(deadline) if deadline else None)


def created_task(fuzz: Fuzz, sent: dict, response) -> None:
    task_saved(fuzz, dict.fromkeys(("text", "evidence_hint", "deadline"), "") | sent,
               int(response.headers["Location"].rsplit("-", 1)[1]))


def edited_task(fuzz: Fuzz, sent: dict, response) -> None:
    task_saved(fuzz, sent, fuzz.values["draft_task"])


SENTENCES = "Rà soát thủ tục. Báo cáo kết quả. Đề xuất khen thưởng."


def give_sentences(fuzz: Fuzz) -> None:
    """The draft task gets a text of three sentences, so that there is somewhere to split."""
    response = fuzz.client("quantri").post(f"/admin/tasks/{fuzz.values['draft_task']}/edit", {
        "code": "1", "title": "Báo cáo quý", "text": SENTENCES, "kind": "action",
        "audience": "kind:commune", "deadline": "30/06/2100"})
    assert response.status_code == 303, response.get_data(as_text=True)


def split(fuzz: Fuzz, sent: dict, response) -> None:
    title, text = read(fuzz.app, select(Task.title, Task.text)
                       .where(Task.id == fuzz.values["draft_task"]))
    assert text and text in SENTENCES
    if "title" in sent:  # left out: the title the task had
        assert title == clean(sent["title"])
    if "new_code" in sent:  # left out: the code the form proposed
        (new_title,) = read(fuzz.app, select(Task.title).where(
            Task.directive_id == fuzz.values["draft"], Task.code == clean(sent["new_code"])))
        assert new_title == clean(sent.get("new_title", title))


def unmatch_draft_task(fuzz: Fuzz) -> None:
    """The draft task as the importer leaves one it could not place, so that there is a task
    to choose an audience for (set again after each success)."""
    with fuzz.app.app_context():
        db.session.get(Task, fuzz.values["draft_task"]).audience = "unmatched"
        db.session.commit()


def audience_chosen(fuzz: Fuzz, sent: dict, response) -> None:
    (audience,) = read(fuzz.app, select(Task.audience).where(Task.id == fuzz.values["draft_task"]))
    assert audience == sent["audience"] or (sent["audience"] == "units"
                                            and audience.startswith("units:"))


def mail_settings(fuzz: Fuzz, sent: dict, response) -> None:
    email, off = read(fuzz.app, select(User.email, User.mail_kinds_off)
                      .where(User.username == "phuong1"))
    if "email" in sent:
        assert email == sent["email"].strip()
    assert not set(sent.get("kinds", [])) & set(off)


def reminded(fuzz: Fuzz, sent: dict, response) -> None:
    (after,) = read(fuzz.app, select(AuditEvent.after).where(AuditEvent.action == "reminder.send")
                    .order_by(AuditEvent.id.desc()).limit(1))
    assert after["message"] == sent["message"].strip().replace("\r\n", "\n")


def logged_in(fuzz: Fuzz, sent: dict, response) -> None:
    target = response.headers["Location"]
    assert target.startswith("/") and not target.startswith(("//", "/\\")), target


def give_reset_link(fuzz: Fuzz) -> None:
    """A "Quên mật khẩu" link for phongkinhte, as the mail would carry it (its token is in the
    mail only: the test makes one and keeps its hash as the portal does)."""
    token = secrets.token_urlsafe(32)
    with fuzz.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "phongkinhte"))
        now = utcnow()
        db.session.add(PasswordReset(at=now, ip="10.9.9.9", user_id=user_id,
                                     token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                     expires_at=now + timedelta(hours=1)))
        db.session.commit()
    fuzz.values["reset_token"] = token


def reset_password(fuzz: Fuzz, sent: dict, response) -> None:
    assert response.headers["Location"] == "/login"
    again = PortalClient(fuzz.app.test_client()).login("phongkinhte", sent["new"])
    assert again.status_code == 303, "the new password does not open the account"


def changed_password(fuzz: Fuzz, sent: dict, response) -> None:
    fuzz.passwords["phongtuphap"] = sent["new"]
    again = PortalClient(fuzz.app.test_client()).login("phongtuphap", sent["new"])
    assert again.status_code == 303, "the new password does not open the account"


ADDRESSES = ("", "nguyenvana@sadec.gov.vn", " can.bo+1@phuong1.sadec.gov.vn ")
DATES = ("30/06/2100", "1/7/2100", "2100-12-31", "15/12/2099", "31/12/2099")
NOTES = ("Đã họp triển khai.", NAME, NFD_NAME, "Dòng một\r\nDòng hai", "")
FIGURES = ("", "45", "50", " 1.234 ", "0", "10000000")
UNIT_KINDS = ("office", "service", "commune")
ROLE_VALUES = ("unit", "reviewer", "leader", "admin")
POSITION_VALUES = ("head", "officer")
SLUGS = ("", "ke-hoach-2101", "sa-dec-2024-cchc", "van-ban-moi")
TASK_KINDS = ("action", "document", "report", "metric")
AUDIENCES = ("all", "inspected", "not_inspected", "kind:office", "kind:service",
             "kind:commune", "units")


def task_fields() -> dict[str, Field]:
    return {
        "code": text("3", "1.4b", "9.9", " 7 "),
        "section": number("", Ref("draft_section")),
        "title": text("Báo cáo bổ sung", NAME, NFD_NAME),
        "text": text("", SENTENCES, "Dòng một\r\nDòng hai"),
        "kind": text(*TASK_KINDS),
        "measure": text("", "percent", "count"),
        "measure_unit": text("", "hồ sơ"),
        "target": number("", "100", "90,5", "1.000"),
        "target_at_most": text(OMIT, "y"),
        "evidence_hint": text("", "Báo cáo của đơn vị"),
        "deadline": day("", *DATES),
        "audience": text(*AUDIENCES),
        "units": several(Ref("unit"), Ref("other_unit")),
        "lead_unit": number("", Ref("unit")),
    }


def directive_fields() -> dict[str, Field]:
    return {
        "title": text("Kế hoạch CCHC năm 2024", NAME, NFD_NAME),
        "subject": text("", "V/v chấn chỉnh, khắc phục"),
        "number": text("", "123/UBND-HC"),
        "issuer": text("", "UBND thành phố Sa Đéc"),
        "date_line": text("", "Sa Đéc, ngày 05 tháng 6 năm 2023"),
        "issued_on": day("", "05/01/2024", "2024-01-05"),
        "year": number("2024", "2101"),
        "signer": text("", NAME),
        "signer_title": text("", "Chủ tịch"),
        "slug": text(*SLUGS),
        "deadline_reading": text("counts", "strict"),
        "sign_off": text("required", "direct"),
    }


LETTER = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ SA ĐÉC\n\nSố: 7/UBND-HC\nV/v báo cáo CCHC quý năm 2099\n\n"
          "1. Chủ tịch UBND các xã, phường\n\nBáo cáo kết quả CCHC quý trước ngày 30/6/2099.\n")

FORMS = {form.endpoint: form for form in [
    # -- Phường 1's staff, on Phường 1's items
    Form("checklist.save", "phuong1", ("/items/{item}/save", "/items/{count_item}/save",
                                       "/items/{percent_item}/save"), {
        "note": text(*NOTES), "numerator": number(*FIGURES), "denominator": number(*FIGURES),
        "quantity": number(*FIGURES),
    }, ProgressForm, stored=saved_progress),
    Form("checklist.add_link", "phuong1", "/items/{item}/links", {
        "url": text("https://sadec.dongthap.gov.vn/tin-cchc", " http://a.vn/x?q=1&b=2 "),
    }, LinkForm, stored=added_link),
    Form("checklist.upload", "phuong1", "/items/{item}/files", {
        "file": text("Báo cáo.pdf", unicodedata.normalize("NFD", "Kế hoạch.pdf")),
    }, UploadForm, multipart=True, stored=uploaded),
    Form("checklist.submit", "phuong1", "/items/{item}/submit", {
        "late_reason": text("Chờ số liệu.", NFD_NAME),
    }, SubmitForm, stored=submitted, reset=return_item),
    Form("talk.write", "phuong1", "/items/{item}/messages", {
        "body": text(*NOTES), "file": text(OMIT, "Dự thảo.pdf"),
    }, MessageForm, multipart=True, stored=wrote_message),
    Form("checklist.assign", "phuong1", "/items/{item}/assign", {
        # Phòng Tư pháp's account is no one of Phường 1's: refused.
        "officers": several(Ref("officer"), Ref("account")), "due_on": day("", "20/06/2023"),
        "note": text("", "Làm gấp, gửi trước họp giao ban.", NFD_NAME),
    }, AssignForm, stored=assigned),
    Form("checklist.send_up", "phuong1.cb1", "/items/{item}/send-up", {
        "late_reason": text("Chờ số liệu.", NFD_NAME),
    }, SubmitForm, stored=sent_up, reset=head_returns),
    Form("checklist.return_to_officer", "phuong1", "/items/{item}/return-to-officer", {
        "comment": text("Bổ sung số liệu tháng 6.", NFD_NAME),
    }, SignOffReturnForm, stored=returned_to_officer, reset=officer_sends_up,
        prepare=officer_sends_up),
    # -- findings: Phòng Nội vụ records them, Phường 1 answers, Phòng Nội vụ reviews
    Form("findings.add", "noivu.duyet", "/items/{fresh_item}/findings", {
        "code": text("", "HC2", "2.1"), "text": text(*NOTES), "field": number("", "1", "7"),
        "deadline": day("", "30/06/2023"),
    }, FindingForm, stored=added_finding),
    Form("findings.edit", "noivu.duyet", "/findings/{finding}/edit", {
        "code": text("", "HC1", "2.1"), "text": text(*NOTES), "field": number("", "1", "7"),
        "deadline": day("", "30/06/2023"),
    }, FindingForm, stored=edited_finding),
    Form("admin.finding_fields", "quantri", "/admin/finding-fields", {
        "name": text("Cải cách hành chính trong doanh nghiệp", NFD_NAME, "Cải cách thể chế"),
    }, FindingFieldForm, stored=added_field),
    Form("findings.withdraw", "noivu.duyet", "/findings/{finding}/withdraw", {
        "withdrawn": text("0", "1")}, WithdrawForm),
    Form("findings.answer", "phuong1", "/findings/{finding}/answer", {
        "answer": text("fixed", "not_fixed"), "note": text(*NOTES),
    }, AnswerForm, stored=answered_finding),
    Form("findings.upload", "phuong1", "/findings/{finding}/files", {
        "file": text("Kế hoạch.pdf", unicodedata.normalize("NFD", "Biên bản.pdf")),
    }, UploadForm, multipart=True),
    Form("findings.review", "noivu.duyet", "/findings/{finding}/review", {
        "verdict": text("approve", "return"), "comment": text("", "Bổ sung biên bản.", NFD_NAME),
    }, FindingReviewForm, stored=reviewed_finding, reset=answer_finding_again,
        prepare=answer_finding_again),
    Form("checklist.request_extension", "phuong1", "/items/{future_item}/extension", {
        "reason": text("Chờ số liệu quý IV", NFD_NAME), "proposed": day(*DATES),
    }, ExtensionForm, stored=asked_extension, reset=forget_extension),
    # -- Phòng Nội vụ's reviewer
    Form("review.review", "noivu.duyet", "/items/{submitted}/review", {
        "verdict": text("approve", "return"), "comment": text("", "Bổ sung biên bản.", NFD_NAME),
    }, ReviewForm, stored=decided, reset=submit_again),
    Form("review.reopen", "noivu.duyet", "/items/{approved}/reopen", {
        "comment": text("", "Mở lại để bổ sung."),
    }, ReopenForm, stored=reopened, reset=approve_again),
    Form("review.decide_extension", "noivu.duyet", "/items/{extension_item}/extension/decision", {
        "decision": text("grant", "refuse"), "granted": day("", "31/12/2099", "2100-01-31"),
        "note": text("", "Đồng ý.", NFD_NAME),
    }, ExtensionDecisionForm, stored=decided_extension, reset=extension_pending),
    Form("review.approve_many", "noivu.duyet", "/review/approve", {
        "item": several(Ref("submitted"), Ref("approved"), Ref("item")),
    }, stored=approved_many, reset=submit_again),
    # -- the administrator: units and accounts
    Form("admin.new_unit", "quantri", "/admin/units/new", {
        "name": text("Phường Mỹ Phú", NAME, NFD_NAME, "Phường  An Hoà "),
        "short_name": text("", "P.MP"), "kind": text(*UNIT_KINDS), "position": number("", "3"),
        "area": number("", Ref("area"), Ref("sub_area")),
    }, UnitForm, stored=created_unit),
    Form("admin.edit_unit", "quantri", "/admin/units/{unit}/edit", {
        "name": text("Phường 1", NFD_NAME), "short_name": text("", "P.1"),
        "kind": text(*UNIT_KINDS), "position": number("", "0", "999999"),
        "area": number("", Ref("area"), Ref("sub_area")),
    }, UnitForm, stored=edited_unit),
    Form("admin.new_area", "quantri", "/admin/areas/new", {
        "name": text("Huyện Lai Vung (cũ)", NAME, NFD_NAME, "Cụm  xã phía Bắc "),
        "parent": number("", Ref("area"), Ref("sub_area")), "position": number("", "3"),
    }, AreaForm, stored=created_area),
    Form("admin.edit_area", "quantri", "/admin/areas/{sub_area}/edit", {
        "name": text("Khối phố ven sông", NFD_NAME, "Khối phố mới"),
        "parent": number("", Ref("area"), Ref("sub_area")), "position": number("", "0", "999999"),
    }, AreaForm, stored=edited_area),
    Form("admin.move_unit", "quantri", "/admin/units/{unit}/move", {
        "direction": text("up", "down")}),
    Form("admin.sort_units", "quantri", "/admin/units/sort", {"kind": text(*UNIT_KINDS)}),
    Form("admin.set_unit_active", "quantri", "/admin/units/{other_unit}/active", {
        "active": text("0", "1")}),
    Form("admin.new_user", "quantri", "/admin/users/new", {
        "username": text("canbo.moi", "ld.2", "Can_Bo-3"),
        "full_name": text("Nguyễn Văn A", NFD_NAME), "role": text(*ROLE_VALUES),
        "title": text("", "Chuyên viên", "Phó Chủ tịch UBND phường", NFD_NAME),
        "position": text("", *POSITION_VALUES), "unit": number("", Ref("unit")),
        "email": text(*ADDRESSES),
    }, NewUserForm, stored=created_user),
    Form("admin.edit_user", "quantri", "/admin/users/{account}/edit", {
        "full_name": text("Trần Văn B", NFD_NAME), "role": text(*ROLE_VALUES),
        "title": text(OMIT, "", "Trưởng phòng"),
        "position": text(OMIT, "", *POSITION_VALUES), "unit": number("", Ref("unit")),
        "active": text(OMIT, "y"), "email": text(*ADDRESSES),
    }, EditUserForm, stored=edited_user),
    Form("admin.retry_mail", "quantri", "/admin/mail/retry", {"message": number("1", "2")}),
    Form("admin.report_settings", "quantri", "/admin/report", {
        "office": text("Phòng Nội vụ", "Văn phòng HĐND và UBND", NFD_NAME),
        "number_symbol": text("BC-PNV", "bc-vp", "UBND-HC"),
        "authority_line": text("", "KT. TRƯỞNG PHÒNG", "tm. Ủy ban nhân dân"),
        "signer_title": text("TRƯỞNG PHÒNG", "Phó Chủ tịch"),
        "signer_name": text(NAME, NFD_NAME),
        "recipients": text("Lưu: VT, PNV", "- Thường trực UBND Thành phố;\r\n- Lưu: VT, PNV."),
    }, ReportSettingsForm, stored=report_settings_saved),
    Form("admin.set_user_active", "quantri", "/admin/users/{account}/active", {
        "active": text("0", "1")}),
    # -- the administrator: directives and their tasks
    Form("admin.new_directive", "quantri", "/admin/directives/new", directive_fields(),
         DirectiveForm, stored=created_directive),
    Form("admin.import_directive", "quantri", "/admin/directives/import", {
        "text": text(LETTER, LETTER.replace("\n", "\r\n"), unicodedata.normalize("NFD", LETTER)),
        "slug": text(*SLUGS), "file": text(OMIT),
    }, LetterForm, multipart=True, stored=read_ended),
    # The draft made again from its letter's text, corrected by the editor.
    Form("admin.reimport_text", "quantri", "/admin/directives/{draft}/text", {
        "text": text(LETTER, LETTER.replace("\n", "\r\n"), unicodedata.normalize("NFD", LETTER)),
    }, LetterTextForm),
    Form("admin.edit_directive", "quantri", "/admin/directives/{draft}/edit", directive_fields(),
         DirectiveForm, stored=edited_directive),
    Form("admin.directive_inspected", "quantri", "/admin/directives/{draft}/inspected", {
        "units": several(Ref("unit"), Ref("other_unit")),
    }, InspectedForm),
    Form("admin.copy_directive", "quantri", "/admin/directives/{future}/copy", {
        "carry_findings": text(OMIT, "y"),
        "year": number("2101", "2024"), "title": text("Kế hoạch năm 2101", NFD_NAME),
        "slug": text("ke-hoach-2101", "ke-hoach-2102"),
    }, CopyForm, stored=copied),
    Form("admin.new_task", "quantri", "/admin/directives/{draft}/tasks/new", task_fields(),
         TaskForm, stored=created_task),
    Form("admin.edit_task", "quantri", "/admin/tasks/{draft_task}/edit", task_fields(),
         TaskForm, stored=edited_task),
    Form("admin.choose_audience", "quantri", "/admin/directives/{draft}/tasks/audience", {
        "tasks": several(Ref("draft_task")), "audience": text(*AUDIENCES),
        "units": several(Ref("unit"), Ref("other_unit")),
    }, AudienceForm, stored=audience_chosen, reset=unmatch_draft_task, prepare=unmatch_draft_task),
    Form("admin.move_task", "quantri", "/admin/tasks/{task}/move", {
        "direction": text("up", "down")}),
    Form("admin.split_task", "quantri", "/admin/tasks/{draft_task}/split", {
        "at": number("1", "2"), "title": text("Rà soát", NFD_NAME),
        "new_code": text("1b", "1c", "2"), "new_title": text("Báo cáo", NFD_NAME),
    }, SplitForm, stored=split, reset=give_sentences, prepare=give_sentences),
    # -- anyone: logging in, one's own password
    Form("auth.login", None, "/login", {
        "username": text("phuong1", "PHUONG1", " phuong1 "), "password": text(PASSWORD),
        "remember": text(OMIT, "y"), "next": text("", "/directives", "/admin/users?q=a"),
    }, LoginForm, stored=logged_in, refusal_writes=frozenset(LOGIN_WRITES)),
    Form("auth.forgot_password", None, "/password/forgot", {
        "name": text("phuong1", "PHUONG1", "khongcoai", "nguyenvana@sadec.gov.vn", NFD_NAME),
    }, ForgotPasswordForm, refusal_writes=frozenset({"audit_events"})),
    Form("auth.reset_password", None, "/password/reset/{reset_token}", {
        "new": text("mat-khau-moi-2024", "Phượng-ở-Sa-Đéc", NFD_NAME + " 2024", "😀" * 8),
        "confirm": text("mat-khau-moi-2024", "Phượng-ở-Sa-Đéc", NFD_NAME + " 2024", "😀" * 8),
    }, ResetPasswordForm, stored=reset_password, prepare=give_reset_link,
        reset=give_reset_link),
    Form("auth.change_password", "phongtuphap", "/account/password", {
        "current": text(Ref("password")),
        "new": text("mat-khau-moi-2024", "Phượng-ở-Sa-Đéc", NFD_NAME + " 2024", "😀" * 8),
        "confirm": text("mat-khau-moi-2024", "Phượng-ở-Sa-Đéc", NFD_NAME + " 2024", "😀" * 8),
    }, PasswordForm, stored=changed_password),
    Form("auth.mail_settings", "phuong1", "/account/notifications", {
        "email": text(*ADDRESSES), "kinds": several("reminder", "review.returned", "task.added"),
    }, MailSettingsForm, stored=mail_settings),
    Form("notifications.read_all", "phuong1", "/notifications/read-all", {
        "upto": number(OMIT, "", "1", "999"),
    }),
    Form("review.remind", "noivu.duyet", "/directives/{directive}/reminders", {
        "scope": text("unit", "task", "overdue"), "unit": number("", Ref("unit")),
        "task": number("", Ref("task")),
        "message": text("Đề nghị khẩn trương hoàn thành.", NFD_NAME),
    }, RemindForm, stored=reminded),
    # -- the reviewer: the formula units are scored by
    Form("overview.formula", "noivu.duyet", "/overview/formula", {
        name: number("1", "0", "0,5", "-1", "2.25", " 1 ") for name in
        ("on_time", "late", "overdue", "returned")
    }, FormulaForm, stored=formula_saved),
]}

NOT_FUZZED = {
    "auth.logout": "no field: the CSRF token only",
    "checklist.start": "no field: the CSRF token only (ActionForm)",
    "checklist.remove_evidence": "no field: the CSRF token only (ActionForm)",
    "talk.delete": "no field: the CSRF token only (DeleteMessageForm)",
    "admin.reset_password": "no field: the portal makes the password",
    "admin.delete_area_route": "no field: the CSRF token only",
    "admin.publish_directive": "no field",
    "admin.close_directive": "no field",
    "admin.reopen_directive": "no field",
    "admin.archive_directive": "no field",
    "admin.unarchive_directive": "no field",
    "admin.delete_directive": "no field",
    "admin.merge_task": "no field",
    "admin.withdraw_task": "no field",
    "admin.restore_task": "no field",
    # Fuzzed by test_fuzz_import: the file it sends, then this confirmation.
    "admin.import_upload": "fuzzed with its confirmation by test_fuzz_import",
    "admin.import_confirm": "no field of its own; writes the file test_fuzz_import sends",
    # Fuzzed by test_fuzz_findings_import: a file of hostile cells, its preview, its confirmation.
    "findings.import_upload": "fuzzed with its confirmation by test_fuzz_findings_import",
    "findings.import_confirm": "no field of its own; writes the file test_fuzz_findings_import "
                               "sends",
    "findings.import_cancel": "no field: the CSRF token only (FindingImportForm's file unused)",
}


def form_fields(form_class: type) -> set[str]:
    return {name for klass in form_class.__mro__ for name, value in vars(klass).items()
            if isinstance(value, UnboundField)}


def test_every_post_route_is_fuzzed_or_excused(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert not set(FORMS) & set(NOT_FUZZED)
    assert posts - set(FORMS) - set(NOT_FUZZED) == set(), "POST routes neither fuzzed nor excused"
    assert set(FORMS) | set(NOT_FUZZED) <= posts, "fuzzed or excused routes that are gone"
    for form in FORMS.values():
        if form.form_class is not None:
            missing = form_fields(form.form_class) - set(form.fields)
            assert not missing, f"{form.endpoint}: fields not fuzzed: {missing}"
    assert form_fields(ImportForm) == {"file"}  # the file test_fuzz_import sends


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    # One app per test function, on purpose: building it for each example would take minutes.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def fuzz_test(endpoint: str, *examples: dict):
    """A test of one form: hypothesis' examples, and `examples` that once failed, kept (each the
    form's values, or {"values": ..., "url": ..., "htmx": ...})."""
    form = FORMS[endpoint]
    urls = form.url if isinstance(form.url, tuple) else (form.url,)

    def test(fuzz, values, htmx, url):
        fuzz.post(form, values, htmx, url)

    test.__name__ = test.__qualname__ = "test_fuzz_" + endpoint.replace(".", "_")
    test = SETTINGS(given(values=form_values(form.fields), htmx=st.booleans(),
                          url=st.sampled_from(urls))(test))
    for kept in examples:
        kept = kept if "values" in kept else {"values": kept}
        test = example(**{"htmx": False, "url": urls[0]} | kept)(test)
    return test


# The examples once failed: the app was fixed and they stay, whatever hypothesis draws.
RED = "\x1b[31mđỏ\x1b[0m"
TASK = {"code": "9", "title": "Nhiệm vụ", "kind": "action", "audience": "all"}
test_fuzz_checklist_save = fuzz_test(
    "checklist.save",
    {"quantity": "\x00"},  # NUL: PostgreSQL cannot store it
    {"values": {"numerator": "9" * 5000, "denominator": "5"}, "url": "/items/{percent_item}/save"},
    {"values": {"quantity": "9" * 5000}, "url": "/items/{count_item}/save"},  # int() refused it
)
test_fuzz_checklist_add_link = fuzz_test("checklist.add_link")
test_fuzz_checklist_upload = fuzz_test("checklist.upload")
test_fuzz_checklist_submit = fuzz_test("checklist.submit")
test_fuzz_checklist_assign = fuzz_test("checklist.assign")
test_fuzz_findings_add = fuzz_test("findings.add")
test_fuzz_findings_withdraw = fuzz_test("findings.withdraw")
test_fuzz_findings_edit = fuzz_test("findings.edit")
test_fuzz_admin_finding_fields = fuzz_test("admin.finding_fields")
test_fuzz_findings_answer = fuzz_test("findings.answer")
test_fuzz_findings_upload = fuzz_test("findings.upload")
test_fuzz_findings_review = fuzz_test("findings.review")
test_fuzz_checklist_send_up = fuzz_test("checklist.send_up")
test_fuzz_checklist_return_to_officer = fuzz_test("checklist.return_to_officer")
test_fuzz_talk_write = fuzz_test("talk.write")
test_fuzz_checklist_request_extension = fuzz_test(
    "checklist.request_extension", {"reason": "Chờ số liệu", "proposed": "31/12/9999"})
test_fuzz_review_review = fuzz_test("review.review", {"verdict": " ", "comment": ""})
test_fuzz_review_reopen = fuzz_test("review.reopen")
test_fuzz_review_decide_extension = fuzz_test(
    "review.decide_extension", {"decision": " ", "granted": "", "note": ""})
test_fuzz_review_approve_many = fuzz_test("review.approve_many",
                                          {"item": ["99999999999999999999"]})
test_fuzz_admin_new_unit = fuzz_test(
    "admin.new_unit",
    {"name": NAME, "kind": "office", "position": "", "short_name": "\x19^Bÿ#°¿wLuö©"},
    {"name": "\u0958" * 200, "kind": "office"},  # 400 letters once composed
    {"name": "Phường Mỹ Phú", "kind": "office", "position": "²"},
)
test_fuzz_admin_edit_unit = fuzz_test(
    "admin.edit_unit", {"kind": "office", "name": "Phường 1", "position": "", "short_name": RED})
test_fuzz_admin_move_unit = fuzz_test("admin.move_unit")
test_fuzz_admin_new_area = fuzz_test(
    "admin.new_area", {"name": "Huyện Lai Vung (cũ)", "parent": Ref("area")},
    {"name": "\u0958" * 200},  # 400 letters once composed
)
test_fuzz_admin_edit_area = fuzz_test(
    "admin.edit_area", {"name": "Khối phố ven sông", "parent": Ref("sub_area")})
test_fuzz_admin_sort_units = fuzz_test("admin.sort_units")
test_fuzz_admin_set_unit_active = fuzz_test("admin.set_unit_active")
test_fuzz_admin_new_user = fuzz_test("admin.new_user")
test_fuzz_admin_edit_user = fuzz_test(
    "admin.edit_user", {"full_name": "\x1b", "role": "unit", "unit": Ref("unit")})
test_fuzz_admin_set_user_active = fuzz_test("admin.set_user_active")
test_fuzz_admin_new_directive = fuzz_test(
    "admin.new_directive",
    {"title": "Kế hoạch", "year": "2024", "date_line": "Î\U00055dd4\x99A"},
    {"title": "Kế hoạch", "year": "²²²²"},
)
test_fuzz_admin_import_directive = fuzz_test("admin.import_directive")
test_fuzz_admin_reimport_text = fuzz_test("admin.reimport_text")
test_fuzz_admin_edit_directive = fuzz_test(
    "admin.edit_directive", {"title": "Kế hoạch", "year": "2100", "signer": RED})
test_fuzz_admin_directive_inspected = fuzz_test("admin.directive_inspected", {"units": ["²"]})
test_fuzz_admin_copy_directive = fuzz_test("admin.copy_directive")
test_fuzz_admin_new_task = fuzz_test(
    "admin.new_task",
    TASK | {"deadline": "31/12/9999"},  # copied to the next cycle: year 10000, a 500
    TASK | {"deadline": "01/01/0001"},
    TASK | {"text": "Câu. " * 25_000},
)
test_fuzz_admin_edit_task = fuzz_test("admin.edit_task")
test_fuzz_admin_move_task = fuzz_test("admin.move_task")
test_fuzz_admin_choose_audience = fuzz_test(
    "admin.choose_audience", {"tasks": [Ref("draft_task")], "audience": "kind:office", "units": []})
test_fuzz_admin_split_task = fuzz_test(
    "admin.split_task",
    {"at": "1", "new_code": "s\x7fÊCá\x8dù\x18\x87\x18ß", "new_title": NAME, "title": "Rà soát"})
test_fuzz_auth_login = fuzz_test("auth.login", {"username": "a" * 81, "password": "x"})
test_fuzz_auth_change_password = fuzz_test("auth.change_password")
test_fuzz_auth_forgot_password = fuzz_test("auth.forgot_password")
test_fuzz_auth_reset_password = fuzz_test("auth.reset_password")
test_fuzz_auth_mail_settings = fuzz_test("auth.mail_settings")
test_fuzz_notifications_read_all = fuzz_test(
    "notifications.read_all", {"upto": "²"}, {"upto": "99999999999999999999"})
test_fuzz_review_remind = fuzz_test("review.remind")
test_fuzz_admin_report_settings = fuzz_test(
    "admin.report_settings", {"recipients": "\u2028".join(["Lưu"] * 30)})
test_fuzz_overview_formula = fuzz_test(
    "overview.formula", {"on_time": "0", "late": "0", "overdue": "0", "returned": "0"},
    {"on_time": "1", "late": "-1", "overdue": "0", "returned": "0"},
    {"on_time": "\u0663", "late": "0", "overdue": "0", "returned": "0"})
test_fuzz_admin_retry_mail = fuzz_test(
    "admin.retry_mail", {"message": "²"}, {"message": "99999999999999999999"})


def test_every_fuzzed_form_has_its_test():
    tested = {name for name in globals() if name.startswith("test_fuzz_")}
    assert {"test_fuzz_" + endpoint.replace(".", "_") for endpoint in FORMS} <= tested


# --- the bulk import: a file of hostile cells, its preview, its confirmation ---------------------

IMPORT_COLUMNS = {
    "units": ("Tên đơn vị", "Tên viết tắt", "Loại đơn vị", "Thứ tự"),
    "users": ("Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị", "Thư điện tử"),
}
IMPORT_CELLS = {
    "units": (text("Phường Mỹ Phú", "Xã Tân Phú Đông", NFD_NAME), text("", "MP"),
              text("Xã, phường", "phong", "Đơn vị sự nghiệp công lập"), number("", "3")),
    "users": (text("canbo.moi", "ld.2"), text("Nguyễn Văn A", NFD_NAME),
              text("lãnh đạo", "Cán bộ đơn vị", "quan tri"), text("", "Phường 1", "Phuong 2"),
              text(*ADDRESSES)),
}


@st.composite
def import_files(draw) -> dict:
    what = draw(st.sampled_from(sorted(IMPORT_COLUMNS)))
    cells = dict(enumerate(IMPORT_CELLS[what]))
    rows = draw(st.lists(form_values({str(i): spec for i, spec in cells.items()}),
                         min_size=1, max_size=3))
    return {"what": what, "name": draw(text("tệp.csv", "danh sách.CSV").good | hostile()),
            "rows": [[row[str(i)] for i in range(len(cells))] for row in rows]}


def csv_bytes(what: str, rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS[what])
    writer.writerows([["" if cell is OMIT else cell for cell in row] for row in rows])
    return out.getvalue().encode("utf-8")


def refused_or_explained(response, counted, files, app) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, body[:3000]
    if response.status_code >= 400:
        assert_explained(body, response.status_code)
        assert written_since(app, counted) == set() and stored_files(app) == files


@SETTINGS
@example(upload={"what": "units", "name": "tệp.csv", "rows": [["Phường Mỹ Phú", "", "phong",
                                                               "²"]]})
@given(upload=import_files())
def test_fuzz_import(fuzz, upload):
    app, admin = fuzz.app, fuzz.client("quantri")
    what, name = upload["what"], upload["name"]
    name = "" if name is OMIT else name
    counted, files = writes(app), stored_files(app)
    sent = {"file": name, **{f"cell{i}": cell for i, row in enumerate(upload["rows"])
                             for cell in row if cell is not OMIT}}
    response = admin.post(f"/admin/import/{what}",
                          {"file": (io.BytesIO(csv_bytes(what, upload["rows"])), name)},
                          content_type="multipart/form-data")
    refused_or_explained(response, counted, files, app)
    assert_escaped(response.get_data(as_text=True), sent)
    if response.status_code != 303:
        return
    preview = admin.get(response.headers["Location"])
    assert preview.status_code == 200, preview.get_data(as_text=True)[:3000]
    assert_escaped(preview.get_data(as_text=True), sent)
    assert written_since(app, counted) == set(), "the preview wrote"

    confirmed = admin.post(f"/admin/import/{what}/confirm")
    refused_or_explained(confirmed, counted, files, app)
    assert_escaped(confirmed.get_data(as_text=True), sent)
    assert not overlong(app), overlong(app)
    if confirmed.status_code >= 400:
        return
    cells = [["" if cell is OMIT else cell for cell in row] for row in upload["rows"]]
    with app.app_context():
        if what == "units":
            stored = set(db.session.scalars(select(Unit.name)))
            assert {clean(row[0]) for row in cells} <= stored
        else:
            stored = {username: (full_name, email) for username, full_name, email in
                      db.session.execute(select(User.username, User.full_name, User.email))}
            for row in cells:
                assert stored[clean(row[0]).lower()] == (clean(row[1]), clean(row[4]))
        assert db.session.scalar(select(func.count(AuditEvent.id))) > 0


# --- findings from the inspection report: a table of hostile cells, its preview, its confirmation

FINDINGS_COLUMNS = ("Đơn vị", "Mã nhiệm vụ", "Mã hạn chế", "Nội dung hạn chế", "Lĩnh vực",
                    "Hạn khắc phục")
FINDINGS_CELLS = (text("Phường 1", "UBND Phường 1", "phuong 2", "Phòng Tư pháp"),
                  text("", "1.1", "1.4"), text("", "HC1"),
                  text("Chưa niêm yết TTHC.", NAME, NFD_NAME),
                  text("", "Cải cách thủ tục hành chính", "cai cach the che"),
                  day("", "30/09/2023", "2023-10-15"))


@st.composite
def findings_files(draw) -> dict:
    cells = {str(i): spec for i, spec in enumerate(FINDINGS_CELLS)}
    rows = draw(st.lists(form_values(cells), min_size=1, max_size=3))
    return {"name": draw(text("hạn chế.csv", "BAO CAO.CSV").good | hostile()),
            "rows": [["" if row[str(i)] is OMIT else row[str(i)] for i in range(len(cells))]
                     for row in rows]}


@SETTINGS
@given(upload=findings_files())
def test_fuzz_findings_import(fuzz, upload):
    app, reviewer = fuzz.app, fuzz.client("noivu.duyet")
    name = "" if upload["name"] is OMIT else upload["name"]
    directive = fuzz.values["directive"]
    counted, files = writes(app), stored_files(app)
    sent = {"file": name, **{f"cell{i}": cell for i, row in enumerate(upload["rows"])
                             for cell in row}}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FINDINGS_COLUMNS)
    writer.writerows(upload["rows"])
    response = reviewer.post(f"/directives/{directive}/findings/import",
                             {"file": (io.BytesIO(out.getvalue().encode()), name)},
                             content_type="multipart/form-data")
    refused_or_explained(response, counted, files, app)
    assert_escaped(response.get_data(as_text=True), sent)
    if response.status_code != 303:
        return
    preview = reviewer.get(response.headers["Location"])
    assert preview.status_code == 200, preview.get_data(as_text=True)[:3000]
    assert_escaped(preview.get_data(as_text=True), sent)
    assert written_since(app, counted) == set(), "the preview wrote"
    confirmed = reviewer.post(f"/directives/{directive}/findings/import/confirm")
    refused_or_explained(confirmed, counted, files, app)
    assert_escaped(confirmed.get_data(as_text=True), sent)
    assert not overlong(app), overlong(app)
    if confirmed.status_code == 303 and "/matrix" in confirmed.headers["Location"]:
        with app.app_context():
            stored = set(db.session.scalars(select(Finding.text)))
        # Each line of a finding cleaned, its lines kept (findings/imports.py, `_text`).
        assert {"\n".join(line for line in map(clean, row[3].splitlines()) if line)
                for row in upload["rows"]} <= stored
