"""The sandbox as one object: the store, every fake API under its prefix, and the faults.

Which fakes it serves is a list of dotted paths to `FakeApi` subclasses
(`settings.SANDBOX_FAKES`, passed in by the commands and the test fixture): a
new provider's fake is one line there, and its tables and demo data come with
it (`FakeApi.schema`, `tables`, `seed()`).
"""

from __future__ import annotations

import importlib
import random
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from integrations.sandbox.base import FakeApi
from integrations.sandbox.faults import FaultBoard, FaultConfig
from integrations.sandbox.seed import SeedSizes, seed_all
from integrations.sandbox.store import SandboxStore
from integrations.sandbox.webhooks import WebhookSender

if TYPE_CHECKING:
    from integrations.sandbox.projecttool import ProjectToolApi


def fake_class(dotted: str) -> type[FakeApi]:
    """`integrations.sandbox.recruitee.RecruiteeApi` -> the class (standard library only)."""
    module, _, name = dotted.rpartition(".")
    found = getattr(importlib.import_module(module), name, None)
    if not (isinstance(found, type) and issubclass(found, FakeApi) and found.name):
        raise ValueError(f"{dotted} is not a FakeApi subclass with a name.")
    return found


class SandboxApp:
    def __init__(
        self,
        store: SandboxStore,
        fakes: Sequence[str],
        *,
        affinity_monthly_limit: int = 100_000,
        oauth_token_ttl: int = 3600,
    ) -> None:
        self.store = store
        # Options of the fakes that take some, by fake name.
        options = {
            "affinity": {"monthly_limit": affinity_monthly_limit},
            "projects": {"token_ttl": oauth_token_ttl},
        }
        self.apis: dict[str, FakeApi] = {}
        for dotted in fakes:
            cls = fake_class(dotted)
            if cls.name in self.apis:
                raise ValueError(f"Two sandbox fakes are named {cls.name!r} ({dotted}).")
            self.apis[cls.name] = cls(store, **options.get(cls.name, {}))
        self.faults = FaultBoard(list(self.apis))
        # Set on shutdown so that hanging requests (and webhook senders) stop waiting.
        self.stopping = threading.Event()
        self.webhooks = WebhookSender(self.faults, self.stopping)
        for api in self.apis.values():
            api.webhooks = self.webhooks

    @property
    def projects(self) -> ProjectToolApi:
        """The generic project tool's fake (its OAuth tokens are controlled from outside)."""
        return cast("ProjectToolApi", self.apis["projects"])

    def seed(self, sizes: SeedSizes, seed: int) -> None:
        """Replace every record with a fresh data set: `seed_all`, then each fake's own."""
        seed_all(self.store, sizes, seed)
        with self.store.transaction() as conn:
            for api in self.apis.values():
                api.seed(conn, random.Random(f"{seed}:{api.name}"))

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
