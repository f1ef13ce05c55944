"""One render per revision for every worker and server (portal/matrix/fragments.py): concurrent
requests for the same matrix wait for one render, in one process and across processes; a render
that is out of date before it ends is served to those who asked and kept as the newest; an older
render never replaces a newer one. Each test runs with the fragments in the database and again in
Redis (a key prefix of its own), the same behaviour either way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from datetime import date

import pytest
from sqlalchemy import insert, select

from portal import create_app
from portal.extensions import db
from portal.matrix import fragments, rows
from portal.models import (
    Area,
    Directive,
    MatrixFragment,
    Progress,
    ProgressStatus,
    Task,
    Unit,
    UnitKind,
)

from .support.apps import seeded_app
from .support.clients import login_as
from .support.servers import ROOT, portal_environment

REDIS_URL = "redis://127.0.0.1:6379/0"
READER = "noivu.duyet"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "redis"])
def shared(request) -> dict:
    """The settings that choose where fragments are shared; a Redis prefix of the test's own,
    its keys deleted afterwards."""
    if request.param == "database":
        yield {}
        return
    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    prefix = f"test-fragments-{uuid.uuid4().hex}:"
    yield {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix}
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def app(tmp_path, database_url, shared):
    yield from seeded_app(tmp_path, database_url, **shared)


def grow(app, units: int) -> None:
    """`units` more communes reached by every task of the directive, its revision moved: a
    matrix that takes a while to render, so that concurrent requests overlap."""
    with app.app_context():
        tasks = db.session.scalars(select(Task.id)).all()
        for number in range(units):
            unit_id = db.session.execute(insert(Unit).values(
                name=f"Tổ dân phố {number:04d}", short_name="", kind=UnitKind.COMMUNE,
                position=100 + number)).inserted_primary_key[0]
            db.session.execute(insert(Progress), [
                {"task_id": task_id, "unit_id": unit_id, "status": ProgressStatus.IN_PROGRESS}
                for task_id in tasks])
        db.session.execute(Directive.__table__.update().values(revision=Directive.revision + 1))
        db.session.commit()


def directive_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Directive.id))


def counted() -> dict:
    return dict(fragments.counters)


def difference(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in after}


def without_tag(html: str) -> str:
    return re.sub(r'hx-ptag="[^"]+"', "", html)


def test_concurrent_requests_in_one_process_make_one_render(app):
    grow(app, 300)
    url = f"/directives/{directive_id(app)}/matrix"
    readers = [login_as(app)(READER) for _ in range(6)]
    start = threading.Barrier(len(readers))
    answers = []

    def read(client) -> None:
        start.wait()
        response = client.get(url, htmx=True)
        answers.append((response.status_code, without_tag(response.get_data(as_text=True))))

    before = counted()
    threads = [threading.Thread(target=read, args=(client,)) for client in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = difference(before, counted())
    assert [status for status, _ in answers] == [200] * 6
    assert len({body for _, body in answers}) == 1
    assert done["renders"] == 1
    assert done["local_waits"] >= 1  # the requests did overlap: they waited for the one render
    # The next page load of the same revision reads this process's copy: nothing rendered.
    assert readers[0].get(url).status_code == 200
    assert difference(before, counted())["renders"] == 1


@pytest.mark.slow
def test_concurrent_requests_in_two_processes_make_one_render(app, tmp_path):
    """Two processes (two workers, or two servers) on the same database (and Redis): 2 × 4
    concurrent requests, one render, the other process waits for it through the store."""
    grow(app, 600)
    url = f"/directives/{directive_id(app)}/matrix"
    go = tmp_path / "go"
    env = {**os.environ, **portal_environment(app.config, (
        "DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR", "PASSWORD_TIME_COST", "PASSWORD_MEMORY_COST",
        *(["REDIS_URL", "REDIS_PREFIX"] if app.config["REDIS_URL"] else []))),
        "PORTAL_REDIS_URL": app.config["REDIS_URL"], "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "tests.support.matrix_readers", url, str(go), "4", READER],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)]
    try:
        for process in processes:
            assert json.loads(process.stdout.readline()) == {"ready": True}, \
                process.stderr.read()
        go.touch()
        results = [json.loads(process.communicate(timeout=120)[0]) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    answers = [answer for result in results for answer in result["answers"]]
    assert [status for status, _ in answers] == [200] * 8
    assert len({digest for _, digest in answers}) == 1  # the same fragment for all eight
    total = {name: sum(r["counters"][name] for r in results) for name in results[0]["counters"]}
    assert total["renders"] == 1
    # The process that did not render waited for the other's lease, or read what it stored.
    assert total["lease_waits"] + total["shared"] >= 1
    assert total["local_waits"] >= 6


def test_a_render_out_of_date_before_it_ends_is_served_and_kept(app):
    """A request for a newer revision that arrives while an older one renders waits for that
    render and is answered with it; the fragment is kept as the newest available."""
    slot = fragments.slot_key(1, date(2026, 12, 6), "test")
    started, finish = threading.Event(), threading.Event()
    answers: dict[str, fragments.Fragment] = {}

    def slow_render() -> tuple[int, str]:
        started.set()
        assert finish.wait(10)
        return 5, "<div>revision 5</div>"

    def never() -> tuple[int, str]:
        raise AssertionError("a second render while one is under way")

    def ask(name: str, revision: int, render) -> None:
        with app.app_context():
            answers[name] = fragments.fragment(1, slot, revision, render)

    first = threading.Thread(target=ask, args=("first", 5, slow_render))
    first.start()
    assert started.wait(10)
    later = threading.Thread(target=ask, args=("later", 6, never))  # revision 6 meanwhile
    later.start()
    finish.set()
    first.join()
    later.join()
    assert answers["first"].html == answers["later"].html == "<div>revision 5</div>"
    assert answers["later"].revision == 5  # its tag says 5: the next poll asks again
    with app.app_context():
        kept = fragments.store(app).get(slot)
        assert (kept.revision, kept.html) == (5, "<div>revision 5</div>")
        # Asked again for 6, it renders 6.
        made = fragments.fragment(1, slot, 6, lambda: (6, "<div>revision 6</div>"))
        assert made.revision == 6 and fragments.store(app).get(slot).revision == 6


def test_a_second_server_waits_for_the_first_servers_render(app, tmp_path):
    """Two apps on one database (and Redis): two servers. The second asks while the first renders
    and is answered with the first's render, out of date or not, without rendering."""
    other = create_app({**app.config, "INSTANCE_PATH": str(tmp_path / "other")})
    on = date(2026, 12, 6)
    slot = fragments.slot_key(1, on, "two servers")
    started, finish = threading.Event(), threading.Event()
    answers = {}

    def slow_render() -> tuple[int, str]:
        started.set()
        assert finish.wait(10)
        return 3, "<div>from the first server</div>"

    def never() -> tuple[int, str]:
        raise AssertionError("the second server rendered too")

    def ask(name, portal, revision, render) -> None:
        with portal.app_context():
            answers[name] = fragments.fragment(1, slot, revision, render)

    before = counted()
    first = threading.Thread(target=ask, args=("first", app, 3, slow_render))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=ask, args=("second", other, 4, never))
    second.start()
    threading.Timer(0.3, finish.set).start()
    first.join()
    second.join()
    assert answers["second"].html == "<div>from the first server</div>"
    done = difference(before, counted())
    assert done["renders"] == 1 and done["lease_waits"] >= 1
    with other.app_context():
        db.engine.dispose()


