"""Rate limits counted in the shared cache (issue 18, findings 5, 6 and 10).

With REDIS_URL set the default cache is Redis (settings.CACHES), so every gunicorn worker and
every web container counts against the same limit; without it (development, tests) the cache
is the process's own memory.

The count is a sliding window approximated from two fixed windows (the previous one weighted by
how much of it still overlaps): atomic `add` + `incr` in the cache, so two processes hitting the
same limit at the same moment cannot both slip past it, as a read-modify-write history could.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

log = logging.getLogger(__name__)
DURATIONS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400,
             "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/min' -> (60, 60); '10/h' -> (10, 3600); '5/15m' -> (5, 900)."""
    number, _sep, period = rate.partition("/")
    digits = "".join(c for c in period if c.isdigit())
    unit = period[len(digits):] or "s"
    return int(number), (int(digits) if digits else 1) * DURATIONS[unit]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds; 0 when allowed


def hit(scope: str, ident: str, rate: str, *, now: float | None = None,
        count_refused: bool = False) -> Verdict:
    """Count one attempt of `ident` against `rate` in `scope`. A refused attempt is not counted
    (unless count_refused), so a client that keeps trying is let in again as the window slides.
    If the cache is away (Redis down) the attempt is allowed and a warning logged: a limit
    must not take the application down with it."""
    try:
        return _hit(scope, ident, rate, now=now, count_refused=count_refused)
    except Exception:  # redis.exceptions.ConnectionError, TimeoutError, ...
        log.warning("rate limit %s not counted: the cache does not answer", scope,
                    exc_info=True)
        return Verdict(True, 0)


def _hit(scope: str, ident: str, rate: str, *, now: float | None,
         count_refused: bool) -> Verdict:
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    current_key = f"rl:{scope}:{ident}:{window}"
    previous_key = f"rl:{scope}:{ident}:{window - 1}"
    cache.add(current_key, 0, timeout=2 * period + 1)
    try:
        current = cache.incr(current_key)
    except ValueError:  # expired between add and incr
        cache.add(current_key, 1, timeout=2 * period + 1)
        current = 1
    previous = cache.get(previous_key) or 0
    elapsed = now - window * period
    weight = 1 - elapsed / period
    used = previous * weight + current
    if used <= limit:
        return Verdict(True, 0)
    if not count_refused:
        with contextlib.suppress(ValueError):
            cache.decr(current_key)
    return Verdict(False, max(1, math.ceil(period - elapsed)))


def peek(scope: str, ident: str, rate: str, *, now: float | None = None) -> bool:
    """True when `ident` is already over `rate` in `scope` (counts nothing)."""
    try:
        return _peek(scope, ident, rate, now=now)
    except Exception:
        log.warning("rate limit %s not read: the cache does not answer", scope, exc_info=True)
        return False


def _peek(scope: str, ident: str, rate: str, *, now: float | None) -> bool:
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    current = cache.get(f"rl:{scope}:{ident}:{window}") or 0
    previous = cache.get(f"rl:{scope}:{ident}:{window - 1}") or 0
    weight = 1 - (now - window * period) / period
    return previous * weight + current >= limit


def reset(scope: str, ident: str, rate: str, *, now: float | None = None) -> None:
    _limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    cache.delete_many([f"rl:{scope}:{ident}:{window}", f"rl:{scope}:{ident}:{window - 1}"])
