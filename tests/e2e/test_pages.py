"""Every page, for every role, in a real browser: accessible (axe-core: WCAG 2.1 A and AA and its
best practices, no violation of any impact), valid (the Nu HTML checker, no error let through),
self-contained (nothing leaves 127.0.0.1), light enough for an old office PC, named by its title,
labelled, usable from the keyboard, and never showing status by colour alone.

The crawler logs in as each role, follows the links of the navigation and of every page it
reaches, and also opens every GET route of `app.url_map` with demo ids (the demo letter, the
role's own unit or Phường 1, items in each status, an evidence file uploaded through the real
route), so a new page route is crawled without touching this file. The routes that are not pages
are named in NOT_PAGES with the reason.

Each page is opened once, in the role's ordinary profile (the portal's CSP in force, the cache
off, every request and console message recorded); once the other checks have looked at it,
axe-core from tests/e2e/node_modules (never served by the portal) is evaluated in it through the
DevTools protocol, which the page's CSP does not govern. The HTML the server sent is kept and
checked by one run of vnu.jar at the end.
"""

from __future__ import annotations

import functools
import json
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, RequestRedirect

from portal.deadlines import utcnow
from portal.directives import lifecycle
from portal.directives.loader import load_directive
from portal.extensions import db
from portal.models import (
    Area,
    Directive,
    Evidence,
    LetterRead,
    LetterReadStatus,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    User,
)

from ..support.browser import (
    AXE,
    VNU,
    BrowserLog,
    LiveServer,
    log_in_at,
    new_page,
    require_tool,
    serve,
)

SITE = " · Cổng theo dõi CCHC"
# Bytes on the wire for a page and everything it loads, with a cold cache. Only the matrix of a
# directive much larger than the demo letter may need more (it pages at 100 units); every page of
# the demo data must stay under it.
MAX_PAGE_BYTES = 150_000
# Pages of one route differ only in their data: the crawler follows links to a route only while
# fewer than this many of its pages are queued (the ids filled in from the URL map count).
PAGES_PER_ROUTE = 2
# Tab presses checked from the top of the page, then from the target of the skip link.
TABS_FROM_TOP = 3
TABS_IN_MAIN = 4
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

ROLES = {
    "visitor": None,  # logged out: the login page
    "ward": "phuong1",
    "office": "phongtuphap",
    "reviewer": "noivu.duyet",
    "leader": "lanhdao",
    "admin": "quantri",
}

# GET routes that are not pages, with the reason. Everything else in the URL map is crawled.
NOT_PAGES = {
    "static": "the portal's stylesheet and scripts: loaded, counted and checked with every page",
    "auth.reset_password": "reached only through the link a reset mail carries "
                           "(tests/test_password_reset.py); whoever is logged in is sent home",
    "auth.oidc_login": "a redirect to the province's identity server, which this crawl's portal "
                       "has not (tests/test_identity_login.py, e2e/test_identity_browser.py)",
    "auth.oidc_callback": "where the identity server sends the browser back "
                          "(tests/test_identity_login.py)",
    "checklist.download": "an evidence file sent as a download (Content-Disposition: attachment)",
    "talk.download": "a message's file sent as a download (tests/test_talk.py)",
    "checklist.view_evidence": "an evidence file (PDF or picture) shown as is for the reviewer's "
                               "preview; the uploaded picture is loaded as an <img> of its item",
    "api.matrix": "the matrix as JSON for other programs",
    "reports.matrix_xlsx": "the matrix as an Excel download (tests/test_reports.py)",
    "reports.matrix_csv": "the matrix's items as a CSV download (tests/test_reports.py)",
    "reports.official_report": "the report to leadership as a Word download "
                               "(tests/test_reports.py)",
    "reports.unit_archive": "a unit's items and evidence as a ZIP download "
                            "(tests/test_reports.py)",
    "admin.audit_export": "the audit log as an Excel download (tests/test_audit_log.py)",
    "admin.import_passwords": "the first passwords of imported accounts, a CSV download given "
                              "once (afterwards 410 with the error page, checked for 403 here)",
    "overview.ranking_xlsx": "the ranking of units as an Excel download (tests/test_overview.py)",
    "overview.ranking_docx": "the ranking of units as a Word annex (tests/test_overview.py)",
    "findings.import_template": "the template for findings to import, an Excel download "
                                "(tests/test_findings_import.py)",
    "notifications.open": "marks one of the user's notifications read and redirects to its item "
                          "(tests/test_notifications.py); the list's links to it are not followed",
}

# Routes a role is refused (403), by endpoint or by blueprint ("admin."). The crawler checks the
# refusal, and the error page it shows is checked like any page, once per role.
# Findings are brought in from the inspection report by Phòng Nội vụ and administrators only.
FINDINGS_IMPORT = {"findings.import_upload", "findings.import_preview"}
# Reminders are Phòng Nội vụ's: the matrix loads their form for its reviewers only.
REMIND = "review.remind_form"
UNIT_REFUSED = {"review.matrix", "review.panel", "review.queue", REMIND, "dashboard.dashboard",
                "dashboard.units", "admin.",
                "overview.overview", "overview.ranking", "overview.formula", "overview.compare",
                "findings.listing", *FINDINGS_IMPORT}
