"""Daily logs through the logs service's HTTP API, on a real database."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest

from tests.integration.services.logs.conftest import BOSS, OTHER, STAFF, entry, ordinary


def outbox_types(client) -> list[str]:
    db = client.application.extensions["kinerja"].db
    return [d["envelope"]["type"] for d in db["outbox"].find().sort("created_at", 1)]


def entries_stored(client) -> int:
    return client.application.extensions["kinerja"].db["entries"].count_documents({})


def write(client, people, **changes):
    return client.post("/api/v1/entries", json=entry(**changes), headers=people.staff)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"day": "2026-03-12"}, "date", "no_future_dates"),
        ({"day": "2026-03-05"}, "date", "max_working_days_back"),
        ({"activity_id": "not-in-my-skp"}, "activity_id", "approved_activity_only"),
        ({"minutes": 0}, "minutes", "minutes_per_entry"),
        ({"minutes": 1441}, "minutes", "minutes_per_entry"),
        ({"description": "rapat"}, "description", "min_description_length"),
        ({"quantity": -1}, "quantity", "output_quantity_required"),
        ({"quantity": None}, "quantity", "output_quantity_required"),
        ({"completes_output": False}, "quantity", "output_only_when_completed"),
    ],
)
def test_each_broken_rule_is_named_and_nothing_is_stored(client, people, changes, field, rule):
    answer = write(client, people, **changes)
    assert answer.status_code == 422
    assert answer.json["error"]["fields"][field][0].startswith(rule)
    assert entries_stored(client) == 0


def test_a_day_holds_at_most_1440_minutes_and_a_copy_is_refused(client, people):
    assert write(client, people, minutes=1000).status_code == 201
    too_much = write(client, people, minutes=500, description="Menata arsip berkas keuangan 2025")
    assert too_much.json["error"]["fields"]["minutes"][0].startswith("max_minutes_per_day")
    copy = write(client, people, day="2026-03-11", minutes=60, description=entry()["description"])
    assert copy.json["error"]["fields"]["description"][0].startswith("no_copied_description")


def test_an_old_day_opens_once_the_supervisor_reopens_it(client, people):
    reopen = client.post(
        f"/api/v1/employees/{STAFF}/reopened-days", json={"date": "2026-03-05"}, headers=people.boss
    )
    assert reopen.status_code == 204
    assert write(client, people, day="2026-03-05").status_code == 201


def test_edit_and_withdraw_until_verified(client, people):
    created = write(client, people).json
    url = f"/api/v1/entries/{created['id']}"
    assert client.patch(url, json={"quantity": 45}, headers=people.other).status_code == 403
    edited = client.patch(url, json={"quantity": 45}, headers=people.staff)
    assert (edited.status_code, edited.json["quantity"]) == (200, 45)
    client.post(f"{url}/verify", headers=people.boss)
    assert client.patch(url, json={"quantity": 50}, headers=people.staff).status_code == 409
    refused = client.delete(url, headers=people.staff)
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "not_withdrawable")


def test_the_supervisor_verifies_rejects_and_revokes(client, people):
    first = write(client, people).json
    second = write(
        client,
        people,
        day="2026-03-11",
        description="Menata arsip berkas keuangan",
        activity_id="arsip",
        quantity=3,
    ).json
    queue = client.get("/api/v1/verification-queue", headers=people.boss).json
    assert [e["id"] for e in queue] == [first["id"], second["id"]]
    assert (
        client.post(f"/api/v1/entries/{first['id']}/verify", headers=people.other).status_code
        == 403
    )
    verified = client.post(f"/api/v1/entries/{first['id']}/verify", headers=people.boss)
    assert verified.json["status"] == "verified"
    rejected = client.post(
        f"/api/v1/entries/{second['id']}/reject",
        json={"reason": "Jumlah berkas tidak sesuai"},
        headers=people.boss,
    )
    assert rejected.json["status"] == "rejected"
    revoked = client.post(f"/api/v1/entries/{first['id']}/revoke", headers=people.boss)
    assert revoked.json["status"] == "pending"
    assert outbox_types(client) == ["logs.entry.verified", "logs.entry.revoked"]


def test_only_an_entry_completing_output_carries_output_in_its_event(client, people):
    plain = client.post("/api/v1/entries", json=ordinary(), headers=people.staff)
    assert plain.status_code == 201, plain.json
    assert (plain.json["completes_output"], plain.json["quantity"]) == (False, None)
    done = write(client, people, day="2026-03-11", description="Mengagendakan 40 surat keluar")
    for created in (plain.json, done.json):
        client.post(f"/api/v1/entries/{created['id']}/verify", headers=people.boss)
    db = client.application.extensions["kinerja"].db
    published = [d["envelope"] for d in db["outbox"].find().sort("created_at", 1)]
    assert [
        (e["version"], e["data"]["completes_output"], e["data"]["quantity"]) for e in published
    ] == [
        (2, False, "0"),
        (2, True, "40"),
    ]
    # unticking on a pending entry takes its quantity with it
    second = write(client, people, day="2026-03-09", description="Mengagendakan surat masuk pagi")
    unmarked = client.patch(
        f"/api/v1/entries/{second.json['id']}",
        json={"completes_output": False},
        headers=people.staff,
    )
    assert (unmarked.json["completes_output"], unmarked.json["quantity"]) == (False, None)
    recap = client.get(f"/api/v1/employees/{STAFF}/recap?month=2026-03", headers=people.boss).json
    assert recap["activities"][0]["verified_quantity"] == 40


def test_an_entry_stored_before_the_output_mark_reads_as_the_output_it_was(client, people):
    """Its quantity was counted as output by the targets service then; so it reads."""
    db = client.application.extensions["kinerja"].db
    legacy = {k: v for k, v in entry().items() if k != "completes_output"}
    db["entries"].insert_one(
        {
            **legacy,
            "_id": "old",
            "id": "old",
            "nip": STAFF,
            "date": datetime(2026, 3, 10),
            "quantity": Decimal(40),
            "status": "verified",
            "reason": "",
            "verified_by": BOSS,
            "revision": 2,
        }
    )
    answer = client.get("/api/v1/entries?month=2026-03", headers=people.staff)
    assert answer.status_code == 200, answer.json
    [old] = answer.json
    assert (old["completes_output"], old["quantity"]) == (True, 40)


def test_bulk_verification_lists_what_it_refused(client, people):
    ids = [
        write(client, people, day=day, description=f"Mengagendakan surat masuk tanggal {day}").json[
            "id"
        ]
        for day in ("2026-03-09", "2026-03-10")
    ]
    answer = client.post(
        "/api/v1/entries/verify", json={"entry_ids": [*ids, "missing"]}, headers=people.boss
    ).json
    assert answer["verified"] == ids
    assert list(answer["refused"]) == ["missing"]
    assert outbox_types(client) == ["logs.entry.verified"] * 2


def test_the_monthly_recap_shows_pace_gaps_and_repeats(client, people):
    for day in ("2026-03-09", "2026-03-10"):
        write(client, people, day=day, description=f"Mengagendakan surat masuk tanggal {day}")
    write(
        client,
        people,
        day="2026-03-11",
        description="Mengagendakan surat masuk tanggal 2026-03-09",
        minutes=60,
    )
    recap = client.get(f"/api/v1/employees/{STAFF}/recap?month=2026-03", headers=people.boss).json
    agenda = recap["activities"][0]
    assert (agenda["pending_quantity"], agenda["expected_by_now"]) == (120, 300)
    assert recap["minutes"] == 420
    assert "2026-03-02" in recap["missing_days"] and "2026-03-10" not in recap["missing_days"]
    assert len(list(recap["repeated_descriptions"].values())[0]) == 2
    assert (
        client.get(
            f"/api/v1/employees/{STAFF}/recap?month=2026-03", headers=people.other
        ).status_code
        == 403
    )


def test_workload_per_person_and_for_the_unit(client, people):
    created = write(client, people, minutes=480).json
    client.post(f"/api/v1/entries/{created['id']}/verify", headers=people.boss)
    answer = client.get(
        "/api/v1/workload?unit_id=umpeg&from=2026-03-01&to=2026-03-31", headers=people.boss
    )
    assert answer.status_code == 200
    load = answer.json
    assert (load["head_count"], load["verified_minutes"]) == (3, 480)
    assert {p["nip"] for p in load["people"]} == {BOSS, STAFF, OTHER}
    assert (
        client.get(
            "/api/v1/workload?unit_id=umpeg&from=2026-03-01&to=2026-03-31", headers=people.staff
        ).status_code
        == 403
    )


def test_hr_tunes_the_rules(client, people):
    assert (
        client.put(
            "/api/v1/rules",
            json={
                "max_working_days_back": 10,
                "max_minutes_per_day": 600,
                "min_description_length": 10,
            },
            headers=people.staff,
        ).status_code
        == 403
    )
    changed = client.put(
        "/api/v1/rules",
        json={
            "max_working_days_back": 10,
            "max_minutes_per_day": 600,
            "min_description_length": 10,
        },
        headers=people.hr,
    )
    assert changed.status_code == 200
    assert write(client, people, day="2026-03-05").status_code == 201
    bad = client.put(
        "/api/v1/rules",
        json={
            "max_working_days_back": -1,
            "max_minutes_per_day": 600,
            "min_description_length": 10,
        },
        headers=people.hr,
    )
    assert "max_working_days_back" in bad.json["error"]["fields"]


CSV = (
    "nip,date,activity_id,description,completes_output,quantity,minutes\n"
    f"{STAFF},2026-03-09,agenda-surat,Mengagendakan surat masuk Maret minggu 2,true,30,120\n"
    f"{STAFF},2026-03-09,nope,Mengagendakan surat masuk Maret minggu 2b,true,30,120\n"
    f"{STAFF},2026-03-10,agenda-surat,pendek,true,30,120\n"
    f"{OTHER},2026-03-10,agenda-surat,Mengagendakan surat masuk untuk orang lain,true,30,120\n"
    f"{STAFF},2026-01-08,agenda-surat,Menyortir surat masuk Januari minggu 1,,,120\n"
    f"{STAFF},2026-01-09,agenda-surat,Menyortir surat masuk Januari minggu 1b,,,120\n"
)


def test_importing_history_reports_each_refused_row(client, people):
    # the supervisor reopened one January day; the other is past the days-back rule
    reopened = client.post(
        f"/api/v1/employees/{STAFF}/reopened-days", json={"date": "2026-01-08"}, headers=people.boss
    )
    assert reopened.status_code == 204
    answer = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(CSV.encode()), "log.csv")},
        headers=people.staff,
        content_type="multipart/form-data",
    ).json
    assert (answer["rows"], answer["written"]) == (6, 2)
    assert [(r["row"], list(r["fields"])) for r in answer["rejected"]] == [
        (3, ["activity_id"]),
        (4, ["description"]),
        (5, ["nip"]),
        (7, ["date"]),
    ]
    assert entries_stored(client) == 2
    db = client.application.extensions["kinerja"].db
    plain = db["entries"].find_one({"date": datetime(2026, 1, 8)})
    assert (plain["completes_output"], plain["quantity"]) == (False, None)
