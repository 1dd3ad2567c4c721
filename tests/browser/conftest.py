"""Real headless Chromium through Playwright, driving Debian's /usr/bin/chromium.

Playwright's own browser download does not work on our machines, so the
browser comes from the system package (`apt-get install chromium`). Without
it the browser tests are skipped locally; in CI (CI=true) they must run.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from ats.outbox import CandidateCreate
from ats.sync import CANDIDATES, OFFERS
from crm.sync import ORGANIZATIONS, PERSONS
from integrations.http.auth import clear_token_cache
from integrations.http.client import ApiClient
from integrations.models import Connection, OpenApiSource, OutboxItem
from integrations.openapi import cache as openapi_cache
from integrations.sync.engine import sync_resource
from projects.sync import resources_for

from .accessibility import axe_violations, describe

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct-horse-42"
JSONPLACEHOLDER = Path("integrations/sandbox/documents/jsonplaceholder.json")

# Playwright's sync API runs an event loop in this thread; the live server's
# ORM calls happen in other threads, and fixtures here touch the ORM safely.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = (
            f"Chromium not found at {CHROMIUM}; install it with "
            "`sudo apt-get install chromium` to run the browser tests."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# A 1x1 transparent PNG: what the provider's media host (candidate photos) answers here.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)
LIVE_SERVER_ORIGINS = ("http://localhost:", "http://127.0.0.1:")


def stand_in_for_outside(route, problems: list[str]) -> None:
    """No test reaches the internet: photos get a stand-in image, anything else is refused."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=PIXEL)
    else:
        problems.append(f"{route.request.url}: a request outside the app")
        route.abort()


def record_failed_request(request, problems: list[str]) -> None:
    # ERR_ABORTED: the page navigated away before the request finished (a favicon, say).
    if request.failure != "net::ERR_ABORTED":
        problems.append(f"{request.url}: {request.failure}")


def check_accessibility(page, problems: list[str]) -> None:
    """axe on every page as it loads. A page left before axe finished (the test clicked on)
    is not checked: its document is gone; test_accessibility's walk waits on each page."""
    try:
        if violations := axe_violations(page):
            problems.append(f"axe on {page.url}:\n{describe(violations)}")
    except PlaywrightError as error:
        gone = ("destroyed", "navigat", "has been closed")  # the test moved on, or ended
        if not (page.is_closed() or any(reason in error.message for reason in gone)):
            problems.append(f"axe could not run on {page.url}: {error.message}")


@pytest.fixture(scope="session")
def live_server(request) -> Iterator[object]:
    """pytest-django's live server without Django's static handler in front.

    Whitenoise then serves the collected, hashed files (tests/conftest.py's
    `collected_static`) as it does in production, instead of the finders.
    """

    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser_problems() -> list[str]:
    """What the page fixture saw go wrong: CSP violations, console errors, failed requests."""
    return []


@pytest.fixture
def page(browser, browser_problems) -> Iterator[object]:
    """A fresh page; the test fails if it logged a console error (a CSP violation is one),
    a request failed, or axe found a serious or critical violation on a page it loaded."""
    # Reduced motion turns Bootstrap's transitions off: axe never measures a colour halfway
    # through a button's hover fade, and a collapse opens at once.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    context.route(
        lambda url: not url.startswith(LIVE_SERVER_ORIGINS),
        lambda route: stand_in_for_outside(route, browser_problems),
    )
    page.on("console", lambda m: m.type == "error" and browser_problems.append(m.text))
    page.on("requestfailed", lambda r: record_failed_request(r, browser_problems))
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and r.request.resource_type != "document"
            and browser_problems.append(f"{r.url}: {r.status}")
        ),
    )
    page.on("load", lambda loaded: check_accessibility(loaded, browser_problems))
    yield page
    context.close()
    assert browser_problems == [], "\n".join(browser_problems)


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def logged_in_page(page, live_server, django_user_model):
    """A page logged in through the real login form, as a superuser: every page and right
    (staff alone would have only the rights their groups give, as anyone)."""
    django_user_model.objects.create_superuser(username="browser", password=PASSWORD)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "browser")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


# --- the sandbox's providers, synced as a worker syncs them ---------------------------------


@pytest.fixture
def synced_recruitee(transactional_db, sandbox_connection, monkeypatch):
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    connection = sandbox_connection("recruitee")
    for resource in (OFFERS, CANDIDATES):
        sync_resource(connection=connection, resource=resource, full=True)
    return connection


@pytest.fixture
def synced_affinity(transactional_db, sandbox_connection):
    cache.clear()
    connection = sandbox_connection("affinity")
    for resource in (ORGANIZATIONS, PERSONS):
        sync_resource(connection=connection, resource=resource)
    return connection


@pytest.fixture
def synced_tool(sandbox_connection):
    clear_token_cache()
    connection = sandbox_connection("projecttool")
    for label in ("workspaces", "users", "projects"):
        sync_resource(connection=connection, resource=resources_for("projecttool")[label])
    yield connection
    clear_token_cache()


@pytest.fixture
def every_tool(
    transactional_db, sandbox_clean, sandbox_connection, monkeypatch
) -> Iterator[dict[str, Connection]]:
    """Every provider connected to the sandbox and synced, an API connected from its OpenAPI
    document, and a write needing attention in the outbox: every list has rows."""
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    clear_token_cache()
    openapi_cache.forget()
    providers = ("recruitee", "affinity", "projecttool")
    connections = {provider: sandbox_connection(provider) for provider in providers}
    for resource in (OFFERS, CANDIDATES):
        sync_resource(connection=connections["recruitee"], resource=resource, full=True)
    for resource in (ORGANIZATIONS, PERSONS):
        sync_resource(connection=connections["affinity"], resource=resource)
    for label in ("workspaces", "users", "projects"):
        sync_resource(
            connection=connections["projecttool"], resource=resources_for("projecttool")[label]
        )
    jsonplaceholder = Connection.objects.create(
        provider="openapi",
        name="jsonplaceholder",
        base_url=sandbox_clean.url_for("jsonplaceholder"),
    )
    OpenApiSource.objects.create(connection=jsonplaceholder, document=JSONPLACEHOLDER.read_text())
    connections["openapi"] = jsonplaceholder
    OutboxItem.objects.create(
        connection=connections["recruitee"],
        operation=CandidateCreate.name,
        submission_key="create-candidate-someone",
        summary="Create candidate Someone with a very long name, firstname.lastname@example.com",
        status=OutboxItem.Status.NEEDS_ATTENTION,
        last_error="Gave up after 5 tries",
    )
    yield connections
    clear_token_cache()
    openapi_cache.forget()
