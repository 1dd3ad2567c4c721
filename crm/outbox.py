"""The writes this app offers, declared for the outbox."""

from integrations.outbox.operations import OutboxOperation

OPERATIONS: list[type[OutboxOperation]] = []
