"""Impersonation (the class: a token whose subject is an employee it does not belong to):
an HR account whose username was another employee's NIP got a token with that NIP as its
subject, and read and changed the victim's SKP and logs. On the gateway's own app over a
real MongoDB-compatible server, with the directory seeded as its integration tests have it.
"""

from __future__ import annotations

import pytest

from tests.integration.gateway.conftest import BOSS, STAFF, bearer, login

pytestmark = pytest.mark.usefixtures("directory_seed")


def test_an_account_named_after_another_employees_nip_is_refused(client):
    """Impersonation class: an account whose username is a NIP it is not linked to would
    get that NIP as its token subject, and act on the employee's SKP and logs as them."""
    hr = bearer(client, "hr-admin")
    for body in (
        {"username": STAFF, "password": "rahasia-789", "roles": ["hr"]},
        {"username": STAFF, "password": "rahasia-789", "nip": BOSS},
    ):
        refused = client.post("/api/v1/auth/accounts", json=body, headers=hr)
        assert refused.status_code == 422, refused.json
        assert "username" in refused.json["error"]["fields"]
    # the NIP as the username of its own linked account stays allowed
    own = {"username": BOSS, "password": "rahasia-789", "nip": BOSS}
    assert (
        client.post("/api/v1/auth/accounts", json=own, headers=hr).status_code == 409
    )  # BOSS has one


def test_an_unlinked_account_is_never_an_employee_to_the_services(client):
    """Impersonation class: the subject of an HR/ops-only account is `account:<name>`,
    which no NIP equals, while audit trails still name the login."""
    me = client.get("/api/v1/auth/me", headers=bearer(client, "hr-admin")).json
    assert me["subject"] == "account:hr-admin"
    assert me["username"] == "hr-admin"
    audit = client.get(
        f"/api/v1/directory/employees/{STAFF}/audit", headers=bearer(client, "hr-admin")
    )
    assert audit.status_code == 200


def test_a_nip_logs_in_to_the_account_linked_to_it_only(gateway_app, client):
    """Ambiguity class: an identifier that is one account's NIP and (legacy data, made
    before the rule) another's username resolves to the linked account, never the other."""
    accounts = gateway_app.extensions["kinerja"].db["accounts"]
    dewi = accounts.find_one_and_delete({"_id": "dewi"})
    legacy = {**dewi, "_id": STAFF, "roles": ["hr"]}
    del legacy["nip"]
    accounts.insert_one(legacy)  # stored first: a query matching both would find it
    accounts.insert_one(dewi)
    answer = login(client, STAFF)
    assert answer.status_code == 200
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {answer.json['access_token']}"}
    )
    assert (me.json["username"], me.json["subject"], me.json["roles"]) == (
        "dewi",
        STAFF,
        ["employee"],
    )
