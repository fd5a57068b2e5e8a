"""Activity ingest from a cluster's CRM: bulk create-or-update by (cluster, external_id), the
single-activity create-or-replace, and delete.

Fast by construction: the request is validated in Python in one pass (collecting EVERY problem
by index and field), the existing activities, participations, companies and institutions are
fetched in a handful of set-based queries, and the writes are psycopg `COPY`s (new activities
with pre-allocated ids, participations, new companies through a temp table and
`INSERT ... ON CONFLICT DO NOTHING`) and `UPDATE/DELETE ... FROM unnest(...)` statements: a fixed
number of round trips whatever the number of rows. All of it
in one transaction under a per-cluster advisory lock: a bad item changes nothing, and two
concurrent ingests for the same cluster run one after the other.

This module is the machinery behind the door, not a door: the API, the browser import and
its task write through clusters.services (`activity_ingest`, `activity_put`,
`activity_bulk_upsert`, ...), which take the actor and call `activities_write` here. The writer
records one ClusterDataEvent per created or changed activity (COPY, in the same transaction),
naming the actor; the service adds one event for the batch."""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import date

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.companies.services import lookup_after_commit
from clusters.constants import MAX_EMPLOYEES, ActivityType, DataEventAction
from clusters.cvr import is_valid_cvr
from clusters.models import (
    Activity,
    ClusterDataEvent,
    ClusterOrganisation,
    Company,
    CompanyParticipation,
    InstitutionParticipation,
    KnowledgeInstitution,
)
from clusters.sme import sme_size_class
from klyngeadmin.kernel.formatting import number
from klyngeadmin.kernel.outbox import KICK_RETRY_POLICY
from klyngeadmin.kernel.signals import announce_figures_changed

log = logging.getLogger(__name__)
MAX_BULK_ACTIVITIES = 5000
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACTIVITY_TYPES = frozenset(ActivityType.values)
_BOOL_FIELDS = ("international", "eu_funded")