REFUSED = {
    "visitor": set(),
    "ward": UNIT_REFUSED,
    "office": UNIT_REFUSED,
    # "Việc của tôi" is a unit's people's own.
    "reviewer": {"admin.", "checklist.my_work"},
    "leader": {"review.queue", REMIND, "admin.", "checklist.my_work", "overview.formula",
               *FINDINGS_IMPORT},
    "admin": {"review.queue", REMIND, "checklist.my_work", "overview.formula"},
}


def is_refused(role: str, endpoint: str) -> bool:
    return any(endpoint == name or (name.endswith(".") and endpoint.startswith(name))
               for name in REFUSED[role])


CHECKS = ("self-contained", "console", "axe", "size", "title", "structure", "labels", "focus",
          "status-text")

# A second, small letter due in the coming weeks: the forms that exist only before a deadline
# (asking for an extension, the reviewer's decision on it) and the "due soon" states get crawled.
UPCOMING = """\
slug: bao-cao-quy-e2e
year: {year}
number: "15/UBND-NV"
issuer: Ủy ban nhân dân thành phố Sa Đéc
subject: V/v báo cáo kết quả CCHC quý
title: Báo cáo kết quả cải cách hành chính quý
sections:
  - number: "1"
    heading: Chủ tịch UBND các xã, phường
    audience: kind:commune
    tasks:
      - {{code: "1", title: Báo cáo kết quả CCHC quý, kind: report, deadline: {soon}}}
      - {{code: "2", title: Số thủ tục hành chính trực tuyến toàn trình, kind: metric,
          measure: count, measure_unit: thủ tục, target: 10, deadline: {later}}}
"""


# ---------------------------------------------------------------------------------------------
# The server and its demo ids


