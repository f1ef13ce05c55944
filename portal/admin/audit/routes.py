"""The audit log's routes: the page (filters, a page of events, paging by id), the check of the
chain of hashes (loaded into the page after it shows, or a page of its own without JavaScript)
and the Excel export of the filtered events. Administrators only (the blueprint's gate)."""

from __future__ import annotations

import tempfile

from flask import request, send_file

from ...deadlines import today
from ...formatting import format_date
from ...htmx import render
from ..blueprint import bp
from . import export, queries, view
from .forms import AuditFilterForm, query_id


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args, units=queries.unit_choices(),
                           directives=queries.directive_choices(),
                           actions=queries.action_choices())
    form.validate()
    return form


def _filter_text(form: AuditFilterForm) -> str:
    """The filters in words, for the export's title line."""
    parts = []
    for field in (form.user, form.unit, form.directive, form.action, form.since, form.until):
        value = form.filters.args().get(field.name)
        if value:
            labels = {choice.value: choice.label for choice in getattr(field, "choices", [])}
            shown = labels.get(str(value), value)
            parts.append(f"{field.label.text}: {shown}")
    return "; ".join(parts)


@bp.get("/audit")
def audit():
    form = _form()
    valid = not form.errors
    events = queries.page(form.filters, before=query_id(request.args.get("before", "")),
                        after=query_id(request.args.get("after", ""))) if valid else None
    return render("admin/audit.html", "admin/_audit_events.html", 200 if valid else 422,
                  form=form, events=events, args=form.filters.args(), shown=view)


@bp.get("/audit/chain")
def audit_chain():
    return render("admin/audit_chain.html", "admin/_audit_chain.html",
                  check=queries.check_chain())


@bp.get("/audit/export.xlsx")
def audit_export():
    form = _form()
    if form.errors:
        return render("admin/audit.html", "admin/_audit_events.html", 422, form=form,
                      events=None, args={}, shown=view)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (send_file closes it once sent)
    export.write_xlsx(queries.every_match(form.filters), _filter_text(form), out)
    out.seek(0)
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument."
                     "spreadsheetml.sheet", as_attachment=True, max_age=0,
                     download_name=f"Nhật ký hệ thống {format_date(today()).replace('/', '-')}"
                                   ".xlsx")
