"""Logging in tells a stranger nothing and gives them no lever over others: every failed login
costs the same password-hashing work, whoever the name belongs to; a stranger guessing one
person's password locks out their own address, not the person; guessing from many addresses at
once still ends in a wait, which the account's owner at their usual browser does not share."""

from __future__ import annotations

import statistics
import time

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError
from sqlalchemy import select, update

from portal.auth.lockout import DEVICE_COOKIE
from portal.auth.passwords import FIRST_PASSWORD, hash_password
from portal.extensions import db
from portal.models import User

from .support.apps import seeded_app
from .support.clients import PASSWORD, PortalClient, client_at

ACCOUNT_LOCKED = "Tài khoản này đã nhập sai mật khẩu quá nhiều lần"
ADDRESS_LOCKED = "Máy của bạn (địa chỉ mạng này) đã nhập sai mật khẩu quá nhiều lần"


def guess(client: PortalClient, username: str, times: int = 1) -> list[int]:
    return [client.post("/login", {"username": username, "password": f"doan-bua-{n}"})
            .status_code for n in range(times)]


def switch_off(app, username: str, **changes) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.username == username)
                           .values(active=False, **changes))
        db.session.commit()


# --- the same work for every name ----------------------------------------------------------------


@pytest.fixture
def verifications(monkeypatch) -> list[tuple[int, int, int]]:
    """The cost (time, memory, parallelism) of each Argon2 verification the portal runs: the real
    argon2-cffi verification runs, and is counted on its way."""
    seen: list[tuple[int, int, int]] = []
    verify = PasswordHasher.verify

    def counted(self, password_hash, password):
        try:
            parameters = extract_parameters(password_hash)
        except InvalidHashError:
            seen.append(None)
        else:
            seen.append((parameters.time_cost, parameters.memory_cost, parameters.parallelism))
        return verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return seen


@pytest.fixture
def full_cost(app) -> tuple[int, int, int]:
    """The cost of the portal's own hashes (the demo accounts were hashed at it)."""
    with app.app_context():
        return tuple(getattr(extract_parameters(db.session.scalar(
            select(User.password_hash).where(User.username == "phuong1"))), name)
            for name in ("time_cost", "memory_cost", "parallelism"))


def test_every_login_runs_one_verification_at_the_portals_cost(app, verifications, full_cost):
    switch_off(app, "phuong3")
    switch_off(app, "phuong4", password_hash="not-an-argon2-hash")
    attempts = [
        ("phuong1", PASSWORD, 303),  # the right password
        ("phuong2", "sai-mat-khau-roi", 401),  # a wrong one
        ("khongcoai", PASSWORD, 401),  # no such account
        ("khongcoai", PASSWORD, 401),  # again, once the portal's dummy hash is made
        ("phuong3", PASSWORD, 401),  # switched off, with its right password
        ("phuong3", "sai-mat-khau-roi", 401),  # switched off, a wrong one
        ("phuong4", PASSWORD, 401),  # switched off, a hash that is not one
    ]
    for n, (username, password, status) in enumerate(attempts):
        verifications.clear()
        response = client_at(app, f"10.0.2.{n}").post(
            "/login", {"username": username, "password": password})
        assert response.status_code == status, username
        # A hash that is not one is refused by argon2 before any work: the dummy's follows.
        expected = [None, full_cost] if username == "phuong4" else [full_cost]
        assert verifications == expected, (username, verifications)


def test_a_first_password_is_checked_cheaply_and_then_at_the_portals_cost(
        app, login, verifications, full_cost):
    admin = login("quantri")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "phuong2"))
    page = admin.post(f"/admin/users/{user_id}/password").get_data(as_text=True)
    assert "phuong2" in page
    verifications.clear()
    response = client_at(app, "10.0.2.50").post(
        "/login", {"username": "phuong2", "password": "sai-mat-khau-roi"})
    assert response.status_code == 401
    first_cost = (FIRST_PASSWORD["time_cost"], FIRST_PASSWORD["memory_cost"],
                  FIRST_PASSWORD["parallelism"])
    assert verifications == [first_cost, full_cost]


@pytest.fixture
def costly_app(tmp_path, database_url):
    """The portal at its real Argon2 cost (PASSWORD_TIME_COST 3, 64 MB) and a limit that the
    timings below do not reach."""
    yield from seeded_app(tmp_path, database_url, PASSWORD_TIME_COST=3,
                          PASSWORD_MEMORY_COST=65536, LOGIN_MAX_FAILURES=1000,
                          LOGIN_ACCOUNT_MAX_FAILURES=1000)


