"""Webhook subscriptions on the wire: each call pinned to the provider's documented form.

Affinity v1 (affinity.md §7): `POST /webhook/subscribe {webhook_url, subscriptions}`,
`GET /webhook` (a bare array), `DELETE /webhook/{id}`. Asana (project-tool.md §2,
openapi-webhooks-observability.md §D3): `POST /webhooks {"data": {resource, target,
filters}}`, `GET /webhooks?workspace=`. The generic tool (providers/README.md): `POST
/webhooks {url, events}` answering its `secret`; its list is the contract's list envelope.
`responses` fails any call not registered here, so each test pins method, path, query
and body.
"""

from __future__ import annotations

import json

from responses import matchers

from integrations.http.auth import BasicKeyAuth
from integrations.providers import webhook_subscriptions as wire
from tests.unit.integrations.conftest import (  # noqa: F401
    _isolated,
    make_client,
    rsps,
    sleeps,
)

AFFINITY = "https://api.affinity.co"
ASANA = "https://app.asana.com/api/1.0"
TOOL = "https://api.projects.example/v1"
HOOK = "https://hub.example/webhooks/affinity/abc"


def test_affinity_subscribes_with_webhook_url_and_the_event_list(rsps, make_client):  # noqa: F811
    body = {"webhook_url": HOOK, "subscriptions": list(wire.AFFINITY_EVENTS)}
    answer = {"id": 1234, "webhook_url": HOOK, "subscriptions": body["subscriptions"],
              "disabled": False, "created_by": 5}  # fmt: skip
    rsps.add("POST", f"{AFFINITY}/webhook/subscribe", json=answer,
             match=[matchers.json_params_matcher(body)])  # fmt: skip
    client = make_client("affinity", AFFINITY, auth=BasicKeyAuth("key"))
    assert wire.affinity_subscribe(client, url=HOOK) == wire.Subscription("1234", HOOK, True)
    assert rsps.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_affinity_lists_a_bare_array_and_deletes_by_id(rsps, make_client):  # noqa: F811
    listed = [
        {"id": 1, "webhook_url": HOOK, "subscriptions": [], "disabled": True, "created_by": 5},
        {"id": 2, "webhook_url": "https://elsewhere.example/", "subscriptions": [],
         "disabled": False, "created_by": 5},
    ]  # fmt: skip
    rsps.add("GET", f"{AFFINITY}/webhook", json=listed, match=[matchers.query_param_matcher({})])
    rsps.add("DELETE", f"{AFFINITY}/webhook/1", json={"success": True})
    client = make_client("affinity", AFFINITY, auth=BasicKeyAuth("key"))
    found = wire.affinity_subscriptions(client)
    assert [(s.id, s.active) for s in found] == [("1", False), ("2", True)]
    wire.affinity_unsubscribe(client, "1")
    assert rsps.calls[-1].request.method == "DELETE"


def test_asana_subscribes_in_its_data_envelope_with_filters(rsps, make_client):  # noqa: F811
    body = {"data": {"resource": "1200", "target": HOOK, "filters": wire.ASANA_FILTERS}}
    answer = {"data": {"gid": "987", "resource_type": "webhook", "active": True,
                       "resource": {"gid": "1200"}, "target": HOOK}}  # fmt: skip
    rsps.add("POST", f"{ASANA}/webhooks", json=answer, status=201,
             match=[matchers.json_params_matcher(body)])  # fmt: skip
    client = make_client("asana", ASANA)
    assert wire.asana_subscribe(client, url=HOOK, resource="1200") == wire.Subscription(
        "987", HOOK, True
    )
    sent = json.loads(rsps.calls[0].request.body)["data"]["filters"]
    assert {f["resource_type"] for f in sent} == {"project"}  # required on a workspace


def test_asana_lists_a_workspaces_webhooks_and_deletes_by_gid(rsps, make_client):  # noqa: F811
    answer = {"data": [{"gid": "987", "resource_type": "webhook", "active": False,
                        "resource": {"gid": "1200"}, "target": HOOK}]}  # fmt: skip
    listed = matchers.query_param_matcher({"workspace": "1200", "limit": "100"})
    rsps.add("GET", f"{ASANA}/webhooks", json=answer, match=[listed])
    rsps.add("DELETE", f"{ASANA}/webhooks/987", json={"data": {}})
    client = make_client("asana", ASANA)
    assert wire.asana_subscriptions(client, workspace="1200") == [
        wire.Subscription("987", HOOK, False)
    ]
    wire.asana_unsubscribe(client, "987")


def test_asanas_webhooks_are_read_on_every_page(rsps, make_client):  # noqa: F811
    """`limit` + `next_page.offset`: a hook past the first page is still found, so a
    subscribe whose answer was lost finds the hook it made, and removing removes it."""
    first = {"data": [{"gid": str(i), "target": f"https://other.example/{i}"} for i in range(100)],
             "next_page": {"offset": "eyJ0", "path": "/webhooks?offset=eyJ0"}}  # fmt: skip
    last = {"data": [{"gid": "987", "target": HOOK}], "next_page": None}
    listed = matchers.query_param_matcher({"workspace": "1200", "limit": "100"})
    rsps.add("GET", f"{ASANA}/webhooks", json=first, match=[listed])
    query = {"workspace": "1200", "limit": "100", "offset": "eyJ0"}
    rsps.add("GET", f"{ASANA}/webhooks", json=last,
             match=[matchers.query_param_matcher(query)])  # fmt: skip
    found = wire.asana_subscriptions(make_client("asana", ASANA), workspace="1200")
    assert len(found) == 101
    assert [s.id for s in found if s.url == HOOK] == ["987"]


def test_the_generic_tool_subscribes_and_keeps_the_secret_it_answers_once(rsps, make_client):  # noqa: F811
    body = {"url": HOOK, "events": ["project.created", "project.updated", "project.deleted"]}
    answer = {"id": 7, "url": HOOK, "events": body["events"], "secret": "whsec_c2VjcmV0"}
    rsps.add("POST", f"{TOOL}/webhooks", json=answer, status=201,
             match=[matchers.json_params_matcher(body)])  # fmt: skip
    subscription = wire.projecttool_subscribe(make_client("projecttool", TOOL), url=HOOK)
    assert (subscription.id, subscription.secret) == ("7", "whsec_c2VjcmV0")


def test_the_generic_tools_subscriptions_are_read_on_every_page(rsps, make_client):  # noqa: F811
    """The list envelope pages (`meta.totalPages`): a subscription past the first page
    is still found, so unsubscribing removes it and subscribing makes no second one."""

    def page(number: int, ids: range) -> dict:
        data = [{"id": i, "url": HOOK if i == 150 else f"https://other.example/{i}"} for i in ids]
        meta = {"currentPage": number, "totalPages": 2, "totalItems": 150, "itemsPerPage": 100}
        return {"data": data, "meta": meta}

    for number, ids in ((1, range(1, 101)), (2, range(101, 151))):
        query = {"page": str(number), "limit": "100"}
        rsps.add("GET", f"{TOOL}/webhooks", json=page(number, ids),
                 match=[matchers.query_param_matcher(query)])  # fmt: skip
    found = wire.projecttool_subscriptions(make_client("projecttool", TOOL))
    assert len(found) == 150
    assert [s.id for s in found if s.url == HOOK] == ["150"]
