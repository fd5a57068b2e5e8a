#!/usr/bin/env python3
"""Writes klyngeadmin/demo/cvr_register.json.gz: the synthetic CVR register shipped with the
demo data, one record in the register's ``_source`` shape (clusters/cvr/records.py) for every
demo company, as the demo builder (klyngeadmin/demo.py) makes them. Deterministic: the demo
builder is seeded, the records are sorted by CVR and the gzip header carries no time.

    DATABASE_URL=postgres://.../scratch .venv/bin/python scripts/build_demo_cvr_register.py

The database must be a scratch one: it is reset with `seed_demo --reset`.
"""

import gzip
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klyngeadmin.settings")
os.environ["CVR_LOCAL_REGISTER"] = ""  # build from the demo builder, not from the old file

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from clusters.cvr.records import CvrRecord, hit_source  # noqa: E402
from clusters.models import Company  # noqa: E402

OUT = ROOT / "klyngeadmin" / "demo" / "cvr_register.json.gz"


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--reset", "--allow-demo-passwords", stdout=io.StringIO())
    sources = []
    for c in Company.objects.order_by("cvr").iterator(chunk_size=5000):
        record = CvrRecord(
            cvr=c.cvr, name=c.name, db07_code=c.db07_code, industry=c.industry,
            postal_code=c.postal_code, municipality_code=c.municipality_code,
            municipality=c.municipality, region=c.region, employees=c.register_employees,
            employees_band=c.employees_band, status=c.status,
            reklamebeskyttet=c.reklamebeskyttet,
        )
        sources.append(hit_source(record))
    data = json.dumps(sources, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(data.encode("utf-8"))
    print(f"{OUT.relative_to(ROOT)}: {len(sources)} companies, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