def test_an_older_render_never_replaces_a_newer_one(app):
    with app.app_context():
        shared = fragments.store(app)
        slot = fragments.slot_key(1, date(2026, 12, 6), "order")
        newer = shared.try_lease(slot, 1, exists=False)
        shared.put(slot, fragments.Fragment(8, "<div>8</div>", newer), newer)
        older = shared.try_lease(slot, 1, exists=True)
        assert older is not None  # the lease was released by the put
        shared.put(slot, fragments.Fragment(7, "<div>7</div>", older), older)
        assert shared.get(slot).html == "<div>8</div>"
        assert not shared.leased(slot)


def test_a_failed_render_releases_its_lease(app):
    with app.app_context():
        slot = fragments.slot_key(1, date(2026, 12, 6), "failing")

        def failing() -> tuple[int, str]:
            raise RuntimeError("render failed")

        with pytest.raises(RuntimeError):
            fragments.fragment(1, slot, 1, failing)
        assert not fragments.store(app).leased(slot)
        assert fragments.fragment(1, slot, 1, lambda: (1, "<div>1</div>")).html == "<div>1</div>"


def test_fragments_live_where_the_settings_say(app):
    """The database's table without REDIS_URL, Redis (and not the table) with it."""
    url = f"/directives/{directive_id(app)}/matrix"
    assert login_as(app)(READER).get(url).status_code == 200
    with app.app_context():
        rows = db.session.scalar(select(db.func.count()).select_from(MatrixFragment))
    if app.config["REDIS_URL"]:
        assert rows == 0
        import redis

        keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(
            match=f"{app.config['REDIS_PREFIX']}matrix:fragment:*"))
        assert len(keys) == 1
    else:
        assert rows == 1


def _areas_of(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(Area.name, Area.id)).all())


