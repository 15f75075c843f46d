"""The one envelope every event travels in (see DESIGN.md, Events)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from kinerja.logs import current_ids

EVENT_TYPE = validate.Regexp(
    r"^[a-z]+\.[a-z_]+\.[a-z_]+$", error="type must be service.entity.verb"
)


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=EVENT_TYPE)
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.String(required=True)
    producer = fields.String(required=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    causation_id = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


class MalformedEvent(ValueError):
    """A message that is not a valid envelope: it goes to the dead-letter queue unread."""


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    version: int
    occurred_at: str
    producer: str
    data: dict
    correlation_id: str | None = None
    causation_id: str | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def new(cls, event_type: str, data: dict, producer: str, version: int = 1) -> Envelope:
        """A fresh event carrying the correlation and causation ids of the current context."""
        ids = current_ids()
        event_id = uuid.uuid4().hex
        return cls(
            id=event_id,
            type=event_type,
            version=version,
            occurred_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            producer=producer,
            data=data,
            correlation_id=ids.get("correlation_id") or event_id,
            causation_id=ids.get("causation_id") or ids.get("request_id"),
        )

    @classmethod
    def parse(cls, body: object) -> Envelope:
        try:
            loaded = EnvelopeSchema().load(body if isinstance(body, dict) else {})
        except ValidationError as exc:
            raise MalformedEvent(str(exc.messages)) from exc
        return cls(**loaded)

    def to_dict(self) -> dict:
        body = asdict(self)
        body.pop("extra")
        return body

    @property
    def occurred(self) -> datetime:
        return datetime.fromisoformat(self.occurred_at)
