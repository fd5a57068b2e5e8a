"""Stand-ins for Digital Post and the records system (ESDH), run inside the test process
(http.server on 127.0.0.1, a free port): no network.

DigitalPostServer: POST /memo/<messageUUID> with a MeMo XML body. It checks what Digital
Post would (the sender system header, the content type, the XML against the MeMo schema, the
UUID in the path matching the message) and keeps every accepted message by UUID; a UUID it
already holds answers 409. `fail_next` answers 503 that many times first.

RecordsServer: POST /records with the JSON filing payload; answers {"reference": ...}, the same
reference for the same filing_id (idempotent). `down = True` answers 503 (an outage)."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from klyngeadmin.kernel.digitalpost.memo import MemoInvalid, parse_memo


class _Server:
    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body: bytes, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    status, body, headers = server.answer(self.path, self.headers, raw)
                self._send(status, body, headers)

        return Handler

    def __init__(self):
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class DigitalPostServer(_Server):
    def __init__(self, system_id="klyngeadmin-test"):
        super().__init__()
        self.system_id = system_id
        self.fail_next = 0
        self.accepted: dict[str, bytes] = {}
        self.requests: list[str] = []  # message UUIDs in the order they arrived
        self.url = f"{self.base}/memo"

    def answer(self, path, headers, raw):
        if not path.startswith("/memo/"):
            return 404, b'{"error": "not found"}', None
        uuid = path.removeprefix("/memo/")
        self.requests.append(uuid)
        if headers.get("X-Sender-System-Id") != self.system_id:
            return 403, b'{"error": "unknown sender system"}', None
        if not (headers.get("Content-Type") or "").startswith("application/xml"):
            return 415, b'{"error": "MeMo is XML"}', None
        if self.fail_next > 0:
            self.fail_next -= 1
            return 503, b'{"error": "Digital Post is unavailable"}', None
        try:
            memo = parse_memo(raw)
        except MemoInvalid as exc:
            return 400, json.dumps({"error": str(exc)}).encode(), None
        if memo.message_uuid != uuid:
            return 400, b'{"error": "messageUUID differs from the path"}', None
        if uuid in self.accepted:
            return 409, b'{"error": "already received"}', {"X-Receipt-Id": f"DP-{uuid[:8]}"}
        self.accepted[uuid] = raw
        return 201, b"{}", {"X-Receipt-Id": f"DP-{uuid[:8]}"}


class RecordsServer(_Server):
    def __init__(self, token="esdh-token"):
        super().__init__()
        self.token = token
        self.down = False
        self.filed: dict[str, dict] = {}  # filing_id -> payload
        self.order: list[str] = []
        self.attempts = 0
        self.url = f"{self.base}/records"

    def answer(self, path, headers, raw):
        self.attempts += 1
        if path != "/records":
            return 404, b"{}", None
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, b'{"error": "unauthorized"}', None
        if self.down:
            return 503, b'{"error": "ESDH is down"}', None
        payload = json.loads(raw)
        key = payload["filing_id"]
        if headers.get("Idempotency-Key") != key:
            return 400, b'{"error": "Idempotency-Key must be the filing_id"}', None
        if key not in self.filed:
            self.filed[key] = payload
            self.order.append(key)
        reference = f"ESDH-{payload['case']['journal_number']}-{self.order.index(key) + 1}"
        return 201, json.dumps({"reference": reference}).encode(), None
