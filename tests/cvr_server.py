"""A stand-in for the CVR register's Elasticsearch endpoint, run inside the test process
(http.server on 127.0.0.1, a free port): no network. It speaks the register's query and answer
shape: POST .../cvr-permanent/virksomhed/_search with HTTP basic auth, a ``term`` or ``terms``
query on ``Vrvirksomhed.cvrNummer``, hits with ``_source.Vrvirksomhed``. Faults on demand:
``mode`` = "ok", "500", "timeout" (answers after ``delay`` seconds), "malformed";
``fail_next`` = answer 500 that many times, then normally."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/cvr-permanent/virksomhed/_search"


class CvrServer:
    def __init__(self, username="klynge", password="hemmeligt"):
        self.username, self.password = username, password
        self.sources: dict[int, dict] = {}  # cvr -> _source
        self.mode = "ok"
        self.delay = 2.0
        self.fail_next = 0
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body: bytes, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path != PATH:
                    return self._send(404, b'{"error": "no such index"}')
                expected = base64.b64encode(f"{server.username}:{server.password}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    return self._send(401, b'{"error": "unauthorized"}')
                body = json.loads(raw or b"{}")
                server.requests.append(body)
                if server.fail_next > 0:
                    server.fail_next -= 1
                    return self._send(500, b'{"error": "internal"}')
                if server.mode == "500":
                    return self._send(500, b'{"error": "internal"}')
                if server.mode == "timeout":
                    time.sleep(server.delay)
                if server.mode == "malformed":
                    return self._send(200, b'{"hits": {"hits": [ {"_source": ')
                query = body.get("query", {})
                if "term" in query:
                    wanted = [query["term"]["Vrvirksomhed.cvrNummer"]]
                else:
                    wanted = query["terms"]["Vrvirksomhed.cvrNummer"]
                hits = [{"_index": "cvr-permanent", "_id": str(c), "_source": server.sources[c]}
                        for c in wanted if c in server.sources]
                answer = {"took": 1, "timed_out": False,
                          "hits": {"total": len(hits), "max_score": 1.0, "hits": hits}}
                return self._send(200, json.dumps(answer).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{PATH}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, cvr: str, *, name="Registrets Navn A/S", db07="620100", industry="Computerprogrammering",
            municipality=751, employees=None, band=None, status="Normal", protected=False,
            period="maaned"):
        meta = {
            "nyesteNavn": {"navn": name},
            "sammensatStatus": status,
        }
        if db07:
            meta["nyesteHovedbranche"] = {"branchekode": db07, "branchetekst": industry}
        if municipality:
            meta["nyesteBeliggenhedsadresse"] = {
                "postnummer": 8000, "kommune": {"kommuneKode": municipality, "kommuneNavn": "AARHUS"}}
        if employees is not None or band:
            entry = {"aar": 2025, "antalAnsatte": employees, "intervalKodeAntalAnsatte": band}
            if period == "maaned":
                entry["maaned"] = 3
                meta["nyesteMaanedsbeskaeftigelse"] = entry
            elif period == "kvartal":
                entry["kvartal"] = 1
                meta["nyesteKvartalsbeskaeftigelse"] = entry
            else:
                meta["nyesteAarsbeskaeftigelse"] = entry
        source = {"Vrvirksomhed": {"cvrNummer": int(cvr), "virksomhedMetadata": meta}}
        if protected is not None:
            source["Vrvirksomhed"]["reklamebeskyttet"] = protected
        self.sources[int(cvr)] = source
        return source
