"""Optional OpenTelemetry tracing of page requests and provider calls.

Off unless `OTEL_ENABLED`: then `CoreConfig.ready` calls `tracing_setup()` once in
each process (every gunicorn worker, `db_worker`, `run_scheduler`), before Django
loads its middleware. Spans go to an OTLP/HTTP exporter configured by the standard
environment (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`…). Nothing of OpenTelemetry is imported
while it is off.

No secret may reach a span: the instrumentations put the real URL in their
attributes, so the hooks below replace it. A provider call shows the URL as the
call log stores it (`ApiClient` puts it in `shown_url_of_send()` while it sends:
secret query values and the connection's secrets masked); any other outgoing
request (an OAuth token request, the alert webhook, whose path may be its key) shows
its origin only. A page shows its path with a webhook receiver's token masked (as the
request log does) and secret-looking query values masked. Headers are not recorded
unless the OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_* variables ask for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core.middleware import logged_path
from integrations.http.client import shown_url_of_send
from integrations.http.redaction import MASK, redact_query

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

DEFAULT_SERVICE_NAME = "integration-hub"
# Attributes that carry a whole URL, in the old and the new conventions.
CLIENT_URL_ATTRIBUTES = ("http.url", "url.full")

_provider: TracerProvider | None = None


def tracing_setup(*, exporter: SpanExporter | None = None) -> TracerProvider:
    """Instrument Django and requests in this process, once; later calls return the
    same provider. `exporter` (tests: an in-memory one) replaces the OTLP exporter."""
    global _provider  # one tracer provider per process
    if _provider is not None:
        return _provider
    from opentelemetry import trace
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    provider = TracerProvider(resource=resource)
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(tracer_provider=provider, response_hook=_page_hook)
    RequestsInstrumentor().instrument(tracer_provider=provider, request_hook=_call_hook)
    _provider = provider
    return provider


def _call_hook(span: Any, request: Any) -> None:
    """An outgoing request's span shows the redacted URL, never the real one."""
    parts = urlsplit(request.url)
    shown = shown_url_of_send() or f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/{MASK}"
    for name in CLIENT_URL_ATTRIBUTES:
        span.set_attribute(name, shown)


def _page_hook(span: Any, request: Any, response: Any) -> None:
    """A page's span shows its path with a receiver's token masked and secret query
    values masked."""
    path = logged_path(request)
    query = redact_query(request.META.get("QUERY_STRING", ""))
    target = f"{path}?{query}" if query else path
    shown = {"http.target": target, "url.path": path, "url.query": query}
    attributes = span.attributes or {}
    for name in CLIENT_URL_ATTRIBUTES:  # the origin kept, the rest replaced
        if name in attributes:
            parts = urlsplit(str(attributes[name]))
            shown[name] = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{target}"
    for name, value in shown.items():
        if name in attributes:
            span.set_attribute(name, value)
