"""Adapters to the records system (ESDH). A filing is one JSON document (format
`klyngeadmin.records/1`, documented in docs/operations.md):

    {"format": "klyngeadmin.records/1", "filing_id": "letter:12", "kind": "letter",
     "case": {"journal_number": "2026-000012", "title": "...", "case_type": "annual_report",
              "party_cvr": "12345678", "party_name": "..."},
     "document": {"title": "...", "created_at": "2026-...", "text": "...",
                  "file_name": "x.pdf", "content_type": "application/pdf",
                  "content_base64": "...", "sha256": "..."}}

`filing_id` is the idempotency key: filing it again answers the same reference. The offline
adapter (the default) writes the document and a manifest under var/records/<journal number>/;
the HTTP adapter POSTs the JSON to RECORDS_ENDPOINT with a bearer token and reads
`{"reference": "..."}` from the answer."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests
from django.conf import settings

FORMAT = "klyngeadmin.records/1"


class RecordsUnavailable(Exception):
    """The records system did not acknowledge the filing; it stays pending and is retried."""


class RecordsAdapter(Protocol):
    def file(self, payload: dict, content: bytes | None) -> str: ...


_manifest_lock = threading.Lock()


@dataclass
class OfflineRecords:
    """var/records/<journal>/<filing id>-<file name> plus manifest.json (one entry per filing
    id, rewritten atomically). Answers `ESDH-<journal>-<n>`, n the entry's position."""

    directory: Path

    def file(self, payload: dict, content: bytes | None) -> str:
        journal = payload["case"]["journal_number"]
        folder = self.directory / journal
        folder.mkdir(parents=True, exist_ok=True)
        safe_id = payload["filing_id"].replace(":", "-").replace("/", "-")
        document = dict(payload["document"])
        document.pop("content_base64", None)
        if content is not None:
            name = f"{safe_id}-{document.get('file_name') or 'dokument'}"
            (folder / name).write_bytes(content)
            document["stored_as"] = name
        with _manifest_lock:
            manifest_path = folder / "manifest.json"
            manifest = (json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists()
                        else {"format": FORMAT, "case": payload["case"], "filings": []})
            for entry in manifest["filings"]:
                if entry["filing_id"] == payload["filing_id"]:
                    return entry["reference"]
            reference = f"ESDH-{journal}-{len(manifest['filings']) + 1}"
            manifest["case"] = payload["case"]
            manifest["filings"].append({"filing_id": payload["filing_id"], "kind": payload["kind"],
                                        "reference": reference, "document": document})
            tmp = manifest_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
            tmp.replace(manifest_path)
        return reference


@dataclass
class HttpRecords:
    endpoint: str
    token: str = ""
    timeout: float = 10.0

    def file(self, payload: dict, content: bytes | None) -> str:
        headers = {"Idempotency-Key": payload["filing_id"]}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            answer = requests.post(self.endpoint, json=payload, headers=headers,
                                   timeout=self.timeout)
        except requests.RequestException as exc:
            raise RecordsUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= answer.status_code < 300:
            raise RecordsUnavailable(f"HTTP {answer.status_code}: {answer.text[:300]}")
        try:
            reference = str(answer.json()["reference"])
        except (ValueError, KeyError, TypeError) as exc:
            raise RecordsUnavailable(f"no reference in the answer: {answer.text[:200]}") from exc
        if not reference:
            raise RecordsUnavailable("empty reference")
        return reference


def get_records_adapter() -> RecordsAdapter:
    if settings.RECORDS_ENDPOINT:
        return HttpRecords(endpoint=settings.RECORDS_ENDPOINT, token=settings.RECORDS_TOKEN,
                           timeout=settings.RECORDS_TIMEOUT)
    return OfflineRecords(Path(settings.RECORDS_OFFLINE_DIR))