def test_area_changes_show_at_once_in_the_matrix_and_its_poll(app):
    """Renaming an area, moving a unit to another, deleting an area, renaming a unit: each moves
    the revision of the directives showing it, so the shared fragment is out of date at once and
    the reader's poll is answered with the change, not 304."""
    admin, reader = login_as(app)("quantri"), login_as(app)(READER)
    url = f"/directives/{directive_id(app)}/matrix"
    with app.app_context():
        unit = db.session.scalars(select(Unit).where(Unit.name == "Phường 1")).one()
        unit_id, short_name, kind = unit.id, unit.short_name, unit.kind.value
    assert admin.post("/admin/areas/new", {"name": "Khu vực nội ô", "parent": "",
                                           "position": ""}).status_code == 303
    assert admin.post("/admin/areas/new", {"name": "Khu vực ven sông", "parent": "",
                                           "position": ""}).status_code == 303
    found = _areas_of(app)
    inner, river = found["Khu vực nội ô"], found["Khu vực ven sông"]

    def place(area: int | str) -> None:
        assert admin.post(f"/admin/units/{unit_id}/edit", {
            "name": "Phường 1", "short_name": short_name, "kind": kind,
            "area": str(area)}).status_code == 303

    place(inner)
    page = reader.get(url)
    html = page.get_data(as_text=True)
    assert 'scope="rowgroup"' in html and ">Khu vực nội ô</a>" in html
    tag = page.headers["HX-PTag"]
    assert reader.get(url, htmx=True, headers={"HX-PTag": tag}).status_code == 304

    assert admin.post(f"/admin/areas/{inner}/edit", {"name": "Khu vực trung tâm", "parent": "",
                                                     "position": "1"}).status_code == 303
    poll = reader.get(url, htmx=True, headers={"HX-PTag": tag})
    assert poll.status_code == 200
    polled = poll.get_data(as_text=True)
    assert ">Khu vực trung tâm</a>" in polled and "Khu vực nội ô" not in polled
    html = reader.get(url).get_data(as_text=True)
    assert ">Khu vực trung tâm</a>" in html and "Khu vực nội ô" not in html

    # Moved to the other area: its heading is the other's.
    tag = poll.headers["HX-PTag"]
    place(river)
    poll = reader.get(url, htmx=True, headers={"HX-PTag": tag})
    assert poll.status_code == 200
    heading = re.search(r'<th scope="rowgroup"[^>]*>(.*?)</th>', poll.get_data(as_text=True),
                        re.S).group(1)
    assert "Khu vực ven sông" in heading
    # The emptied area deleted: gone from the filter's list at once.
    tag = poll.headers["HX-PTag"]
    assert admin.post(f"/admin/areas/{inner}/delete").status_code == 303
    poll = reader.get(url, htmx=True, headers={"HX-PTag": tag})
    assert poll.status_code == 200 and "Khu vực trung tâm" not in poll.get_data(as_text=True)
    # Out of every area again: the city's matrix as it was, kinds as headings.
    place("")
    page = reader.get(url)
    html = page.get_data(as_text=True)
    assert 'name="area"' not in html and "area-group" not in html
    assert '<th scope="rowgroup" colspan' in html
    # A unit renamed shows at once too.
    assert admin.post(f"/admin/units/{unit_id}/edit", {
        "name": "Phường Một", "short_name": short_name, "kind": kind,
        "area": ""}).status_code == 303
    poll = reader.get(url, htmx=True, headers={"HX-PTag": page.headers["HX-PTag"]})
    assert poll.status_code == 200 and ">Phường Một</a>" in poll.get_data(as_text=True)


def rows_rendered() -> int:
    return rows.counters["rendered"]


def change_item(app, unit_name: str, status: ProgressStatus) -> None:
    """One item of the unit changed as the portal changes it: through the session, whose flush
    moves the directive's revision and records the unit's change."""
    with app.app_context():
        item = db.session.scalars(select(Progress).join(Unit, Unit.id == Progress.unit_id)
                                  .where(Unit.name == unit_name).order_by(Progress.id)).first()
        item.status = status
        db.session.commit()


def test_a_change_to_one_unit_renders_only_that_units_row(app):
    """A new revision reads and renders again the changed unit's row alone, joins the others as
    they were, and gives the same fragment as a render from nothing."""
    url = f"/directives/{directive_id(app)}/matrix"
    reader = login_as(app)(READER)
    before = rows_rendered()
    first = reader.get(url, htmx=True)
    shown = rows_rendered() - before
    assert first.status_code == 200 and shown > 10  # every row of the page, once
    change_item(app, "Phường 1", ProgressStatus.APPROVED)
    before, renders = rows_rendered(), counted()
    changed = reader.get(url, htmx=True, headers={"HX-PTag": first.headers["HX-PTag"]})
    assert changed.status_code == 200
    assert rows_rendered() - before == 1
    assert difference(renders, counted())["renders"] == 1
    assert changed.headers["HX-PTag"] != first.headers["HX-PTag"]
    fragments.forget(app)
    before = rows_rendered()
    fresh = reader.get(url, htmx=True)
    assert rows_rendered() - before == shown
    assert without_tag(fresh.get_data(as_text=True)) == without_tag(
        changed.get_data(as_text=True))


def test_a_change_to_the_tasks_renders_every_row_again(app):
    url = f"/directives/{directive_id(app)}/matrix"
    reader = login_as(app)(READER)
    before = rows_rendered()
    assert reader.get(url, htmx=True).status_code == 200
    shown = rows_rendered() - before
    with app.app_context():
        task = db.session.scalars(select(Task).order_by(Task.id)).first()
        task.deadline = date(2026, 1, 5)
        db.session.commit()
    before = rows_rendered()
    assert reader.get(url, htmx=True).status_code == 200
    assert rows_rendered() - before == shown
