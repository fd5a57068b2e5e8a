"""Clients for the CVR register, behind one interface (``lookup_many``):

- ``ElasticRegister``: the register's system-to-system access, an Elasticsearch ``_search``
  endpoint (``CVR_URL``, HTTP basic auth with ``CVR_USERNAME`` / ``CVR_PASSWORD``), queried with
  ``term`` on ``Vrvirksomhed.cvrNummer`` for one company and ``terms`` for many, in batches.
  Timeouts, bounded retries with exponential backoff, and a circuit breaker: after
  ``failure_threshold`` failed calls in a row it stops calling for ``reset_after`` seconds and
  answers ``RegisterUnavailable`` at once.
- ``LocalRegister``: a JSON file of records in the register's shape (``CVR_LOCAL_REGISTER``;
  the demo data ships one covering every demo company). For ``make run`` and the tests.
- ``NoRegister``: neither configured: every company is "unknown", and it says so.

``lookup_many`` returns ``{cvr: CvrRecord}`` for the CVRs the register knows (a CVR it does not
know is simply absent) and raises ``RegisterUnavailable`` when it cannot answer; an outage
delays data, the callers never lose a write over it.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clusters.cvr.records import CvrRecord, parse_company

log = logging.getLogger(__name__)

CVR_FIELD = "Vrvirksomhed.cvrNummer"
SOURCE_FIELDS = [
    "Vrvirksomhed.cvrNummer",
    "Vrvirksomhed.reklamebeskyttet",
    "Vrvirksomhed.virksomhedMetadata.nyesteNavn",
    "Vrvirksomhed.virksomhedMetadata.nyesteHovedbranche",
    "Vrvirksomhed.virksomhedMetadata.nyesteBeliggenhedsadresse",
    "Vrvirksomhed.virksomhedMetadata.nyesteMaanedsbeskaeftigelse",
    "Vrvirksomhed.virksomhedMetadata.nyesteKvartalsbeskaeftigelse",
    "Vrvirksomhed.virksomhedMetadata.nyesteAarsbeskaeftigelse",
    "Vrvirksomhed.virksomhedMetadata.sammensatStatus",
]


class RegisterUnavailable(Exception):
    """The register could not answer (down, timing out, refusing us, answering nonsense)."""


class Circuit:
    """Closed -> open after `threshold` failures in a row; open -> half-open after
    `reset_after` seconds (one trial call); a success closes it again."""

    def __init__(self, threshold: int, reset_after: float, clock=time.monotonic):
        self.threshold, self.reset_after, self.clock = threshold, reset_after, clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        with self._lock:
            # after reset_after seconds it is half-open: one call may try
            return self.opened_at is not None and self.clock() - self.opened_at < self.reset_after

    def success(self) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = self.clock()


class NoRegister:
    kind = "none"
    configured = False
    description = _("CVR-registret er ikke sat op: virksomhedsdata er ukendte.")

    def lookup_many(self, cvrs: Iterable[str]) -> dict[str, CvrRecord]:
        return {}

    def lookup(self, cvr: str) -> CvrRecord | None:
        return None


class LocalRegister:
    """Records in the register's ``_source`` shape from a JSON file (a list, or gzip'ed)."""

    kind = "local"
    configured = True
    description = _("Lokalt CVR-register (syntetiske data til udvikling og test).")

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._records: dict[str, CvrRecord] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, CvrRecord]:
        with self._lock:
            if self._records is None:
                opener = gzip.open if self.path.suffix == ".gz" else open
                try:
                    with opener(self.path, "rt", encoding="utf-8") as fh:
                        data = json.load(fh)
                except (OSError, ValueError) as exc:
                    raise RegisterUnavailable(f"local register {self.path}: {exc}") from exc
                records = (parse_company(item) for item in data)
                self._records = {r.cvr: r for r in records if r is not None}
            return self._records

    def lookup_many(self, cvrs: Iterable[str]) -> dict[str, CvrRecord]:
        records = self._load()
        return {c: records[c] for c in cvrs if c in records}

    def lookup(self, cvr: str) -> CvrRecord | None:
        return self.lookup_many([cvr]).get(cvr)


class ElasticRegister:
    kind = "cvr"
    configured = True
    description = _("CVR-registret (Erhvervsstyrelsens system-til-system-adgang).")

    def __init__(self, url: str, username: str = "", password: str = "", *, timeout: float = 5.0,
                 retries: int = 2, backoff: float = 0.5, batch_size: int = 100,
                 circuit: Circuit | None = None, sleep=time.sleep):
        self.url = url
        self.auth = (username, password) if username else None
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.batch_size = batch_size
        self.circuit = circuit or Circuit(threshold=3, reset_after=60.0)
        self.sleep = sleep
        self.session = requests.Session()

    @staticmethod
    def query(cvrs: list[int]) -> dict:
        query = {"term": {CVR_FIELD: cvrs[0]}} if len(cvrs) == 1 else {"terms": {CVR_FIELD: cvrs}}
        return {"query": query, "_source": SOURCE_FIELDS, "size": len(cvrs)}

    def _post(self, body: dict) -> dict:
        """One search, retried (timeouts, connection errors, 5xx, 429) with backoff."""
        if self.circuit.open:
            raise RegisterUnavailable("circuit open: the register failed repeatedly")
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.post(self.url, json=body, auth=self.auth,
                                             timeout=(self.timeout, self.timeout))
            except requests.RequestException as exc:
                last = exc
                continue
            if response.status_code in (401, 403):
                self.circuit.failure()
                raise RegisterUnavailable(f"the register refused our credentials ({response.status_code})")
            if response.status_code == 429 or response.status_code >= 500:
                last = RegisterUnavailable(f"the register answered {response.status_code}")
                continue
            if response.status_code != 200:
                self.circuit.failure()
                raise RegisterUnavailable(f"the register answered {response.status_code}")
            try:
                data = response.json()
                hits = data["hits"]["hits"]
                if not isinstance(hits, list):
                    raise TypeError("hits is not a list")
            except (ValueError, KeyError, TypeError) as exc:
                self.circuit.failure()
                raise RegisterUnavailable(f"malformed answer from the register: {exc}") from exc
            self.circuit.success()
            return data
        self.circuit.failure()
        raise RegisterUnavailable(str(last))

    def lookup_many(self, cvrs: Iterable[str]) -> dict[str, CvrRecord]:
        numbers = sorted({int(c) for c in cvrs if str(c).isdigit()})
        out: dict[str, CvrRecord] = {}
        for i in range(0, len(numbers), self.batch_size):
            data = self._post(self.query(numbers[i : i + self.batch_size]))
            for hit in data["hits"]["hits"]:
                record = parse_company(hit.get("_source") if isinstance(hit, dict) else None)
                if record is not None:
                    out[record.cvr] = record
        return out

    def lookup(self, cvr: str) -> CvrRecord | None:
        return self.lookup_many([cvr]).get(cvr)


_registers: dict[tuple, object] = {}
_registers_lock = threading.Lock()


def get_register():
    """The register the settings name: CVR_URL, else CVR_LOCAL_REGISTER, else none. One
    instance per configuration and process, so its circuit breaker is shared."""
    url = getattr(settings, "CVR_URL", "")
    local = getattr(settings, "CVR_LOCAL_REGISTER", "")
    key = (url, getattr(settings, "CVR_USERNAME", ""), getattr(settings, "CVR_PASSWORD", ""),
           local, getattr(settings, "CVR_TIMEOUT", 5.0))
    with _registers_lock:
        if key not in _registers:
            if url:
                _registers[key] = ElasticRegister(
                    url, key[1], key[2], timeout=float(key[4]),
                    retries=getattr(settings, "CVR_RETRIES", 2),
                    circuit=Circuit(3, getattr(settings, "CVR_CIRCUIT_RESET_SECONDS", 60.0)),
                )
            elif local:
                _registers[key] = LocalRegister(local)
            else:
                _registers[key] = NoRegister()
        return _registers[key]
