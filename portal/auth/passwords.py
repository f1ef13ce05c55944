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


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Hashed once per process so that an unknown user name costs as much as a wrong password.
_DUMMY: dict[str, str] = {}


def spend_equal_time(password: str) -> None:
    key = f"{current_app.config['PASSWORD_TIME_COST']}/{current_app.config['PASSWORD_MEMORY_COST']}"
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("not-a-real-password")
    check_password(_DUMMY[key], password)
