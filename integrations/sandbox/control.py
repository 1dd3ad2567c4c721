"""The control endpoint, on the sandbox's own port under /_sandbox/.

    GET    /_sandbox/health              {"status": "ok"}
    GET    /_sandbox/faults              every provider's fault settings
    PUT    /_sandbox/faults/{provider}   replace one provider's faults ("all" for every one)
    DELETE /_sandbox/faults              clear every fault
    POST   /_sandbox/reset               clear faults and rate-limit budgets
    POST   /_sandbox/oauth/expire        expire every issued project-tool access token
    GET    /_sandbox/counts              rows per sandbox table
    POST   /_sandbox/webhooks/recruitee  {"url", "secret"}: a Recruitee webhook, as a person
                                         adds one in its settings (created only if the
                                         test ping `{"test":true}` gets 200)
    GET    /_sandbox/webhooks/recruitee  the Recruitee webhooks (secrets left out)
    DELETE /_sandbox/webhooks/recruitee  remove them all
    GET    /_sandbox/webhooks/attempts   every webhook attempt sent: [kind, status, ms]
                                         (kind: event, retry, forged, replay)

No credentials: the sandbox binds to a loopback address and holds only fake data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.sandbox.faults import FaultConfig
from integrations.sandbox.router import Router
from integrations.sandbox.store import dumps, next_id
from integrations.sandbox.webhook_shapes import recruitee_test_ping
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

if TYPE_CHECKING:
    from integrations.sandbox.app import SandboxApp

PREFIX = "/_sandbox"


def build_router(app: SandboxApp) -> Router:
    router = Router()

    def faults(request: Request) -> Response:
        return json_response(200, app.faults.snapshot())

    def set_faults(request: Request) -> Response:
        provider = request.params["provider"]
        if provider != "all" and provider not in app.apis:
            return json_response(404, {"error": f"Unknown provider {provider!r}"})
        try:
            body = request.payload()
            config = FaultConfig.from_dict(body if isinstance(body, dict) else {})
        except (PayloadError, ValueError, TypeError) as exc:
            return json_response(400, {"error": str(exc)})
        app.set_faults(provider, config)
        return json_response(200, app.faults.snapshot())

    def clear_faults(request: Request) -> Response:
        app.set_faults("all", FaultConfig())
        return json_response(200, app.faults.snapshot())

    def reset(request: Request) -> Response:
        app.reset()
        return json_response(200, app.faults.snapshot())

    def expire_tokens(request: Request) -> Response:
        app.projects.expire_tokens()
        return json_response(200, {"expired": True})

    def counts(request: Request) -> Response:
        return json_response(200, {table: app.store.count(table) for table in app.store.tables})

    def recruitee_webhook_add(request: Request) -> Response:
        try:
            body = request.payload()
        except PayloadError as exc:
            return json_response(400, {"error": str(exc)})
        url, secret = (body.get("url"), body.get("secret")) if isinstance(body, dict) else ("", "")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not secret:
            return json_response(400, {"error": "url (http or https) and secret are required"})
        status, _ = app.webhooks.deliver_now(recruitee_test_ping(url))
        if status != 200:
            return json_response(422, {"error": f"The test request got {status or 'no answer'}"})
        with app.store.transaction() as conn:
            webhook = {"id": next_id(conn, "recruitee_webhooks"), "url": url, "secret": secret}
            conn.execute(
                "INSERT INTO recruitee_webhooks VALUES (?, ?)", (webhook["id"], dumps(webhook))
            )
        return json_response(201, {"id": webhook["id"], "url": url})

    def recruitee_webhook_list(request: Request) -> Response:
        hooks = app.store.payloads("SELECT payload FROM recruitee_webhooks ORDER BY id")
        return json_response(200, [{"id": h["id"], "url": h["url"]} for h in hooks])

    def recruitee_webhook_clear(request: Request) -> Response:
        with app.store.transaction() as conn:
            conn.execute("DELETE FROM recruitee_webhooks")
        return json_response(200, [])

    router.add(
        "GET", "/webhooks/attempts", lambda r: json_response(200, list(app.webhooks.attempts))
    )
    router.add("POST", "/webhooks/recruitee", recruitee_webhook_add)
    router.add("GET", "/webhooks/recruitee", recruitee_webhook_list)
    router.add("DELETE", "/webhooks/recruitee", recruitee_webhook_clear)
    router.add("GET", "/health", lambda request: json_response(200, {"status": "ok"}))
    router.add("GET", "/faults", faults)
    router.add("PUT", "/faults/{provider}", set_faults)
    router.add("POST", "/faults/{provider}", set_faults)
    router.add("DELETE", "/faults", clear_faults)
    router.add("POST", "/reset", reset)
    router.add("POST", "/oauth/expire", expire_tokens)
    router.add("GET", "/counts", counts)
    return router


def handle(router: Router, request: Request) -> Response:
    found = router.match(request.method, request.path)
    if found is None:
        return json_response(404, {"error": f"No control endpoint {request.method} {request.path}"})
    handler, request.params = found
    return handler(request)
