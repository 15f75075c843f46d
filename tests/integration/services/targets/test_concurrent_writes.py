"""Twenty identical SKP writes at once are applied as they would be one after another:
the first is stored (and published once), the rest refused as a second one is."""

from __future__ import annotations

from tests.integration.services.targets.conftest import ACTIVITIES, CYCLE, skp_url
from tests.support import AT_ONCE, at_once


def published(client, event_type: str) -> int:
    db = client.application.extensions["kinerja"].db
    return db["outbox"].count_documents({"envelope.type": event_type})


def test_twenty_identical_drafts_at_once_create_one(app, client, people):
    body = {"cycle": CYCLE, "activities": ACTIVITIES}
    answers = at_once(app, "POST", "/api/v1/skps", people.staff, body)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201] + [409] * (AT_ONCE - 1), codes
    db = app.extensions["kinerja"].db
    assert db["skps"].count_documents({}) == 1


def test_twenty_approvals_at_once_approve_once_and_publish_once(app, client, people):
    client.post(
        "/api/v1/skps", json={"cycle": CYCLE, "activities": ACTIVITIES}, headers=people.staff
    )
    client.post(f"{skp_url()}/submit", headers=people.staff)
    answers = at_once(app, "POST", f"{skp_url()}/approve", people.boss)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [409] * (AT_ONCE - 1), codes
    assert published(client, "targets.skp.approved") == 1
    versions = client.get(f"{skp_url()}/versions", headers=people.staff).json
    assert [v["status"] for v in versions] == ["approved"]
