"""The portal's one clock.

Why one module: stored timestamps are naive UTC (``DateTime`` columns, the
same on SQLite and PostgreSQL), while "today" for a user is the calendar day in
Kyiv. Before this module each domain had its own ``utcnow`` (some naive
``datetime.utcnow()``, deprecated since Python 3.12) and several used
``date.today()``, which is the *server's* day, wrong between 22:00 and 24:00
UTC. Every caller now asks here, and tests can move the clock with
:func:`frozen` instead of sleeping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")

#: Set by :func:`frozen` in tests; ``None`` means the real clock.
_fixed: dt.datetime | None = None


def utcnow_aware() -> dt.datetime:
    """Now, as an aware UTC datetime."""
    if _fixed is not None:
        return _fixed
    return dt.datetime.now(dt.UTC)


def utcnow() -> dt.datetime:
    """Now in UTC without tzinfo: the form every ``DateTime`` column stores."""
    return utcnow_aware().replace(tzinfo=None)


def kyiv_now() -> dt.datetime:
    """Now in Kyiv, naive (wall-clock time as a Ukrainian user reads it)."""
    return utcnow_aware().astimezone(KYIV).replace(tzinfo=None)


def kyiv_today(now: dt.datetime | None = None) -> dt.date:
    """The calendar day in Kyiv (``now`` may be given, aware or UTC-naive)."""
    if now is None:
        now = utcnow_aware()
    elif now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(KYIV).date()


def seconds() -> float:
    """Now as seconds since the epoch: what cached entries' lifetimes are
    counted in (the same on every host, unlike ``time.monotonic``)."""
    return utcnow_aware().timestamp()


class FrozenClock:
    """The handle :func:`frozen` gives: move the held clock forward."""

    def advance(self, seconds: float = 0, **delta: float) -> dt.datetime:
        """Move the held time on by ``seconds`` (or ``timedelta`` keywords)."""
        global _fixed
        assert _fixed is not None, "the clock is not frozen"
        _fixed = _fixed + dt.timedelta(seconds=seconds, **delta)
        return _fixed


@contextlib.contextmanager
def frozen(at: dt.datetime | None = None) -> Iterator[FrozenClock]:
    """Hold the clock at ``at`` (aware, or naive meaning UTC; default: now)
    inside the block; ``.advance()`` on the handle moves it on."""
    global _fixed
    previous = _fixed
    if at is None:
        at = utcnow_aware()
    _fixed = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    try:
        yield FrozenClock()
    finally:
        _fixed = previous
