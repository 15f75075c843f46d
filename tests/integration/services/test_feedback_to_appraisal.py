"""360 responses reach the appraisal service through the real broker: submitted, revised
and withdrawn, each applied once, with the rater's id (which never reaches the ratee)."""

from __future__ import annotations

import pytest

from kinerja import directory_replica
from kinerja.bus.relay import wait_until_drained
from kinerja.contracts.gateway import EMPLOYEE_UPSERTED
from kinerja360.components import declare_topology
from tests.integration.services.feedback.conftest import scores
from tests.integration.services.test_logs_to_targets import Service
from tests.support import bus_env, delete_queues, deliver, employee_record, token

BOSS, STAFF = "197001012000031002", "198001012005012002"


@pytest.fixture
def env(mongo_url, amqp_url, namespace):
    env = bus_env(mongo_url, amqp_url, namespace)
    declare_topology(env)
    yield env
    delete_queues(env, ("targets", "logs", "feedback", "appraisal"))


def test_responses_arrive_in_appraisal_and_a_withdrawal_takes_them_out(env):
    feedback, appraisal = Service("feedback", env), Service("appraisal", env)
    bump = employee_record(BOSS, None, version=2, name="Budi", position="Kasubag")
    deliver(feedback.context.uow, directory_replica.apply_employee, EMPLOYEE_UPSERTED, bump)
    hr = token(feedback.settings, "hr-1", "hr")
    staff = token(feedback.settings, STAFF, "employee")
    summary_url = f"/api/v1/rounds/r1/ratees/{BOSS}/ratings"
    try:
        feedback.client.post(
            "/api/v1/rounds",
            headers=hr,
            json={"id": "r1", "cycle": "2026", "deadline": "2030-01-01"},
        )
        mine = feedback.client.get("/api/v1/rounds/r1/my-assignments", headers=staff).json
        base = f"/api/v1/rounds/r1/assignments/{next(a for a in mine if a['ratee'] == BOSS)['id']}"
        feedback.client.post(f"{base}/submit", json={"scores": scores(70)}, headers=staff)
        feedback.client.put(f"{base}/response", json={"scores": scores(75)}, headers=staff)
        wait_until_drained(feedback.relay)

        def summary() -> dict:
            return appraisal.client.get(summary_url, headers=hr).json

        appraisal.consume_until(
            lambda: summary()["mean_by_dimension"].get("integritas") == 75,
            "the revised response in appraisal",
        )
        assert summary()["by_group"] == {"subordinate": 1}
        feedback.client.post(
            f"{base}/decline", json={"reason": "Konflik kepentingan"}, headers=staff
        )
        wait_until_drained(feedback.relay)
        appraisal.consume_until(lambda: summary()["responses"] == 0, "the withdrawal applied")
    finally:
        feedback.drop()
        appraisal.drop()
