"""Reverse relations known to be empty, without asking the database or Django's prefetch machinery.

A page that has already learnt (an EXISTS in its main query) that an object has none of some
related rows must still let ``obj.<relation>.all()`` answer without a query. ``Prefetch(name,
queryset=Model.objects.none())`` does that, but walks the whole prefetch machinery for it: on
the case page ~0.7 ms a relation, for nothing (issue 19). ``mark_empty`` leaves what a prefetch
that found no rows leaves: an empty, evaluated queryset in the instance's prefetch cache, where
the related manager looks first.

Django has no public call for this; it keeps the cache in ``_prefetched_objects_cache`` (set by
``prefetch_related_objects``, cleared by ``refresh_from_db``). tests/test_prefetch.py fails if a
Django upgrade changes where the managers look."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


def mark_empty(instances: Iterable[models.Model], *relations: str) -> None:
    """Make each of ``relations`` (reverse foreign keys, by accessor name) of every instance read
    as prefetched and empty: ``instance.<relation>.all()`` is then ``[]`` without a query."""
    for instance in instances:
        cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
        for name in relations:
            rel = getattr(type(instance), name).rel
            queryset = rel.related_model._base_manager.none()
            queryset._result_cache = []
            queryset._prefetch_done = True
            cache[rel.cache_name] = queryset