def png_image(width: int = 24, height: int = 16) -> bytes:
    """A real, small PNG (a grey picture): what a ward photographs as evidence."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@dataclass
class Site:
    """The server with sample progress, and the ids its pages are opened with."""

    server: LiveServer
    # For each role: the directives it is given (the demo letter, the upcoming one if it reaches
    # the role), the unit whose pages it opens, and items of that unit.
    directive_ids: dict[str, list[int]]
    unit_ids: dict[str, int]
    item_ids: dict[str, list[int]]
    evidence_id: int
    user_id: int
    # The administrator's editor also opens a draft (next year's copy of the demo letter) and
    # tasks of the published letter and of the draft.
    draft_id: int
    task_ids: list[int]
    # A directive's title by id, and the directive of every item: pages about a directive must
    # name it in their <title>.
    directive_titles: dict[int, str] = field(default_factory=dict)
    item_directives: dict[int, int] = field(default_factory=dict)
    # An area (địa bàn) holding Phường 1, and an empty sub-area: the matrix and the dashboard
    # show their roll-ups (the area's, and the units in none); the administrator's form opens it.
    area_id: int = 0
    # A letter's file being read (its page polls) and one whose reading was refused.
    read_ids: list[int] = field(default_factory=list)


def _csrf(page) -> str:
    return page.locator("meta[name=csrf-token]").get_attribute("content")


def _through_the_ward(browser, server: LiveServer, evidence_item: int,
                      extension_item: int) -> None:
    """What a ward does through the real routes before the crawl: attach a photo, ask for an
    extension of an upcoming deadline."""
    log = BrowserLog()
    context, page = new_page(browser, log)
    try:
        log_in_at(server.url, page, "phuong1")
        answer = page.request.post(f"{server.url}/items/{evidence_item}/files", multipart={
            "csrf_token": _csrf(page),
            "file": {"name": "Ảnh niêm yết TTHC.png", "mimeType": "image/png",
                     "buffer": png_image()},
        })
        assert answer.ok and "Đã đính kèm tệp" in answer.text(), answer.status
        proposed = date.today() + timedelta(days=45)
        answer = page.request.post(f"{server.url}/items/{extension_item}/extension", form={
            "csrf_token": _csrf(page), "reason": "Chờ số liệu quý từ Sở Nội vụ.",
            "proposed": proposed.strftime("%d/%m/%Y"),
        })
        assert answer.ok and "chờ Phòng Nội vụ xem xét" in answer.text(), answer.status
    finally:
        context.close()


def _items_in_every_state(unit_id: int, directive_id: int) -> list[int]:
    """The first item of the unit in each status, for the demo letter."""
    rows = db.session.execute(
        select(Progress.id, Progress.status).join(Progress.task)
        .where(Progress.unit_id == unit_id, Task.directive_id == directive_id)
        .order_by(Progress.id)
    ).all()
    first: dict[ProgressStatus, int] = {}
    for item_id, status in rows:
        first.setdefault(status, item_id)
    return sorted(first.values())


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser) -> Iterator[Site]:
    with serve(tmp_path_factory, sample_progress=True) as server:
        yield _prepare(server, browser, tmp_path_factory.mktemp("letter") / "upcoming.yaml")


def _prepare(server: LiveServer, browser, letter: Path) -> Site:
    """The upcoming letter, the ward's photo and extension request, and the ids to crawl."""
    with server.app.app_context():
        soon, later = date.today() + timedelta(days=2), date.today() + timedelta(days=30)
        letter.write_text(UPCOMING.format(year=soon.year, soon=soon, later=later),
                          encoding="utf-8")
        upcoming_id = load_directive(letter).id
        db.session.commit()
        demo_id = db.session.scalar(select(Directive.id).where(Directive.id != upcoming_id))
        ward_unit = db.session.scalar(select(Unit.id).where(Unit.name == "Phường 1"))
        office_unit = db.session.scalar(
            select(User.unit_id).where(User.username == "phongtuphap"))
        editable = next(
            item_id for item_id, status in db.session.execute(
                select(Progress.id, Progress.status).join(Progress.task)
                .where(Progress.unit_id == ward_unit).order_by(Progress.id))
            if status.editable_by_unit
        )
        upcoming_items = db.session.scalars(
            select(Progress.id).join(Progress.task)
            .where(Progress.unit_id == ward_unit, Task.directive_id == upcoming_id)
            .order_by(Progress.id)
        ).all()
        ward_items = sorted({*_items_in_every_state(ward_unit, demo_id), editable,
                             *upcoming_items})
        office_items = _items_in_every_state(office_unit, demo_id)
        db.session.remove()

    _through_the_ward(browser, server, editable, upcoming_items[0])

    with server.app.app_context():
        evidence_id = db.session.scalar(
            select(Evidence.id).where(Evidence.progress_id == editable)
            .where(Evidence.file_name == "Ảnh niêm yết TTHC.png")
        )
        user_id = db.session.scalar(select(User.id).where(User.username == "phuong1"))
        demo = db.session.get(Directive, demo_id)
        draft = lifecycle.copy_for_cycle(demo, demo.year + 1, f"{demo.slug}-tiep",
                                         f"{demo.title} (năm {demo.year + 1})")
        # as a draft read from a letter: the importer's remarks and a passage set aside
        draft.import_warnings = ["Không thấy trích yếu (V/v …): hãy nhập trích yếu và tiêu đề "
                                 "trong thông tin văn bản."]
        draft.set_aside = ["Phường 1 tổ chức ra quân tổng vệ sinh môi trường trên toàn địa bàn."]
        db.session.commit()
        draft_id = draft.id
        task_ids = [lifecycle.tasks_of(demo)[0].id, lifecycle.tasks_of(draft)[0].id]
        now = utcnow()
        reads = [LetterRead(user_id=None, filename=name, slug="", data=None, status=status,
                            source="scan", pages=pages, pages_done=done, message=message,
                            signatures=[], created_at=now, updated_at=now)
                 for name, status, pages, done, message in (
                     ("quet.pdf", LetterReadStatus.READING, 5, 2, ""),
                     ("hong.pdf", LetterReadStatus.FAILED, 0, 0,
                      "Tệp «hong.pdf» là PDF bị hỏng, không mở được."))]
        db.session.add_all(reads)
        db.session.commit()
        read_ids = [read.id for read in reads]
        directive_titles = dict(db.session.execute(select(Directive.id, Directive.title)).all())
        item_directives = dict(db.session.execute(
            select(Progress.id, Task.directive_id).join(Progress.task)).all())
        area = Area(name="Khu vực nội ô", position=1, path="", depth=0)
        db.session.add(area)
        db.session.flush()
        area.path = f"/{area.id}/"
        cluster = Area(name="Cụm phường trung tâm", parent_id=area.id, position=1, path="",
                       depth=1)
        db.session.add(cluster)
        db.session.flush()
        cluster.path = f"{area.path}{cluster.id}/"
        db.session.get(Unit, ward_unit).area_id = area.id
        db.session.commit()
        area_id = area.id
        db.session.remove()

    both = [demo_id, upcoming_id]
    return Site(
        server=server,
        directive_ids={"ward": both, "office": [demo_id], "reviewer": both, "leader": both,
                       "admin": both},
        unit_ids={"ward": ward_unit, "office": office_unit, "reviewer": ward_unit,
                  "leader": ward_unit, "admin": ward_unit},
        # Items in every state where the role's controls depend on it (a unit's forms, the
        # reviewer's decisions); leaders and administrators read the reviewer's item page
        # without controls: the one with the photo and the one with the extension request.
        item_ids={"ward": ward_items, "office": office_items, "reviewer": ward_items,
                  "leader": [editable, upcoming_items[0]],
                  "admin": [editable, upcoming_items[0]]},
        evidence_id=evidence_id,
        user_id=user_id,
        draft_id=draft_id,
        task_ids=task_ids,
        area_id=area_id,
        read_ids=read_ids,
        directive_titles=directive_titles,
        item_directives=item_directives,
    )