class IngestValidationError(Exception):
    """Every problem in the request: [{"index", "field", "detail"}]; nothing was changed."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


@dataclass(slots=True)
class ParsedActivity:
    index: int
    external_id: str
    title: str
    activity_type: str
    start_date: date
    end_date: date
    international: bool
    eu_funded: bool
    companies: dict[str, tuple[str, int]] = field(default_factory=dict)  # cvr -> (name, employees)
    institutions: list[str] = field(default_factory=list)

    def row(self) -> tuple:
        return (
            self.title, self.activity_type, self.start_date, self.end_date,
            self.international, self.eu_funded,
        )


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    created_ids: frozenset[str] = frozenset()

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _text(item: dict, name: str, max_length: int, add, *, required: bool = True) -> str | None:
    value = item.get(name)
    if value is None:
        if required:
            add(name, _("Feltet skal udfyldes."))
        return None
    if not isinstance(value, str):
        add(name, _("Skal være en tekst."))
        return None
    if required and not value.strip():
        add(name, _("Feltet må ikke være tomt."))
        return None
    if "\x00" in value:
        add(name, _("Teksten må ikke indeholde NUL-tegn."))
        return None
    if len(value) > max_length:
        add(name, _("Højst %(n)d tegn.") % {"n": max_length})
        return None
    return value


def _date(item: dict, name: str, add, known: dict[str, date]) -> date | None:
    value = item.get(name)
    if type(value) is str and (found := known.get(value)) is not None:
        return found  # a date already read in this request (dates recur across activities)
    if value is None:
        add(name, _("Feltet skal udfyldes."))
        return None
    if not isinstance(value, str) or not _DATE_RE.match(value):
        add(name, _("Skal være en dato på formen ÅÅÅÅ-MM-DD."))
        return None
    try:
        known[value] = parsed = date.fromisoformat(value)
    except ValueError:
        add(name, _("%(value)s er ikke en gyldig dato.") % {"value": value})
        return None
    return parsed


def _company(company, prefix: str, companies: dict[str, tuple[str, int]], cvr_ok: dict[str, bool],
             add) -> None:
    """Check one company of an activity: into `companies` when valid, every problem to `add`."""
    if not isinstance(company, dict):
        add(prefix, _("Hver virksomhed skal være et objekt."))
        return
    cvr = company.get("cvr")
    if not isinstance(cvr, str) or len(cvr) != 8 or not cvr.isdigit():
        add(f"{prefix}.cvr", _("Et CVR-nummer består af præcis 8 cifre."))
        cvr = None
    elif not (cvr_ok[cvr] if cvr in cvr_ok else cvr_ok.setdefault(cvr, is_valid_cvr(cvr))):
        add(f"{prefix}.cvr", _("CVR-nummeret %(value)s er ugyldigt (kontrolcifferet passer ikke).")
            % {"value": cvr})
        cvr = None
    elif cvr in companies:
        add(f"{prefix}.cvr", _("Virksomheden %(value)s står to gange på aktiviteten.")
            % {"value": cvr})
        cvr = None
    name = company.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200 or "\x00" in name:
        add(f"{prefix}.name", _("Navnet skal være en tekst på 1-200 tegn."))
        name = None
    employees = company.get("employees")
    if (
        not isinstance(employees, int) or isinstance(employees, bool)
        or employees < 0 or employees > MAX_EMPLOYEES
    ):
        add(f"{prefix}.employees", _("Antal ansatte skal være et helt tal fra 0 til %(max)s.")
            % {"max": number(MAX_EMPLOYEES)})
        employees = None
    if cvr is not None and name is not None and employees is not None:
        companies[cvr] = (name, employees)


def parse_activities(items) -> tuple[list[ParsedActivity], list[dict]]:
    """Validate a list of activity dicts in one pass; return the parsed items and every error."""
    cvr_ok: dict[str, bool] = {}  # the same company recurs across activities: check it once
    dates: dict[str, date] = {}  # and so do the dates
    errors: list[dict] = []
    parsed: list[ParsedActivity] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):

        def add(fieldname, detail, index=index):
            errors.append({"index": index, "field": fieldname, "detail": str(detail)})

        if not isinstance(item, dict):
            add(None, _("Hver aktivitet skal være et objekt."))
            continue
        n_errors = len(errors)
        external_id = _text(item, "external_id", 100, add)
        if external_id is not None:
            if external_id in seen:
                add("external_id", _("external_id %(id)s findes også i aktivitet nr. %(first)d i samme forespørgsel.")
                    % {"id": external_id, "first": seen[external_id]})
            else:
                seen[external_id] = index
        title = _text(item, "title", 300, add)
        activity_type = item.get("activity_type")
        if activity_type is None:
            add("activity_type", _("Feltet skal udfyldes."))
        elif activity_type not in _ACTIVITY_TYPES:
            add("activity_type", _("Ukendt aktivitetstype %(value)r; tilladt: %(allowed)s.")
                % {"value": activity_type, "allowed": ", ".join(ActivityType.values)})
        start = _date(item, "start_date", add, dates)
        end = _date(item, "end_date", add, dates)
        if start and end and end < start:
            add("end_date", _("Slutdatoen ligger før startdatoen."))
        flags = {}
        for name in _BOOL_FIELDS:
            value = item.get(name, False)
            if not isinstance(value, bool):
                add(name, _("Skal være true eller false."))
            flags[name] = value is True

        companies: dict[str, tuple[str, int]] = {}
        raw_companies = item.get("companies", [])
        if raw_companies is None:
            raw_companies = []
        if not isinstance(raw_companies, list):
            add("companies", _("Skal være en liste."))
            raw_companies = []
        for ci, company in enumerate(raw_companies):
            if type(company) is dict:
                # the usual company, checked in one expression; anything else the long way
                cvr, name, employees = company.get("cvr"), company.get("name"), company.get("employees")
                if (
                    type(cvr) is str and cvr_ok.get(cvr) and cvr not in companies
                    and type(name) is str and len(name) <= 200 and name.strip() and "\x00" not in name
                    and type(employees) is int and 0 <= employees <= MAX_EMPLOYEES
                ):
                    companies[cvr] = (name, employees)
                    continue
            _company(company, f"companies[{ci}]", companies, cvr_ok, add)

        institutions: list[str] = []
        raw_institutions = item.get("institutions", [])
        if raw_institutions is None:
            raw_institutions = []
        if not isinstance(raw_institutions, list):
            add("institutions", _("Skal være en liste."))
            raw_institutions = []
        for ii, inst in enumerate(raw_institutions):
            code = inst.get("code") if isinstance(inst, dict) else None
            if not isinstance(code, str) or not code or "\x00" in code:
                add(f"institutions[{ii}].code", _("Feltet skal udfyldes med institutionens kode."))
            elif code in institutions:
                add(f"institutions[{ii}].code", _("Institutionen %(code)s står to gange på aktiviteten.")
                    % {"code": code})
            else:
                institutions.append(code)

        if len(errors) == n_errors:
            parsed.append(ParsedActivity(
                index, external_id, title, activity_type, start, end,
                flags["international"], flags["eu_funded"], companies, institutions,
            ))
    return parsed, errors


def _resolve_institutions(items, parsed: list[ParsedActivity], errors: list[dict]) -> dict[str, int]:
    """Institution ids by code (one query); unknown codes become errors at their index/field."""
    codes = {
        inst.get("code")
        for item in items if isinstance(item, dict) and isinstance(item.get("institutions"), list)
        for inst in item["institutions"]
        if isinstance(inst, dict) and isinstance(inst.get("code"), str) and "\x00" not in inst["code"]
    }
    known = dict(KnowledgeInstitution.objects.filter(code__in=codes).values_list("code", "id"))
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("institutions"), list):
            continue
        for ii, inst in enumerate(item["institutions"]):
            code = inst.get("code") if isinstance(inst, dict) else None
            if isinstance(code, str) and code and "\x00" not in code and code not in known:
                errors.append({
                    "index": index, "field": f"institutions[{ii}].code",
                    "detail": _("Ukendt videninstitution %(code)s.") % {"code": code},
                })
    return known


_SIZE_CLASS_CACHE: dict[int, str] = {}


def _size_class(employees: int) -> str:
    if employees not in _SIZE_CLASS_CACHE:
        _SIZE_CLASS_CACHE[employees] = str(sme_size_class(employees))
    return _SIZE_CLASS_CACHE[employees]


def lock_cluster_activities(cluster_id: int) -> None:
    """Serialise every writer of one cluster's activity set (the API, the browser import,
    single edits) for the rest of the transaction."""
    key = zlib.crc32(b"clusters.activity") * 100_000 + cluster_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def activities_parse(items) -> tuple[list[ParsedActivity], dict[str, int]]:
    """Validate the API's activity dicts: the parsed items and the institution ids by code.

    Raises IngestValidationError listing every problem by index and field."""
    parsed, errors = parse_activities(items)
    institution_ids = _resolve_institutions(items, parsed, errors)
    if errors:
        errors.sort(key=lambda e: e["index"])
        raise IngestValidationError(errors)
    return parsed, institution_ids


def activities_write(*, cluster: ClusterOrganisation, actor, parsed: list[ParsedActivity],
                     institution_ids: dict[str, int]) -> UpsertResult:
    """The one bulk writer of activities, for the API and the browser import alike: validated
    rows in, created/updated/unchanged out, and a ClusterDataEvent naming `actor` for every
    created or changed activity (an unchanged one records nothing). Call it from a service in
    clusters.services, inside a transaction holding `lock_cluster_activities`. Unknown
    companies are created from the (name, employees) given; existing companies are not
    changed: the register is shared by every cluster."""
    with connection.cursor() as cur:
        result = _write(cur, cluster, actor, parsed, institution_ids)
    if result.created or result.updated:
        announce_figures_changed(cluster_id=cluster.pk)
    if result.created >= ANALYZE_AFTER_ROWS:
        transaction.on_commit(queue_analyze_activity_tables)
    return result


# A write of this many new activities has a worker ANALYZE the activity tables after commit:
# the planner should not wait for autovacuum to learn that a table grew (docs/operations.md).
ANALYZE_AFTER_ROWS = 1000
ACTIVITY_TABLES = (Company, Activity, CompanyParticipation, InstitutionParticipation)
ANALYZE_TASK = "clusters.tasks.analyze_activity_tables"


def queue_analyze_activity_tables() -> None:
    """Queue the ANALYZE for a worker (called after commit): the request that wrote the rows
    does not wait for it (it samples up to 30,000 rows a table, more time as the tables grow).
    A broker that cannot take it leaves the statistics to autovacuum, as for any other write."""
    try:
        current_app.send_task(ANALYZE_TASK, retry=True, retry_policy=KICK_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - the broker is down: autovacuum analyzes in its own time
        log.warning("the activity tables' ANALYZE not queued; autovacuum will analyze them")


def analyze_activity_tables() -> None:
    """Fresh planner statistics for the activity data (after seeding or a large import).
    Allowed inside a transaction, unlike VACUUM."""
    with connection.cursor() as cursor:
        for model in ACTIVITY_TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# The column types of the binary COPYs, in the order of their column lists.
_ACTIVITY_TYPES_PG = (
    "int8", "int8", "text", "text", "text", "date", "date", "bool", "bool", "int4",
    "timestamptz", "timestamptz",
)


def allocate_ids(cur, table: str, n: int) -> list[int]:
    """`n` ids from `table`'s id sequence in one query. The sequence is resolved once, in a
    materialized CTE: `nextval(pg_get_serial_sequence(...))` resolved it again for every row,
    11 ms of the 13 that 5,000 ids took (bench/bench_api_ingest.py)."""
    cur.execute(
        "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
        "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
        [table, n],
    )
    return [r[0] for r in cur.fetchall()]


def _copy(cur, target: str, types, rows) -> None:
    """Binary COPY of pre-built tuples into `target` ("table (columns)"): no text formatting or
    parsing of the values on either side."""
    with cur.cursor.copy(f"COPY {target} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def _companies(cur, c_table: str, wanted: dict[str, tuple[str, int]], now) -> dict[str, int]:
    """The id of every company in `wanted` (cvr -> (name, employees)), inserting the unknown
    ones, in ONE statement over a staged copy of the request's companies: the INSERT ... ON
    CONFLICT DO NOTHING of those not in the register yet and the lookup of those that are share
    one snapshot, so each CVR comes back exactly once. Known companies are left as they are.
    A CVR another cluster inserts concurrently (after this statement's snapshot) comes back
    from neither half; one more SELECT picks those up.

    The known ones are skipped by the ON CONFLICT arbiter alone, a probe of the unique CVR index
    per row whatever the planner believes. A NOT EXISTS in front of it was planned, with the
    register's statistics from when it was (nearly) empty, as a sequential scan of the register
    per staged row, over the pages this very INSERT fills: 4,000 new companies took 134 ms
    instead of 57 (bench/bench_api_ingest.py). A known company costs a sequence number."""
    cur.execute(
        "CREATE TEMP TABLE ingest_company "
        "(cvr text PRIMARY KEY, name text, employees int, size_class text) ON COMMIT DROP"
    )
    _copy(cur, "ingest_company (cvr, name, employees, size_class)", ("text", "text", "int4", "text"),
          [(c, name, employees, _size_class(employees)) for c, (name, employees) in wanted.items()])
    cur.execute(
        f"WITH new AS ("
        f"  INSERT INTO {c_table} (cvr, name, employees, size_class, db07_code, region, "
        f"  created_at, updated_at) "
        f"  SELECT s.cvr, s.name, s.employees, s.size_class, '', '', %s, %s FROM ingest_company s "
        f"  ON CONFLICT (cvr) DO NOTHING RETURNING cvr, id) "
        f"SELECT cvr, id, true FROM new "
        f"UNION ALL SELECT c.cvr, c.id, false FROM {c_table} c JOIN ingest_company s ON s.cvr = c.cvr",
        [now, now],
    )
    ids: dict[str, int] = {}
    created: list[str] = []
    for cvr, cid, is_new in cur.fetchall():
        ids[cvr] = cid
        if is_new:
            created.append(cvr)
    if len(ids) < len(wanted):
        cur.execute(f"SELECT cvr, id FROM {c_table} WHERE cvr = ANY(%s)", [[c for c in wanted if c not in ids]])
        ids.update(cur.fetchall())
    cur.execute("DROP TABLE ingest_company")
    if created:
        lookup_after_commit(created)  # the register's data, after commit (clusters.companies.services)
    return ids


def audit_event_rows(cluster_id: int, actor_id: int, events, now=None) -> list[tuple]:
    """The ClusterDataEvent rows of `events` ((action, activity id, external id, companies,
    institutions)), in the column order of `copy_audit_events`."""
    now = now or timezone.now()
    return [
        (cluster_id, actor_id, action, "activity", aid, external_id,
         f"{n_companies} virksomheder, {n_institutions} videninstitutioner", now)
        for action, aid, external_id, n_companies, n_institutions in events
    ]


def copy_audit_events(cur, rows: list[tuple]) -> None:
    _copy(
        cur,
        f"{ClusterDataEvent._meta.db_table} (cluster_id, actor_id, action, object_type, "
        f"object_id, external_id, summary, created_at)",
        ("int8", "int8", "text", "text", "int8", "text", "text", "timestamptz"),
        rows,
    )


def _write(cur, cluster, actor, parsed: list[ParsedActivity], institution_ids: dict[str, int]
           ) -> UpsertResult:
    now = timezone.now()
    a_table = Activity._meta.db_table
    cp_table = CompanyParticipation._meta.db_table
    ip_table = InstitutionParticipation._meta.db_table
    c_table = Company._meta.db_table

    # 1. Existing activities and their participations: three queries.
    cur.execute(
        f"SELECT id, external_id, title, activity_type, start_date, end_date, international, eu_funded "
        f"FROM {a_table} WHERE cluster_id = %s AND external_id = ANY(%s)",
        [cluster.pk, [p.external_id for p in parsed]],
    )
    existing = {r[1]: (r[0], tuple(r[2:])) for r in cur.fetchall()}
    existing_ids = [v[0] for v in existing.values()]
    old_companies: dict[int, set[str]] = {i: set() for i in existing_ids}
    old_institutions: dict[int, set[str]] = {i: set() for i in existing_ids}
    if existing_ids:
        cur.execute(
            f"SELECT p.activity_id, c.cvr FROM {cp_table} p JOIN {c_table} c ON c.id = p.company_id "
            f"WHERE p.activity_id = ANY(%s)", [existing_ids],
        )
        for aid, cvr in cur.fetchall():
            old_companies[aid].add(cvr)
        cur.execute(
            f"SELECT p.activity_id, i.code FROM {ip_table} p "
            f"JOIN {KnowledgeInstitution._meta.db_table} i ON i.id = p.institution_id "
            f"WHERE p.activity_id = ANY(%s)", [existing_ids],
        )
        for aid, code in cur.fetchall():
            old_institutions[aid].add(code)

    # 2. Classify.
    to_create: list[ParsedActivity] = []
    to_update: list[tuple[int, ParsedActivity]] = []
    unchanged = 0
    for p in parsed:
        found = existing.get(p.external_id)
        if found is None:
            to_create.append(p)
            continue
        aid, old_row = found
        if (
            old_row == p.row()
            and old_companies[aid] == p.companies.keys()
            and old_institutions[aid] == set(p.institutions)
        ):
            unchanged += 1
        else:
            to_update.append((aid, p))

    # 3. Companies: insert the unknown ones (ON CONFLICT: another cluster may add the same CVR
    # concurrently), then map cvr -> id. Known companies are left as they are.
    wanted: dict[str, tuple[str, int]] = {}
    for p in to_create:
        wanted.update(p.companies)
    for _aid, p in to_update:
        wanted.update(p.companies)
    company_ids: dict[str, int] = {}
    if wanted:
        company_ids = _companies(cur, c_table, wanted, now)

    # 4. Activities: one INSERT for the new, one UPDATE for the changed.
    activity_ids: dict[str, int] = {}
    if to_create:
        # Ids first (one query), then COPY: the fastest way PostgreSQL takes rows in.
        ids = allocate_ids(cur, a_table, len(to_create))
        cluster_id = cluster.pk
        rows = [
            (aid, cluster_id, p.external_id, p.title, p.activity_type, p.start_date, p.end_date,
             p.international, p.eu_funded, 1, now, now)
            for aid, p in zip(ids, to_create, strict=True)
        ]
        activity_ids = {p.external_id: aid for aid, p in zip(ids, to_create, strict=True)}
        _copy(cur, f"{a_table} (id, cluster_id, external_id, title, activity_type, start_date, "
                   f"end_date, international, eu_funded, version, created_at, updated_at)",
              _ACTIVITY_TYPES_PG, rows)
    if to_update:
        cols = list(zip(*[(aid, *p.row()) for aid, p in to_update], strict=True))
        cur.execute(
            f"UPDATE {a_table} a SET title = v.title, activity_type = v.activity_type, "
            f"start_date = v.start_date, end_date = v.end_date, international = v.international, "
            f"eu_funded = v.eu_funded, version = a.version + 1, updated_at = %s "
            f"FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::date[], %s::date[], %s::bool[], "
            f"%s::bool[]) AS v(id, title, activity_type, start_date, end_date, international, eu_funded) "
            f"WHERE a.id = v.id",
            [now, *[list(c) for c in cols]],
        )

    # 5. Participations, set-wise: delete what left, insert what arrived.
    add_c: list[tuple[int, int]] = []
    add_i: list[tuple[int, int]] = []
    del_c: list[tuple[int, int]] = []
    del_i: list[tuple[int, int]] = []
    for p in to_create:
        aid = activity_ids[p.external_id]
        add_c.extend((aid, company_ids[c]) for c in p.companies)
        add_i.extend((aid, institution_ids[c]) for c in p.institutions)
    for aid, p in to_update:
        old_c, new_c = old_companies[aid], p.companies.keys()
        add_c.extend((aid, company_ids[c]) for c in new_c - old_c)
        old_i, new_i = old_institutions[aid], set(p.institutions)
        add_i.extend((aid, institution_ids[c]) for c in new_i - old_i)
        if old_c - new_c:
            del_c.append((aid, old_c - new_c))
        if old_i - new_i:
            del_i.append((aid, old_i - new_i))
    if del_c:
        pairs = [(aid, cvr) for aid, gone in del_c for cvr in gone]
        cur.execute(
            f"DELETE FROM {cp_table} p USING {c_table} c, unnest(%s::bigint[], %s::text[]) AS v(aid, cvr) "
            f"WHERE p.company_id = c.id AND c.cvr = v.cvr AND p.activity_id = v.aid",
            [[a for a, _c in pairs], [c for _a, c in pairs]],
        )
    if del_i:
        pairs = [(aid, code) for aid, gone in del_i for code in gone]
        cur.execute(
            f"DELETE FROM {ip_table} p USING {KnowledgeInstitution._meta.db_table} i, "
            f"unnest(%s::bigint[], %s::text[]) AS v(aid, code) "
            f"WHERE p.institution_id = i.id AND i.code = v.code AND p.activity_id = v.aid",
            [[a for a, _c in pairs], [c for _a, c in pairs]],
        )
    if add_c:
        _copy(cur, f"{cp_table} (activity_id, company_id)", ("int8", "int8"), add_c)
    if add_i:
        _copy(cur, f"{ip_table} (activity_id, institution_id)", ("int8", "int8"), add_i)

    # 6. The audit trail: one event per created or changed activity, by COPY like the rows.
    if to_create or to_update:
        events = [(DataEventAction.CREATED.value, activity_ids[p.external_id], p) for p in to_create]
        events += [(DataEventAction.UPDATED.value, aid, p) for aid, p in to_update]
        copy_audit_events(cur, audit_event_rows(cluster.pk, actor.pk, [
            (action, aid, p.external_id, len(p.companies), len(p.institutions))
            for action, aid, p in events
        ], now))
    return UpsertResult(
        created=len(to_create), updated=len(to_update), unchanged=unchanged,
        created_ids=frozenset(p.external_id for p in to_create),
    )

