"""Production smoke test: deploy as docs/deploy.md says, then use the app in headless Chromium.

Run with `make smoke`. It copies the repository's files to a temporary folder
(as a fresh clone would have them), writes `.env` with production values,
runs the shell commands of docs/deploy.md sections 2, 3 and 5 as written,
puts a TLS-terminating proxy in front of gunicorn, and then logs in, opens
every page (each checked with axe-core, as the browser tests do) and creates a
candidate in the sandbox. Every process it started
is stopped, and the folder removed, however it ends. Exit status 0 means
every check passed.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser tests' axe check, below
from tests.browser.accessibility import axe_violations, describe  # noqa: E402

DEPLOY_DOC = ROOT / "docs" / "deploy.md"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The lines of section 2 that build the virtualenv: the copy links the installed one instead.
VENV_LINES = ("python3.11 -m venv", ".venv/bin/pip install")
# URL names that are not pages a person opens: actions (POST only), htmx fragments and a
# download. Every other URL of the URL conf must be visited, so a new page is not forgotten.
NOT_PAGES = {
    "logout": "POST only; the test logs out through the menu at the end",
    "integrations:sync_start": "POST only (Sync now)",
    "integrations:sync_run": "htmx fragment: a sync bar's progress (a page opened directly)",
    "integrations:sync_run_panel": "htmx fragment: a sync run page's own panel",
    "core:favicon": "a redirect to the SVG icon base.html links",
    "ats:candidate_note_add": "POST only (the note form on a candidate's page)",
    "integrations:outbox_retry": "POST only",
    "integrations:outbox_send_again": "POST only (Send again, on a write the hub cannot look up)",
    "integrations:outbox_dismiss": "POST only (Dismiss, on a stuck or refused write)",
    "crm:organization_choices": "htmx fragment: chooser results",
    "crm:person_choices": "htmx fragment: chooser results",
    "projects:project_import_submit": "POST only",
    "projects:project_import_progress": "htmx fragment: import progress",
    "projects:project_import_example": "a CSV download, fetched and checked by preview_an_import",
    "core:duplicate_dismiss": "POST only (Not a duplicate)",
    "integrations:webhook_receive": "POST only, for providers (tests/unit/webhooks)",
    "integrations:changes_stamp": "JSON for a list to poll, not a page",
    "integrations:metrics": "Prometheus text for a scraper with METRICS_TOKEN (404 without one)",
}
# Every list's exports (`<name>_export_csv|xlsx`) are downloads, not pages to open:
# tests/unit/export checks their files and tests/browser/test_export.py a download. One
# too large for a request has its page (`_export`), reached by posting the offer, and its
# download (`_export_download`); the smoke's lists are under EXPORT_IN_REQUEST_MAX_ROWS, and
# tests/browser/test_export.py opens both with a worker running. Its bulk actions
# (`<name>_bulk`, POST only) lead to their result page (`_bulk_result`), which no link
# opens: tests/unit/bulk and tests/browser/test_bulk.py use both.
GENERATED_SUFFIXES = (
    "_export_csv", "_export_xlsx", "_export", "_export_download", "_bulk", "_bulk_result",
)  # fmt: skip


def not_a_page(name: str | None) -> bool:
    return name in NOT_PAGES or (name or "").endswith(GENERATED_SUFFIXES)


# Pages that show their links only once a form is filled: opened first, in the crawl.
FILLED_FORMS = ["/organizations/search/?term=a"]
# A 1x1 transparent PNG: what the provider's media host (candidate photos) answers here.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


class SmokeFailure(Exception):
    """A check failed; the message says which."""


# --- docs/deploy.md -------------------------------------------------------------------


@dataclass
class Step:
    section: str
    command: str

    @property
    def background(self) -> bool:
        return self.command.endswith("&") or self.section.startswith("3.")


def deploy_steps(doc: str) -> list[Step]:
    """The shell commands of sections 2, 3 and 5, one per (joined) line, in order."""
    steps: list[Step] = []
    for section, body in re.findall(r"^## (\d\..*?)\n(.*?)(?=^## |\Z)", doc, re.M | re.S):
        if not section.startswith(("2.", "3.", "5.")):
            continue
        for block in re.findall(r"```sh\n(.*?)```", body, re.S):
            for line in block.replace("\\\n", " ").splitlines():
                command = " ".join(line.split())
                if command and not command.startswith(VENV_LINES):
                    steps.append(Step(section, command))
    return steps


# --- the deployment folder --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_repository(target: Path) -> None:
    """The files a clone of the work tree would have (tracked and new, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to((ROOT / ".venv").resolve())


def write_env(target: Path, values: dict[str, str]) -> None:
    """`.env.example` with the given values set (the first occurrence of a key wins)."""
    lines, seen = [], set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        key = line.lstrip("# ").split("=", 1)[0]
        if "=" in line and key in values:
            lines.append(f"{key}={values[key]}")
            seen.add(key)
        else:
            lines.append(line)
    lines += [f"{key}={value}" for key, value in values.items() if key not in seen]
    (target / ".env").write_text("\n".join(lines) + "\n")


def production_values(folder: Path, *, proxy_port: int, sandbox_port: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{proxy_port}",
        "DJANGO_BEHIND_TLS_PROXY": "true",
        "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "INTEGRATIONS_ALLOW_LOOPBACK": "true",
    }


# --- processes ---------------------------------------------------------------------------


@dataclass
class Processes:
    """Every process the smoke test starts, each in its own session, so its children stop too."""

    folder: Path
    env: dict[str, str]
    logs: Path
    started: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def run(self, command: str, *, background: bool) -> None:
        name = f"{len(self.started) + 1:02d}-{command.split()[0].rsplit('/', 1)[-1]}"
        log = (self.logs / f"{name}.log").open("w")
        print(f"$ {command}", flush=True)
        process = subprocess.Popen(  # noqa: S603 - the commands of docs/deploy.md
            ["/bin/bash", "-euo", "pipefail", "-c", command.removesuffix("&")],
            cwd=self.folder,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process))
        if background:
            return
        if process.wait(timeout=600) != 0:
            raise SmokeFailure(f"`{command}` exited {process.returncode}")

    def stop_all(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def print_logs(self, lines: int = 40) -> None:
        for log in sorted(self.logs.glob("*.log")):
            print(f"--- {log.name} (last {lines} lines)")
            print("\n".join(log.read_text(errors="replace").splitlines()[-lines:]))

    def check_running(self) -> None:
        for name, process in self.started:
            if process.poll() is not None and process.returncode != 0:
                raise SmokeFailure(f"{name} stopped with exit status {process.returncode}")


def wait_for_port(url: str, processes: Processes, timeout: float = 60) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_running()
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SmokeFailure(f"nothing listens on {url} after {timeout:.0f} s")


def check_health(app_url: str) -> None:
    """/healthz, asked over plain http as a load balancer asks the backend, answers 200.

    The check names the backend by its own address, which DJANGO_ALLOWED_HOSTS lacks.
    """
    parts = urlsplit(app_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", "/healthz", headers={"Host": f"192.0.2.10:{parts.port}"})
        answer = connection.getresponse()
        body = answer.read().decode(errors="replace")
    finally:
        connection.close()
    if answer.status != 200:
        raise SmokeFailure(f"/healthz answered {answer.status}: {body}")


# --- the TLS-terminating proxy -----------------------------------------------------------


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}


def proxy_handler(upstream_port: int) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        """Forwards one request to gunicorn with X-Forwarded-Proto: https, as nginx would."""

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.client_address[0]}
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
            finally:
                upstream.close()
            self.send_response_only(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = forward

        def log_message(self, format: str, *args: object) -> None:
            pass  # gunicorn's access log has every request

    return Forward


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Chromium drops a connection now and then over the self-signed certificate, then
        # retries; a failure that matters shows as a failed request in the browser.
        if not isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            super().handle_error(request, client_address)


def start_tls_proxy(port: int, upstream_port: int, folder: Path) -> ThreadingHTTPServer:
    cert, key = self_signed_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = QuietServer(("127.0.0.1", port), proxy_handler(upstream_port))
    # The handshake happens in each request's thread, so a slow client blocks no one.
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the pages ---------------------------------------------------------------------------


def app_url_patterns() -> list[dict[str, str]]:
    """Every URL of the URL conf but the admin's: its name, route and regex. Needs Django set up."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver) and str(entry.pattern) != "admin/":
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                regex = RoutePattern(route, is_endpoint=True).regex.pattern
                yield {"name": namespace + entry.name, "route": route, "regex": regex}

    return list(walk(get_resolver().url_patterns, "", ""))


# Run by the deployed copy's `manage.py shell`, so the URL conf is the one being served.
URLCONF_SCRIPT = (
    "import json, sys; sys.path.insert(0, 'scripts'); import smoke_test; "
    "print(json.dumps(smoke_test.app_url_patterns()))"
)


@dataclass
class UrlConf:
    """The app's URLs (the admin's own left out), to know which kind of page a link opens."""

    patterns: list[dict[str, str]]

    def name_of(self, path: str) -> str | None:
        for pattern in self.patterns:
            if re.match(pattern["regex"], path.lstrip("/")):
                return pattern["name"]
        return None

    def pages_without_parameters(self) -> list[tuple[str, str]]:
        return [
            (p["name"], "/" + p["route"])
            for p in self.patterns
            if "<" not in p["route"] and not not_a_page(p["name"])
        ]


def read_urlconf(folder: Path, env: dict[str, str]) -> UrlConf:
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [".venv/bin/python", "manage.py", "shell", "-c", URLCONF_SCRIPT],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return UrlConf(json.loads(output.strip().splitlines()[-1]))


@dataclass
class Browse:
    """One signed-in browser tab and what went wrong on the page it shows."""

    base_url: str
    page: object
    problems: list[str] = field(default_factory=list)
    current: str = "login"
    opened: list[str] = field(default_factory=list)
    static_checked: dict[str, int] = field(default_factory=dict)

    def note(self, problem: str) -> None:
        self.problems.append(f"{self.current}: {problem}")

    def watch(self) -> None:
        page = self.page
        page.on("console", lambda m: m.type == "error" and self.note(f"console: {m.text}"))
        page.on("pageerror", lambda error: self.note(f"script error: {error}"))
        page.on(
            "requestfailed",
            lambda r: r.failure != "net::ERR_ABORTED" and self.note(f"{r.url}: {r.failure}"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and self.note(f"{r.request.method} {r.url}: {r.status}"),
        )
        # Chromium logs CSP violations to the console too; this names the directive.
        page.add_init_script(
            """document.addEventListener("securitypolicyviolation", (e) =>
                console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));"""
        )

    def open(self, path: str) -> list[str]:
        """Open a page, check it, and return the app's links on it."""
        self.current = path
        self.opened.append(path)
        response = self.page.goto(self.base_url + path)
        if response is None or response.status != 200:
            self.note(f"answered {response.status if response else 'nothing'}, not 200")
        self.page.wait_for_load_state("networkidle")
        self.check_static_files()
        self.check_accessibility()
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        return [h.removeprefix(self.base_url) for h in hrefs if h.startswith(self.base_url)]

    def check_accessibility(self) -> None:
        """axe-core finds no serious or critical violation on the page shown."""
        if violations := axe_violations(self.page):
            self.note(f"axe:\n{describe(violations)}")

    def check_static_files(self) -> None:
        """Every stylesheet, script, icon and image the page links under /static/ is served."""
        urls = self.page.eval_on_selector_all(
            "link[href], script[src], img[src]", "els => els.map(e => e.href || e.src)"
        )
        for url in (u for u in urls if urlsplit(u).path.startswith("/static/")):
            if url not in self.static_checked:
                self.static_checked[url] = self.page.request.get(url).status
            if self.static_checked[url] != 200:
                self.note(f"static file {url}: {self.static_checked[url]}")


