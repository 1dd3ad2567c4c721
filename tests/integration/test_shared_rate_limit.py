"""With Redis as the cache, every process shares one rate-limit budget (the multi-machine path)."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache

from integrations.http.ratelimit import RateLimit, TokenBucket

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

SPEND_IN_ANOTHER_PROCESS = """
import django, sys
django.setup()
from integrations.http.ratelimit import RateLimit, TokenBucket
bucket = TokenBucket(sys.argv[1], rate_limit=RateLimit(requests=5, per_seconds=60))
print(sum(1 for _ in range(5) if bucket.acquire(max_wait=0) == 0))
"""


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings):
    if not _redis_is_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    yield
    cache.clear()


def test_a_budget_spent_in_another_process_is_spent_here(redis_cache):
    key = f"shared-{uuid.uuid4().hex}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "CACHE_URL": REDIS_URL}
    spent = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SPEND_IN_ANOTHER_PROCESS, key],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert spent.stdout.strip() == "5"

    here = TokenBucket(key, rate_limit=RateLimit(requests=5, per_seconds=60))
    wait = here.acquire(max_wait=0)
    # The other process took all five tokens: the next one comes after ~12 s (60 s / 5).
    assert 10 < wait <= 12