@pytest.mark.slow
def test_a_login_takes_as_long_for_a_missing_or_switched_off_account(costly_app):
    """Wall time, at the real cost: medians of five, and a generous ratio (each path within a
    factor of two of a wrong password for a real account; before, 10 ms against 195 ms)."""
    app = costly_app
    switch_off(app, "phuong3")
    with app.app_context():  # real accounts at the real cost
        db.session.execute(update(User).where(User.username.in_(["phuong2", "phuong3"]))
                           .values(password_hash=hash_password(PASSWORD)))
        db.session.commit()
    client = client_at(app, "10.0.3.1")
    client.post("/login", {"username": "khongcoai", "password": "x"})  # the dummy hash is made

    def median(username: str, password: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            assert client.post("/login", {"username": username, "password": password}
                               ).status_code == 401
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    real = median("phuong2", "sai-mat-khau-roi")
    assert real > 0.02, real  # the real cost is paid at all
    for username, password in [("khongcoai", PASSWORD), ("phuong3", PASSWORD),
                               ("phuong3", "sai-mat-khau-roi")]:
        took = median(username, password)
        assert real / 2 < took < real * 2, (username, took, real)


# --- a stranger's guesses lock the stranger ------------------------------------------------------


def test_a_strangers_guesses_lock_their_address_and_not_the_owner(app):
    stranger = client_at(app, "10.0.0.66")
    assert guess(stranger, "phuong1", 10) == [401] * 9 + [429]
    response = stranger.login("phuong1")  # even the right password, from the stranger's machine
    assert response.status_code == 429
    assert ADDRESS_LOCKED in response.get_data(as_text=True)
    # The owner, at their own machine, who has never logged in from this browser before.
    owner = client_at(app, "10.0.0.11")
    assert owner.login("phuong1").status_code == 303


def test_guessing_from_many_addresses_makes_the_account_wait(app):
    """Nine guesses from each of six machines (each under its address's limit): the account's
    fiftieth failure makes it wait, for every browser that has not logged into it before."""
    statuses = []
    for machine in range(6):
        statuses += guess(client_at(app, f"10.0.4.{machine}"), "phuong1", 9)
    assert statuses == [401] * 49 + [429] * 5
    newcomer = client_at(app, "10.0.4.99").login("phuong1")
    assert newcomer.status_code == 429
    assert ACCOUNT_LOCKED in newcomer.get_data(as_text=True)
    assert "không đăng nhập được" in newcomer.get_data(as_text=True)
    # Another account is not affected.
    assert client_at(app, "10.0.4.98").login("phuong2").status_code == 303


def test_the_owners_own_browser_logs_in_while_the_account_waits(app):
    owner = client_at(app, "10.0.0.11")
    assert owner.login("phuong1").status_code == 303
    assert owner.post("/logout").status_code == 303
    owner._token = None  # a new session, a new form
    assert owner.client.get_cookie(DEVICE_COOKIE) is not None  # kept after logout
    for machine in range(6):
        guess(client_at(app, f"10.0.5.{machine}"), "phuong1", 9)
    assert client_at(app, "10.0.5.99").login("phuong1").status_code == 429
    assert owner.login("phuong1").status_code == 303
    # ... but its address's own limit still holds: the cookie buys no guesses.
    owner.post("/logout")
    owner._token = None
    assert guess(owner, "phuong1", 10) == [401] * 9 + [429]
    assert owner.login("phuong1").status_code == 429


def test_the_browser_cookie_cannot_be_made_for_another_account(app):
    owner = client_at(app, "10.0.0.11")
    assert owner.login("phuong2").status_code == 303
    cookie = owner.client.get_cookie(DEVICE_COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"
    assert "phuong2" not in cookie.value
    for machine in range(6):
        guess(client_at(app, f"10.0.6.{machine}"), "phuong1", 9)
    # phuong2's mark does not open phuong1's wait, nor does a made-up one.
    copied = client_at(app, "10.0.6.50")
    copied.client.set_cookie(DEVICE_COOKIE, cookie.value)
    assert copied.login("phuong1").status_code == 429
    forged = client_at(app, "10.0.6.51")
    forged.client.set_cookie(DEVICE_COOKIE, "0" * 32)
    assert forged.login("phuong1").status_code == 429