def stand_in_for_outside(route) -> None:
    """Nothing reaches the internet: photos get a stand-in image, anything else is refused."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=PIXEL)
    else:
        route.abort()


def log_in(tab: Browse, password: str) -> None:
    tab.open("/accounts/login/")
    tab.page.fill("input[name=username]", "admin")
    tab.page.fill("input[name=password]", password)
    tab.page.click("button[type=submit]")
    tab.page.wait_for_url(tab.base_url + "/")


def visit_every_page(tab: Browse, urlconf: UrlConf) -> set[str]:
    """The dashboard's links (the nav's among them), the URL conf's pages, and one link of
    each other kind found on those pages. Returns the URL names opened."""
    dashboard_links = tab.open("/")
    queue = [
        *FILLED_FORMS,
        *dashboard_links,
        *(path for _, path in urlconf.pages_without_parameters()),
    ]
    opened_names, opened_paths = {"core:dashboard"}, {"/"}
    while queue:
        path = queue.pop(0).split("#")[0]
        name = urlconf.name_of(urlsplit(path).path)
        if path in opened_paths or not_a_page(name) or name in opened_names:
            continue
        opened_paths.add(path)
        if name is None:  # the admin's pages that the app links; its own links are Django's
            if path in dashboard_links:
                tab.open(path)
            continue
        opened_names.add(name)
        queue += tab.open(path)
    return opened_names


def preview_an_import(tab: Browse) -> str:
    """Upload the app's example CSV; the preview page only exists for an uploaded file."""
    tab.current = "/projects/import/example.csv"
    example = tab.page.request.get(tab.base_url + tab.current)
    if example.status != 200 or "text/csv" not in example.headers.get("content-type", ""):
        tab.note(f"answered {example.status} {example.headers.get('content-type')}")
    tab.open("/projects/import/")
    upload = {"name": "example.csv", "mimeType": "text/csv", "buffer": example.body()}
    tab.page.locator("input[type=file]").set_input_files(upload)
    tab.page.get_by_role("button", name="Check the file").click()
    tab.page.wait_for_url(re.compile(r".*/projects/import/[0-9a-f-]{36}/$"))
    tab.current = "import preview"
    tab.page.wait_for_load_state("networkidle")
    tab.check_static_files()
    tab.check_accessibility()
    return "projects:project_import_detail"