# ---------------------------------------------------------------------------------------------
# The crawl


@dataclass
class Target:
    """Something to open: a URL, or a form to send (to see its error state)."""

    label: str
    url: str
    endpoint: str | None
    args: dict
    status: int = 200  # the status the page is expected to answer
    how: Callable | None = None  # opens it in a page and returns the document's response
    via_link: bool = False


@dataclass
class Visit:
    role: str
    target: Target
    status: int
    html: Path | None
    problems: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CHECKS})
    transfer: int = 0  # bytes of the page and its subresources, cold cache


@dataclass
class RoleCrawl:
    role: str
    visits: list[Visit] = field(default_factory=list)
    # Endpoints the role opened as a page (200), and those it was refused as expected.
    opened: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    # Wrong answers and missing demo ids: the coverage test reports them.
    problems: list[str] = field(default_factory=list)


PAGE_FACTS = """() => {
  const text = el => (el.textContent || "").replace(/\\s+/g, " ").trim();
  const describe = el => "<" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.getAttribute("name") ? " name=" + el.getAttribute("name") : "")
    + (el.getAttribute("type") ? " type=" + el.getAttribute("type") : "") + ">";
  const notFields = ["hidden", "submit", "button", "reset", "image"];
  const fields = [...document.querySelectorAll("input, select, textarea")]
    .filter(el => !notFields.includes((el.getAttribute("type") || "").toLowerCase()));
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")];
  return {
    title: document.title,
    lang: document.documentElement.getAttribute("lang"),
    h1: [...document.querySelectorAll("h1")].map(text),
    unlabelled: fields.filter(el => ![...el.labels].some(label => text(label))).map(describe),
    blankBadges: [...document.querySelectorAll(".badge")].filter(el => !text(el))
      .map(el => el.outerHTML.slice(0, 160)),
    blankCells: [...document.querySelectorAll("table.matrix td")].filter(el => !text(el))
      .map(el => el.outerHTML.slice(0, 160)),
    transfer: entries.map(e => [e.name, e.entryType, e.encodedBodySize]),
  };
}"""

# Focus: every element's look (outline, box-shadow) noted before any focus, then the look of
# each element Tab reaches, noted as it gets focus.
FOCUS_WATCH = """() => {
  const look = el => {
    const s = getComputedStyle(el);
    return `outline: ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; `
      + `box-shadow: ${s.boxShadow}`;
  };
  document.activeElement && document.activeElement.blur();
  const before = new Map([...document.querySelectorAll("*")].map(el => [el, look(el)]));
  window.__focused = [];
  document.addEventListener("focusin", event => {
    const el = event.target;
    const name = (el.textContent || el.value || el.getAttribute("aria-label") || "")
      .replace(/\\s+/g, " ").trim().slice(0, 40);
    window.__focused.push({
      what: "<" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "> «" + name + "»",
      focused: look(el), unfocused: before.get(el) || "(not on the page at first)",
    });
  });
}"""

AXE_RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def inspect_page(page, log: BrowserLog, marks: dict, target: Target,
                 directive_title: str | None, problems: dict[str, list[str]]) -> int:
    """Every check but axe and vnu on the page loaded in `page` (its log sliced at `marks`);
    answers the page's transfer in bytes."""
    requests = log.requests[marks["requests"]:]
    foreign = [url for url in requests if urlsplit(url).scheme not in ("data", "blob")
               and urlsplit(url).hostname != "127.0.0.1"]
    problems["self-contained"] += [f"requested {url}" for url in foreign]

    expected = f"the server responded with a status of {target.status} "
    problems["console"] += [
        f"console: {error}" for error in log.console_errors[marks["console"]:]
        if not (target.status != 200 and expected in error)
    ]
    problems["console"] += [f"script error: {e}" for e in log.page_errors[marks["errors"]:]]
    problems["console"] += [f"failed: {f}" for f in log.failed[marks["failed"]:]]

    facts = page.evaluate(PAGE_FACTS)
    total = sum(size for _, _, size in facts["transfer"])
    document = [size for _, kind, size in facts["transfer"] if kind == "navigation"]
    if not document or not document[0]:
        problems["size"].append(f"the document's own size is not measured: {facts['transfer']}")
    if total >= MAX_PAGE_BYTES:
        heaviest = sorted(facts["transfer"], key=lambda entry: -entry[2])[:6]
        problems["size"].append(
            f"{total:,} bytes with a cold cache (limit {MAX_PAGE_BYTES:,}): "
            + ", ".join(f"{urlsplit(name).path} {size:,}" for name, _, size in heaviest))

    title = facts["title"]
    name = title[: -len(SITE)].strip() if title.endswith(SITE) else ""
    if not name:
        problems["title"].append(f"<title>{title}</title> does not name the page before «{SITE}»")
    if directive_title and directive_title not in title:
        problems["title"].append(
            f"<title>{title}</title> does not name the directive «{directive_title}»")

    if facts["lang"] != "vi":
        problems["structure"].append(f'<html lang="{facts["lang"]}">, not "vi"')
    if len(facts["h1"]) != 1:
        problems["structure"].append(f"{len(facts['h1'])} <h1> instead of one: {facts['h1']}")

    problems["labels"] += [f"no label: {what}" for what in facts["unlabelled"]]
    problems["status-text"] += [f"badge without text: {html}" for html in facts["blankBadges"]]
    problems["status-text"] += [f"matrix cell without text: {html}"
                                for html in facts["blankCells"]]
    problems["focus"] += focus_problems(page)
    return total


