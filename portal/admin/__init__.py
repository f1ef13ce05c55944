"""Administration, in six sub-areas under one blueprint (blueprint.py, with its gate):

- people/: units and user accounts (routes, forms, actions, queries) and their bulk import from
  CSV or XLSX (imports.py);
- directives/: directives and their tasks (routes.py, tasks.py and their forms); what editing
  does to a directive is `portal.directives` (lifecycle.py, editing.py, drafts.py);
- mail.py: the e-mail queue;
- report_settings.py: who issues and signs the official report, and its "Nơi nhận";
- areas.py: the areas (địa bàn) units belong to, nested to any depth;
- finding_fields.py: the fields (lĩnh vực) findings are filed under, which it extends;
- audit/: the audit log read in the portal (filters, pages, the chain's check, Excel export).

fields.py holds what every administration form shares.
"""

from __future__ import annotations

from . import areas, finding_fields, mail, report_settings
from .audit import routes as audit_routes
from .blueprint import bp
from .directives import routes as directive_routes
from .directives import tasks as task_routes
from .people import routes as people_routes

# The routes modules attach their routes to bp when imported.
__all__ = ["areas", "audit_routes", "bp", "directive_routes", "finding_fields", "mail",
           "people_routes", "report_settings", "task_routes"]
