"""Idempotency keys: a retried write applies once, whatever happened to the first answer.

The targets service stands in for every service (fixtures in conftest.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from kinerja.idempotency import COLLECTION
from tests.support import token

ROUTE = "/api/v1/skps"
STAFF, OTHER = "198001012005012002", "198101012006012003"
ACTIVITY = {"id": "surat", "name": "Surat", "quantity": 12, "unit": "laporan", "months": 12}
GOOD = {"cycle": "2026", "activities": [ACTIVITY]}
KEY = "0f8e3a52-5b1f-4c5e-9d7a-2a3c1e9b7d10"


def db(service):
    return service.application.extensions["kinerja"].db


def stored(service) -> tuple[int, int]:
    return db(service)["skps"].count_documents({}), db(service)["outbox"].count_documents({})


def keyed(settings, subject=STAFF, key=KEY) -> dict:
    return {**token(settings, subject, "employee"), "Idempotency-Key": key}


def test_a_retry_gets_the_first_answer_and_applies_nothing_more(service, settings):
    first = service.post(ROUTE, json=GOOD, headers=keyed(settings))
    again = service.post(ROUTE, json=GOOD, headers=keyed(settings))
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert stored(service) == (1, 0)


def test_a_retried_transition_publishes_its_event_once(service, settings):
    assert service.post(ROUTE, json=GOOD, headers=keyed(settings)).status_code == 201
    submit = f"{ROUTE}/{STAFF}/2026/submit"
    first = service.post(submit, headers=keyed(settings, key=KEY + "-submit"))
    again = service.post(submit, headers=keyed(settings, key=KEY + "-submit"))
    assert first.status_code == again.status_code == 200
    assert again.json == first.json
    assert stored(service) == (1, 1)


def test_without_a_key_a_second_create_is_refused_by_the_rule_not_replayed(service, settings):
    headers = token(settings, STAFF, "employee")
    assert service.post(ROUTE, json=GOOD, headers=headers).status_code == 201
    assert service.post(ROUTE, json=GOOD, headers=headers).status_code == 409
    assert stored(service) == (1, 0)


def test_a_key_reused_for_another_request_is_refused(service, settings):
    assert service.post(ROUTE, json=GOOD, headers=keyed(settings)).status_code == 201
    other_body = {**GOOD, "cycle": "2027"}
    answer = service.post(ROUTE, json=other_body, headers=keyed(settings))
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in answer.json["error"]["fields"]
    assert stored(service) == (1, 0)


def test_an_applied_write_whose_answer_was_lost_is_not_applied_again(service, settings):
    assert service.post(ROUTE, json=GOOD, headers=keyed(settings)).status_code == 201
    # the process died between the commit and keeping the answer
    db(service)[COLLECTION].update_many({}, {"$unset": {"answer": ""}})
    answer = service.post(ROUTE, json=GOOD, headers=keyed(settings))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "already_applied"
    assert stored(service) == (1, 0)


def test_a_refused_write_does_not_use_up_its_key(service, settings):
    bad = {**GOOD, "cycle": "19"}
    assert service.post(ROUTE, json=bad, headers=keyed(settings)).status_code == 422
    assert db(service)[COLLECTION].count_documents({}) == 0
    assert service.post(ROUTE, json=bad, headers=keyed(settings)).status_code == 422
    assert stored(service) == (0, 0)


def test_keys_belong_to_their_caller(service, settings):
    mine = service.post(ROUTE, json=GOOD, headers=keyed(settings))
    theirs = service.post(ROUTE, json=GOOD, headers=keyed(settings, subject=OTHER))
    assert mine.status_code == theirs.status_code == 201
    assert theirs.json["nip"] == OTHER
    assert "Idempotent-Replayed" not in theirs.headers
    assert stored(service) == (2, 0)


@pytest.mark.parametrize("key", ["short", "x" * 129, "spaces are not allowed", "kunci-é-12345"])
def test_a_malformed_key_is_refused_naming_the_header(service, settings, key):
    answer = service.post(ROUTE, json=GOOD, headers=keyed(settings, key=key))
    assert answer.status_code == 422
    assert "Idempotency-Key" in answer.json["error"]["fields"]
    assert stored(service) == (0, 0)


def test_concurrent_copies_of_one_request_apply_once(service, settings):
    def send(_):
        return service.post(ROUTE, json=GOOD, headers=keyed(settings))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    assert all(
        a.json["error"]["code"] == "already_applied" for a in answers if a.status_code == 409
    )
    assert stored(service) == (1, 0)
