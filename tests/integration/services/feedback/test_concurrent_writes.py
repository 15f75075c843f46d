"""Twenty identical writes at once are applied as they would be one after another: the
first is stored, the rest refused by the rule a second one breaks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.integration.services.feedback.conftest import HEAD, STAFF

AT_ONCE = 20


def at_once(app, method: str, url: str, body: dict, headers: dict) -> list[int]:
    def send(_):
        with app.test_client() as client:
            return client.open(url, method=method, json=body, headers=headers).status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(send, range(AT_ONCE)))


def test_twenty_identical_assignments_at_once_add_one(app, client, as_, open_round):
    pair = {"rater": STAFF[3], "ratee": HEAD, "group": "subordinate"}
    answers = at_once(app, "POST", "/api/v1/rounds/r1/assignments", pair, as_("hr"))
    assert sorted(set(answers)) == [201, 409], answers
    assert answers.count(201) == 1
    listed = client.get("/api/v1/rounds/r1/assignments", headers=as_("hr")).json
    assert sum((a["rater"], a["ratee"]) == (STAFF[3], HEAD) for a in listed) == 1
