"""The sandbox's HTTP server answers as fast as a real provider's would."""

import statistics
import time

import requests

from .conftest import TIMEOUT

AUTH = {"Authorization": "Bearer sandbox-recruitee"}
REQUESTS = 20
# An answer whose body waits for the client's delayed ACK (Nagle's algorithm on
# the server's socket) takes about 40 ms; unstalled, a small page takes 1-3 ms.
# 20 ms keeps a loaded machine from failing the test, and the stall from passing it.
MEDIAN_BOUND_S = 0.020


def test_small_keep_alive_answers_do_not_stall(sbx):
    url = f"{sbx.url}/recruitee/c/1/candidates"
    with requests.Session() as session:
        session.get(url, params={"limit": 2}, headers=AUTH, timeout=TIMEOUT).raise_for_status()
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            answer = session.get(url, params={"limit": 2}, headers=AUTH, timeout=TIMEOUT)
            times.append(time.perf_counter() - started)
            assert answer.status_code == 200 and len(answer.json()["candidates"]) == 2
    assert statistics.median(times) < MEDIAN_BOUND_S, f"median {statistics.median(times):.4f} s"
