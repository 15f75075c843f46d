"""Twenty identical writes at once are applied as they would be one after another: the
first is stored, the rest refused by the rule a second one breaks."""

from __future__ import annotations

from tests.integration.services.feedback.conftest import HEAD, STAFF
from tests.support import at_once


def statuses(app, method: str, url: str, body: dict, headers: dict) -> list[int]:
    return [answer.status_code for answer in at_once(app, method, url, headers, body)]


def test_twenty_identical_assignments_at_once_add_one(app, client, as_, open_round):
    pair = {"rater": STAFF[3], "ratee": HEAD, "group": "subordinate"}
    answers = statuses(app, "POST", "/api/v1/rounds/r1/assignments", pair, as_("hr"))
    assert sorted(set(answers)) == [201, 409], answers
    assert answers.count(201) == 1
    listed = client.get("/api/v1/rounds/r1/assignments", headers=as_("hr")).json
    assert sum((a["rater"], a["ratee"]) == (STAFF[3], HEAD) for a in listed) == 1


def test_twenty_identical_nominations_at_once_store_one(app, client, as_, open_round):
    nomination = {"peer": HEAD}
    answers = statuses(app, "POST", "/api/v1/rounds/r1/nominations", nomination, as_(STAFF[0]))
    assert sorted(set(answers)) == [201, 409], answers
    assert answers.count(201) == 1
    listed = client.get("/api/v1/rounds/r1/assignments", headers=as_("hr")).json
    assert sum((a["rater"], a["ratee"]) == (HEAD, STAFF[0]) for a in listed) == 1
