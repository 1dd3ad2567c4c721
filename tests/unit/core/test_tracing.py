"""OpenTelemetry tracing: a page request and a provider call make spans, no secret is in
their attributes, and with OTEL_ENABLED off nothing is imported or instrumented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from django.test import Client

from core import tracing
from integrations.models import Connection
from integrations.services.connections import connection_client

ROOT = Path(__file__).resolve().parents[3]
SECRET = "tok-SECRET-0f1e2d3c4b5a"
HOOK_TOKEN = "hook-token-SECRET-9z8y7x"


@pytest.fixture
def spans() -> Iterator[object]:
    """Tracing set up in this process with an in-memory exporter (returned), undone
    afterwards."""
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracing.tracing_setup(exporter=exporter)
    try:
        yield exporter
    finally:
        DjangoInstrumentor().uninstrument()
        RequestsInstrumentor().uninstrument()
        tracing._provider = None


def every_value(span_list) -> str:
    return json.dumps([dict(s.attributes) for s in span_list] + [s.name for s in span_list])


@pytest.mark.django_db
def test_a_provider_call_makes_a_client_span_with_the_redacted_url(spans):
    conn = Connection.objects.create(
        provider="projecttool", name="pm", base_url="https://pm.example.test/v1", api_token=SECRET
    )
    with responses.RequestsMock() as rsps:
        rsps.get("https://pm.example.test/v1/projects", json={"data": []})
        connection_client(conn).get("/projects", params={"api_key": SECRET, "page": "2"})
    exported = spans.get_finished_spans()
    (span,) = [s for s in exported if s.kind.name == "CLIENT"]
    url = span.attributes.get("url.full") or span.attributes.get("http.url")
    assert url == "https://pm.example.test/v1/projects?api_key=[REDACTED]&page=2"
    assert (
        span.attributes.get("http.status_code", span.attributes.get("http.response.status_code"))
        == 200
    )
    assert SECRET not in every_value(exported)


@pytest.mark.django_db
def test_a_page_request_makes_a_server_span_without_secrets(spans, staff_user):
    client = Client()  # a new handler: it loads the traced middleware
    client.force_login(staff_user)
    assert client.get("/calls/", {"q": "x", "access_token": SECRET}).status_code == 200
    assert client.get(f"/webhooks/affinity/{HOOK_TOKEN}/").status_code == 405
    assert client.get(f"/webhooks/affinity/{HOOK_TOKEN}").status_code == 301  # APPEND_SLASH
    exported = spans.get_finished_spans()
    servers = [s for s in exported if s.kind.name == "SERVER"]
    assert [s.name for s in servers] == [
        "GET calls/",
        "GET webhooks/<str:provider>/<str:token>/",
        "GET",
    ]
    urls = [s.attributes.get("url.full") or s.attributes.get("http.url") for s in servers]
    assert urls == [
        "http://testserver/calls/?q=x&access_token=[REDACTED]",
        "http://testserver/webhooks/affinity/********/",
        "http://testserver/webhooks/affinity/********",
    ]
    text = every_value(exported)
    assert SECRET not in text and HOOK_TOKEN not in text


def test_another_outgoing_request_shows_its_origin_only(spans):
    import requests

    with responses.RequestsMock() as rsps:
        rsps.post(f"https://hooks.example.test/services/{HOOK_TOKEN}", status=200)
        requests.post(f"https://hooks.example.test/services/{HOOK_TOKEN}", json={}, timeout=5)
    (span,) = spans.get_finished_spans()
    url = span.attributes.get("url.full") or span.attributes.get("http.url")
    assert url == "https://hooks.example.test/[REDACTED]"
    assert HOOK_TOKEN not in every_value([span])


def test_setup_happens_once_per_process(spans):
    assert tracing.tracing_setup() is tracing._provider


PROBE = """
import json, sys, django, requests
django.setup()
from django.conf import settings
print(json.dumps({
    "imported": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
    "middleware": [m for m in settings.MIDDLEWARE if "opentelemetry" in m],
    "send_wrapped": hasattr(requests.Session.send, "__wrapped__"),
}))
"""


def probe(**env: str) -> dict:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", **env}
    output = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_nothing_is_imported_or_instrumented_when_disabled():
    found = probe(OTEL_ENABLED="false")
    assert found == {"imported": [], "middleware": [], "send_wrapped": False}


def test_enabled_by_the_setting_at_startup():
    found = probe(OTEL_ENABLED="true", OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert found["middleware"] == [
        "opentelemetry.instrumentation.django.middleware.otel_middleware._DjangoMiddleware"
    ]
    assert found["send_wrapped"] is True
    assert "opentelemetry.exporter.otlp.proto.http.trace_exporter" in found["imported"]
