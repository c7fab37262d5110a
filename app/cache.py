"""The portal's one cache, on Flask-Caching: in-process by default, Redis when configured.

Before this module there were four hand-made stores (the rendered menu, the
dashboard's figures, the chart HTML, the list's "more than 10 000"), each with
its own expiry arithmetic on ``time.monotonic`` and each in one process's
memory. Now there are two Flask-Caching regions:

``local``
    Always this process (``SimpleCache``). Rendered fragments (the menu per
    roles and language, the layout's static tail, a chart's HTML): they follow
    from the code and the figures, are the same on every host, and are read on
    every page, so a network hop would only cost.

``shared``
    Redis when ``CACHE_REDIS_URL`` is set (every web host and worker sees the
    same entry, so a figure computed by the worker's refresh serves every
    host), else this process. The dashboard's figures per scope, the list's
    capped counts.

Freshness is the portal's, not the backend's: an entry is stored as
``(fresh_until, value)`` with ``fresh_until`` counted on :func:`app.clock.seconds`
(wall time, the same on every host), and the backend keeps it ``STALE_FACTOR``
times longer so that a stale value can be served while a new one is computed.
Tests move the clock (``with clock.frozen() as c: c.advance(61)``) instead of
sleeping.

Values must pickle (Redis stores them pickled); in this process they are kept
as they are, so readers treat what they get as read-only. Keys are any
``repr``-stable tuple (str, int, date, None, enum members), hashed to a short
string.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from cachelib.serializers import SimpleSerializer
from flask import Flask, current_app
from flask_caching import Cache
from flask_caching.backends.simplecache import SimpleCache

from . import clock

local = Cache()
shared = Cache()

#: An entry is kept by the backend this many lifetimes (served stale in between).
STALE_FACTOR = 2

#: How long the backend keeps an entry that never goes stale.
FOR_GOOD_SECONDS = 24 * 3600

#: Bound on entries kept in process (each region): the least fresh go first.
LOCAL_THRESHOLD = 10_000


class Entry(NamedTuple):
    """What a region holds for a key: the value and until when it is fresh."""

    fresh_until: float
    value: Any

    def fresh(self, now: float | None = None) -> bool:
        return self.fresh_until > (clock.seconds() if now is None else now)


class _AsIs(SimpleSerializer):
    """A serializer that keeps the object itself."""

    def dumps(self, value: Any, protocol: int = 0) -> Any:
        return value

    def loads(self, bvalue: Any) -> Any:
        return bvalue


class ProcessCache(SimpleCache):
    """Flask-Caching's ``SimpleCache`` without pickling, for the regions kept in
    this process. A home page reads about twenty entries (figures, chart HTML,
    fragments); unpickling them cost ~0.5 ms of a 9 ms page at 1M cases
    (``bench/ab.py``, +12 % CPU on the home page). The stores this replaced
    handed out the stored objects too: readers treat them as read-only."""

    serializer = _AsIs()


def init_cache(app: Flask) -> None:
    """Bind both regions to ``app`` (``create_app`` calls this)."""
    in_process = {
        "CACHE_TYPE": "app.cache.ProcessCache",
        "CACHE_THRESHOLD": app.config.get("CACHE_THRESHOLD", LOCAL_THRESHOLD),
        "CACHE_DEFAULT_TIMEOUT": 0,
    }
    local.init_app(app, config=in_process)
    url = app.config.get("CACHE_REDIS_URL")
    shared.init_app(
        app,
        config={
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX", "opora:"),
            "CACHE_DEFAULT_TIMEOUT": 0,
        }
        if url
        else in_process,
    )


def is_shared_across_hosts(app: Flask | None = None) -> bool:
    """Whether the shared region is Redis (several hosts see one entry)."""
    return bool((app or current_app).config.get("CACHE_REDIS_URL"))


def cache_key(namespace: str, parts: Hashable) -> str:
    """A short, stable key: the same parts give the same key on every host."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{namespace}:{digest}"


def recall(region: Cache, key: str) -> Entry | None:
    """The entry under ``key``, fresh or stale; None when there is none."""
    hit = region.get(key)
    return Entry(*hit) if hit is not None else None


def remember(region: Cache, key: str, value: Any, ttl: float, now: float | None = None) -> None:
    """Keep ``value`` fresh for ``ttl`` seconds; 0: for good (what follows from
    the code alone, such as a rendered menu; the backend still lets it go after
    ``FOR_GOOD_SECONDS``, because cachelib evicts never-expiring entries first)."""
    now = clock.seconds() if now is None else now
    if ttl:
        region.set(key, (now + ttl, value), timeout=max(1, int(ttl * STALE_FACTOR) + 1))
    else:
        region.set(key, (float("inf"), value), timeout=FOR_GOOD_SECONDS)


def fresh_value(region: Cache, key: str, default: Any = None) -> Any:
    """The value under ``key`` if it is fresh, else ``default``."""
    entry = recall(region, key)
    return entry.value if entry is not None and entry.fresh() else default


def memoised(region: Cache, key: str, ttl: float, compute: Callable[[], Any]) -> Any:
    """``compute()`` kept fresh for ``ttl`` seconds under ``key``."""
    entry = recall(region, key)
    if entry is not None and entry.fresh():
        return entry.value
    value = compute()
    remember(region, key, value, ttl)
    return value


def clear_all() -> None:
    """Empty both regions (tests; ``flask portal cache-clear``)."""
    local.clear()
    shared.clear()
