"""Administration: units and user accounts (people.py), and their bulk import (imports.py);
directives and tasks; the e-mail queue (mail.py).

Only administrators enter (`permissions.require_administrator`): a visitor is sent to the login
page, anyone else gets 403.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from ..permissions import require_administrator
from . import imports

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _administrators_only() -> None:
    require_administrator()
    imports.sweep()  # first passwords and pending imports do not outlive their time


from . import directives, mail, people, tasks  # noqa: E402,F401  (their routes attach to bp)
