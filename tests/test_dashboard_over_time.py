"""The province's dashboard (past `DETAIL_UNITS` units, read as sums) draws completion over time
as the city's does: the same days, the same approvals less reopenings, ending on today's figure."""

from __future__ import annotations

from sqlalchemy import select

from portal.deadlines import today
from portal.extensions import db
from portal.matrix.model import completion_over_time, matrix
from portal.models import Directive, Progress, ProgressStatus

from .support.pages import Tables
from .support.progress import ok
from .test_areas_views import province, reviewer  # noqa: F401 (the fixture)


def test_province_dashboard_draws_completion_over_time_as_the_matrix_counts_it(province):  # noqa: F811
    client = reviewer(province)
    with province.app_context():
        directive_id = db.session.scalar(select(Directive.id))
        waiting = db.session.scalars(select(Progress.id).where(
            Progress.status == ProgressStatus.SUBMITTED, Progress.supporting.is_(False),
            Progress.hidden.is_(False)).order_by(Progress.id).limit(3)).all()
    assert len(waiting) == 3
    for item_id in waiting:
        ok(client.post(f"/items/{item_id}/review", {"verdict": "approve"}))
    ok(client.post(f"/items/{waiting[0]}/reopen", {"comment": "Xem lại"}))

    html = client.get(f"/directives/{directive_id}/dashboard").get_data(as_text=True)
    assert 'id="full-table"' in html  # the province's summary, not the unit-by-unit page
    rows = Tables(html).tables["over-time"][1:]
    with province.test_request_context():
        m = matrix(directive_id, today())
        totals = m.totals()
        expected = [[day.on.strftime("%d/%m/%Y"), str(day.approved),
                     f"{day.done:,}/{day.assigned:,}".replace(",", "."), f"{day.percent} %"]
                    for day in completion_over_time(m)]
    assert rows == expected
    assert rows[-1][1] == "2"  # three approvals today, one reopened
    assert rows[-1][2] == f"{totals['done']:,}/{totals['assigned']:,}".replace(",", ".")
    section = html.split('id="h-time"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section
