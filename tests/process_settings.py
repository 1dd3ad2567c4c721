"""Settings for the hub's own processes that tests start (`db_worker`, `run_scheduler`).

The test settings, with the database task backend, on the database the test
process uses (its DATABASE_URL is passed in the environment).
"""

from config.settings_test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