def focus_problems(page) -> list[str]:
    """Tab from the top of the page, then from the target of the skip link: every element
    reached must look different focused and not focused (outline or box-shadow)."""
    page.evaluate(FOCUS_WATCH)
    for _ in range(TABS_FROM_TOP):
        page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    found = []
    if skip.count() == 1:
        skip.focus()
        page.keyboard.press("Enter")
        for _ in range(TABS_IN_MAIN):
            page.keyboard.press("Tab")
    else:
        found.append("no skip link to the main content")
    looks = page.evaluate("window.__focused")
    if not looks:
        found.append("Tab reaches nothing")
    found += [f"focus not visible on {look['what']}: {look['focused']}"
              for look in looks if look["focused"] == look["unfocused"]]
    return found


def axe_problems(violations: list[dict]) -> list[str]:
    """Every violation, whatever its impact: rule, help, and each element (selector and why)."""

    def why(summary: str | None) -> str:
        # "Fix any of the following:" and the first way to fix it.
        lines = [line.strip() for line in (summary or "").strip().splitlines()]
        return lines[1] if len(lines) > 1 else "".join(lines)

    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"      {n['target']}: {why(n['summary'])}" for n in v["nodes"][:8])
        + (f"\n      … and {len(v['nodes']) - 8} more" if len(v["nodes"]) > 8 else "")
        for v in violations
    ]


def _marks(log: BrowserLog) -> dict:
    return {"requests": len(log.requests), "console": len(log.console_errors),
            "errors": len(log.page_errors), "failed": len(log.failed)}


def _profile(browser, log: BrowserLog, **options):
    """A fresh profile whose page never uses the HTTP cache: every page is loaded cold."""
    context, page = new_page(browser, log, **options)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return context, page


