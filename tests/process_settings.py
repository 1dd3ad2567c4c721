"""Settings for the hub's own processes that tests start (`db_worker`, `run_scheduler`).

The test settings, with the database task backend, on the database the test
process uses (its DATABASE_URL is passed in the environment).
"""

import os
from pathlib import Path

from config.settings_test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A test that serves pages through gunicorn passes the session's collected static files.
if "HUB_TEST_STATIC_ROOT" in os.environ:
    STATIC_ROOT = Path(os.environ["HUB_TEST_STATIC_ROOT"])
