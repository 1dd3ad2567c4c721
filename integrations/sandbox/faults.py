"""Fault injection per provider: latency, error answers, hangs, drops, truncation, and
for the webhooks the sandbox sends: duplicates, delays (jitter: out of order), drops,
bad signatures and replays of an old delivery.

A `FaultConfig` says what to inject; `ProviderFaults.decide()` rolls the dice
once per request (with its own seeded `random.Random`, so a test that sets a
seed sees the same sequence every run) and returns a `Decision` the server
carries out on the socket.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

ERROR_STATUSES = (429, 500, 502, 503, 504)
WEBHOOK_RATE_FIELDS = (
    "webhook_duplicate_rate",
    "webhook_drop_rate",
    "webhook_bad_signature_rate",
    "webhook_replay_rate",
)
RATE_FIELDS = (
    "error_rate",
    "hang_rate",
    "drop_before_rate",
    "drop_after_rate",
    "truncate_rate",
    *WEBHOOK_RATE_FIELDS,
)
OPTIONAL_FIELDS = ("rate_limit_per_minute", "max_faults", "seed")


class Action(Enum):
    NONE = "none"
    # The request is received (body read, credentials and budget checked, idempotency
    # key reserved), then held for `hang_seconds` (past the client's timeout) before it
    # is handled and answered. A request refused at that door is answered at once.
    HANG = "hang"
    DROP_BEFORE = "drop_before"  # close the socket before reading the body: nothing happened
    ERROR = "error"  # answer with one of `error_statuses` instead of handling the request
    DROP_AFTER = "drop_after"  # handle the request, then close without answering: outcome unknown
    TRUNCATE = "truncate"  # handle it, send half the body, close


@dataclass
class FaultConfig:
    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    retry_after: int = 1  # seconds, on injected 429s
    hang_rate: float = 0.0
    hang_seconds: float = 30.0
    drop_before_rate: float = 0.0
    drop_after_rate: float = 0.0
    truncate_rate: float = 0.0
    rate_limit_per_minute: int | None = None  # replaces the provider's own budget
    methods: tuple[str, ...] = ()  # only requests with these methods get faults; empty: all
    max_faults: int | None = None  # stop injecting after this many faults (None: never stop)
    seed: int | None = None
    # Webhooks the sandbox sends (webhooks.py): each event's first delivery waits
    # webhook_delay_ms + up to webhook_jitter_ms (so events overtake each other).
    webhook_duplicate_rate: float = 0.0  # delivered twice
    webhook_drop_rate: float = 0.0  # never delivered (Asana: at most once)
    webhook_bad_signature_rate: float = 0.0  # a forged copy first (wrong secret)
    webhook_replay_rate: float = 0.0  # an old delivery sent again later, as captured
    webhook_delay_ms: int = 0
    webhook_jitter_ms: int = 0

    def __post_init__(self) -> None:
        for name in RATE_FIELDS:
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        bad = set(self.error_statuses) - set(ERROR_STATUSES)
        if bad or not self.error_statuses:
            raise ValueError(f"error_statuses must be chosen from {ERROR_STATUSES}")
        if min(self.latency_ms, self.jitter_ms, self.retry_after, self.hang_seconds) < 0:
            raise ValueError("latency_ms, jitter_ms, retry_after and hang_seconds must be >= 0")
        self.methods = tuple(method.upper() for method in self.methods)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from JSON values or from the strings of `key=value` command-line pairs."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"Unknown fault setting(s): {', '.join(sorted(unknown))}")
        return cls(**{name: _coerce(name, value) for name, value in data.items()})

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Decision:
    delay: float = 0.0  # seconds of latency before anything else
    action: Action = Action.NONE
    status: int | None = None  # for Action.ERROR
    hang_seconds: float = 0.0  # for Action.HANG


@dataclass(frozen=True)
class WebhookDecision:
    delay: float = 0.0
    duplicate: bool = False
    drop: bool = False
    bad_signature: bool = False
    replay: bool = False


@dataclass
class ProviderFaults:
    config: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        self._random = random.Random(self.config.seed)
        self._lock = threading.Lock()
        self._injected = 0

    def decide(self, method: str) -> Decision:
        config = self.config
        if config.methods and method.upper() not in config.methods:
            return Decision()
        with self._lock:
            delay = (config.latency_ms + self._random.uniform(0, config.jitter_ms)) / 1000
            if config.max_faults is not None and self._injected >= config.max_faults:
                return Decision(delay=delay)
            action = self._pick_action()
            if action is Action.NONE:
                return Decision(delay=delay)
            self._injected += 1
            status = self._random.choice(config.error_statuses) if action is Action.ERROR else None
        return Decision(delay, action, status, config.hang_seconds)

    def webhook_decision(self) -> WebhookDecision:
        """The faults of one outgoing webhook event (rolled independently of requests')."""
        config = self.config
        with self._lock:
            delay = (
                config.webhook_delay_ms + self._random.uniform(0, config.webhook_jitter_ms)
            ) / 1000
            roll = {
                name: self._random.random() < getattr(config, name) for name in WEBHOOK_RATE_FIELDS
            }
        return WebhookDecision(
            delay=delay,
            duplicate=roll["webhook_duplicate_rate"],
            drop=roll["webhook_drop_rate"],
            bad_signature=roll["webhook_bad_signature_rate"],
            replay=roll["webhook_replay_rate"],
        )

    def _pick_action(self) -> Action:
        config = self.config
        for action, rate in (
            (Action.HANG, config.hang_rate),
            (Action.DROP_BEFORE, config.drop_before_rate),
            (Action.ERROR, config.error_rate),
            (Action.DROP_AFTER, config.drop_after_rate),
            (Action.TRUNCATE, config.truncate_rate),
        ):
            if rate and self._random.random() < rate:
                return action
        return Action.NONE


class FaultBoard:
    """The current faults of every provider; `set` swaps a provider's config atomically."""

    def __init__(self, providers: list[str]) -> None:
        self._faults = {name: ProviderFaults() for name in providers}

    @property
    def providers(self) -> list[str]:
        return list(self._faults)

    def get(self, provider: str) -> ProviderFaults:
        return self._faults[provider]

    def set(self, provider: str, config: FaultConfig) -> None:
        if provider not in self._faults:
            raise ValueError(f"Unknown provider {provider!r}; known: {', '.join(self._faults)}")
        self._faults[provider] = ProviderFaults(config)

    def reset(self) -> None:
        for name in self._faults:
            self._faults[name] = ProviderFaults()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: faults.config.to_dict() for name, faults in self._faults.items()}


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`["error_rate=0.2", "error_statuses=429,503"]` -> a dict for `FaultConfig.from_dict`."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"Expected key=value, got {pair!r}")
        result[key.strip()] = value.strip()
    return result


def _coerce(name: str, value: Any) -> Any:
    """Turn command-line strings (and JSON lists) into the field's type."""
    if name in ("error_statuses", "methods"):
        items = value.split(",") if isinstance(value, str) else list(value)
        items = [str(item).strip() for item in items if str(item).strip()]
        return tuple(int(item) for item in items) if name == "error_statuses" else tuple(items)
    if value is None or value in ("", "none", "None", "null"):
        if name in OPTIONAL_FIELDS:
            return None
        raise ValueError(f"{name} needs a value")
    if name in (*RATE_FIELDS, "hang_seconds"):
        return float(value)
    return int(value)
