"""Every contract test talks to the session's sandbox over HTTP, with faults reset after."""

import pytest

from tests.sandbox_fixtures import Sandbox

TIMEOUT = 5


@pytest.fixture
def sbx(sandbox_clean: Sandbox) -> Sandbox:
    return sandbox_clean
