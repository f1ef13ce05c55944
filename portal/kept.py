"""What a process keeps between requests: a bounded map per app, the entry used longest ago
dropped first, safe across a worker's threads. The matrix's indexes (`matrix.model`), its rows'
markup (`matrix.rows`) and the large dashboard's figures (`dashboard.queries`) are kept in one
each. Every key holds what makes its entry true (a directive's revision, the day), so an entry is
never out of date, only unused; each server's processes keep their own."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Flask, current_app

_MISSING = object()


class Kept:
    def __init__(self, name: str, size: int):
        self.name = name  # its place in `app.extensions`
        self.size = size
        self._lock = threading.Lock()

    def _entries(self, app: Flask | None = None) -> OrderedDict:
        app = app or current_app._get_current_object()
        return app.extensions.setdefault(self.name, OrderedDict())

    def get(self, key, default=None):
        entries = self._entries()
        with self._lock:
            found = entries.get(key, _MISSING)
            if found is _MISSING:
                return default
            entries.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        entries = self._entries()
        with self._lock:
            entries[key] = value
            entries.move_to_end(key)
            while len(entries) > self.size:
                entries.popitem(last=False)

    def items(self) -> list[tuple]:
        """The entries as they are now (a copy)."""
        entries = self._entries()
        with self._lock:
            return list(entries.items())

    def forget(self, app: Flask) -> None:
        entries = self._entries(app)
        with self._lock:
            entries.clear()
