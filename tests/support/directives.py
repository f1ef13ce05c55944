"""Directives the tests load besides the demo letter: `load_future`, a letter for the communes due
in 2099 (FUTURE, its YAML), whose deadlines are still ahead, so that extensions can be asked."""

from __future__ import annotations

from pathlib import Path

from portal.directives.loader import load_directive
from portal.extensions import db

FUTURE = (
    "slug: ke-hoach-2099\nyear: 2099\ntitle: Kế hoạch năm 2099\nsections:\n"
    " - number: '1'\n   audience: kind:commune\n   tasks:\n"
    "    - {code: '1', title: Báo cáo quý, deadline: 2099-06-30}\n"
    "    - {code: '2', title: Báo cáo năm, deadline: 2099-06-30}\n"
)


def load_future(app, folder: Path) -> int:
    """A letter for the communes due in 2099: deadlines still ahead, extensions possible. Written
    to `folder`/future.yaml, loaded and committed; its id."""
    path = folder / "future.yaml"
    path.write_text(FUTURE, encoding="utf-8")
    with app.app_context():
        directive_id = load_directive(path).id
        db.session.commit()
    return directive_id
