"""Benchmark: what ApiClient adds over a bare requests.Session.

2,000 GETs of a 5 KB JSON body from a local threaded HTTP server, two ways,
interleaved: through `ApiClient` (built by `connection_client`, so retries,
the rate limiter, the auth-failure counter and the call log are all on) and
through a bare `requests.Session` like for like: `trust_env = False`, since
ApiClient's session reads proxy settings once rather than on every request,
and the same timeout and JSON decoding. Every call-log flush counts: those
that happen inside calls (every 100 rows) and the last one after the loop.
Prints mean, p50 and p99 of both and their ratios; the last line is one JSON
object. Goal: the ratio of the means <= 1.15.

Django runs on the test settings with a throwaway SQLite database, so the
call log really is written.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import report, setup_django

REQUESTS = 2000
WARMUP = 100
GOAL = 1.15
# About 5 KB: 98 small project records.
BODY = json.dumps(
    {"data": [{"id": i, "name": f"Project {i:04d}", "status": "Active"} for i in range(98)]}
).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API
    disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall

    def do_GET(self) -> None:
        body = BODY if self.path.startswith("/data") else b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", "bench")
        self.send_header("X-RateLimit-Limit", "1000000")
        self.send_header("X-RateLimit-Remaining", "999999")
        self.send_header("X-RateLimit-Reset", str(int(time.time()) + 60))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        import requests

        from integrations.http import call_log
        from integrations.models import CallLog, Connection
        from integrations.services.connections import connection_client

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        connection = Connection.objects.create(
            provider="projecttool",
            name="bench",
            base_url=base,
            api_token="bench-token",  # noqa: S106 - a throwaway local server
        )
        client = connection_client(connection)
        bare = requests.Session()
        bare.trust_env = False  # as ApiClient's session: proxies are read once, not per call

        def through_client() -> None:
            assert client.get("/data").data

        def through_session() -> None:
            response = bare.get(f"{base}/data", timeout=(5.0, 20.0))
            response.raise_for_status()
            assert response.json()

        for _ in range(WARMUP):
            through_client()
            through_session()
        client_times, bare_times = [], []
        for i in range(REQUESTS):
            pair = (through_client, through_session)
            for call in pair if i % 2 else reversed(pair):
                (client_times if call is through_client else bare_times).append(timed(call))
        client_times[-1] += timed(call_log.flush)  # the rows still buffered count too
        recorded = CallLog.objects.filter(connection=connection).count()
        server.shutdown()

    client, bare = summary(client_times), summary(bare_times)
    print(f"body: {len(BODY)} bytes, requests: {REQUESTS} each way, call log rows: {recorded}")
    print("                         mean     p50     p99  (us)")
    for label, figures in (("bare requests.Session", bare), ("ApiClient", client)):
        print(f"{label:22} " + " ".join(f"{figures[key]:7.0f}" for key in ("mean", "p50", "p99")))
    ratios = {key: client[key] / bare[key] for key in ("mean", "p50", "p99")}
    print("ratio                  " + " ".join(f"{ratios[key]:7.3f}" for key in ratios))
    print(f"goal: mean ratio <= {GOAL}")
    report(
        "client_overhead",
        "mean_ratio",
        ratios["mean"],
        GOAL,
        ratios["mean"] <= GOAL,
        p50_ratio=round(ratios["p50"], 3),
        p99_ratio=round(ratios["p99"], 3),
        client_mean_us=round(client["mean"]),
        bare_mean_us=round(bare["mean"]),
    )


def summary(seconds: list[float]) -> dict[str, float]:
    """Mean, p50 and p99 in microseconds."""
    cuts = statistics.quantiles(seconds, n=100)
    return {"mean": statistics.fmean(seconds) * 1e6, "p50": cuts[49] * 1e6, "p99": cuts[98] * 1e6}


if __name__ == "__main__":
    main()
