"""The employee's pages against stand-in services: what each form sends, and how the
services' answers come back on the page (errors beside the fields, values kept)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask, jsonify, request

from gateway.ui.refusals import flat_fields
from kinerja.config import Settings
from tests.integration.gateway.conftest import STAFF, ui_session
from tests.support import bus_env, serve

SERVICES = ("targets", "logs", "feedback", "appraisal")
CYCLE = str(date.today().year)


class StandIn:
    """One app answering for the four services: a canned answer per method and path,
    and every request it was sent."""

    def __init__(self):
        self.answers: dict[tuple[str, str], tuple[int, object]] = {}
        self.sent: list[tuple[str, str, object]] = []
        self.app = Flask("stand-in")
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        self.app.add_url_rule("/api/v1/<path:rest>", "answer", self._answer, methods=methods)

    def on(self, method: str, path: str, body: object, status: int = 200) -> None:
        self.answers[(method, path)] = (status, body)

    def refuse(self, method: str, path: str, status: int, code: str, fields=None) -> None:
        error = {"error": {"code": code, "message": "refused", "fields": fields or {}}}
        self.on(method, path, error, status)

    def bodies(self, method: str, path: str) -> list:
        return [body for m, p, body in self.sent if (m, p) == (method, path)]

    def _answer(self, rest: str):
        path = f"/{rest}"
        self.sent.append((request.method, path, request.get_json(silent=True)))
        status, body = self.answers.get(
            (request.method, path),
            (404, {"error": {"code": "not_found", "message": "none", "fields": {}}}),
        )
        return jsonify(body), status


@pytest.fixture
def services():
    stand_in = StandIn()
    with serve(stand_in.app) as url:
        stand_in.url = url
        yield stand_in


@pytest.fixture
def gateway_settings(mongo_url, namespace, services) -> Settings:
    env = bus_env(mongo_url, "memory://", namespace)
    env.update({f"{name.upper()}_URL": services.url for name in SERVICES})
    return Settings.from_env("gateway", env)


@pytest.fixture
def staff(gateway_app, client, directory_seed):
    """The test client, logged in to the UI as the staff member (Dewi)."""
    return ui_session(gateway_app, client, "dewi")


def csrf(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf(client, path), **data})


def text(answer) -> str:
    return answer.get_data(as_text=True)


def field_html(page: str, name: str) -> str:
    """The markup of one field's wrapper, up to the next field."""
    start = page.index(f'id="f-{name}"')
    start = page.rindex('<div class="field', 0, start)
    end = page.find('<div class="field', start + 1)
    return page[start : end if end > 0 else None]


# --- reading the services' errors ------------------------------------------------------------


def test_nested_field_errors_are_named_as_the_inputs_and_said_in_indonesian():
    fields = {
        "activities": {"0": {"quantity": ["Missing data for required field."]}},
        "scores": {"adaptif": {"value": ["Not a valid number."]}},
        "activities[1].months": ["the target time is 1 to 12 months"],
        "description": ["min_description_length: describe the work in at least 20 characters"],
        "minutes": [
            "max_minutes_per_day: 400 minutes are logged that day already; at most 480 in total"
        ],
        "other": ["something the UI does not know"],
    }
    assert flat_fields(fields) == {
        "activities[0].quantity": ["wajib diisi"],
        "scores.adaptif": ["harus berupa angka"],
        "activities[1].months": ["target waktu 1 sampai 12 bulan"],
        "description": ["uraikan pekerjaan paling sedikit 20 karakter"],
        "minutes": ["sudah 400 menit tercatat pada hari itu; paling banyak 480 menit sehari"],
        "other": ["something the UI does not know"],
    }


# --- my SKP -------------------------------------------------------------------------------


def activity(id_: str, name: str, **extra) -> dict:
    return {
        "id": id_,
        "name": name,
        "quantity": 12.0,
        "unit": "laporan",
        "months": 12.0,
        "quality": 100.0,
        "cost": None,
        "credit_points": None,
        **extra,
    }


