"""The reviewer's and leadership's screens measured in Chromium: the matrix uses the screen's
width (every column of the 23-task letter at 1366 px), keeps its unit column and header row in
view while it scrolls, starts in the screen's top third at 1024×768 under a one-line header; the
side panel names its unit with its "Đóng" button inside; printed, the matrix and the dashboard
have no links that mean nothing on paper and the matrix's totals row comes once."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Directive, Task

from ..support.browser import ARTIFACTS, TIMEOUT_MS, BrowserLog, log_in_at, require_tool

READERS = ["noivu.duyet", "lanhdao", "quantri"]


def directive_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Directive.id).where(Directive.slug == "sa-dec-2023-cchc"))


def task_count(live_server, directive: int) -> int:
    with live_server.app.app_context():
        return len(db.session.scalars(select(Task.id).where(Task.directive_id == directive,
                                                            Task.withdrawn.is_(False))).all())


@pytest.fixture
def screen(browser, request):
    """screen(width, height): a fresh browser profile with that viewport; closed after the test."""
    contexts = []

    def open_screen(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="vi-VN")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        log = BrowserLog()
        log.watch(page)
        page.log = log
        return page

    yield open_screen
    for number, context in enumerate(contexts):
        if getattr(request.node, "e2e_failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{number}.png")
        context.close()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} has no box"
    return found


GRID = """() => {
  const s = document.querySelector('.matrix-scroll'), r = s.getBoundingClientRect();
  const heads = [...document.querySelectorAll('table.matrix thead th')];
  return {left: r.left, top: r.top, right: r.left + s.clientWidth, bottom: r.top + s.clientHeight,
          scrollWidth: s.scrollWidth, clientWidth: s.clientWidth,
          pageSideways: document.documentElement.scrollWidth - window.innerWidth,
          heads: heads.map(h => [h.textContent.trim().split(/\\s/)[0],
                                 h.getBoundingClientRect().left, h.getBoundingClientRect().right])};
}"""


def test_at_1366_every_column_shows_and_the_heads_stay_in_view(screen, live_server):
    page = screen(1366, 768)
    log_in_at(live_server.url, page, "noivu.duyet")
    directive = directive_id(live_server)
    page.goto(f"{live_server.url}/directives/{directive}/matrix")
    grid = page.evaluate(GRID)
    names = [name for name, _, _ in grid["heads"]]
    assert names[0] == "Đơn" and names[-2:] == ["Hoàn", "Quá"], names
    assert len(names) == task_count(live_server, directive) + 3 == 26
    # Not a pixel of sideways scrolling, in the grid or the page: every column, totals included,
    # is inside the grid's visible box.
    assert grid["scrollWidth"] <= grid["clientWidth"], grid
    assert grid["pageSideways"] <= 0, grid
    outside = [(n, left, right) for n, left, right in grid["heads"]
               if left < grid["left"] - 1 or right > grid["right"] + 1]
    assert outside == [], (outside, grid)

    # Scrolled down, the header row stays at the grid's top, above the cells under it.
    page.evaluate("() => { const s = document.querySelector('.matrix-scroll');"
                  " s.scrollIntoView({block: 'start'}); s.scrollTop = s.scrollHeight; }")
    grid = page.evaluate(GRID)
    code = page.locator("table.matrix thead th").nth(5)
    assert abs(box(code)["y"] - grid["top"]) <= 2, (box(code), grid)
    assert code.evaluate("""c => { const r = c.getBoundingClientRect();
        return c.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }""")
    last_unit = page.locator("table.matrix tbody tr:not(.group) th[scope=row]").last
    expect(last_unit).to_be_in_viewport()


def test_at_1024_the_header_is_one_line_and_the_grid_starts_in_the_top_third(
        screen, live_server):
    directive = directive_id(live_server)
    for username in READERS:
        page = screen(1024, 768)
        log_in_at(live_server.url, page, username)
        page.goto(f"{live_server.url}/directives/{directive}/matrix")
        # The site's header: every link, name and button on one line.
        lines = page.evaluate("""() => [...document.querySelectorAll(
              'header.site a, header.site button, header.site .who > span')]
            .map(e => e.getBoundingClientRect()).map(r => r.top + r.height / 2)""")
        assert max(lines) - min(lines) <= 4, (username, lines)
        assert box(page.locator("header.site"))["height"] <= 48, username
        # The page's heading: one line (the whole title is its tooltip).
        heading = page.get_by_role("heading", level=1)
        lines = heading.evaluate(
            "h => h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight)")
        assert lines < 1.5, (username, lines)
        expect(heading).to_have_attribute("title", re.compile(r"^Ma trận theo dõi: Chấn chỉnh"))
        # The grid starts in the top third of the screen, its header row visible.
        grid = page.evaluate(GRID)
        assert grid["top"] < 768 / 3, (username, grid["top"])
        assert grid["pageSideways"] <= 0, username

        # Narrower than the grid: scrolled right, the unit column stays at its left edge.
        assert grid["scrollWidth"] > grid["clientWidth"]
        page.evaluate("() => { const s = document.querySelector('.matrix-scroll');"
                      " s.scrollLeft = s.scrollWidth; }")
        unit = page.locator("table.matrix tbody tr:not(.group) th[scope=row]").first
        assert abs(box(unit)["x"] - grid["left"]) <= 2, (username, box(unit), grid)
        assert unit.evaluate("""c => { const r = c.getBoundingClientRect();
            return c.contains(document.elementFromPoint(r.x + 8, r.y + r.height / 2)); }""")
        assert page.log.console_errors == [] and page.log.page_errors == []


def test_the_panel_names_its_unit_and_closes_from_inside(screen, live_server):
    page = screen(1366, 768)
    log_in_at(live_server.url, page, "noivu.duyet")
    item_id = live_server.item_id("Phường An Hòa", "1.6")
    page.goto(f"{live_server.url}/directives/{directive_id(live_server)}/matrix")
    page.locator(f"#c{item_id}").click()
    panel = page.locator("#panel")
    heading = panel.get_by_role("heading", level=2)
    expect(heading).to_have_text("Phường An Hòa · Xã, phường")
    expect(panel.get_by_role("heading", level=3)).to_have_text(re.compile(r"^Cập nhật TTHC"))
    close = panel.get_by_role("button", name="Đóng")
    panel_box, close_box, heading_box = box(panel), box(close), box(heading)
    for edge in ("x", "y"):
        assert close_box[edge] >= panel_box[edge]
    assert close_box["x"] + close_box["width"] <= panel_box["x"] + panel_box["width"]
    assert close_box["y"] + close_box["height"] <= panel_box["y"] + panel_box["height"]
    # At the top, beside the unit's name, above the item.
    assert abs(close_box["y"] - heading_box["y"]) <= 12
    assert close_box["y"] < box(panel.locator("article"))["y"]
    close.click()
    expect(panel).to_be_empty()
    expect(page.locator(f"#c{item_id}")).to_be_focused()
    assert page.log.console_errors == [] and page.log.page_errors == []


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page of a PDF (pdftotext)."""
    tool = shutil.which("pdftotext")
    require_tool(Path(tool or "/usr/bin/pdftotext"), "pdftotext")
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return [page for page in text.split("\f") if page.strip()]