def create_a_candidate(tab: Browse) -> None:
    from playwright.sync_api import expect

    name = f"Smoke Test {secrets.token_hex(3)}"
    tab.open("/candidates/new/")
    tab.page.get_by_label("Name").fill(name)
    tab.page.get_by_label("Emails").fill("smoke.test@example.com")
    tab.page.get_by_role("button", name="Create candidate").click()
    tab.current = "candidate created"
    expect(tab.page.get_by_text("Candidate created in Recruitee.")).to_be_visible()
    expect(tab.page.get_by_role("heading", name=name)).to_be_visible()
    tab.check_accessibility()


def log_out(tab: Browse) -> None:
    tab.page.click("[data-testid=user-menu]")  # the APIs menu is a dropdown too
    tab.page.get_by_role("button", name="Log out").click()
    tab.page.wait_for_url(tab.base_url + "/accounts/login/")


def use_the_app(base_url: str, password: str, urlconf: UrlConf) -> tuple[set[str], Browse]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(ignore_https_errors=True, reduced_motion="reduce")
            context.route(lambda url: not url.startswith(base_url), stand_in_for_outside)
            page = context.new_page()
            page.set_default_timeout(15_000)
            tab = Browse(base_url, page)
            tab.watch()
            log_in(tab, password)
            visited = visit_every_page(tab, urlconf)
            visited.add(preview_an_import(tab))
            create_a_candidate(tab)
            log_out(tab)
        finally:
            browser.close()
    return visited, tab


