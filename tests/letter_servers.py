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
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from klyngeadmin.kernel.digitalpost.memo import MemoInvalid, parse_memo


def make_pki(folder):
    """A throwaway CA with a server certificate for 127.0.0.1 and a client certificate (the
    authority's), as PEM files in `folder`: {"ca", "server_cert", "server_key", "client_cert",
    "client_key"} -> path."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def build(subject, key, issuer, issuer_key, *, ca=False, san=None):
        b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return b.sign(issuer_key, hashes.SHA256())

    def write(path, data):
        path.write_bytes(data)
        return str(path)

    def key_pem(key):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = build("Test CA", ca_key, "Test CA", ca_key, ca=True)
    server = build("127.0.0.1", server_key, "Test CA", ca_key,
                   san=[x509.IPAddress(IPv4Address("127.0.0.1"))])
    client = build("Erhvervsstyrelsen klyngeadmin", client_key, "Test CA", ca_key)
    pem = serialization.Encoding.PEM
    return {
        "ca": write(folder / "ca.pem", ca.public_bytes(pem)),
        "server_cert": write(folder / "server.pem", server.public_bytes(pem)),
        "server_key": write(folder / "server.key", key_pem(server_key)),
        "client_cert": write(folder / "client.pem", client.public_bytes(pem)),
        "client_key": write(folder / "client.key", key_pem(client_key)),
    }


def mutual_tls(pki) -> ssl.SSLContext:
    """The server side of mutual TLS: our server certificate, client certificates required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server_cert"], pki["server_key"])
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(pki["ca"])
    return context


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

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        if tls is not None:  # HTTPS; with tls.verify_mode CERT_REQUIRED: mutual TLS
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.base = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class DigitalPostServer(_Server):
    def __init__(self, system_id="klyngeadmin-test", tls: ssl.SSLContext | None = None):
        super().__init__(tls)
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
