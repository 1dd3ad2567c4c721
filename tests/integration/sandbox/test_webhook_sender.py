"""The sandbox's webhook sender answers as the providers' senders do."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.sandbox.webhooks import Attempt, post


class Redirecting(BaseHTTPRequestHandler):
    """POST /hook answers 302 to /landing, which answers 200 to anything."""

    def do_POST(self) -> None:
        self.send_response(302 if self.path == "/hook" else 200)
        self.send_header("Location", "/landing")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


def test_a_redirect_is_a_failed_attempt_not_followed():
    """Standard Webhooks: 3xx is a failure, no redirects (§D5); Recruitee counts only
    200. Following it would count the landing page's 200 as the delivery's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        status, headers = post(url, Attempt(b'{"test":true}', {}))
        assert status == 302 and headers["Location"] == "/landing"
    finally:
        server.shutdown()
        server.server_close()