# --- the run -------------------------------------------------------------------------------


def smoke(folder: Path, say: Callable[[str], None]) -> None:
    app_port, proxy_port, sandbox_port = free_port(), free_port(), free_port()
    copy_repository(folder)
    values = production_values(folder, proxy_port=proxy_port, sandbox_port=sandbox_port)
    write_env(folder, values)
    # Shell commands that serve, and the URL that answers once they are up.
    servers = {"gunicorn": f"http://127.0.0.1:{app_port}", "run_sandbox": values["SANDBOX_URL"]}
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep} | {"PORT": str(app_port)}
    logs = folder / "smoke-logs"
    logs.mkdir()
    processes = Processes(folder, env, logs)
    try:
        for step in deploy_steps(DEPLOY_DOC.read_text()):
            processes.run(step.command, background=step.background)
            for program, url in servers.items():
                if step.background and program in step.command:
                    wait_for_port(url, processes)
        check_health(servers["gunicorn"])
        proxy = start_tls_proxy(proxy_port, app_port, folder)
        base_url = f"https://127.0.0.1:{proxy_port}"
        say(f"gunicorn on {servers['gunicorn']}, TLS proxy on {base_url}")
        urlconf = read_urlconf(folder, env)
        visited, tab = use_the_app(base_url, values["DJANGO_SUPERUSER_PASSWORD"], urlconf)
        problems = tab.problems
        proxy.shutdown()
        processes.check_running()
        unvisited = sorted(
            name for name in {p["name"] for p in urlconf.patterns} - visited if not not_a_page(name)
        )
        problems += [f"{name}: no page linked to it, so it was not opened" for name in unvisited]
        say(f"opened {len(tab.opened)} pages, {len(visited)} kinds: {', '.join(sorted(visited))}")
        say(f"the admin's pages that the app links: {[p for p in tab.opened if 'admin/' in p]}")
        say(f"static files served: {len(tab.static_checked)}")
        if problems:
            raise SmokeFailure("\n".join(problems))
    except BaseException:
        processes.stop_all()
        processes.print_logs()
        raise
    processes.stop_all()


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop what was started
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="hub-smoke-"))
    try:
        smoke(folder, lambda message: print(f"smoke: {message}", flush=True))
    except Exception as failure:  # a failed check, or a browser step that timed out
        if not isinstance(failure, SmokeFailure):
            traceback.print_exc()
        print(f"smoke: FAILED\n{failure}", flush=True)
        print("smoke: 0 passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"smoke: the deployed app works ({time.monotonic() - started:.0f} s)")
    print("smoke: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
