"""Counting the SQL statements a request costs, the one counter of the tests and of
bench/matrix.py: `recorded_statements(engine)`, a block during which every statement the engine
sends is kept in a list (a `before_cursor_execute` listener, removed when the block ends), and
`count_statements(app, client, url)`, the statements of one GET that must answer 200. It imports
neither pytest nor anything of the tests, so that bench/matrix.py imports it as
`tests.support.statements`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db
from portal.matrix import fragments


@contextmanager
def recorded_statements(engine) -> Iterator[list[str]]:
    """The SQL statements `engine` sends inside the block, in order."""
    statements: list[str] = []

    def listen(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def count_statements(app, client, url: str, *, cold_matrix: bool = False) -> int:
    """The SQL statements of `client`'s GET of `url`, which must answer 200; with `cold_matrix`,
    the matrix's fragments (this process's and the shared store's) forgotten first, so that the
    matrix is built again."""
    if cold_matrix:
        fragments.forget(app)
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)
