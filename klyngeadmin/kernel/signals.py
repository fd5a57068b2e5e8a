"""Signals that let a lower layer tell a higher one that something happened, without importing it.

``figures_changed``: data the programme's figures are computed from changed (activities and
their participations, an annual report entering or leaving the submitted or the approved states,
a grant's targets, hand-reported indicator values; ``cluster_id`` names the cluster whose data it
was, None the whole programme). ``announce_figures_changed()``
sends it after the current transaction commits (never for a rollback); the statistics
aggregates listen (``grants.apps``)."""

from django.db import transaction
from django.dispatch import Signal

figures_changed = Signal()


def announce_figures_changed(*, cluster_id: int | None = None) -> None:
    transaction.on_commit(
        lambda: figures_changed.send(sender=None, cluster_id=cluster_id), robust=True
    )
