"""The HTTP server: a threaded stdlib server that carries out fault decisions on the socket.

Low-level on purpose: a dropped connection, a hang past the client's timeout
and a truncated body need control over the socket that a framework hides.
HTTP/1.1 keep-alive; one daemon thread per connection.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from integrations.sandbox import control
from integrations.sandbox.app import SandboxApp
from integrations.sandbox.faults import Action, Decision
from integrations.sandbox.wire import Request, Response, json_response

logger = logging.getLogger("integrations.sandbox")


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        super().__init__(address, SandboxRequestHandler)
        self.app = app
        self.control_router = control.build_router(app)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "IntegrationHubSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    # TCP_NODELAY on each accepted socket: headers and body go out as two writes,
    # and with Nagle's algorithm on, the body of a small answer would wait for the
    # client's delayed ACK of the headers (about 40 ms), which no real provider adds.
    disable_nagle_algorithm = True
    server: SandboxServer

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        if split.path == control.PREFIX or split.path.startswith(control.PREFIX + "/"):
            request = self._request(split.path[len(control.PREFIX) :], split.query, "")
            self._send(control.handle(self.server.control_router, request))
            return
        app = self.server.app
        api, inner_path = app.resolve(split.path)
        if api is None:
            self._read_body()
            self._send(json_response(404, {"error": "No sandbox provider serves this path."}))
            return
        decision = app.faults.get(api.name).decide(self.command)
        if decision.delay:
            app.wait(decision.delay)
        if decision.action is Action.DROP_BEFORE:
            self.close_connection = True  # the request is never read, so nothing happens
            return
        request = self._request(inner_path, split.query, api.prefix)
        if decision.action is Action.ERROR and decision.status:
            retry_after = app.faults.get(api.name).config.retry_after
            response = api.injected_error(decision.status, retry_after)
        else:
            response = api.handle(request, hold=lambda: self._hold(decision))
        if decision.action is Action.DROP_AFTER:
            self.close_connection = True  # done, but the client never hears: outcome unknown
            return
        self._send(response, truncate=decision.action is Action.TRUNCATE)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _hold(self, decision: Decision) -> None:
        """The hang fault: an accepted request waits in a backed-up queue, then is handled."""
        if decision.action is Action.HANG:
            self.server.app.wait(decision.hang_seconds)

    def _request(self, path: str, query: str, prefix: str) -> Request:
        return Request(
            method=self.command,
            path=path or "/",
            query=parse_qs(query, keep_blank_values=True),
            headers=self.headers,
            body=self._read_body(),
            base_url=f"http://{self.headers.get('Host', '')}{prefix}",
        )

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: Response, *, truncate: bool = False) -> None:
        body = response.body
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if truncate else body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (after a hang, typically)
        if truncate:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)


@dataclass
class RunningSandbox:
    """A sandbox serving on a background thread (tests, benchmarks)."""

    app: SandboxApp
    server: SandboxServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.app.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_in_thread(app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Serve on a daemon thread; port 0 picks a free port (read it from `.url`)."""
    server = SandboxServer((host, port), app)
    thread = threading.Thread(target=server.serve_forever, name="sandbox", daemon=True)
    thread.start()
    return RunningSandbox(app, server, thread)
