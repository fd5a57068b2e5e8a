"""REST API benchmarks, as ratios against limits measured in the same run.

1. Bulk ingest through HTTP (django.test.Client -> POST /api/v1/activities/bulk/) of 5,000
   activities with 10,000 company participations (4,000 distinct companies, all new), in rows
   per second (rows = activities + participations), against
   - raw psycopg COPY of the same rows into scratch tables without indexes (the physical limit),
   - a naive DRF ModelSerializer(many=True) create with nested companies (the usual way),
     measured on a 200-activity sample (it issues several queries per row; its rate is linear).
2. The activity list endpoint (GET /api/v1/activities/, 100 per page, with participations) in
   requests per second, against a bare JsonResponse behind the same middleware and the same
   API key (bench/urls_api.py), through the same client; plus a cursor page and a deep page.
"""

import json
import time
from datetime import UTC, date, datetime, timedelta

from common import setup_django, summary, timings

N_ACTIVITIES = 5000
PER_ACTIVITY = 2
N_COMPANIES = 4000
NAIVE_SAMPLE = 200
CVR_SERIAL_BASE = 8_600_000


def build_items(cvrs, prefix="bench", n=N_ACTIVITIES):
    items = []
    start = date(2023, 1, 2)
    for i in range(n):
        day = start + timedelta(days=i % 360)
        items.append({
            "external_id": f"{prefix}-{i:05d}",
            "title": f"Benchmark-aktivitet {i}",
            "activity_type": ("knowledge_sharing", "matchmaking", "innovation_project")[i % 3],
            "start_date": day.isoformat(),
            "end_date": day.isoformat(),
            "international": i % 7 == 0,
            "eu_funded": i % 11 == 0,
            "companies": [
                {"cvr": cvrs[(i * PER_ACTIVITY + k) % len(cvrs)], "name": f"Bench {k} ApS", "employees": 12}
                for k in range(PER_ACTIVITY)
            ],
            "institutions": [],
        })
    return items


