"""Password policy (OWASP ASVS 5.0 §6.2): length, not composition rules.

A password must be at least ``PASSWORD_MIN_LENGTH`` characters (default 12),
at most 128, must not be a well-known password, and must not contain the
user name. FAB calls :func:`validate_password` from its own forms; the
security manager calls it for every other path (CLI, ``add_user``).
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _

#: A short offline list of the most used passwords (and Ukrainian favourites).
#: Long enough passwords already rule out most of the public top-10k lists.
COMMON_PASSWORDS = frozenset(
    """
    123456789012 1234567890123 qwertyuiop123 password1234 password12345
    passwordpassword qwertyqwerty 111111111111 000000000000 123123123123
    iloveyou1234 adminadmin123 administrator admin1234567 letmein12345
    welcome12345 qwerty123456 1q2w3e4r5t6y zaq12wsxcde3 abcdefghijkl
    ukraine12345 ukraine2022! ukraine2023! ukraine2024! ukraine2025!
    slavaukraini slavaukraini! heroyamslava kyiv12345678 parol1234567
    parolparol12 qazwsxedcrfv 1qaz2wsx3edc monkey123456 dragon123456
    football1234 baseball1234 superman1234 sunshine1234 princess1234
    """.split()
)


def password_problem(password: str, username: str | None = None) -> str | None:
    """Return a Ukrainian explanation of what is wrong, or None if acceptable."""
    min_length = int(current_app.config.get("PASSWORD_MIN_LENGTH", 12))
    if password is None or len(password) < min_length:
        return str(_("The password must be at least %(n)d characters long.", n=min_length))
    if len(password) > 128:
        return str(_("The password must be at most 128 characters long."))
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return str(_("This password is too common. Choose a less predictable one."))
    if username and len(username) >= 3 and username.lower() in password.lower():
        return str(_("The password must not contain the user name."))
    return None


def validate_password(password: str) -> None:
    """FAB hook (``FAB_PASSWORD_COMPLEXITY_VALIDATOR``)."""
    problem = password_problem(password)
    if problem:
        raise PasswordComplexityValidationError(problem)
