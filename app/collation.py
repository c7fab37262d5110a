"""Ukrainian alphabetical order, for the databases and for Python sorts.

Databases sort code points (і, ї, є, ґ after я). PostgreSQL orders text
columns with ICU's ``uk-x-icu`` collation; every SQLite connection gets a
``uk`` collation (registered in :mod:`app.extensions`) built on
:func:`ukrainian_sort_key`, which Python sorts of names use as well. At the
bottom layer: the database connection needs it before anything else loads.
"""

from __future__ import annotations

UKRAINIAN_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_ORDER = {ch: i for i, ch in enumerate(UKRAINIAN_ALPHABET)}
#: Collation names per dialect (the SQLite one is registered in app.extensions).
COLLATIONS = {"postgresql": "uk-x-icu", "sqlite": "uk"}


def _char_key(ch: str) -> tuple[int, int]:
    """As ICU's collation for Ukrainian orders characters: spaces, punctuation and
    symbols, then digits, then Cyrillic in Ukrainian order, then Latin letters."""
    if ch in _ORDER:
        return (2, _ORDER[ch])
    if ch.isdigit():
        return (1, ord(ch))
    if ch.isalpha():
        return (3, ord(ch)) if ch.isascii() else (4, ord(ch))
    return (0, ord(ch))


def ukrainian_sort_key(text: str | None) -> list[tuple[int, int]]:
    """Sort key in Ukrainian alphabetical order (the SQLite collation and Python
    sorts use it; PostgreSQL uses ICU's «uk», which orders the same way)."""
    return [_char_key(ch) for ch in (text or "").lower()]


def sqlite_collation(left: str, right: str) -> int:
    """The ``uk`` collation of SQLite connections (a comparison function)."""
    a, b = ukrainian_sort_key(left), ukrainian_sort_key(right)
    return (a > b) - (a < b)
