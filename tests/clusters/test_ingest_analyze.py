"""A large write of activities refreshes the planner statistics after commit, and any write of
cluster data announces that the programme's figures changed (issue 19)."""

import pytest

from clusters import ingest, services
from klyngeadmin.kernel.signals import figures_changed

pytestmark = pytest.mark.django_db


def _item(external_id):
    return {"external_id": external_id, "title": f"Aktivitet {external_id}",
            "activity_type": "matchmaking", "start_date": "2025-03-01", "end_date": "2025-03-01",
            "companies": [], "institutions": []}




def test_a_large_ingest_has_a_worker_analyze_the_activity_tables_after_commit(
    cluster, director, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(ingest, "ANALYZE_AFTER_ROWS", 3)
    with django_capture_on_commit_callbacks() as small:
        services.activity_ingest(cluster=cluster, actor=director,
                                 items=[_item("a-1"), _item("a-2")])
    assert ingest.queue_analyze_activity_tables not in small
    sent = []
    monkeypatch.setattr(ingest.current_app, "send_task", lambda name, **kw: sent.append(name))
    with django_capture_on_commit_callbacks(execute=True) as large:
        services.activity_ingest(cluster=cluster, actor=director,
                                 items=[_item(f"b-{i}") for i in range(3)])
    assert ingest.queue_analyze_activity_tables in large
    assert sent.count(ingest.ANALYZE_TASK) == 1  # queued, not run in the request


def test_the_analyze_task_exists_and_runs():
    from celery import current_app

    from clusters import tasks

    assert current_app.tasks[ingest.ANALYZE_TASK].run == tasks.analyze_activity_tables.run
    assert tasks.analyze_activity_tables() == "analyzed"  # ANALYZE is allowed in a transaction


def test_a_broker_that_is_down_costs_the_write_nothing(cluster, director, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(ingest.current_app, "send_task", down)
    ingest.queue_analyze_activity_tables()
    assert "autovacuum" in caplog.text


def test_writes_announce_changed_figures_after_commit_only(
    cluster, director, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs.get("cluster_id"))

    figures_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.activity_ingest(cluster=cluster, actor=director, items=[_item("c-1")])
        assert heard == []  # nothing before commit
        for callback in callbacks:
            callback()
        assert cluster.pk in heard
    finally:
        figures_changed.disconnect(listener)
