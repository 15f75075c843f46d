"""Twenty identical entries at once are applied as they would be one after another: the
first is stored, the rest break the rule against a duplicate entry (test_counting_rules.py
has the same behind a later-dated entry, and a day's minutes sent at once)."""

from __future__ import annotations

from tests.integration.services.logs.conftest import entry
from tests.support import at_once


def test_twenty_identical_entries_at_once_store_one(app, client, people):
    answers = at_once(app, "POST", "/api/v1/entries", people.staff, entry())
    created = [answer for answer in answers if answer.status_code == 201]
    assert len(created) == 1, [answer.status_code for answer in answers]
    refused = {rule for a in answers if a.status_code == 422 for rule in a.json["error"]["fields"]}
    assert refused <= {"description", "minutes"}, refused
    listed = client.get("/api/v1/entries?month=2026-03", headers=people.staff).json
    assert [stored["id"] for stored in listed] == [created[0].json["id"]]
