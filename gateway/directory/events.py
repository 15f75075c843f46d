"""The directory's events, so every service keeps its own copy of it; their wire shape
is their contract, kinerja/contracts/gateway.py (the email is not in it: the services
need the org chart, not contact data)."""

from kinerja.contracts.gateway import (  # noqa: F401 - the events the directory publishes
    EMPLOYEE_DEACTIVATED,
    EMPLOYEE_UPSERTED,
    UNIT_UPSERTED,
)
