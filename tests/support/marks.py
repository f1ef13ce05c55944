"""pytest marks the tests share: SERVERS, for the tests that start servers or processes of their
own (tests/conftest.py's collection hook also marks them slow)."""

from __future__ import annotations

import pytest

# Tests that start servers or processes of their own (gunicorn, LibreOffice, `flask send-mail`,
# four writers): under pytest-xdist (`--dist loadgroup`) they run one after another on one
# worker, so that they never starve each other of the machine's cores. They are slow too.
SERVERS = pytest.mark.xdist_group("servers")
