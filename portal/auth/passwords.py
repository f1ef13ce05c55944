"""Passwords: hashing with Argon2 (argon2-cffi), its cost taken from the settings, and what a
chosen password must be (long enough, not the user name, not a common one)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8

# Passwords of eight characters or more that are still among the first tried by anyone guessing,
# Vietnamese habits included; compared without case.
_COMMON = """
12345678 123456789 1234567890 0123456789 87654321 11111111 00000000 12341234 12344321 11223344
123123123 147258369 123456789a 1234567a 1234567890a 12345678a a12345678 abc12345 abcd1234
abcdefgh aaaaaaaa 88888888 66666666 68686868 99999999 password password1 password123 passw0rd
p@ssw0rd p@ssword matkhau1 matkhau123 matkhau@123 qwerty123 qwertyui qwertyuiop
1q2w3e4r 1qaz2wsx zaq12wsx asdfghjk iloveyou admin123 admin@123 administrator welcome1
vietnam1 vietnam123 anhyeuem emyeuanh saigon123 hanoi123 12345678910 abc@1234 abc@12345
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())


def weakness(password: str, username: str) -> str | None:
    """Why a password someone chose is too weak to accept (in Vietnamese), or None."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
    lowered = password.strip().lower()
    if username and lowered == username.lower():
        return "Mật khẩu không được trùng tên đăng nhập."
    if username and username.lower() in lowered:
        return "Mật khẩu không được chứa tên đăng nhập."
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        return "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
    return None


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


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed, after the same work whatever the hash: an account
    that does not exist (None) or whose first password is cheaply hashed still costs one
    verification at the portal's cost, so that timing tells nothing about who has an account."""
    if password_hash is None:
        _verify(_dummy_hash(), password)
        return False
    try:
        matches = _verify(password_hash, password)
    except InvalidHashError:  # not a hash at all: nothing was worked out
        _verify(_dummy_hash(), password)
        return False
    if password_hash.startswith(_FIRST_PREFIX):
        _verify(_dummy_hash(), password)
    return matches


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except VerificationError:
        return False


# A hash at the portal's cost of a password no one has, made once per process and cost.
_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    key = f"{current_app.config['PASSWORD_TIME_COST']}/{current_app.config['PASSWORD_MEMORY_COST']}"
    if key not in _DUMMY:
        _DUMMY[key] = hash_password(secrets.token_urlsafe(16))
    return _DUMMY[key]
