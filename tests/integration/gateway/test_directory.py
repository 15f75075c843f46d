"""The org directory through the gateway's API: rules, audit, events, CSV import."""

from __future__ import annotations

import io

import pytest

from tests.integration.gateway.conftest import BOSS, STAFF, bearer
from tests.support import AT_ONCE, at_once

pytestmark = pytest.mark.usefixtures("directory_seed")

NEW = "198507072010011005"
PERSON = {
    "nip": NEW,
    "name": "Agus Pratama",
    "position": "Penyuluh Kearsipan",
    "unit_id": "umpeg",
    "golongan": "III/a",
    "position_kind": "functional",
    "education": "S-1",
    "supervisor_nip": BOSS,
}
ROUTE = "/api/v1/directory/employees"


def db(client):
    return client.application.extensions["kinerja"].db


def counts(client) -> tuple[int, int, int]:
    database = db(client)
    return tuple(database[c].count_documents({}) for c in ("employees", "outbox", "audit"))


def outbox_types(client) -> list[str]:
    return [d["envelope"]["type"] for d in db(client)["outbox"].find().sort("created_at", 1)]


def test_hr_adds_an_employee_and_the_change_is_audited_and_published(client):
    created = client.post(ROUTE, json=PERSON, headers=bearer(client, "hr-admin"))
    assert created.status_code == 201
    assert created.json["version"] == 1
    event = db(client)["outbox"].find_one({"envelope.data.nip": NEW})["envelope"]
    assert event["type"] == "gateway.employee.upserted"
    assert (event["data"]["unit_id"], event["data"]["supervisor_nip"]) == ("umpeg", BOSS)
    [entry] = client.get(f"{ROUTE}/{NEW}/audit", headers=bearer(client, "hr-admin")).json
    assert (entry["actor"], entry["action"], entry["before"]) == (
        "hr-admin",
        "employee.created",
        None,
    )


def test_employees_cannot_edit_the_directory(client):
    assert client.post(ROUTE, json=PERSON, headers=bearer(client, "dewi")).status_code == 403
    assert client.post(ROUTE, json=PERSON).status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"nip": "19850707201001100"}, 422, "nip"),
        ({"nip": "198513072010011005"}, 422, "nip"),
        ({"unit_id": "nowhere"}, 422, "unit_id"),
        ({"supervisor_nip": "199001012015011001"}, 422, "supervisor_nip"),
        ({"nip": STAFF}, 409, "nip"),
        ({"golongan": "V/a"}, 422, "golongan"),
        ({"position_kind": "structural"}, 422, "echelon"),
    ],
)
def test_bad_records_name_the_field_and_store_nothing(client, change, status, field):
    before = counts(client)
    answer = client.post(ROUTE, json={**PERSON, **change}, headers=bearer(client, "hr-admin"))
    assert answer.status_code == status
    assert field in answer.json["error"]["fields"]
    assert counts(client) == before


def test_a_supervisor_cycle_is_refused(client):
    answer = client.patch(
        f"{ROUTE}/{BOSS}", json={"supervisor_nip": STAFF}, headers=bearer(client, "hr-admin")
    )
    assert answer.status_code == 422
    assert "cycle" in answer.json["error"]["fields"]["supervisor_nip"][0]


def test_edits_are_audited_with_before_and_after(client):
    hr = bearer(client, "hr-admin")
    edited = client.patch(f"{ROUTE}/{STAFF}", json={"golongan": "II/d"}, headers=hr)
    assert (edited.status_code, edited.json["version"]) == (200, 2)
    latest = client.get(f"{ROUTE}/{STAFF}/audit", headers=hr).json[0]
    assert (latest["before"]["golongan"], latest["after"]["golongan"]) == ("II/c", "II/d")
    assert latest["actor"] == "hr-admin"


def test_deactivation_waits_until_nobody_reports_to_them(client):
    hr = bearer(client, "hr-admin")
    refused = client.post(f"{ROUTE}/{BOSS}/deactivate", headers=hr)
    assert (refused.status_code, refused.json["error"]["fields"]) == (409, {"reports": [STAFF]})
    gone = client.post(f"{ROUTE}/{STAFF}/deactivate", headers=hr)
    assert (gone.status_code, gone.json["active"]) == (200, False)
    assert outbox_types(client)[-1] == "gateway.employee.deactivated"


def test_search_finds_by_unit_supervisor_and_name(client):
    hr = bearer(client, "dewi")
    found = client.get(f"{ROUTE}?supervisor_nip={BOSS}", headers=hr).json
    assert [e["nip"] for e in found["items"]] == [STAFF]
    assert client.get(f"{ROUTE}?q=budi", headers=hr).json["total"] == 1
    assert client.get(f"{ROUTE}?q=.*", headers=hr).json["total"] == 0  # no regex injection


CSV_HEADER = "nip,name,position,unit_id,golongan,position_kind,education,supervisor_nip,active"
GOOD_ROW = f"{NEW},Agus Pratama,Penyuluh Kearsipan,umpeg,III/a,functional,S-1,{BOSS},ya"
BAD_ROW = "198601012011012006,Siti,Staf,nowhere,II/c,functional,SMA,,true"


def upload(client, text: str, query: str = ""):
    return client.post(
        f"/api/v1/directory/imports{query}",
        data={"file": (io.BytesIO(text.encode()), "pegawai.csv")},
        headers=bearer(client, "hr-admin"),
        content_type="multipart/form-data",
    )


def test_an_import_with_a_bad_row_imports_nothing_and_says_which_line(client):
    before = counts(client)
    answer = upload(client, f"{CSV_HEADER}\n{GOOD_ROW}\n{BAD_ROW}\n")
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "import_rejected"
    assert answer.json["error"]["fields"] == {"line 3": {"unit_id": ["no unit 'nowhere'"]}}
    assert counts(client) == before


def test_a_partial_import_applies_the_good_rows_and_reports_the_rest(client):
    answer = upload(client, f"{CSV_HEADER}\n{GOOD_ROW}\n{BAD_ROW}\n", "?partial=true")
    report = answer.json
    assert (report["created"], report["applied"]) == (1, True)
    assert [r["row"] for r in report["rejected"]] == [3]
    assert "gateway.employee.upserted" in outbox_types(client)
    again = upload(client, f"{CSV_HEADER}\n{GOOD_ROW}\n")
    assert (again.json["unchanged"], again.json["created"]) == (1, 0)


def test_a_dry_run_reports_without_writing(client):
    before = counts(client)
    report = upload(client, f"{CSV_HEADER}\n{GOOD_ROW}\n", "?dry_run=true").json
    assert (report["created"], report["applied"]) == (1, False)
    assert counts(client) == before


def test_a_file_that_is_not_utf8_is_refused(client):
    answer = client.post(
        "/api/v1/directory/imports",
        data={"file": (io.BytesIO(b"nip,name\n\xff\xfe"), "x.csv")},
        headers=bearer(client, "hr-admin"),
        content_type="multipart/form-data",
    )
    assert (answer.status_code, list(answer.json["error"]["fields"])) == (422, ["file"])


def test_twenty_identical_employees_at_once_add_one_published_once(gateway_app, client):
    """As one after another: the first is stored, audited and published, the rest refused."""
    before = counts(client)
    answers = at_once(gateway_app, "POST", ROUTE, bearer(client, "hr-admin"), PERSON)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201] + [409] * (AT_ONCE - 1), codes
    assert counts(client) == tuple(n + 1 for n in before)
