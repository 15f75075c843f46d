"""Every event's contract, one module per producer: its types, each version's schema
and an example. Producers publish through them (Tx.publish), consumers subscribe to
them (Subscriptions.on) and their handlers receive the loaded payload; nothing else
knows an event's shape.
"""

from __future__ import annotations

from kinerja.contracts import appraisal, feedback, gateway, logs, targets
from kinerja.contracts.contract import (
    ContractViolation,
    EventType,
    InvalidPayload,
    Payload,
    UnknownVersion,
    Version,
)

PRODUCERS = {
    "gateway": gateway,
    "targets": targets,
    "logs": logs,
    "feedback": feedback,
    "appraisal": appraisal,
}

# every event type any component publishes, by name
EVENT_TYPES: dict[str, EventType] = {
    value.name: value
    for module in PRODUCERS.values()
    for value in vars(module).values()
    if isinstance(value, EventType)
}

__all__ = [
    "EVENT_TYPES",
    "PRODUCERS",
    "ContractViolation",
    "EventType",
    "InvalidPayload",
    "Payload",
    "UnknownVersion",
    "Version",
]
