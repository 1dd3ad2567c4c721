import pytest
from django.core.cache import cache

from integrations.http import call_log
from integrations.http.auth import clear_token_cache
from integrations.sync.engine import sync_resource
from projects.sync import resources_for


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    clear_token_cache()
    yield
    call_log.buffer.clear()
    clear_token_cache()


@pytest.fixture
def synced(immediate_tasks):
    """Sync a connection's users and workspaces (and projects) as the pickers need them."""

    def run(connection, *labels):
        for label in labels or ("workspaces", "users", "projects"):
            resource = resources_for(connection.provider)[label]
            run = sync_resource(connection=connection, resource=resource, full=True)
            assert run.status == "succeeded", run.error
        return connection

    return run