LINKS_OFF_TABLES = """() => [...document.querySelectorAll('main a')]
    .filter(a => a.checkVisibility() && !a.closest('table')).map(a => a.textContent.trim())"""


@pytest.mark.parametrize("what,username", [("matrix", "noivu.duyet"), ("dashboard", "lanhdao")])
def test_printed_without_links_that_lead_nowhere_and_one_totals_row(
        screen, live_server, tmp_path, what, username):
    page = screen(1366, 768)
    log_in_at(live_server.url, page, username)
    page.goto(f"{live_server.url}/directives/{directive_id(live_server)}/{what}")
    on_screen = page.evaluate(LINKS_OFF_TABLES)
    assert any(text.startswith(("Xem tổng quan", "← Ma trận")) for text in on_screen), on_screen
    page.emulate_media(media="print")
    # On paper a link is worth its text only inside the tables (a unit, a task).
    assert page.evaluate(LINKS_OFF_TABLES) == []
    if what != "matrix":
        return
    pages = pdf_pages(page.pdf(format="A4", landscape=True, prefer_css_page_size=True,
                               print_background=True), tmp_path)
    # The matrix runs over pages (so a repeated footer would show): its header row is on each,
    # its totals row once, at the end.
    assert len(pages) >= 2, len(pages)
    assert all(re.search(r"Đơn vị\s+1\.1\s+1\.2", text) for text in pages)
    totals = [text.count("Hoàn thành theo nhiệm vụ") for text in pages]
    assert totals == [0] * (len(pages) - 1) + [1], totals
