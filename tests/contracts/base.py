"""The HTTP plumbing every contract server shares: an in-process server on 127.0.0.1, the
request log, faults, the `after` hook, pause/resume on the same port and a test clock.

A contract server is a subclass that implements `handle(request) -> Reply` (the API's
behaviour, in one class, each rule citing its documentation page) and `error_reply(status,
effect)` (what the API itself answers for a fault: its own error body and headers).

Faults (`fault(path_regex, effect, count=None, method=None)`), first match wins:
- `{"status": 500}` or `{"status": 429, "headers": {...}}`: answered with `error_reply`,
  the request is not processed;
- `{"error": {...}, "status": 400, "headers": {...}}`: the API's error body with those
  fields, not processed;
- `{"delay": s}`: processed at once, answered `s` seconds later (the client times out);
- `{"drop": "before"}`: the connection is closed without processing;
- `{"drop": "after"}`: processed, then the connection is closed without an answer.
"""

import contextlib
import email.parser
import email.policy
import http.server
import json
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict  # the query string, one value a key (the last)
    headers: dict  # lower-case names
    body: bytes
    params: dict = field(default_factory=dict)  # query, form fields and JSON keys merged
    files: dict = field(default_factory=dict)  # multipart file parts: name -> (filename, bytes)
    json: object = None  # the parsed JSON body, if the body was JSON

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict/list (sent as JSON), bytes or str
    headers: dict = field(default_factory=dict)

    def encoded(self):
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        data = b"" if self.body is None else json.dumps(self.body).encode()
        return data, self.headers.get("Content-Type", "application/json; charset=UTF-8")


def parse_body(content_type: str, body: bytes):
    """(fields, files, json) from a request body: JSON, form-encoded or multipart/form-data."""
    fields, files, parsed = {}, {}, None
    ctype = (content_type or "").split(";")[0].strip().lower()
    if not body:
        return fields, files, parsed
    if ctype == "application/json" or (not ctype and body[:1] in (b"{", b"[")):
        parsed = json.loads(body)
        if isinstance(parsed, dict):
            fields = {
                k: v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict | list) else v
                for k, v in parsed.items()
            }
    elif ctype == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, payload)
            else:
                fields[name] = payload.decode("utf-8")
    else:
        fields = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return fields, files, parsed


class ContractServer:
    """Base of every contract server. Subclasses implement `handle` and `error_reply`, and
    `clear()` for their own state (called by `reset()`)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.after = None  # fn(method, path): after processing, before the answer is written
        self.requests = []  # (method, path, params) of every request received
        self.crashes = []  # tracebacks of the server's own bugs (a test should find none)
        self.faults = []
        self.clock_offset = 0.0
        self._connections = set()
        self.port = 0
        self._serve()
        self.url = f"http://127.0.0.1:{self.port}"
        self.reset()

    # ---- what a subclass provides -------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, effect: dict) -> Reply:
        """The API's own answer for a fault (`status`, plus `effect["error"]` fields and
        `effect["headers"]`)."""
        raise NotImplementedError

    def clear(self):
        """Forget the subclass's state (posts, ids, tokens back to valid)."""

    # ---- test controls ------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.faults.clear()
            self.requests.clear()
            self.crashes.clear()
            self.after = None
            self.clock_offset = 0.0
            self.clear()

    def fault(self, path_regex, effect, count=None, method=None):
        with self.lock:
            self.faults.append(
                {"re": re.compile(path_regex), "effect": effect, "count": count, "method": method}
            )

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def now(self) -> float:
        """The server's clock: real time moved by `advance`."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float):
        with self.lock:
            self.clock_offset += seconds

    def pause(self):
        """Stop listening (and cut open connections): the server is down."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        with self.lock:
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def resume(self):
        """Listen again on the same port."""
        if self._server is None:
            self._serve()

    def close(self):
        self.pause()

    # ---- plumbing -----------------------------------------------------------------------

    def _serve(self):
        owner = self

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def process_request(self, request, client_address):
                with owner.lock:
                    owner._connections.add(request)
                super().process_request(request, client_address)

            def shutdown_request(self, request):
                with owner.lock:
                    owner._connections.discard(request)
                super().shutdown_request(request)

        class Handler(_Handler):
            contract = owner

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault["method"] and fault["method"].upper() != method:
                    continue
                if not fault["re"].search(path):
                    continue
                if fault["count"] is not None:
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                return fault["effect"]
        return None

    def _process(self, request: Request) -> Reply:
        try:
            return self.handle(request)
        except Exception:
            text = traceback.format_exc()
            self.crashes.append(text)
            print(text, file=sys.stderr)
            return self.error_reply(500, {"status": 500})


class _Handler(http.server.BaseHTTPRequestHandler):
    contract: ContractServer
    protocol_version = "HTTP/1.0"  # one request a connection: pause() really cuts clients off

    def log_message(self, *args):
        pass

    def _request(self) -> Request:
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", 0) or 0)
        body = self.rfile.read(length) if length else b""
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        fields, files, parsed = parse_body(headers.get("content-type", ""), body)
        params = {**query, **fields}
        return Request(self.command, url.path, query, headers, body, params, files, parsed)

    def _write(self, reply: Reply):
        data, ctype = reply.encoded()
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            if key.lower() not in ("content-type", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self):
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self):
        server = self.contract
        request = self._request()
        with server.lock:
            server.requests.append((request.method, request.path, dict(request.params)))
        effect = server._take_fault(request.method, request.path)
        if effect and effect.get("drop") == "before":
            return self._drop()
        if effect and ("status" in effect or "error" in effect):
            return self._write(server.error_reply(effect.get("status", 400), effect))
        reply = server._process(request)
        if server.after:
            server.after(request.method, request.path)
        if effect and effect.get("drop") == "after":
            return self._drop()
        if effect and effect.get("delay"):
            time.sleep(effect["delay"])
        with contextlib.suppress(OSError):  # the client gave up waiting (a delay fault)
            self._write(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer
