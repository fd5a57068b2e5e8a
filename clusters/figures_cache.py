"""Figures of a cluster's data, computed once per change of that data.

A page that shows figures computed from a cluster's activity data (the annual report's key
figures, the company figures of clusters.figures) reads them through ``cached()`` or
``per_cluster_year``: the value is kept in the cache with the cluster's *figures version* and the
programme's it was computed under, and read back (with the versions, in one round trip) only
while both are current.
``figures_changed`` (klyngeadmin.kernel.signals: sent after commit by every write to a cluster's
data - activities, a report entering or leaving the submitted or approved states, a grant's
targets, hand-reported values - and by the CVR refresh of company records) bumps the version - the
cluster's, or the programme's when no cluster is named - so the next read computes afresh from
the database; the formulas stay where they are defined, this only remembers their answers.

Keys name the database too (test workers and the bench share one Redis). A value also expires
after CACHE_SECONDS, which bounds what a change that bypassed the signal (a manual SQL fix) can
show. Without a cache (Redis down) every read computes: the cache is an optimisation only."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

CACHE_SECONDS = 3600
_ALL = "all"


def _version_key(scope) -> str:
    return f"figures-version:{_db()}:{scope}"


def _entry_key(name: str, cluster_id: int, parts) -> str:
    return f"figures:{_db()}:{name}:{cluster_id}:{':'.join(map(str, parts))}"


def _db() -> str:
    return connection.settings_dict["NAME"]


def _read(entry_keys: list[str], cluster_ids) -> tuple[dict, dict]:
    """The entries and the versions, in one round trip: ({entry key: value still current},
    {scope: version}). An entry is stored with the versions it was computed under and read only
    while they are current; a version never set (or evicted) starts at a new value."""
    version_keys = {scope: _version_key(scope) for scope in (_ALL, *cluster_ids)}
    found = cache.get_many([*version_keys.values(), *entry_keys])
    versions = {}
    for scope, key in version_keys.items():
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
        versions[scope] = found[key]
    return found, versions


def bump_version(sender=None, *, cluster_id: int | None = None, **kwargs) -> None:
    """figures_changed receiver: what was cached for the cluster (or for every cluster) is not
    read again."""
    try:
        cache.set(_version_key(_ALL if cluster_id is None else cluster_id), time.time_ns(),
                  timeout=None)
    except Exception:  # noqa: BLE001 - the cache is an optimisation
        logger.warning("figures cache: the cache did not answer; entries expire by themselves")


def _usable() -> bool:
    """Committed data only: inside a transaction the rows may include its own uncommitted
    writes, which no version names (and the transaction may still roll back)."""
    return not connection.in_atomic_block


def _current(found: dict, key: str, versions: dict, cluster_id: int):
    """(True, value) for an entry computed under the current versions, else (False, None)."""
    entry = found.get(key)
    if entry is None or entry[0] != versions[_ALL] or entry[1] != versions[cluster_id]:
        return False, None
    return True, entry[2]


def cached(name: str, cluster_id: int, parts: tuple, compute: Callable[[], object]):
    """``compute()`` for the cluster, from the cache while the cluster's data is unchanged.
    ``parts`` names the rest of what the value depends on (the year, the language of its
    labels, ...). One round trip to the cache when it is current."""
    if not _usable():
        return compute()
    key = _entry_key(name, cluster_id, parts)
    try:
        found, versions = _read([key], [cluster_id])
    except Exception:  # noqa: BLE001
        logger.warning("figures cache: the cache did not answer; computing")
        return compute()
    current, value = _current(found, key, versions, cluster_id)
    if not current:
        value = compute()
        try:
            cache.set(key, (versions[_ALL], versions[cluster_id], value), timeout=CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("figures cache: the cache did not answer")
    return value


_ABSENT = "-"  # stored for an entry the computation gave no value


def cached_many(name: str, entries: dict, compute: Callable[[list], dict]) -> dict:
    """Many entries of ``cached()`` at once: ``entries`` maps each wanted key to its
    (cluster id, parts); ``compute(keys)`` answers ``{key: value}`` for the keys not current in
    the cache (one call for all of them; a key it leaves out is remembered as having no value,
    and left out of the answer too). One round trip to the cache when every entry is current."""
    if not entries:
        return {}
    if not _usable():
        return compute(list(entries))
    keys = {k: _entry_key(name, cluster_id, parts) for k, (cluster_id, parts) in entries.items()}
    try:
        found, versions = _read(list(dict.fromkeys(keys.values())),
                                list(dict.fromkeys(c for c, _ in entries.values())))
    except Exception:  # noqa: BLE001
        logger.warning("figures cache: the cache did not answer; computing")
        return compute(list(entries))
    out, missing = {}, []
    for k, key in keys.items():
        current, value = _current(found, key, versions, entries[k][0])
        if not current:
            missing.append(k)
        elif value != _ABSENT:
            out[k] = value
    if missing:
        computed = compute(missing)
        fresh = {keys[k]: (versions[_ALL], versions[entries[k][0]], computed.get(k, _ABSENT))
                 for k in missing}
        out.update((k, computed[k]) for k in missing if k in computed)
        try:
            cache.set_many(fresh, timeout=CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("figures cache: the cache did not answer")
    return out


def per_cluster_year(name: str):
    """Caches a function ``fn(cluster_ids, years) -> {(cluster id, year): value}`` whose value
    for a cluster-year depends on that cluster's data only, entry by entry (``cached_many``): a
    call reads the cached cluster-years in one round trip and computes the others in one call of
    ``fn`` (for the clusters and years missing; a cluster-year it gives no value is remembered as
    such)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(cluster_ids, years, *args, **kwargs):
            cluster_ids, years = list(dict.fromkeys(cluster_ids)), list(dict.fromkeys(years))
            if args or kwargs or not cluster_ids or not years:
                return fn(cluster_ids, years, *args, **kwargs)

            def compute(missing):
                computed = fn(sorted({c for c, _ in missing}), sorted({y for _, y in missing}))
                return {pair: computed[pair] for pair in missing if pair in computed}

            return cached_many(name, {(c, y): (c, (y,)) for c in cluster_ids for y in years},
                               compute)

        wrapper.uncached = fn
        return wrapper

    return decorate
