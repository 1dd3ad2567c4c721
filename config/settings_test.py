"""Settings for the test suite: the production settings with test secrets.

Real environment variables still win (for example DATABASE_URL when CI runs
the suite on PostgreSQL); these defaults only fill what is unset.
"""

import os
import tempfile
from pathlib import Path

# A developer's .env must not change what the tests see.
os.environ.setdefault("DJANGO_ENV_FILE", os.devnull)
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "Nl2uYHcdBQN1b3mV8kbXaCD4j4lOhCHxxbWhWBbVJ3s=")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("INTEGRATIONS_ALLOW_LOOPBACK", "true")
os.environ.setdefault("SANDBOX_URL", "")

from config.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: the live server, the test and a worker
    # thread then read and write concurrently without table locks (WAL mode).
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"hub-test-{os.getpid()}.sqlite3")
    }

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The real static storage (whitenoise's manifest), as in production: the
# `collected_static` fixture (tests/conftest.py) runs collectstatic here once
# per session, so a missing file or manifest entry fails the tests.
STATIC_ROOT = Path(tempfile.gettempdir()) / f"hub-test-static-{os.getpid()}"

# Enqueued tasks are recorded and not run; tests that need them run use the
# `immediate_tasks` or `task_worker` fixtures (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
