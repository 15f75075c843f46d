"""The logs service's part of the subject-access export and its retention purge, on a real
database: the employee's entries only, the reads of others recorded, ended cycles purged."""

from __future__ import annotations

from datetime import date

from kinerja import audit
from services.logs import store
from services.logs.domain import Entry
from tests.integration.services.logs.conftest import BOSS, OTHER, STAFF, entry


def old_entry(app, nip: str, day: date, entry_id: str) -> None:
    """An entry of an earlier cycle, as an import would have stored it."""
    old = Entry(entry_id, nip, day, "agenda-surat", f"Agenda surat {day}", None, 60)
    app.extensions["kinerja"].uow(lambda tx: store.save_entry(tx, old))


def test_the_export_holds_my_entries_and_who_else_read_them(app, client, people):
    """Subject access: every entry of mine with its verification, no one else's, and a
    read by my supervisor recorded once however often the page reads."""
    assert client.post("/api/v1/entries", json=entry(), headers=people.staff).status_code == 201
    old_entry(app, OTHER, date(2026, 3, 9), "colleagues")
    for _ in range(3):
        answer = client.get(f"/api/v1/entries?nip={STAFF}&month=2026-03", headers=people.boss)
        assert answer.status_code == 200
    client.get("/api/v1/entries?month=2026-03", headers=people.staff)  # my own read: not recorded

    export = client.get(f"/api/v1/personal-data/{STAFF}", headers=people.staff)

    assert export.status_code == 200, export.json
    entries = export.json["records"]["entries"]
    assert [e["nip"] for e in entries] == [STAFF]
    assert entries[0]["status"] == "pending" and "verified_by" in entries[0]
    reads = export.json["record_reads"]
    assert [(r["reader"], r["action"], r["reads"]) for r in reads] == [(BOSS, "see", 3)]
    assert reads[0]["relations"] == ["supervisor"]


def test_nobody_else_exports_my_data(client, people):
    """Authorization: the export is the employee's own (EXPORT_OWN_DATA, self only): a
    colleague, the supervisor and HR are refused."""
    for caller in (people.other, people.boss, people.hr):
        answer = client.get(f"/api/v1/personal-data/{STAFF}", headers=caller)
        assert answer.status_code == 403, answer.json


def test_the_purge_removes_only_entries_of_cycles_ended_before_the_cut_off(app, client, people):
    """Retention: a dry run counts and changes nothing; the purge deletes the ended
    cycles' entries only, publishes nothing and is audited with its cut-off and counts."""
    old_entry(app, STAFF, date(2024, 5, 6), "old-2024")
    old_entry(app, OTHER, date(2025, 12, 30), "old-2025")
    assert client.post("/api/v1/entries", json=entry(), headers=people.staff).status_code == 201
    body = {"cut_off": "2026-06-30", "dry_run": True}

    dry = client.post("/api/v1/retention/purge", json=body, headers=people.hr)

    assert dry.status_code == 200, dry.json
    assert dry.json["counts"] == {"entries": 2} and dry.json["cycles"] == ["2024", "2025"]
    db = app.extensions["kinerja"].db
    assert db["entries"].count_documents({}) == 3
    assert audit.history(db, "retention", "entries") == []

    refused = client.post("/api/v1/retention/purge", json=body, headers=people.staff)
    assert refused.status_code == 403
    done = client.post(
        "/api/v1/retention/purge", json={**body, "dry_run": False}, headers=people.hr
    )

    assert done.status_code == 200, done.json
    assert done.json["counts"] == {"entries": 2} and done.json["dry_run"] is False
    assert [d["date"].year for d in db["entries"].find()] == [2026]
    assert db["outbox"].count_documents({"type": {"$regex": "withdrawn"}}) == 0
    (entry_audit,) = audit.history(db, "retention", "entries")
    assert entry_audit["actor"] == "hr-1"
    assert entry_audit["after"]["cut_off"] == "2026-06-30"
    assert entry_audit["after"]["counts"] == {"entries": 2}
