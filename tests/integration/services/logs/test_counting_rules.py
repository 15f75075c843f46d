"""The log rules that count (minutes per day, no duplicate entry) hold for writes sent at
once, through edits and withdrawals, for entries stored before the rule, and through the
CSV import exactly as through POST /entries."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from services.logs.commands import MAX_IMPORT_ROWS
from tests.integration.services.logs.conftest import OTHER, STAFF, ordinary
from tests.support import AT_ONCE, at_once

ENTRIES = "/api/v1/entries"
CSV_HEADER = "nip,date,activity_id,description,completes_output,quantity,minutes\n"


def statuses(answers) -> list[int]:
    """The answers' codes; 503 is the one besides 201 and 422 that writes at once may meet:
    on a busy machine a write still losing its conflicts after the unit of work's retry
    budget answers "try again" (kinerja.mongo.UnitOfWork), having stored nothing."""
    codes = sorted(answer.status_code for answer in answers)
    assert set(codes) <= {200, 201, 422, 503}, codes
    return codes


def fields_of(answer) -> dict:
    return answer.json["error"]["fields"]


def rules_named(answer) -> set[str]:
    return {m.split(":")[0] for messages in fields_of(answer).values() for m in messages}


def live_minutes(client, people, day: str) -> int:
    listed = client.get(f"{ENTRIES}?month={day[:7]}", headers=people.staff).json
    return sum(e["minutes"] for e in listed if e["date"] == day and e["status"] != "withdrawn")


def refusals(report: dict) -> list[tuple[int, str, str]]:
    """(row, field, rule) of each rule an import refused a row by."""
    return [
        (rejected["row"], field, message.split(":")[0])
        for rejected in report["rejected"]
        for field, messages in rejected["fields"].items()
        for message in messages
    ]


def import_rows(client, headers, *rows: str):
    text = CSV_HEADER + "".join(f"{row}\n" for row in rows)
    return client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(text.encode()), "log.csv")},
        headers=headers,
        content_type="multipart/form-data",
    ).json


def test_identical_entries_at_once_behind_a_later_entry_store_one(app, client, people):
    # the employee's latest entry is of a later day: the copied-description rule, which
    # looks at that one only, lets the repeats through; the duplicate rule does not
    later = ordinary("2026-03-11", description="Rapat koordinasi dengan bagian umum siang ini")
    assert client.post(ENTRIES, json=later, headers=people.staff).status_code == 201
    answers = at_once(app, "POST", ENTRIES, people.staff, ordinary("2026-03-10", minutes=30))
    assert statuses(answers).count(201) == 1, statuses(answers)
    assert all(rules_named(a) == {"no_duplicate_entry"} for a in answers if a.status_code == 422)
    assert live_minutes(client, people, "2026-03-10") == 30


def test_a_days_minutes_sent_at_once_stay_within_the_limit(app, client, people):
    def send(number: int):
        body = ordinary(minutes=480, description=f"Menata berkas arsip bagian nomor {number}")
        with app.test_client() as own:
            return own.post(ENTRIES, json=body, headers=people.staff)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(send, range(AT_ONCE)))
    assert 1 <= statuses(answers).count(201) <= 3, statuses(answers)
    assert all(rules_named(a) == {"max_minutes_per_day"} for a in answers if a.status_code == 422)
    assert live_minutes(client, people, "2026-03-10") == 1440


def test_edits_and_withdrawals_count_as_they_leave_the_day(client, people):
    first = client.post(ENTRIES, json=ordinary(minutes=1000), headers=people.staff).json
    second = ordinary(minutes=400, description="Menyusun konsep nota dinas untuk kepala bagian")
    second_id = client.post(ENTRIES, json=second, headers=people.staff).json["id"]
    # the first one grown past what the day leaves is refused, shrunk it makes room
    grown = client.patch(f"{ENTRIES}/{first['id']}", json={"minutes": 1100}, headers=people.staff)
    assert rules_named(grown) == {"max_minutes_per_day"}
    shrunk = client.patch(f"{ENTRIES}/{first['id']}", json={"minutes": 600}, headers=people.staff)
    assert shrunk.status_code == 200
    third = ordinary(minutes=440, description="Memeriksa kelengkapan berkas cuti pegawai")
    assert client.post(ENTRIES, json=third, headers=people.staff).status_code == 201
    # a withdrawn entry counts neither its minutes nor as the work already logged
    assert client.delete(f"{ENTRIES}/{second_id}", headers=people.staff).status_code == 200
    again = client.post(ENTRIES, json=second, headers=people.staff)
    assert again.status_code == 201, again.json
    # an edit into a copy of another live entry of the day is a duplicate too
    copy = client.patch(
        f"{ENTRIES}/{again.json['id']}",
        json={"description": third["description"].upper(), "minutes": 1},
        headers=people.staff,
    )
    assert rules_named(copy) == {"no_duplicate_entry"}
    assert live_minutes(client, people, "2026-03-10") == 1440


def test_entries_stored_before_the_rule_count_as_duplicates(app, client, people):
    entries = app.extensions["kinerja"].db["entries"]
    first = client.post(ENTRIES, json=ordinary(), headers=people.staff).json
    # as entries written before the duplicate rule were stored: without their key, and
    # with a copy beside them
    entries.update_one({"_id": first["id"]}, {"$unset": {"duplicate_key": ""}})
    copy = {**entries.find_one({"_id": first["id"]}), "_id": "copy", "id": "copy"}
    entries.insert_one(copy)
    later = ordinary("2026-03-11", description="Rapat koordinasi dengan bagian umum siang ini")
    assert client.post(ENTRIES, json=later, headers=people.staff).status_code == 201
    assert rules_named(client.post(ENTRIES, json=ordinary(), headers=people.staff)) == {
        "no_duplicate_entry"
    }
    # the supervisor still decides on both, and may take a verification back
    for entry_id in (first["id"], copy["_id"]):
        verified = client.post(f"{ENTRIES}/{entry_id}/verify", headers=people.boss)
        assert verified.status_code == 200, verified.json
    for entry_id in (first["id"], copy["_id"]):
        revoked = client.post(f"{ENTRIES}/{entry_id}/revoke", headers=people.boss)
        assert revoked.status_code == 200, revoked.json


def test_the_import_refuses_rows_outside_the_days_back_window(client, people):
    report = import_rows(
        client,
        people.staff,
        f"{STAFF},2026-01-05,agenda-surat,Mengagendakan surat masuk bulan Januari,,,60",
        f"{STAFF},2026-03-05,agenda-surat,Mengagendakan surat masuk hari Kamis,,,60",
        f"{STAFF},0001-01-01,agenda-surat,Mengagendakan surat masuk tahun pertama,,,60",
        f"{STAFF},2026-03-06,agenda-surat,Mengagendakan surat masuk hari Jumat,,,60",
    )
    assert report["written"] == 1
    refused = [(row, rule) for row, field, rule in refusals(report) if field == "date"]
    # year 1 is outside every date the platform takes (kinerja/fields.py), before any rule
    assert refused == [
        (2, "max_working_days_back"),
        (3, "max_working_days_back"),
        (4, "between 1950-01-01 and 2100-12-31"),
    ]


def test_the_import_counts_with_the_api(client, people):
    posted = ordinary(minutes=1000)
    assert client.post(ENTRIES, json=posted, headers=people.staff).status_code == 201
    report = import_rows(
        client,
        people.hr,
        f"{STAFF},2026-03-10,agenda-surat,{posted['description']},,,10",
        f"{STAFF},2026-03-10,agenda-surat,Menata berkas arsip surat keluar bulan ini,,,400",
        f"{STAFF},2026-03-10,agenda-surat,Memeriksa kelengkapan berkas cuti pegawai,,,100",
        f"{STAFF},2026-03-10,agenda-surat,Menata berkas arsip surat keluar bulan ini,,,20",
    )
    assert report["written"] == 1
    assert refusals(report) == [
        (2, "description", "no_duplicate_entry"),
        (4, "minutes", "max_minutes_per_day"),
        (5, "description", "no_duplicate_entry"),
    ]
    assert live_minutes(client, people, "2026-03-10") == 1400


def test_imports_at_once_stay_within_the_limit(app, client, people):
    def send(number: int):
        row = f"{STAFF},2026-03-10,agenda-surat,Menata berkas arsip bagian nomor {number},,,480"
        with app.test_client() as own:
            return own.post(
                "/api/v1/imports",
                data={"file": (io.BytesIO((CSV_HEADER + row).encode()), "log.csv")},
                headers=people.staff,
                content_type="multipart/form-data",
            )

    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(send, range(AT_ONCE)))
    assert set(statuses(answers)) <= {200, 503}, statuses(answers)
    reports = [answer.json for answer in answers if answer.status_code == 200]
    assert 1 <= sum(r["written"] for r in reports) <= 3
    refused = [(row, rule) for r in reports for row, _, rule in refusals(r)]
    assert set(refused) <= {(2, "max_minutes_per_day")}, refused
    assert live_minutes(client, people, "2026-03-10") == 1440


def test_an_import_of_too_many_rows_is_refused_before_any_row(client, people):
    rows = [
        f"{OTHER},2026-03-10,agenda-surat,Baris nomor {n} yang tidak dibaca,,,1"
        for n in range(MAX_IMPORT_ROWS + 1)
    ]
    text = CSV_HEADER + "\n".join(rows)
    answer = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(text.encode()), "log.csv")},
        headers=people.staff,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert list(fields_of(answer)) == ["file"]
