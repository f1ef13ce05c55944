"""pytest marks the tests share: SERVERS, for the tests that start servers or processes of their
own (tests/conftest.py's collection hook also marks them slow); and `require`, for a server the
machine must have installed."""

from __future__ import annotations

import os

import pytest

# Tests that start servers or processes of their own (gunicorn, LibreOffice, `flask send-mail`,
# four writers): under pytest-xdist (`--dist loadgroup`) they run one after another on one
# worker, so that they never starve each other of the machine's cores. They are slow too.
SERVERS = pytest.mark.xdist_group("servers")


def require(available: bool, message: str) -> None:
    """Skip where `available` is false on a developer's machine; fail in CI (CI set), so that a
    broken CI image cannot pass by skipping the tests against real servers."""
    if available:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)
