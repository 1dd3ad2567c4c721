"""Providers declare what they can do on the class; the apps read it, never guess it."""

from __future__ import annotations

from datetime import date

from integrations.providers import PROVIDERS, Provider
from integrations.providers.base import WebhookSupport
from integrations.providers.project_records import ProjectInput


def test_the_base_class_holds_every_default():
    bare = Provider()
    assert bare.resources == ()
    assert bare.bulk_create_limit == 0
    assert bare.idempotency_header == ""
    assert bare.webhooks is None
    assert bare.project_fields == bare.required_project_fields == ()
    assert bare.project_statuses == bare.project_priorities == ()
    assert bare.project_field_names == {}
    assert bare.project_rule_errors(ProjectInput(name="x", start_date=date(2026, 1, 1))) == {}


def test_each_provider_declares_its_resources_bulk_and_idempotency():
    declared = {
        name: (p.resources, p.bulk_create_limit, p.idempotency_header)
        for name, p in PROVIDERS.items()
    }
    assert declared == {
        "recruitee": (("offers", "candidates"), 0, ""),
        "affinity": (("organizations", "persons", "lists"), 0, ""),
        "projecttool": (("projects", "workspaces", "users"), 50, "Idempotency-Key"),
        "asana": (("projects", "workspaces", "users", "teams"), 0, ""),
        # Its resources come from each connection's document; no idempotency keys, which
        # is why the generated pages' writes are reconciled by lookups (apis/outbox.py).
        "openapi": ((), 0, ""),
    }


def test_webhooks_are_declared_as_the_providers_document_them():
    assert PROVIDERS["recruitee"].webhooks == WebhookSupport(
        registration="ui", signature_header="X-Recruitee-Signature"
    )
    # Unsigned; only the URL's token and `sent_at` inside the SDK's 300 s window.
    assert PROVIDERS["affinity"].webhooks == WebhookSupport(
        registration="api", replay_window_seconds=300
    )
    asana = PROVIDERS["asana"].webhooks
    assert asana.signature_header == "X-Hook-Signature"
    assert asana.handshake_header == "X-Hook-Secret" and not asana.event_id
    projecttool = PROVIDERS["projecttool"].webhooks
    assert projecttool.event_id and projecttool.signature_header == "webhook-signature"
    assert projecttool.replay_window_seconds == 300