def main():
    setup_django()
    import logging

    from klyngeadmin.kernel.runtime import freeze_after_boot

    freeze_after_boot()  # what gunicorn's post_worker_init does (deploy/gunicorn.conf.py)

    # One security-log line per API request would flood the output (and time the console).
    logging.getLogger("klyngeadmin.accounts.security").setLevel(logging.WARNING)
    from django.db import connection, transaction
    from django.http import JsonResponse
    from django.test import Client
    from django.test.utils import override_settings
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    from clusters.cvr import make_cvr
    from clusters.ingest import allocate_ids
    from clusters.models import (
        Activity,
        ClusterDataEvent,
        ClusterOrganisation,
        Company,
        CompanyParticipation,
        StrengthPosition,
    )
    from clusters.sme import sme_size_class
    from klyngeadmin.accounts.keys import api_key_create

    position, _ = StrengthPosition.objects.get_or_create(slug="bench-api", defaults={"name": "Bench API"})
    cluster, _ = ClusterOrganisation.objects.get_or_create(
        slug="bench-api", defaults={
            "name": "Bench API-klynge", "cvr": make_cvr(8_599_990) or make_cvr(8_599_991),
            "city": "Aarhus", "region": "DK-82", "strength_position": position,
            "designated_from": date(2025, 1, 1),
        },
    )
    cvrs = []
    serial = CVR_SERIAL_BASE
    while len(cvrs) < N_COMPANIES:
        serial += 1
        if (c := make_cvr(serial)):
            cvrs.append(c)

    def reset():
        with transaction.atomic():
            CompanyParticipation.objects.filter(activity__cluster=cluster).delete()
            Activity.objects.filter(cluster=cluster).delete()
            Company.objects.filter(cvr__in=cvrs, participations__isnull=True).delete()

    def vacuum():
        # Autovacuum may be off where the benches run: the rows reset() deletes would stay as
        # dead tuples (with the same keys as the next round's rows) in the tables and unique
        # indexes each round writes, so every timed round, the API's and the COPYs', starts
        # from vacuumed tables, and the bench leaves them so.
        with connection.cursor() as c:
            c.execute("VACUUM clusters_activity, clusters_companyparticipation, clusters_company, "
                      "clusters_institutionparticipation")

    key = api_key_create(name="bench", cluster=cluster).plain
    client = Client(headers={"Authorization": f"Bearer {key}"})
    items = build_items(cvrs)
    rows = N_ACTIVITIES + N_ACTIVITIES * PER_ACTIVITY
    payload = json.dumps({"activities": items})

    # -- 1a. the API, first ingest (everything new) and a re-send (everything unchanged) --------
    # Each round also POSTs once with the foreign-key triggers off (session_replication_role =
    # replica, a superuser's setting; the rows are valid, so nothing is left unchecked that
    # could fail), between the others so both see the same machine: the share of the API's
    # time that its FK checks take (docs/ingest.md).
    def fk_triggers_off(off: bool) -> bool:
        with connection.cursor() as c:
            c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not c.fetchone()[0]:
                return False
            c.execute("SET session_replication_role = " + ("replica" if off else "DEFAULT"))
        return True

    def first_ingest(times: list[float]) -> None:
        reset()
        vacuum()
        t = time.perf_counter()
        r = client.post("/api/v1/activities/bulk/", payload, content_type="application/json")
        times.append(time.perf_counter() - t)
        assert r.status_code == 200 and r.json()["created"] == N_ACTIVITIES, r.content[:500]

    with override_settings(API_THROTTLE_RATES={"api": "100000/min", "api_bulk": "100000/min"}):
        api_times, resend_times, api_nofk_times = [], [], []
        first_ingest([])  # the first request of the process warms its caches: not timed
        for _ in range(3):
            if fk_triggers_off(True):
                try:
                    first_ingest(api_nofk_times)
                finally:
                    fk_triggers_off(False)
            first_ingest(api_times)
            t = time.perf_counter()
            r = client.post("/api/v1/activities/bulk/", payload, content_type="application/json")
            resend_times.append(time.perf_counter() - t)
            assert r.json()["unchanged"] == N_ACTIVITIES, r.content[:500]
    assert CompanyParticipation.objects.filter(activity__cluster=cluster).count() == N_ACTIVITIES * PER_ACTIVITY
    api_s = min(api_times)
    api_rate = rows / api_s

    # -- 1b. raw COPY of the same rows into scratch tables (no indexes, no constraints) ----------
    parsed = json.loads(payload)["activities"]
    copy_times = []
    with connection.cursor() as c:
        raw = c.cursor
        for _ in range(3):
            with transaction.atomic():
                raw.execute(
                    "CREATE TEMP TABLE scratch_activity (cluster_id bigint, external_id text, title text, "
                    "activity_type text, start_date date, end_date date, international bool, eu_funded bool) "
                    "ON COMMIT DROP"
                )
                raw.execute("CREATE TEMP TABLE scratch_participation (external_id text, cvr text) ON COMMIT DROP")
                t = time.perf_counter()
                with raw.copy("COPY scratch_activity FROM STDIN") as copy:
                    for a in parsed:
                        copy.write_row((cluster.pk, a["external_id"], a["title"], a["activity_type"],
                                        a["start_date"], a["end_date"], a["international"], a["eu_funded"]))
                with raw.copy("COPY scratch_participation FROM STDIN") as copy:
                    for a in parsed:
                        for comp in a["companies"]:
                            copy.write_row((a["external_id"], comp["cvr"]))
                copy_times.append(time.perf_counter() - t)
    copy_rate = rows / min(copy_times)

    # -- 1b'. the same COPY into the REAL tables (indexes, constraints, FK checks made immediate),
    # committed like the API's request (a rolled-back COPY never waits for its WAL to be
    # flushed, so it would flatter the limit), then removed again: what PostgreSQL itself needs
    # for these rows.
    # The same rows again with the FK triggers off: the FK checks' share of that limit.
    company_ids = dict(Company.objects.filter(cvr__in=cvrs).values_list("cvr", "id"))
    real_times, real_nofk_times = [], []
    assert not connection.in_atomic_block
    with connection.cursor() as c:
        raw = c.cursor
        for fk_checks in (True, False, True, False, True, False):
            if not fk_checks and not api_nofk_times:
                continue  # not a superuser: the share is not measured
            vacuum()
            t = time.perf_counter()
            with transaction.atomic():
                raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
                if not fk_checks:
                    raw.execute("SET LOCAL session_replication_role = replica")
                # the ids as the API allocates them (clusters.ingest.allocate_ids)
                ids = allocate_ids(raw, "clusters_activity", len(parsed))
                now = datetime.now(UTC)
                with raw.copy("COPY clusters_activity (id, cluster_id, external_id, title, activity_type, "
                              "start_date, end_date, international, eu_funded, version, created_at, "
                              "updated_at) FROM STDIN") as copy:
                    for aid, a in zip(ids, parsed, strict=True):
                        copy.write_row((aid, cluster.pk, "copy-" + a["external_id"], a["title"],
                                        a["activity_type"], a["start_date"], a["end_date"],
                                        a["international"], a["eu_funded"], 1, now, now))
                with raw.copy("COPY clusters_companyparticipation (activity_id, company_id) FROM STDIN") as copy:
                    for aid, a in zip(ids, parsed, strict=True):
                        for comp in a["companies"]:
                            copy.write_row((aid, company_ids[comp["cvr"]]))
            (real_times if fk_checks else real_nofk_times).append(time.perf_counter() - t)
            with transaction.atomic():
                copied = Activity.objects.filter(cluster=cluster, external_id__startswith="copy-")
                CompanyParticipation.objects.filter(activity__in=copied).delete()
                copied.delete()
    real_rate = rows / min(real_times)

    # -- 1b''. what the audit trail costs the API: its 5,000 events (one per created activity)
    # by the same binary COPY, FK checks made immediate, rolled back (the table is append-only;
    # so no WAL flush is in this figure).
    from clusters.ingest import audit_event_rows, copy_audit_events

    actor_id = ClusterDataEvent.objects.filter(cluster=cluster).latest("id").actor_id
    event_rows = audit_event_rows(cluster.pk, actor_id, [("created", i, a["external_id"], 2, 0)
                                                         for i, a in enumerate(parsed, start=1)])
    event_times = []
    with connection.cursor() as c:
        for _ in range(3):
            with transaction.atomic():
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
                t = time.perf_counter()
                copy_audit_events(c, event_rows)
                c.execute("SET CONSTRAINTS ALL DEFERRED")
                event_times.append(time.perf_counter() - t)
                transaction.set_rollback(True)

    # -- 1c. the naive way: nested ModelSerializer(many=True).save() behind a DRF view ----------
    class NaiveCompanySerializer(serializers.ModelSerializer):
        class Meta:
            model = Company
            fields = ["cvr", "name", "employees"]
            extra_kwargs = {"cvr": {"validators": []}}

    class NaiveActivitySerializer(serializers.ModelSerializer):
        companies = NaiveCompanySerializer(many=True)

        class Meta:
            model = Activity
            fields = ["external_id", "title", "activity_type", "start_date", "end_date",
                      "international", "eu_funded", "companies"]

        def create(self, validated):
            companies = validated.pop("companies")
            activity = Activity.objects.create(cluster=cluster, **validated)
            for comp in companies:
                company, _ = Company.objects.get_or_create(
                    cvr=comp["cvr"], defaults={**comp, "size_class": sme_size_class(comp["employees"])}
                )
                CompanyParticipation.objects.create(activity=activity, company=company)
            return activity

    class NaiveBulkView(APIView):
        authentication_classes = []
        permission_classes = []

        def post(self, request):
            s = NaiveActivitySerializer(data=request.data["activities"], many=True)
            s.is_valid(raise_exception=True)
            with transaction.atomic():
                s.save()
            return JsonResponse({"created": len(s.validated_data)})

    sample = build_items(cvrs[: NAIVE_SAMPLE * PER_ACTIVITY], prefix="naive", n=NAIVE_SAMPLE)
    sample_rows = NAIVE_SAMPLE + NAIVE_SAMPLE * PER_ACTIVITY
    reset()
    factory = APIRequestFactory()
    request = factory.post("/naive/", {"activities": sample}, format="json")
    t = time.perf_counter()
    response = NaiveBulkView.as_view()(request)
    naive_s = time.perf_counter() - t
    assert response.status_code == 200, response.content[:500]
    naive_rate = sample_rows / naive_s
    reset()

    print(f"Bulk ingest, {N_ACTIVITIES:,} activities + {N_ACTIVITIES * PER_ACTIVITY:,} company "
          f"participations ({N_COMPANIES:,} new companies), {rows:,} rows, best of 3:")
    print(f"  API POST /api/v1/activities/bulk/ : {api_s * 1000:8.0f} ms  {api_rate:10,.0f} rows/s")
    print(f"  raw psycopg COPY (scratch tables) : {min(copy_times) * 1000:8.0f} ms  {copy_rate:10,.0f} rows/s")
    print(f"  COPY into the real, indexed tables, FK checks immediate: {min(real_times) * 1000:.0f} ms, "
          f"{real_rate:,.0f} rows/s; API / that = {api_rate / real_rate:.2f} (aim >= 0.70)")
    if api_nofk_times and real_nofk_times:
        api_fk = 1 - min(api_nofk_times) / api_s
        real_fk = 1 - min(real_nofk_times) / min(real_times)
        print(f"  FK checks' share (the same runs with the FK triggers off): API {api_fk:.0%} "
              f"({(api_s - min(api_nofk_times)) * 1000:.0f} ms), COPY into the real tables {real_fk:.0%} "
              f"({(min(real_times) - min(real_nofk_times)) * 1000:.0f} ms); API / COPY with both off = "
              f"{min(real_nofk_times) / min(api_nofk_times):.2f} (docs/ingest.md: the FKs stay)")
    else:
        print("  FK checks' share: not measured (needs a superuser for session_replication_role)")
    print(f"  of the API's time, its {N_ACTIVITIES:,} audit events (COPY, FK checks; rolled back): "
          f"{min(event_times) * 1000:.0f} ms = {min(event_times) / api_s:.0%}")
    print(f"  naive DRF ModelSerializer(many)   : {naive_s * 1000 * rows / sample_rows:8.0f} ms* "
          f"{naive_rate:10,.0f} rows/s   (*measured on {NAIVE_SAMPLE} activities, scaled)")
    print(f"  API / scratch COPY = {api_rate / copy_rate:.3f}  (aim >= 0.05)")
    print(f"  API / naive = {api_rate / naive_rate:.1f}x (aim >= 3x)")
    print(f"  re-send of the same 5,000 (all unchanged): {min(resend_times) * 1000:.0f} ms, "
          f"{rows / min(resend_times):,.0f} rows/s")

    # -- 2. the list endpoint against a bare JsonResponse behind the same middleware and key --
    client.post("/api/v1/activities/bulk/", payload, content_type="application/json")
    # what autovacuum does after a large insert in production (docs/operations.md): planner
    # statistics (without them the page's queries run as nested loops over estimates of one
    # row) and the visibility map (index-only counts)
    with connection.cursor() as c:
        c.execute("VACUUM (ANALYZE) clusters_activity, clusters_companyparticipation, clusters_company, "
                  "clusters_institutionparticipation")
    with override_settings(ROOT_URLCONF="urls_api",
                           API_THROTTLE_RATES={"api": "1000000/min", "api_bulk": "1000/min"}):
        r = client.get("/api/v1/activities/?year=2023")
        assert r.status_code == 200 and len(r.json()["results"]) == 100
        assert client.get("/bench/api-bare/").status_code == 200
        assert Client().get("/bench/api-bare/").status_code == 401  # the key is really checked
        nxt = client.get("/api/v1/activities/?year=2023&cursor=").json()["next"]
        deep_page = f"/api/v1/activities/?year=2023&page={N_ACTIVITIES // 100 - 1}"
        list_samples = timings(lambda: client.get("/api/v1/activities/?year=2023"), repeat=60)
        cursor_samples = timings(lambda: client.get(nxt), repeat=30)
        deep_samples = timings(lambda: client.get(deep_page), repeat=30)
        bare_samples = timings(lambda: client.get("/bench/api-bare/"), repeat=200)
    med, p95 = summary(list_samples)
    bmed, bp95 = summary(bare_samples)
    cmed, _cp95 = summary(cursor_samples)
    dmed, _dp95 = summary(deep_samples)
    print(f"Activity list GET /api/v1/activities/?year=2023 (100 per page of {N_ACTIVITIES:,}, "
          f"{PER_ACTIVITY} companies each), one client, gc.freeze() after boot as in production:")
    print(f"  API list : median {med * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, {1 / med:,.0f} requests/s")
    print(f"  (second page by cursor: median {cmed * 1000:.1f} ms; page {N_ACTIVITIES // 100 - 1} by "
          f"number: median {dmed * 1000:.1f} ms)")
    print(f"  bare JsonResponse, same middleware and API key : median {bmed * 1000:.2f} ms, "
          f"p95 {bp95 * 1000:.2f} ms, {1 / bmed:,.0f} requests/s")
    ratio = bmed / med
    print(f"  list / bare requests/s = {ratio:.3f} (aim >= 0.100); list p95 / median = "
          f"{p95 / med:.1f} (aim <= 3.0)")
    real_ratio, copy_ratio = api_rate / real_rate, api_rate / copy_rate
    verdicts = [
        ("ingest / COPY into the indexed tables >= 0.7", real_ratio >= 0.7),
        ("ingest / scratch COPY >= 0.05", copy_ratio >= 0.05),
        ("API list / bare >= 0.1", ratio >= 0.1),
        ("API list p95 <= 3x median", p95 <= 3 * med),
    ]
    for label, ok in verdicts:
        print(f"  {'ok  ' if ok else 'MISS'} {label}")
    reset()
    vacuum()


if __name__ == "__main__":
    main()