class Crawler:
    """Crawls one role at a time, once per module; keeps the HTML the server sent."""

    def __init__(self, browser, site: Site, folder: Path):
        self.browser, self.site, self.folder = browser, site, folder
        self.base = site.server.url
        self.adapter = site.server.app.url_map.bind("127.0.0.1")
        self.done: dict[str, RoleCrawl] = {}

    def crawl(self, role: str) -> RoleCrawl:
        if role not in self.done:
            try:
                self.done[role] = self._crawl(role)
            except Exception as error:  # every test of the role says why, none crawls again
                self.done[role] = RoleCrawl(role, problems=[f"the crawl stopped: {error!r}"])
        return self.done[role]

    def all(self) -> list[RoleCrawl]:
        return [self.crawl(role) for role in ROLES]

    # -- what to open

    def endpoint(self, url: str) -> tuple[str | None, dict]:
        parts = urlsplit(url)
        try:
            return self.adapter.match(parts.path, method="GET", query_args=parts.query)
        except (RequestRedirect, HTTPException):  # not a route of the portal as written
            return None, {}

    def from_url_map(self, role: str, crawl: RoleCrawl) -> list[Target]:
        """Every GET route but NOT_PAGES, with the role's demo ids."""
        values = {
            "directive_id": self.site.directive_ids.get(role, []),
            "unit_id": [self.site.unit_ids.get(role)],
            "item_id": self.site.item_ids.get(role, []),
            "evidence_id": [self.site.evidence_id],
            "user_id": [self.site.user_id],
            "task_id": self.site.task_ids,
            "area_id": [self.site.area_id],
            "read_id": self.site.read_ids,
        }
        targets = []
        for rule in self.adapter.map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            choices = [{}]
            for name in sorted(rule.arguments):
                converter = rule._converters.get(name)  # werkzeug has no public accessor
                if isinstance(converter, AnyConverter):  # <any(units, users):what>: each one
                    given = sorted(converter.items)
                elif name == "directive_id" and rule.endpoint.startswith("admin."):
                    given = [*values[name], self.site.draft_id]  # only the editor opens drafts
                elif name == "task_id" and rule.endpoint == "admin.split_task":
                    given = self.site.task_ids[-1:]  # a published task is not split (409)
                elif name in values:
                    given = [v for v in values[name] if v is not None]
                else:
                    crawl.problems.append(f"{rule.rule}: no demo value for <{name}>; add one")
                    choices = []
                    break
                choices = [c | {name: v} for c in choices for v in given]
            for args in choices:
                url = self.base + self.adapter.build(rule.endpoint, args)
                status = 403 if is_refused(role, rule.endpoint) else 200
                targets.append(Target(url, url, rule.endpoint, args, status=status))
        return targets

    def form_states(self, role: str) -> list[Target]:
        """Pages reached by sending a form: shown again with its errors, or the import preview
        (a page only after an upload)."""

        def wrong_login(page):
            page.goto(f"{self.base}/login")
            page.get_by_label("Tên đăng nhập").fill("khong-co-nguoi-nay")
            page.get_by_label("Mật khẩu").fill("sai-mat-khau")
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Đăng nhập").click()
            return navigation.value

        def empty_password_change(page):
            page.goto(f"{self.base}/account/password")
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Đổi mật khẩu").click()
            return navigation.value

        def units_to_import(page):
            page.goto(f"{self.base}/admin/import/units")
            page.locator("form input[type=file]").set_input_files({
                "name": "don-vi-moi.csv", "mimeType": "text/csv",
                "buffer": "Tên đơn vị;Loại đơn vị\nPhường Mới;Xã, phường\n;Không rõ\n"
                          .encode(),
            })
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Tải lên và xem trước").click()
            return navigation.value

        if role == "visitor":
            return [Target("login, wrong password", f"{self.base}/login", "auth.login", {},
                           status=401, how=wrong_login)]
        if role == "ward":
            return [Target("password change, nothing typed", f"{self.base}/account/password",
                           "auth.change_password", {}, status=422, how=empty_password_change)]
        demo = self.site.directive_ids["reviewer"][0]

        def findings_to_import(page):
            page.goto(f"{self.base}/directives/{demo}/findings/import")
            page.locator("form input[type=file]").set_input_files({
                "name": "han-che.csv", "mimeType": "text/csv",
                "buffer": "Đơn vị;Nội dung hạn chế\nPhường 1;Chưa niêm yết TTHC.\nPhường Mới;\n"
                          .encode(),
            })
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Tải lên và xem trước").click()
            return navigation.value

        if role == "admin":
            return [Target("import preview of units", f"{self.base}/admin/import/units/preview",
                           "admin.import_preview", {}, how=units_to_import)]
        if role == "reviewer":
            return [Target("import preview of findings",
                           f"{self.base}/directives/{demo}/findings/import/preview",
                           "findings.import_preview", {"directive_id": demo},
                           how=findings_to_import)]
        return []

    # -- the crawl

    def _crawl(self, role: str) -> RoleCrawl:
        crawl = RoleCrawl(role)
        log = BrowserLog()
        context, page = _profile(self.browser, log)
        try:
            if ROLES[role]:
                log_in_at(self.base, page, ROLES[role])
                todo = [Target("home", f"{self.base}/", "checklist.home", {})]
                todo += self.from_url_map(role, crawl)
            else:
                todo = [Target("login", f"{self.base}/login", "auth.login", {})]
            todo += self.form_states(role)
            self._work(role, crawl, todo, page, log)
        finally:
            context.close()
        return crawl

    def _work(self, role, crawl, todo, page, log) -> None:
        seen: set[str] = set()
        followed = Counter(target.endpoint for target in todo)
        error_page_checked = False
        while todo:
            target = todo.pop(0)
            if target.how is None and target.url in seen:
                continue
            seen.add(target.url)
            marks = _marks(log)
            response = self._open(page, target)
            status = response.status if response else 0
            final = page.url.split("#")[0]
            endpoint, args = self.endpoint(final)
            if target.how and final != target.url:
                crawl.problems.append(f"{target.label}: landed on {final}, not {target.url}")
                continue
            if final != target.url.split("#")[0]:
                # A redirect (home, a directive): the page it lands on is what gets checked.
                if final in seen:
                    continue
                seen.add(final)
                target = Target(f"{target.label} → {final}", final, endpoint, args)
            if status != target.status:
                crawl.problems.append(f"{target.label}: answered {status}, expected "
                                      f"{target.status}{' (a link on a page)' * target.via_link}")
                continue
            if status == 403:
                crawl.refused.add(target.endpoint)
                if error_page_checked:
                    continue
                error_page_checked = True
            elif status == 200:
                crawl.opened.add(endpoint)

            visit = Visit(role, target, status, self._keep(role, len(crawl.visits), response))
            about = self._directive_title(args) if status == 200 else None
            if page.locator("img[loading=lazy]").count():
                # A lazy picture does not hold the load event: let it arrive, so it is counted
                # and not cut off by the next page.
                page.wait_for_load_state("networkidle")
            visit.transfer = inspect_page(page, log, marks, target, about, visit.problems)
            try:
                visit.problems["axe"] += run_axe(page)
            except Exception as error:  # one page's failure is that page's problem
                visit.problems["axe"].append(f"axe did not run: {error}")
            crawl.visits.append(visit)
            if status == 200 and target.how is None:
                todo += self._links(page, role, followed, seen)

    def _links(self, page, role: str, followed: Counter, seen: set[str]) -> list[Target]:
        """Same-site links of the page, to pages not seen, a few per route."""
        found = []
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            url = urljoin(self.base, href).split("#")[0]
            if not url.startswith(self.base + "/") or url in seen:
                continue
            endpoint, args = self.endpoint(url)
            if endpoint is None or endpoint in NOT_PAGES:
                continue
            if followed[endpoint] >= PAGES_PER_ROUTE or url in {t.url for t in found}:
                continue
            followed[endpoint] += 1
            found.append(Target(url, url, endpoint, args, via_link=True))
        return found

    def _directive_title(self, args: dict) -> str | None:
        directive_id = args.get("directive_id")
        if directive_id is None and "item_id" in args:
            directive_id = self.site.item_directives.get(args["item_id"])
        return self.site.directive_titles.get(directive_id) if directive_id else None

    def _keep(self, role: str, number: int, response) -> Path | None:
        """The HTML exactly as the server sent it, for vnu."""
        try:
            body = response.body()
        except Exception:  # a document whose body Chromium no longer holds
            return None
        path = self.folder / f"{role}-{number:03d}.html"
        path.write_bytes(body)
        return path

    @staticmethod
    def _open(page, target: Target):
        return open_target(page, target)


