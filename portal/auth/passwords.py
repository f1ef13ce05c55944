"""Password hashing with Argon2 (argon2-cffi), its cost taken from the settings."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["PASSWORD_TIME_COST"],
        memory_cost=current_app.config["PASSWORD_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# A first password is random (about 79 bits, chosen by the portal) and must be changed at the
# first login: guessing it is out of reach at any hashing cost, so it is hashed cheaply. Importing a
# city's thousand accounts then takes seconds, not the minutes the full cost would.
FIRST_PASSWORD = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
_FIRST_PREFIX = "$argon2id$v=19$m=1024,t=1,p=1$"


def hash_first_password(password: str) -> str:
    """The hash of a random password the portal generated, to be changed at first login."""
    return PasswordHasher(**FIRST_PASSWORD).hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        matches = _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        matches = False
    if password_hash.startswith(_FIRST_PREFIX):
        # Answer as slowly as for any other account: timing must not tell who has not logged in.
        spend_equal_time(password)
    return matches


# Hashed once per process so that an unknown user name costs as much as a wrong password.
_DUMMY: dict[str, str] = {}


def spend_equal_time(password: str) -> None:
    key = f"{current_app.config['PASSWORD_TIME_COST']}/{current_app.config['PASSWORD_MEMORY_COST']}"
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("not-a-real-password")
    check_password(_DUMMY[key], password)
