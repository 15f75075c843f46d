"""What an event type is: its name and every version's payload schema, with an example.

A producer publishes the latest version through `EventType.dump`, which refuses a
payload its own schema would reject, so a broken producer fails at its write, not at
every consumer. A consumer reads any version it knows through `EventType.read`: older
versions are upgraded to the latest, so a handler is written against one shape only.
Exact decimals travel as strings and dates as ISO strings; JSON numbers would round
a regulation's arithmetic on the way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError

from kinerja.bus.envelope import EVENT_TYPE, Envelope


class Payload(Schema):
    """The base of every event's schema. Fields a consumer does not know are ignored,
    so adding an optional field is not a new version; renaming or retyping one is."""

    class Meta:
        unknown = EXCLUDE


class ContractViolation(ValueError):
    """An event no consumer can apply, however often it is retried: dead-lettered at
    once with this message as the reason, and replayable once a consumer that reads
    it is deployed."""


class UnknownVersion(ContractViolation):
    pass


class InvalidPayload(ContractViolation):
    pass


@dataclass(frozen=True)
class Version:
    number: int
    schema: type[Payload]
    # A payload exactly as a producer of this version put it on the wire: the contract
    # test feeds it to every consumer.
    example: Mapping
    # This version's wire payload as the next version's wire payload; None on the latest.
    upgrade: Callable[[dict], dict] | None = None


class EventType:
    def __init__(self, name: str, *versions: Version):
        if EVENT_TYPE(name) != name:  # raises on a name that is not service.entity.verb
            raise ValueError(name)
        numbers = [v.number for v in versions]
        if numbers != list(range(1, len(versions) + 1)):
            raise ValueError(f"{name}: versions must be 1, 2, ... in order, not {numbers}")
        if any(v.upgrade is None for v in versions[:-1]) or versions[-1].upgrade is not None:
            raise ValueError(f"{name}: every version but the latest needs its upgrade")
        self.name = name
        self.versions = {v.number: v for v in versions}
        self.latest = versions[-1]

    def __repr__(self) -> str:
        return f"EventType({self.name!r}, latest={self.latest.number})"

    def dump(self, payload: object) -> dict:
        """The wire form of a producer's payload (a mapping or an object with the
        fields as attributes), in the latest version."""
        schema = self.latest.schema()
        wire = schema.dump(payload)
        errors = schema.validate(wire)
        if errors:
            raise InvalidPayload(f"{self.name} v{self.latest.number} payload: {errors}")
        return wire

    def load(self, version: int, data: Mapping) -> dict:
        """A wire payload of any known version as the latest version's typed payload
        (Decimal, date, ...)."""
        if version not in self.versions:
            known = ", ".join(str(n) for n in self.versions)
            raise UnknownVersion(
                f"{self.name} version {version} is not one this consumer reads "
                f"(it reads {known}); replay it once a consumer that does is deployed"
            )
        wire = dict(data)
        for number in range(version, self.latest.number + 1):
            current = self.versions[number]
            errors = current.schema().validate(wire)
            if errors:
                raise InvalidPayload(f"{self.name} v{number} payload: {errors}")
            if current.upgrade is not None:
                wire = current.upgrade(wire)
        try:
            return self.latest.schema().load(wire)
        except ValidationError as exc:  # an upgrade produced what the latest rejects
            raise InvalidPayload(f"{self.name} v{version} upgraded: {exc.messages}") from exc

    def read(self, event: Envelope) -> Envelope:
        """The event with its data loaded: what a handler receives."""
        return dataclasses.replace(event, data=self.load(event.version, event.data))

    def example_event(self, version: int | None = None, producer: str = "example") -> Envelope:
        number = version or self.latest.number
        return Envelope.new(self.name, dict(self.versions[number].example), producer, number)
