"""Who may be assigned and nominated, what a removal does, and what completion tells a
supervisor: on a real database, through the feedback service's API."""

from __future__ import annotations

from services.feedback import store
from tests.integration.services.feedback.conftest import BOSS, HEAD, STAFF, assignment, scores
from tests.support import replicate_employees

ASSIGNMENTS = "/api/v1/rounds/r1/assignments"
FORMER = "198505052010011007"  # left the agency: inactive in the directory copy
OUTSIDER = "199001012015011006"  # in another unit, not in round r1's unit
WITHDRAWN = "feedback.response.withdrawn"


def published(client, event_type: str) -> list[dict]:
    db = client.application.extensions["kinerja"].db
    found = db["outbox"].find({"envelope.type": event_type}).sort("created_at", 1)
    return [d["envelope"]["data"] for d in found]


def submit(client, as_, response_id: str, rater: str, structural: bool = False):
    answer = client.post(
        f"{ASSIGNMENTS}/{response_id}/submit",
        json={"scores": scores(70, structural)},
        headers=as_(rater),
    )
    assert answer.status_code == 200, answer.json
    return answer


def test_a_second_removal_changes_nothing_and_publishes_nothing(client, as_, open_round):
    mine = assignment(client, as_, STAFF[0], STAFF[0])  # the self rating
    submit(client, as_, mine["id"], STAFF[0])
    first = client.delete(f"{ASSIGNMENTS}/{mine['id']}", headers=as_("hr"))
    second = client.delete(f"{ASSIGNMENTS}/{mine['id']}", headers=as_("hr"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json == first.json
    assert len(published(client, WITHDRAWN)) == 1


def test_a_pair_asked_again_answers_newer_than_its_withdrawal(client, as_, open_round):
    """The appraisal service keeps one rating per rater, ratee and round and ignores an
    answer no newer than the pair's withdrawal, so the revisions go on per pair."""
    pair = {"rater": STAFF[3], "ratee": HEAD, "group": "subordinate"}
    added = client.post(ASSIGNMENTS, json=pair, headers=as_("hr")).json
    submit(client, as_, added["id"], STAFF[3], structural=True)
    client.delete(f"{ASSIGNMENTS}/{added['id']}", headers=as_("hr"))
    again = client.post(ASSIGNMENTS, json=pair, headers=as_("hr"))
    assert again.status_code == 201, again.json
    assert again.json["status"] == "pending" and again.json["state"] == "active"
    submit(client, as_, again.json["id"], STAFF[3], structural=True)
    withdrawal = published(client, WITHDRAWN)[-1]
    answer = published(client, "feedback.response.submitted")[-1]
    assert (answer["rater_id"], answer["ratee_id"]) == (STAFF[3], HEAD)
    assert answer["revision"] > withdrawal["revision"]
    listed = client.get(ASSIGNMENTS, headers=as_("hr")).json
    assert sum((a["rater"], a["ratee"]) == (STAFF[3], HEAD) for a in listed) == 1


def test_an_inactive_employee_is_neither_rater_nor_ratee(app, client, as_, open_round):
    replicate_employees(app, [(FORMER, BOSS)], active=False)
    as_rater = client.post(
        ASSIGNMENTS, json={"rater": FORMER, "ratee": STAFF[0], "group": "peer"}, headers=as_("hr")
    )
    as_ratee = client.post(
        ASSIGNMENTS, json={"rater": STAFF[0], "ratee": FORMER, "group": "peer"}, headers=as_("hr")
    )
    assert (as_rater.status_code, list(as_rater.json["error"]["fields"])) == (422, ["rater"])
    assert (as_ratee.status_code, list(as_ratee.json["error"]["fields"])) == (422, ["ratee"])
    nominated = client.post(
        "/api/v1/rounds/r1/nominations", json={"peer": FORMER}, headers=as_(STAFF[0])
    )
    assert (nominated.status_code, list(nominated.json["error"]["fields"])) == (422, ["peer"])


def test_only_a_ratee_of_the_round_nominates_in_it(app, client, as_):
    replicate_employees(app, [(OUTSIDER, HEAD)], unit_id="keu")
    opened = client.post(
        "/api/v1/rounds",
        json={"id": "keu", "cycle": "2026", "deadline": "2026-11-22", "unit_id": "keu"},
        headers=as_("hr"),
    )
    assert opened.status_code == 201, opened.json
    path = "/api/v1/rounds/keu/nominations"
    stranger = client.post(path, json={"peer": HEAD}, headers=as_(STAFF[0]))
    assert (stranger.status_code, stranger.json["error"]["code"]) == (403, "not_a_ratee")
    rated = client.post(path, json={"peer": STAFF[0]}, headers=as_(OUTSIDER))
    assert rated.status_code == 201, rated.json
    repeated = client.post(path, json={"peer": STAFF[0]}, headers=as_(OUTSIDER))
    assert (repeated.status_code, list(repeated.json["error"]["fields"])) == (409, ["peer"])
    assert STAFF[0] not in repeated.text and OUTSIDER not in repeated.text


def test_completion_does_not_move_with_one_anonymous_answer(client, as_, open_round):
    """A supervisor reads completion before and after one peer answers: the same figures,
    so the difference names no rater. HR's view is exact; the superior's answer shows."""
    completion = "/api/v1/rounds/r1/completion"
    before = client.get(completion, headers=as_(BOSS)).json
    hr_before = client.get(completion, headers=as_("hr")).json
    peer_rating = next(
        a
        for a in client.get("/api/v1/rounds/r1/my-assignments", headers=as_(STAFF[1])).json
        if a["group"] == "peer"
    )
    submit(client, as_, peer_rating["id"], STAFF[1])
    assert client.get(completion, headers=as_(BOSS)).json == before
    # a staff member is listed as a rater for their self rating only, never as a peer
    assert all(r["assigned"] == 1 for r in before["by_rater"] if r["key"] in STAFF)
    assert client.get(completion, headers=as_("hr")).json != hr_before

    superior = assignment(client, as_, BOSS, STAFF[0])
    submit(client, as_, superior["id"], BOSS)
    after = client.get(completion, headers=as_(BOSS)).json
    rate = next(r for r in after["by_ratee"] if r["key"] == STAFF[0])
    assert rate["submitted"] == 1 and after["round"]["submitted"] == 1


def test_copies_stored_before_the_unique_key_are_retired_at_start_up(app, client, as_, open_round):
    """A database holding several copies of one pair (from before the key) still starts:
    the live, most answered copy stays, taking the highest revision; the rest move aside."""
    db = app.extensions["kinerja"].db
    db["responses"].drop_index("one_assignment_per_pair")
    kept = assignment(client, as_, STAFF[0], STAFF[0])
    submit(client, as_, kept["id"], STAFF[0])
    copy = db["responses"].find_one({"_id": kept["id"]})
    copies = [
        {**copy, "_id": "removed-copy", "state": "removed", "revision": 3},
        {**copy, "_id": "pending-copy", "status": "pending", "revision": 0},
    ]
    db["responses"].insert_many(copies)

    store.ensure_indexes(db)
    held = list(db["responses"].find({"round_id": "r1", "rater": STAFF[0], "ratee": STAFF[0]}))
    assert [(d["_id"], d["status"], d["revision"]) for d in held] == [(kept["id"], "submitted", 3)]
    retired = {d["_id"]: d["retired_for"] for d in db[store.RETIRED].find()}
    assert retired == {"removed-copy": kept["id"], "pending-copy": kept["id"]}
    store.ensure_indexes(db)  # again: nothing left to move
    assert db[store.RETIRED].count_documents({}) == 2