def open_target(page, target: Target):
    if target.how:
        return target.how(page)
    return page.goto(target.url, wait_until="load")


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def run_axe(page) -> list[str]:
    """axe-core on the page loaded in `page`, evaluated through the DevTools protocol (so the
    page's CSP does not stop it): its serious and critical violations, described."""
    page.evaluate(axe_source())
    return axe_problems(page.evaluate(AXE_RUN, AXE_TAGS))


@pytest.fixture(scope="module")
def crawler(browser, site, tmp_path_factory) -> Crawler:
    require_tool(AXE, "axe-core")
    return Crawler(browser, site, tmp_path_factory.mktemp("pages"))


def report(crawl: RoleCrawl, check: str) -> str:
    lines = []
    for visit in crawl.visits:
        if visit.problems[check]:
            lines.append(f"{visit.target.label} ({visit.status}):")
            counted = Counter(visit.problems[check])
            lines += [f"    {problem}" + (f"  (×{times})" if times > 1 else "")
                      for problem, times in counted.items()]
    return "\n".join(lines)


def assert_check(crawler: Crawler, role: str, check: str) -> None:
    crawl = crawler.crawl(role)
    assert crawl.visits, f"{role}: no page crawled: {crawl.problems}"
    problems = report(crawl, check)
    assert not problems, f"\n{role} ({ROLES[role] or 'logged out'}), {check}:\n{problems}"


# ---------------------------------------------------------------------------------------------
# The checks, per role


@pytest.mark.parametrize("role", ROLES)
def test_pages_load_nothing_from_outside(crawler, role):
    assert_check(crawler, role, "self-contained")


@pytest.mark.parametrize("role", ROLES)
def test_pages_have_no_console_error_or_failed_request(crawler, role):
    assert_check(crawler, role, "console")


@pytest.mark.parametrize("role", ROLES)
def test_pages_have_no_serious_accessibility_violation(crawler, role):
    assert_check(crawler, role, "axe")


@pytest.mark.parametrize("role", ROLES)
def test_pages_are_light_with_a_cold_cache(crawler, role):
    assert_check(crawler, role, "size")
    heaviest = max(crawler.crawl(role).visits, key=lambda visit: visit.transfer)
    print(f"{role}: heaviest {heaviest.target.label}, {heaviest.transfer:,} bytes")


@pytest.mark.parametrize("role", ROLES)
def test_pages_name_the_page_and_directive_in_their_title(crawler, role):
    assert_check(crawler, role, "title")


@pytest.mark.parametrize("role", ROLES)
def test_pages_are_vietnamese_with_one_h1(crawler, role):
    assert_check(crawler, role, "structure")


@pytest.mark.parametrize("role", ROLES)
def test_every_form_field_has_a_label(crawler, role):
    assert_check(crawler, role, "labels")


@pytest.mark.parametrize("role", ROLES)
def test_keyboard_focus_is_visible(crawler, role):
    assert_check(crawler, role, "focus")


@pytest.mark.parametrize("role", ROLES)
def test_status_is_shown_by_more_than_colour(crawler, role):
    assert_check(crawler, role, "status-text")


# ---------------------------------------------------------------------------------------------
# Across roles: coverage, and valid HTML


