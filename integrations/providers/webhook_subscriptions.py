"""Webhook subscriptions at the providers whose API has them (the wire only).

Affinity v1: `POST /webhook/subscribe {webhook_url, subscriptions}`, `GET /webhook`,
`DELETE /webhook/{id}` (affinity.md §7). Asana: `POST /webhooks {"data": {resource,
target, filters}}` (the handshake reaches the receiver while this call is in
flight), `GET /webhooks?workspace=` (paged), `DELETE /webhooks/{gid}`. The generic tool:
`POST /webhooks {url, events}` answering the Standard Webhooks `secret` once,
`GET /webhooks`, `DELETE /webhooks/{id}`. Recruitee has none: a person adds the
webhook in its settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from integrations.http.client import ApiClient
from integrations.providers.readers import mapping

AFFINITY_EVENTS = (
    "organization.created", "organization.updated", "organization.deleted",
    "organization.merged", "person.created", "person.updated", "person.deleted",
)  # fmt: skip
PROJECTTOOL_EVENTS = ("project.created", "project.updated", "project.deleted")
# Filters are required on workspace webhooks (project-tool.md §2).
ASANA_FILTERS = [
    {"resource_type": "project", "action": action}
    for action in ("added", "changed", "removed", "deleted", "undeleted")
]


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    active: bool
    secret: str = ""  # the generic tool's, answered once at creation; never listed


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        data = data.get("data")
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


# --- Affinity ------------------------------------------------------------------


def affinity_subscribe(client: ApiClient, *, url: str) -> Subscription:
    data = client.post(
        "/webhook/subscribe", json={"webhook_url": url, "subscriptions": list(AFFINITY_EVENTS)}
    ).data
    return _affinity(mapping(data))


def affinity_subscriptions(client: ApiClient) -> list[Subscription]:
    return [_affinity(item) for item in _items(client.get("/webhook").data)]


def affinity_unsubscribe(client: ApiClient, subscription_id: str) -> None:
    client.delete(f"/webhook/{quote(subscription_id, safe='')}")


def _affinity(item: dict[str, Any]) -> Subscription:
    return Subscription(
        id=str(item.get("id", "")), url=str(item.get("webhook_url", "")),
        active=not item.get("disabled", False),
    )  # fmt: skip


# --- Asana -----------------------------------------------------------------------


def asana_subscribe(client: ApiClient, *, url: str, resource: str) -> Subscription:
    body = {"data": {"resource": resource, "target": url, "filters": ASANA_FILTERS}}
    return _asana(mapping(mapping(client.post("/webhooks", json=body).data).get("data")))


def asana_subscriptions(client: ApiClient, *, workspace: str) -> list[Subscription]:
    """Every page (`limit` + `next_page.offset`): the workspace may hold other apps' hooks."""
    return [
        _asana(item)
        for page in client.paginate(
            "/webhooks", items_key="data", params={"workspace": workspace}, page_size=100
        )
        for item in page.items
        if isinstance(item, dict)
    ]


def asana_unsubscribe(client: ApiClient, subscription_id: str) -> None:
    client.delete(f"/webhooks/{quote(subscription_id, safe='')}")


def _asana(item: dict[str, Any]) -> Subscription:
    return Subscription(
        id=str(item.get("gid", "")), url=str(item.get("target", "")),
        active=bool(item.get("active", True)),
    )  # fmt: skip


# --- the generic project tool ----------------------------------------------------------


def projecttool_subscribe(client: ApiClient, *, url: str) -> Subscription:
    data = mapping(
        client.post("/webhooks", json={"url": url, "events": list(PROJECTTOOL_EVENTS)}).data
    )
    return Subscription(
        id=str(data.get("id", "")), url=str(data.get("url", "")), active=True,
        secret=str(data.get("secret", "")),
    )  # fmt: skip


def projecttool_subscriptions(client: ApiClient) -> list[Subscription]:
    """Every page of the list envelope: the account may hold other apps' webhooks."""
    return [
        Subscription(id=str(item.get("id", "")), url=str(item.get("url", "")), active=True)
        for page in client.paginate("/webhooks", items_key="data", page_size=100)
        for item in page.items
        if isinstance(item, dict)
    ]


def projecttool_unsubscribe(client: ApiClient, subscription_id: str) -> None:
    client.delete(f"/webhooks/{quote(subscription_id, safe='')}")
