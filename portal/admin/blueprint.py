"""The administration blueprint (/admin) and its gate: only administrators enter
(`permissions.require_administrator`); a visitor is sent to the login page, anyone else gets 403.
Each sub-area's routes module attaches its routes to `bp`."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from .. import table_import
from ..permissions import require_administrator

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _administrators_only() -> None:
    require_administrator()
    table_import.sweep()  # first passwords and pending imports do not outlive their time