def skp(status: str, activities: list[dict], contract: bool = False, notes: str = "") -> dict:
    version = {
        "number": 1,
        "status": status,
        "activities": activities,
        "notes": notes,
        "decided_by": None,
    }
    return {
        "nip": STAFF,
        "cycle": CYCLE,
        "status": status,
        "revision": 1,
        "current": version,
        "contract": version if contract else None,
        "realization": {},
        "achievements": [],
    }


def row(index: int, **values) -> dict:
    return {f"activities[{index}].{name}": value for name, value in values.items()}


FILLED = {
    "id": "rapat",
    "name": "Rapat koordinasi",
    "quantity": "24",
    "unit": "rapat",
    "months": "12",
    "cost": "",
}


def test_without_an_skp_the_page_offers_a_draft_and_adds_a_row_without_javascript(staff):
    page = text(staff.get(f"/skp?cycle={CYCLE}"))
    assert f"Buat draf SKP {CYCLE}" in page
    assert page.count("<fieldset") == 3

    answer = post(
        staff, f"/skp?cycle={CYCLE}", {"action": "add_row", "rows": "3", **row(0, **FILLED)}
    )
    assert answer.status_code == 200
    page = text(answer)
    assert page.count("<fieldset") == 4
    assert 'value="Rapat koordinasi"' in page


