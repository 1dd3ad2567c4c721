"""What /healthz checks: can this process render a page right now?

Each check returns None when it passes, or the reason it fails in words an
operator can act on (never an exception's text, which may carry a host name
or a password).
"""

import functools
import re
import time

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.template.loader import get_template

STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")
# Migrations change only with a deploy: once none are pending, look again after this long.
MIGRATIONS_RECHECK_SECONDS = 300.0
_migrations_clean_until = 0.0


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "the database does not answer"
    return None


def cache_problem() -> str | None:
    """Only a shared (Redis) cache is checked: the local-memory one cannot fail."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return None
    try:
        cache.set("healthz", "ok", timeout=10)
        answered = cache.get("healthz")
    except Exception:  # the Redis client raises its own errors, none of Django's
        return "the cache (Redis) does not answer"
    return None if answered == "ok" else "the cache (Redis) does not keep values"


@functools.cache
def layout_static_names() -> tuple[str, ...]:
    """The static files that base.html, and so every page, links."""
    return tuple(STATIC_TAG.findall(get_template("base.html").template.source))


def static_problem() -> str | None:
    """The manifest on disk, its entries for the layout's files, and those files.

    A few stat calls, so it runs on every call: a deleted manifest is seen at once.
    """
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return None  # DEBUG's plain storage serves the source files, no manifest
    if not storage.exists(storage.manifest_name):
        return "the static files manifest is missing: run collectstatic"
    for name in layout_static_names():
        try:
            stored = storage.stored_name(name)
        except ValueError:
            return f"the static files manifest has no entry for {name}: run collectstatic"
        if not storage.exists(stored):
            return f"the static file {stored} is missing: run collectstatic"
    return None


def migrations_problem() -> str | None:
    global _migrations_clean_until
    if time.monotonic() < _migrations_clean_until:
        return None
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "the database does not answer"
    if pending:
        return f"migrations are not applied ({len(pending)}): run migrate"
    _migrations_clean_until = time.monotonic() + MIGRATIONS_RECHECK_SECONDS
    return None


def forget_migrations_check() -> None:
    """Check migrations again on the next call (tests, and after `migrate` in-process)."""
    global _migrations_clean_until
    _migrations_clean_until = 0.0


def health_report() -> dict[str, str]:
    """Each check's name and "ok" or its reason; migrations are not asked of a dead database."""
    problems = {
        "database": database_problem(),
        "cache": cache_problem(),
        "static": static_problem(),
    }
    if problems["database"] is None:
        problems["migrations"] = migrations_problem()
    return {name: problem or "ok" for name, problem in problems.items()}
