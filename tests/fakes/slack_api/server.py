"""HTTP plumbing: a ``ThreadingHTTPServer`` on 127.0.0.1 that hands every request to the
fake (``/api/METHOD``, ``/upload/FILE_ID``, ``/response/KEY``)."""

from __future__ import annotations

import email.parser
import email.policy
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

from .records import Reply

if TYPE_CHECKING:
    from .fake import FakeSlack


class Server(ThreadingHTTPServer):
    """The fake's HTTP server (ephemeral port on 127.0.0.1, daemon request threads)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"
    # The headers and the body go out in two writes: without this, Nagle's algorithm holds
    # the body until the client's delayed ACK of the headers (~40 ms per call).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, dict):
            payload = json.dumps(reply.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            payload = reply.body.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _handle(self) -> None:
        fake = cast(Server, self.server).fake
        body = self._read_body()
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = split.path
        delay = fake.latency_s()
        if delay:
            time.sleep(delay / 2)  # on the way in (before the limits see the call) ...
        try:
            if path.startswith("/api/"):
                args = _parse_args(split.query, body, headers.get("content-type", ""))
                reply = fake.dispatch_api(path[len("/api/") :], args, headers)
            elif path.startswith("/upload/"):
                reply = fake.dispatch_upload(path[len("/upload/") :], body, headers)
            elif path.startswith("/response/"):
                reply = fake.dispatch_response_url(path[len("/response/") :], body, headers)
            else:
                reply = Reply(404, "not found")
        except Exception as exc:  # a bug in the fake or a custom handler: make it visible
            detail = f"{self.command} {path}: {exc!r}"
            with fake.lock:
                fake.fake_errors.append(detail)
            reply = Reply(500, {"ok": False, "error": "fake_crashed", "detail": detail})
        if delay:
            time.sleep(delay / 2)  # ... and on the way back
        self._send(reply)

    def do_POST(self) -> None:
        """Handle POST (what slack_sdk uses for every method)."""
        self._handle()

    def do_GET(self) -> None:
        """Handle GET (Slack accepts query-string arguments too)."""
        self._handle()


def _parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not body:
        return args
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        if isinstance(parsed, dict):
            args.update(parsed)
    elif ctype == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            if part.get_filename() is not None:
                args[name] = payload
            elif isinstance(payload, bytes):
                args[name] = payload.decode("utf-8")
    else:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        args.update({k: v[-1] for k, v in form.items()})
    return args


# ---------------------------------------------------------------------------------------
# The fake