def test_a_draft_sends_the_filled_rows_only_and_leaves_blank_values_out(staff, services):
    services.on("POST", "/skps", skp("draft", [activity("rapat", "Rapat koordinasi")]), 201)
    second = {**FILLED, "id": "notulen", "name": "Notulen", "cost": "1500000"}
    answer = post(
        staff,
        f"/skp?cycle={CYCLE}",
        {"action": "create", "rows": "3", **row(0, **FILLED), **row(2, **second)},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/skp?cycle={CYCLE}")
    (sent,) = services.bodies("POST", "/skps")
    assert sent == {
        "cycle": CYCLE,
        "activities": [
            {k: v for k, v in FILLED.items() if v},
            {k: v for k, v in second.items() if v},
        ],
    }


def test_the_apis_errors_land_beside_the_row_they_belong_to(staff, services):
    # the API's activities[1] is the second row sent: the page's third row
    services.refuse(
        "POST",
        "/skps",
        422,
        "validation_failed",
        {"activities": {"1": {"quantity": ["Missing data for required field."]}}},
    )
    second = {**FILLED, "id": "notulen", "name": "Notulen rapat", "quantity": ""}
    answer = post(
        staff,
        f"/skp?cycle={CYCLE}",
        {"action": "create", "rows": "3", **row(0, **FILLED), **row(2, **second)},
    )
    assert answer.status_code == 422
    page = text(answer)
    wrong = field_html(page, "activities[2].quantity")
    assert 'aria-invalid="true"' in wrong and "wajib diisi" in wrong
    assert "aria-invalid" not in field_html(page, "activities[0].quantity")
    assert 'value="Notulen rapat"' in page and 'value="Rapat koordinasi"' in page
    assert 'role="alert"' in page


def test_a_returned_skp_shows_the_notes_and_is_edited_then_submitted(staff, services):
    base = f"/skps/{STAFF}/{CYCLE}"
    returned = skp("returned", [activity("rapat", "Rapat koordinasi")], notes="Tambah satuan.")
    services.on("GET", base, returned)
    page = text(staff.get(f"/skp?cycle={CYCLE}"))
    assert "Tambah satuan." in page and "Ubah draf SKP" in page
    assert 'value="rapat"' in page  # the saved activities fill the rows

    services.on("PUT", f"{base}/draft", returned)
    answer = post(
        staff,
        f"/skp?cycle={CYCLE}",
        {"action": "save", "rows": "2", **row(0, **FILLED, quality="90")},
    )
    assert answer.status_code == 302
    assert services.bodies("PUT", f"{base}/draft") == [
        {"activities": [{**{k: v for k, v in FILLED.items() if v}, "quality": "90"}]}
    ]
    services.on("POST", f"{base}/submit", skp("submitted", [activity("rapat", "Rapat")]))
    assert post(staff, f"/skp?cycle={CYCLE}", {"action": "submit"}).status_code == 302
    assert services.bodies("POST", f"{base}/submit") == [None]


def score_answer(value: float) -> dict:
    target = activity("rapat", "Rapat koordinasi")
    return {
        "nip": STAFF,
        "cycle": CYCLE,
        "complete": False,
        "extra_tasks": 0,
        "extra_tasks_points": 0.0,
        "creativity": None,
        "creativity_points": 0.0,
        "activities_mean": value,
        "skp_score": value,
        "activities": [
            {
                "activity": target,
                "assumed": ["quality"],
                "realization": {"quantity": 6.0, "quality": 100.0, "months": 12.0, "cost": None},
                "score": {
                    "quantity": 50.0,
                    "quality": 100.0,
                    "time": 76.0,
                    "cost": None,
                    "total": 226.0,
                    "score": value,
                },
            }
        ],
    }


def test_an_approved_skp_shows_the_score_and_answers_a_what_if(staff, services):
    base = f"/skps/{STAFF}/{CYCLE}"
    services.on("GET", base, skp("approved", [activity("rapat", "Rapat koordinasi")], True))
    services.on("GET", f"{base}/score", score_answer(75.33))
    page = text(staff.get(f"/skp?cycle={CYCLE}"))
    assert "Nilai SKP: 75.33" in page and "Mulai revisi" in page
    assert 'name="activities.rapat.quantity" type="number" value="6"' in page

    services.on("POST", f"{base}/what-if", score_answer(88.5))
    answer = post(
        staff,
        f"/skp?cycle={CYCLE}",
        {
            "action": "what_if",
            "activities.rapat.quantity": "12",
            "activities.rapat.quality": "",
            "activities.rapat.months": "10",
            "extra_tasks": "1",
            "creativity": "",
        },
    )
    assert answer.status_code == 200
    assert "Nilai SKP bila terwujud: 88.50" in text(answer)
    assert services.bodies("POST", f"{base}/what-if") == [
        {"activities": {"rapat": {"quantity": "12", "months": "10"}}, "extra_tasks": 1}
    ]


def test_realization_sends_what_was_typed_and_shows_a_refusal_beside_it(staff, services):
    base = f"/skps/{STAFF}/{CYCLE}"
    services.on("GET", base, skp("approved", [activity("rapat", "Rapat koordinasi")], True))
    services.on("GET", f"{base}/score", score_answer(75.0))
    path = f"{base}/activities/rapat/realization"
    services.refuse(
        "PATCH",
        path,
        422,
        "validation_failed",
        {"quantity": ["this activity's quantity comes from its verified daily logs"]},
    )
    answer = post(
        staff,
        f"/skp?cycle={CYCLE}",
        {
            "action": "realize",
            "activity": "rapat",
            "rapat.quantity": "7",
            "rapat.months": "",
        },
    )
    assert answer.status_code == 422
    assert "dihitung dari log harian yang terverifikasi" in field_html(
        text(answer), "rapat.quantity"
    )
    assert services.bodies("PATCH", path) == [{"quantity": "7"}]


# --- today's log ---------------------------------------------------------------------------


def entry(id_: str, status: str, **extra) -> dict:
    return {
        "id": id_,
        "nip": STAFF,
        "date": date.today().isoformat(),
        "activity_id": "rapat",
        "description": f"Pekerjaan {id_} yang cukup panjang",
        "quantity": 1.0,
        "minutes": 60,
        "status": status,
        "reason": "",
        "verified_by": None,
        "revision": 1,
        **extra,
    }


def test_a_log_entry_is_sent_with_whole_minutes_and_its_rule_said_in_place(staff, services):
    services.on(
        "GET",
        f"/skps/{STAFF}/{CYCLE}",
        skp("approved", [activity("rapat", "Rapat koordinasi")], True),
    )
    page = text(staff.get("/logs"))
    assert '<option value="rapat">Rapat koordinasi (laporan)</option>' in page
    assert f'value="{date.today().isoformat()}"' in page

    services.refuse(
        "POST",
        "/entries",
        422,
        "log_rule_broken",
        {"description": ["min_description_length: describe the work in at least 20 characters"]},
    )
    typed = {
        "action": "create",
        "date": date.today().isoformat(),
        "activity_id": "rapat",
        "description": "Rapat",
        "completes_output": "on",
        "quantity": "1",
        "minutes": "90",
    }
    answer = post(staff, "/logs", typed)
    assert answer.status_code == 422
    assert "uraikan pekerjaan paling sedikit 20 karakter" in field_html(text(answer), "description")
    assert 'value="90"' in text(answer)
    assert services.bodies("POST", "/entries") == [
        {
            "completes_output": True,
            "date": date.today().isoformat(),
            "activity_id": "rapat",
            "description": "Rapat",
            "quantity": "1",
            "minutes": 90,
        }
    ]
    assert 'name="completes_output" type="checkbox" value="on" checked' in text(answer)


def test_an_ordinary_log_entry_is_activity_and_sends_no_output(staff, services):
    services.on(
        "GET",
        f"/skps/{STAFF}/{CYCLE}",
        skp("approved", [activity("rapat", "Rapat koordinasi")], True),
    )
    page = text(staff.get("/logs"))
    assert "Entri ini menyelesaikan output" in page
    services.on("POST", "/entries", entry("e9", "pending", completes_output=False), 201)
    typed = {
        "action": "create",
        "date": date.today().isoformat(),
        "activity_id": "rapat",
        "description": "Menyiapkan bahan rapat koordinasi",
        "quantity": "",
        "minutes": "60",
    }
    assert post(staff, "/logs", typed).status_code == 302
    [sent] = services.bodies("POST", "/entries")
    assert sent["completes_output"] is False and "quantity" not in sent
    # a quantity typed without the tick is refused by the service, said beside it
    services.refuse(
        "POST",
        "/entries",
        422,
        "log_rule_broken",
        {"quantity": ["output_only_when_completed: an ordinary entry is activity ..."]},
    )
    answer = post(staff, "/logs", {**typed, "quantity": "3"})
    assert answer.status_code == 422
    assert "log biasa adalah kegiatan tanpa jumlah output" in field_html(text(answer), "quantity")


def test_my_month_lists_entries_with_their_state_and_edits_an_unverified_one(staff, services):
    month = date.today().strftime("%Y-%m")
    services.on(
        "GET",
        "/entries",
        [
            entry("e1", "verified"),
            entry("e2", "rejected", reason="Uraian kurang jelas"),
            entry("e3", "withdrawn"),
        ],
    )
    services.on(
        "GET",
        f"/employees/{STAFF}/recap",
        {
            "nip": STAFF,
            "month": month,
            "minutes": 120,
            "verified_minutes": 60,
            "pending_minutes": 0,
            "activities": [],
            "repeated_descriptions": {},
            "missing_days": [(date.today().replace(day=1)).isoformat()],
        },
    )
    page = text(staff.get(f"/logs?month={month}"))
    assert "Terverifikasi" in page and "Uraian kurang jelas" in page
    assert "Pekerjaan e3" not in page  # withdrawn entries are gone
    assert "edit=e2" in page and "edit=e1" not in page  # only the unverified one changes
    assert "tanpa log" in page

    page = text(staff.get(f"/logs?month={month}&edit=e2"))
    assert "Ubah log tanggal" in page and "Simpan perubahan" in page
    assert "Pekerjaan e2 yang cukup panjang</textarea>" in page

    services.on("PATCH", "/entries/e2", entry("e2", "pending"))
    answer = post(
        staff,
        f"/logs?month={month}&edit=e2",
        {
            "action": "edit",
            "date": date.today().isoformat(),
            "activity_id": "rapat",
            "description": "Rapat koordinasi dengan notulen lengkap",
            "quantity": "1",
            "minutes": "75",
        },
    )
    assert answer.status_code == 302
    assert services.bodies("PATCH", "/entries/e2")[0]["minutes"] == 75

    services.on("DELETE", "/entries/e2", entry("e2", "withdrawn"))
    answer = post(staff, f"/logs?month={month}", {"action": "withdraw", "entry": "e2"})
    assert answer.status_code == 302
    assert services.bodies("DELETE", "/entries/e2") == [None]


# --- my pending ratings ----------------------------------------------------------------------

ROUND = {
    "id": "r1",
    "cycle": CYCLE,
    "framework_id": "berakhlak",
    "framework_version": 1,
    "deadline": (date.today() + timedelta(days=7)).isoformat(),
    "peers_per_ratee": 2,
    "status": "open",
}
DIMENSIONS = [
    {
        "key": "akuntabel",
        "name": "Akuntabel",
        "description": "Bertanggung jawab",
        "anchors": {"0": "tidak", "91": "teladan"},
        "structural_only": False,
    },
    {
        "key": "adaptif",
        "name": "Adaptif",
        "description": "Berinovasi",
        "anchors": {"0": "tidak", "91": "teladan"},
        "structural_only": False,
    },
]


def assignment(id_: str, status: str, group: str = "peer", **extra) -> dict:
    return {
        "id": id_,
        "round_id": "r1",
        "rater": STAFF,
        "ratee": "1" * 18,
        "ratee_name": f"Rekan {id_}",
        "group": group,
        "state": "active",
        "source": "generated",
        "status": status,
        "scores": {},
        "comment": "",
        "decline_reason": "",
        "dimensions": DIMENSIONS,
        **extra,
    }


def test_my_ratings_list_what_is_left_and_what_is_done(staff, services):
    services.on("GET", "/rounds", [ROUND, {**ROUND, "id": "r0", "status": "closed"}])
    services.on(
        "GET",
        "/rounds/r1/my-assignments",
        [
            assignment("a1", "pending"),
            assignment("a2", "submitted", group="superior"),
            assignment("a3", "declined", decline_reason="Konflik kepentingan"),
        ],
    )
    page = text(staff.get("/ratings"))
    assert "Perlu dinilai (1)" in page and "Selesai (2)" in page
    assert "Nilai Rekan a1" in page and "sebagai atasannya" in page
    assert "Konflik kepentingan" in page
    assert [p for m, p, _ in services.sent if m == "GET"] == [
        "/rounds",
        "/rounds/r1/my-assignments",
    ]


def test_a_rating_is_drafted_with_the_scores_typed_and_refusals_land_beside_them(staff, services):
    services.on("GET", "/rounds", [ROUND])
    services.on("GET", "/rounds/r1/my-assignments", [assignment("a1", "pending")])
    path = "/ratings/r1/a1"
    page = text(staff.get(path))
    assert page.count('type="number"') == 2 and "Simpan draf" in page

    services.on("PUT", "/rounds/r1/assignments/a1/draft", assignment("a1", "draft"))
    answer = post(
        staff,
        path,
        {"action": "draft", "scores.akuntabel": "80", "scores.adaptif": "", "comment": " Baik "},
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(path)
    assert services.bodies("PUT", "/rounds/r1/assignments/a1/draft") == [
        {"scores": {"akuntabel": "80"}, "comment": "Baik"}
    ]

    services.refuse(
        "POST",
        "/rounds/r1/assignments/a1/submit",
        422,
        "validation_failed",
        {"scores": {"adaptif": {"value": ["Not a valid number."]}}},
    )
    answer = post(
        staff,
        path,
        {"action": "submit", "scores.akuntabel": "80", "scores.adaptif": "x", "comment": ""},
    )
    assert answer.status_code == 422
    assert "harus berupa angka" in field_html(text(answer), "scores.adaptif")
    assert 'value="80"' in text(answer)


def test_a_submitted_rating_is_revised_and_an_assignment_declined_with_a_reason(staff, services):
    services.on("GET", "/rounds", [ROUND])
    done = assignment("a1", "submitted", scores={"akuntabel": 80.0, "adaptif": 90.0})
    services.on("GET", "/rounds/r1/my-assignments", [done])
    page = text(staff.get("/ratings/r1/a1"))
    assert "Perbarui penilaian" in page and 'value="90"' in page

    services.on("PUT", "/rounds/r1/assignments/a1/response", done)
    answer = post(
        staff,
        "/ratings/r1/a1",
        {"action": "revise", "scores.akuntabel": "85", "scores.adaptif": "90", "comment": ""},
    )
    assert answer.status_code == 302
    services.refuse(
        "POST",
        "/rounds/r1/assignments/a1/decline",
        422,
        "validation_failed",
        {"reason": ["Missing data for required field."]},
    )
    answer = post(staff, "/ratings/r1/a1", {"action": "decline", "reason": "  "})
    assert answer.status_code == 422
    assert "wajib diisi" in field_html(text(answer), "reason")
    assert services.bodies("POST", "/rounds/r1/assignments/a1/decline") == [{}]


# --- my results --------------------------------------------------------------------------------


def final(**extra) -> dict:
    return {
        "nip": STAFF,
        "cycle": "2025",
        "skp_score": 86.2,
        "behaviour_score": 85.76,
        "final_score": 86.03,
        "predicate": "Baik",
        "finalized_by": "196505051990031001",
        "finalized_on": date.today().isoformat(),
        "objection": None,
        **extra,
    }


def provisional(finalized: dict | None) -> dict:
    return {
        "nip": STAFF,
        "cycle": "2025",
        "name": "Dewi Lestari",
        "unit_id": "umpeg",
        "skp_score": 86.2,
        "skp_complete": True,
        "skp_share": 0.6,
        "behaviour_score": 85.76,
        "dimensions": {},
        "groups": {},
        "reliability": None,
        "standard_error": None,
        "effective_raters": None,
        "flags": [],
        "final_score": 86.03,
        "predicate": "Baik",
        "scheme": "default@v1",
        "code_version": "x",
        "pending": False,
        "computed_at": None,
        "finalized": finalized,
    }


REPORT = {
    "nip": STAFF,
    "cycle": "2025",
    "dimensions": ["disiplin", "integritas"],
    "groups": {
        "peer": {"disiplin": 80.0, "integritas": 90.0},
        "superior": {"disiplin": 84.0, "integritas": 86.0},
    },
    "others": {"disiplin": 82.0, "integritas": 88.0},
    "self": {"disiplin": 95.0, "integritas": 85.0},
    "self_gap": {"disiplin": 13.0, "integritas": -3.0},
    "strengths": ["integritas"],
    "development_areas": ["disiplin"],
    "blind_spots": ["disiplin"],
    "hidden_strengths": [],
}


def test_my_results_show_the_locked_scores_the_radar_and_the_numbers(staff, services):
    base = f"/cycles/2025/scores/{STAFF}"
    services.on("GET", base, provisional(final()))
    services.on("GET", f"{base}/report", REPORT)
    services.on(
        "GET",
        "/frameworks",
        [
            {
                "id": "pp46",
                "dimensions": [
                    {"key": "disiplin", "name": "Disiplin"},
                    {"key": "integritas", "name": "Integritas"},
                ],
            }
        ],
    )
    page = text(staff.get("/results?cycle=2025"))
    assert "final, terkunci" in page and "86.03" in page and "Budi Santoso" in page
    assert "<svg" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>")[0]
    assert re.search(
        r"Disiplin</th>\s*<td class=\"num\">84.00</td>\s*<td class=\"num\">80.00", page
    )
    assert "+13.00" in page  # self against others
    assert "Alasan keberatan" in page  # finalized today: 14 days to object


def test_an_unpublished_report_is_said_and_an_objection_is_filed_then_shown(staff, services):
    base = f"/cycles/2025/scores/{STAFF}"
    services.on("GET", base, provisional(final()))
    services.refuse("GET", f"{base}/report", 409, "round_open")
    page = text(staff.get("/results?cycle=2025"))
    assert "belum diterbitkan" in page

    services.refuse(
        "POST", f"{base}/objection", 422, "validation_failed", {"reason": ["too short"]}
    )
    answer = post(staff, "/results?cycle=2025", {"action": "object", "reason": "Tidak adil"})
    assert answer.status_code == 422
    assert "terlalu singkat" in field_html(text(answer), "reason")
    assert "Tidak adil</textarea>" in text(answer)

    decided = final(
        final_score=90.0,
        predicate="Sangat Baik",
        objection={
            "reason": "Tugas panitia tidak dihitung",
            "filed_on": date.today().isoformat(),
            "outcome": "changed",
            "decided_by": "196505051990031001",
            "decided_on": date.today().isoformat(),
            "why": "Surat tugas terlampir.",
            "previous_final_score": 86.03,
        },
    )
    services.on("GET", base, provisional(decided))
    page = text(staff.get("/results?cycle=2025"))
    assert "Tugas panitia tidak dihitung" in page and "Nilai diubah" in page
    assert "Surat tugas terlampir." in page and "Alasan keberatan" not in page


def test_an_objection_after_fourteen_days_is_no_longer_offered(staff, services):
    late = (date.today() - timedelta(days=15)).isoformat()
    services.on("GET", f"/cycles/2025/scores/{STAFF}", provisional(final(finalized_on=late)))
    page = text(staff.get("/results?cycle=2025"))
    assert "sudah lewat" in page and "Alasan keberatan" not in page


def test_the_employee_pages_ask_to_log_in_first(client):
    for path in ("/skp", "/logs", "/ratings", "/results"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_an_htmx_request_after_the_session_expired_sends_the_browser_to_log_in(client):
    token = csrf(client, "/login")
    with client.session_transaction() as session:  # tokens identity no longer accepts
        session["tokens"] = {"access_token": "expired", "refresh_token": "revoked"}
    answer = client.post(
        "/skp",
        data={"csrf_token": token, "action": "submit"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/skp?cycle=2026"},
    )
    assert answer.status_code == 401  # not a redirect whose login page htmx would swap in
    assert answer.headers["HX-Redirect"] == "/login?next=/skp?cycle%3D2026"
    assert answer.get_data() == b""


# --- provisional scores: pro-rated, not yet assessable, never a 0 -----------------------------


def test_during_the_year_the_skp_page_says_pro_rated_and_not_yet_assessable(staff, services):
    base = f"/skps/{STAFF}/{CYCLE}"
    rapat, arsip = activity("rapat", "Rapat koordinasi"), activity("arsip", "Menata arsip")
    services.on("GET", base, skp("approved", [rapat, arsip], True))
    answer = score_answer(92.0)
    answer.update(provisional=True, prorated=True, as_of=f"{CYCLE}-06-30")
    answer["activities"][0].update(
        share=0.5, target={"quantity": 6.0}, flags=["waktu_negatif"], assessable=True
    )
    answer["activities"].append(
        {
            "activity": arsip,
            "assumed": [],
            "realization": None,
            "score": None,
            "assessable": False,
            "share": 0.5,
            "target": {"quantity": 6.0},
            "flags": [],
        }
    )
    services.on("GET", f"{base}/score", answer)
    page = text(staff.get(f"/skp?cycle={CYCLE}"))
    assert "sementara, pro-rata s.d. 30 Jun" in page
    assert re.search(r"Menata arsip</th>\s*<td[^>]*>[^<]*/ 6[^<]*<small", page)
    assert "belum dapat dinilai" in page  # the activity without realization: no 0
    assert "waktu negatif" in page  # PP 46's negative time score, kept and flagged


def test_my_results_without_an_skp_score_show_no_number_and_no_predicate(staff, services):
    base = f"/cycles/2025/scores/{STAFF}"
    waiting = provisional(None)
    waiting.update(
        skp_score=None,
        skp_complete=False,
        final_score=None,
        predicate=None,
        provisional_final_score=None,
        skp_prorated_to="2025-06-30",
    )
    services.on("GET", base, waiting)
    page = text(staff.get("/results?cycle=2025"))
    scorecards = page.split('class="scorecards"', 1)[1].split("</ul>", 1)[0]
    assert scorecards.count("belum dapat dinilai") == 2  # the SKP and so the final score
    assert "85.76" in scorecards  # the behaviour score is there
    assert "Baik" not in scorecards and "Buruk" not in scorecards
    assert "belum ada: nilai belum final" in scorecards


def test_my_results_show_a_provisional_figure_labelled_and_without_a_predicate(staff, services):
    base = f"/cycles/2025/scores/{STAFF}"
    pace = provisional(None)
    pace.update(
        skp_complete=False,
        final_score=None,
        predicate=None,
        provisional_final_score=86.03,
        skp_prorated_to="2025-06-30",
    )
    services.on("GET", base, pace)
    page = text(staff.get("/results?cycle=2025"))
    scorecards = page.split('class="scorecards"', 1)[1].split("</ul>", 1)[0]
    assert "86.03" in scorecards and "sementara, tanpa predikat" in scorecards
    assert "sementara, pro-rata s.d. 30 Jun 2025" in scorecards
    assert "Baik" not in scorecards
