"""The demo-data build: rows per second of `seed_demo` against a raw psycopg COPY of the same
rows into scratch tables with no indexes or constraints (the physical limit), same run."""

import io
import time

from common import setup_django

TABLES = [
    "clusters_strengthposition", "clusters_clusterorganisation", "clusters_company",
    "clusters_knowledgeinstitution", "clusters_activity", "clusters_companyparticipation",
    "clusters_institutionparticipation", "clusters_facilitatedproject",
    "clusters_facilitatedproject_partner_companies", "clusters_facilitatedproject_partner_institutions",
    "klyngeadmin_user", "grants_grant", "grants_tranche", "grants_deadline", "grants_annualreport",
    "grants_competitivefunding", "grants_reportevent", "evaluations_midwayevaluation",
]


def main():
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("seed_demo", "--reset", "--allow-demo-passwords", stdout=io.StringIO())
    seed_seconds = time.perf_counter() - started

    with connection.cursor() as cur:
        counts = {}
        for t in TABLES:
            cur.execute(f"SELECT count(*) FROM {t}")
            counts[t] = cur.fetchone()[0]
    rows = sum(counts.values())

    raw = connection.connection  # the psycopg 3 connection under Django
    dumps = {}
    with raw.cursor() as cur:
        for t in TABLES:
            buf = bytearray()
            with cur.copy(f"COPY (SELECT * FROM {t}) TO STDOUT") as copy:
                for chunk in copy:
                    buf += chunk
            dumps[t] = bytes(buf)
        for t in TABLES:
            cur.execute(f"CREATE TEMP TABLE scratch_{t} (LIKE {t})")
        raw.commit()
        started = time.perf_counter()
        for t in TABLES:
            with cur.copy(f"COPY scratch_{t} FROM STDIN") as copy:
                copy.write(dumps[t])
        raw.commit()
        copy_seconds = time.perf_counter() - started

    seed_rate, copy_rate = rows / seed_seconds, rows / copy_seconds
    print(f"seed_demo: {rows} rows in {seed_seconds:.2f} s = {seed_rate:,.0f} rows/s "
          f"(includes the 2021-2023 checks' data, workflow events and password hashing)")
    print(f"raw COPY of the same rows: {copy_seconds:.3f} s = {copy_rate:,.0f} rows/s")
    print(f"ratio seed_demo/COPY: {seed_rate / copy_rate:.3f} (1.0 would be the physical limit)")


if __name__ == "__main__":
    main()