def test_every_page_route_is_crawled(crawler):
    """Every GET route of the URL map is a page some role opened, or is named in NOT_PAGES;
    each role is refused exactly what it should be; no demo id is missing."""
    crawls = crawler.all()
    problems = [f"{c.role}: {p}" for c in crawls for p in c.problems]
    rules = {r.endpoint for r in crawler.adapter.map.iter_rules() if "GET" in r.methods}
    assert set(NOT_PAGES) <= rules, f"NOT_PAGES names no route: {set(NOT_PAGES) - rules}"
    opened = set().union(*(c.opened for c in crawls))
    # Home and a directive only redirect: to the directives, a checklist or a matrix.
    redirects = {"checklist.home", "checklist.directive"}
    never = rules - set(NOT_PAGES) - opened - redirects
    problems += [f"no role opened the page {endpoint}" for endpoint in sorted(never)]
    for crawl in crawls:
        expected = {e for e in rules - set(NOT_PAGES) if is_refused(crawl.role, e)}
        if crawl.role != "visitor" and crawl.refused != expected:
            problems.append(f"{crawl.role} refused {sorted(crawl.refused)}, "
                            f"expected {sorted(expected)}")
    assert not problems, "\n".join(problems)
    pages = sum(len(c.visits) for c in crawls)
    print(f"{pages} pages checked: " + ", ".join(f"{c.role} {len(c.visits)}" for c in crawls))


def vnu_errors(messages: list[dict]) -> list[dict]:
    """vnu's errors, a file it could not read included. None is let through: the portal writes
    htmx's attributes as `data-hx-*`, which htmx reads and HTML allows."""
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def run_vnu(files: list[Path]) -> list[dict]:
    """One run of the Nu HTML checker on all `files`: its messages."""
    require_vnu()
    answer = subprocess.run(
        [shutil.which("java"), "-jar", str(VNU), "--format", "json", "--exit-zero-always",
         "--stdout", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    assert answer.returncode == 0, f"vnu failed ({answer.returncode}): {answer.stderr}"
    return json.loads(answer.stdout)["messages"]


def require_vnu() -> None:
    require_tool(VNU, "vnu.jar")
    java = shutil.which("java")
    require_tool(Path(java) if java else Path("/usr/bin/java"), "java (for vnu.jar)")


def test_pages_are_valid_html(crawler):
    require_vnu()
    crawls = crawler.all()
    visits = [v for c in crawls for v in c.visits]
    missing = [v.target.label for v in visits if v.html is None]
    assert not missing, f"no HTML kept for {missing}"
    by_file = {v.html.resolve().as_uri(): v for v in visits}
    messages = run_vnu([v.html for v in visits])
    problems = []
    for message in vnu_errors(messages):
        visit = by_file.get(message.get("url", "").replace("file:/", "file:///", 1),
                            by_file.get(message.get("url")))
        where = f"{visit.role}: {visit.target.label}" if visit else message.get("url")
        problems.append(f"{where}, line {message.get('lastLine')}: {message['message']}"
                        f"\n      {message.get('extract', '').strip()[:160]}")
    assert not problems, "\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The checks themselves can fail


BROKEN_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Trang hỏng</title>
<style>a:focus, a:focus-visible { outline: none; } .pale { color: #ddd; }</style>
<script src="https://cdn.example.invalid/lib.js"></script></head>
<body><a class="skip" href="#main">Bỏ qua</a>
<main id="main"><h1>Một</h1><h1>Hai</h1>
<p class="pale">Chữ quá nhạt trên nền trắng.</p>
<a href="#x">Không thấy tiêu điểm</a>
<input type="text" name="q"><span class="badge"></span>
<table class="matrix"><tr><th>Đơn vị</th><td class="status-approved"></td></tr></table>
<div hx-get="/x" data-x="1" foo="1" id="d"></div><div id="d"></div>
<!-- {padding} -->
</main></body></html>"""


def test_the_checks_find_the_faults_of_a_broken_page(browser, site, tmp_path):
    """A page with one fault for each check, served on the portal's address: every check
    reports it, vnu an htmx attribute written without `data-` among them."""
    require_tool(AXE, "axe-core")
    require_vnu()
    html = BROKEN_PAGE.replace("{padding}", "x" * MAX_PAGE_BYTES)
    url = f"{site.server.url}/__broken"
    log = BrowserLog()
    context, page = _profile(browser, log, bypass_csp=True)
    try:
        page.route("https://cdn.example.invalid/**", lambda route: route.abort())
        page.route(url, lambda route: route.fulfill(status=200, body=html,
                                                    content_type="text/html; charset=utf-8"))
        target = Target("broken", url, None, {})
        marks = _marks(log)
        page.goto(url, wait_until="load")
        problems = {check: [] for check in CHECKS}
        inspect_page(page, log, marks, target, "Một văn bản", problems)
        problems["axe"] = run_axe(page)
    finally:
        context.close()
    silent = [check for check in CHECKS if not problems[check]]
    assert not silent, f"checks that missed their fault: {silent}\n{problems}"
    assert any("color-contrast" in p for p in problems["axe"]), problems["axe"]
    assert any("https://cdn.example.invalid/lib.js" in p for p in problems["self-contained"])

    page_file = tmp_path / "broken.html"
    page_file.write_text(html, encoding="utf-8")
    messages = run_vnu([page_file])
    kept = [m["message"] for m in vnu_errors(messages)]
    assert any(text.startswith("Attribute “hx-get” not allowed on element") for text in kept), kept
    assert any(text.startswith("Attribute “foo” not allowed on element") for text in kept), kept
    assert any("Duplicate ID" in text for text in kept), kept

