"""The targets service's part of the subject-access export, on a real database."""

from __future__ import annotations

from tests.integration.services.targets.conftest import ACTIVITIES, HEAD, OTHER, STAFF, skp_url


def test_the_export_holds_every_skp_version_and_evidence_and_who_read_them(
    client, people, approved
):
    """Subject access: my SKP with every version, my achievements' evidence, no one
    else's SKP; reads by my supervisor's superior recorded, my own not; nobody else may
    export it (403)."""
    task = {"id": "panitia-hut", "description": "Panitia HUT RI", "evidence": "SK 12/2026"}
    assert (
        client.post(f"{skp_url()}/extra-tasks", json=task, headers=people.staff).status_code == 201
    )
    draft = {"cycle": "2026", "activities": ACTIVITIES}
    assert client.post("/api/v1/skps", json=draft, headers=people.other).status_code == 201
    assert client.get(skp_url(), headers=people.head).status_code == 200
    assert client.get(skp_url(), headers=people.staff).status_code == 200

    export = client.get(f"/api/v1/personal-data/{STAFF}", headers=people.staff)

    assert export.status_code == 200, export.json
    (skp,) = export.json["records"]["skps"]
    assert skp["nip"] == STAFF and [v["status"] for v in skp["versions"]] == ["approved"]
    assert skp["achievements"][0]["evidence"] == "SK 12/2026"
    assert OTHER not in str(export.json)
    assert [(r["reader"], r["action"]) for r in export.json["record_reads"]] == [(HEAD, "see")]
    for caller in (people.other, people.boss, people.hr):
        assert client.get(f"/api/v1/personal-data/{STAFF}", headers=caller).status_code == 403
