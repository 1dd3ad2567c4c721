"""The sandbox as one object: the store, every fake API under its prefix, and the faults."""

from __future__ import annotations

import threading

from integrations.sandbox.affinity import AffinityApi
from integrations.sandbox.asana import AsanaApi
from integrations.sandbox.base import FakeApi
from integrations.sandbox.faults import FaultBoard, FaultConfig
from integrations.sandbox.projecttool import ProjectToolApi
from integrations.sandbox.recruitee import RecruiteeApi
from integrations.sandbox.store import SandboxStore
from integrations.sandbox.webhooks import WebhookSender


class SandboxApp:
    def __init__(
        self,
        store: SandboxStore,
        *,
        affinity_monthly_limit: int = 100_000,
        oauth_token_ttl: int = 3600,
    ) -> None:
        self.store = store
        self.projects = ProjectToolApi(store, token_ttl=oauth_token_ttl)
        self.apis: dict[str, FakeApi] = {
            api.name: api
            for api in (
                RecruiteeApi(store),
                AffinityApi(store, monthly_limit=affinity_monthly_limit),
                self.projects,
                AsanaApi(store),
            )
        }
        self.faults = FaultBoard(list(self.apis))
        # Set on shutdown so that hanging requests (and webhook senders) stop waiting.
        self.stopping = threading.Event()
        self.webhooks = WebhookSender(self.faults, self.stopping)
        for api in self.apis.values():
            api.webhooks = self.webhooks

    def resolve(self, path: str) -> tuple[FakeApi | None, str]:
        """The API serving a path, and the path inside its prefix."""
        for api in self.apis.values():
            if path == api.prefix or path.startswith(api.prefix + "/"):
                return api, path[len(api.prefix) :] or "/"
        return None, path

    def set_faults(self, provider: str, config: FaultConfig) -> None:
        """Replace one provider's faults ("all" for every provider)."""
        names = list(self.apis) if provider == "all" else [provider]
        for name in names:
            self.faults.set(name, config)
            api = self.apis[name]
            api.budget.set_limit(config.rate_limit_per_minute or api.default_rate_limit)

    def reset(self) -> None:
        """Clear every fault and budget; stored records stay."""
        self.faults.reset()
        for api in self.apis.values():
            api.reset()

    def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server shuts down."""
        self.stopping.wait(seconds)
