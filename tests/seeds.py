"""The rows the migrations load (de minimis ceilings and rate, the midway rubric's defaults, ...),
put back after every flush.

A transactional or browser test, and the demo data's teardown, empty the database with
`manage.py flush`, which also removes what the data migrations loaded; a test that runs after
one on the same xdist worker would then see a database that no migration ever produces. So the
rows present right after the test database is created are kept (snapshot) and written back by
a post_migrate receiver, which `flush` triggers (restore). Content types and permissions are
left to Django's own post_migrate receivers, which recreate them."""

from __future__ import annotations

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.signals import post_migrate

RECREATED_BY_DJANGO = {"contenttypes", "auth.permission", "sessions"}


def _seeded_models() -> list:
    models = [
        m for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
        and m._meta.app_label not in RECREATED_BY_DJANGO
        and m._meta.label_lower not in RECREATED_BY_DJANGO
        and m._base_manager.exists()
    ]
    ordered = serializers.sort_dependencies([(m._meta.app_config, [m]) for m in models])
    return [m for m in ordered if m in models]


class Seeds:
    def __init__(self):
        self.models: list = []
        self.rows: list = []
        self.fingerprints: dict[str, str] = {}

    def snapshot(self) -> None:
        self.models = _seeded_models()
        self.rows = [
            obj for model in self.models
            for obj in serializers.serialize("python", model._base_manager.order_by("pk"))
        ]
        self.fingerprints = self.fingerprint()

    def fingerprint(self) -> dict[str, str]:
        """Each seeded table's rows as one hash (one query): a test that changed, added or
        removed a seeded row leaves a different one."""
        if not self.models:
            return {}
        qn = connection.ops.quote_name
        sql = " UNION ALL ".join(
            f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f"FROM {qn(m._meta.db_table)} t" for m in self.models)
        with connection.cursor() as cursor:
            cursor.execute(sql, [m._meta.db_table for m in self.models])
            return dict(cursor.fetchall())

    def changed_tables(self) -> set[str]:
        now = self.fingerprint()
        return {table for table, digest in self.fingerprints.items() if now.get(table) != digest}

    def restore(self, **kwargs) -> None:
        if not self.models or self.models[0]._base_manager.exists():
            return  # not a flush (or not ours to undo): the rows are there
        self.restore_models(self.models)

    def restore_models(self, models: list) -> None:
        """Write the snapshot's rows of these (emptied) models back, in dependency order."""
        labels = {m._meta.label_lower for m in models}
        with transaction.atomic():
            for obj in serializers.deserialize("python", (
                    row for row in self.rows if row["model"] in labels)):
                obj.save()
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

    def connect(self) -> None:
        # flush sends post_migrate once per app; one sender is enough
        post_migrate.connect(self.restore, sender=apps.get_app_config("contenttypes"),
                             dispatch_uid="tests.seeds.restore")

    def disconnect(self) -> None:
        post_migrate.disconnect(sender=apps.get_app_config("contenttypes"),
                                dispatch_uid="tests.seeds.restore")


SEEDS = Seeds()  # the test run's snapshot (tests/conftest.py's django_db_setup takes it)
