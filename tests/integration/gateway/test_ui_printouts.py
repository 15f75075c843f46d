"""Printouts: the SKP form and the appraisal form as PDF, and the page that lists them.

The gateway runs on the real MongoDB-compatible server with its own directory; the services
behind it (targets, appraisal, feedback) are stood in for by their HTTP answers, with their
access rule (the employee, the direct supervisor, HR), so the UI's side is what is tested.
The pages' text is read from WeasyPrint's laid-out pages, the same document that is written
as the PDF (pypdf, which could read the PDF's text itself, is not a dependency).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests

from gateway import upstream
from gateway.directory import commands as directory
from gateway.directory.domain import Employee, Unit
from gateway.identity import commands as identity
from gateway.ui import printing
from gateway.ui.views import printouts
from kinerja.auth import verify_access_token
from tests.integration.gateway.conftest import BOSS, PASSWORD, STAFF, login

SEKRETARIS = "196602021991022002"
PEER = "198503032010011003"  # Dewi's colleague: may not print her forms
SERVICES = ("targets", "appraisal", "feedback")


# --- the directory: Sekretaris -> Kasubag -> two staff ------------------------------------------


def _employee(nip, name, position, golongan, supervisor=None, echelon=None) -> Employee:
    return Employee(
        nip,
        name,
        position,
        "umpeg" if supervisor else "sekretariat",
        golongan,
        "structural" if echelon else "functional",
        "S-2" if echelon else "SMA",
        echelon=echelon,
        supervisor_nip=supervisor,
    )


@pytest.fixture
def people(gateway_app):
    def seed(tx):
        directory.upsert_unit(tx, Unit("bappeda", "Bappeda Provinsi Kalimantan Timur"), "test")
        directory.upsert_unit(tx, Unit("sekretariat", "Sekretariat", "bappeda"), "test")
        directory.upsert_unit(
            tx, Unit("umpeg", "Sub Bagian Umum dan Kepegawaian", "sekretariat"), "test"
        )
        for employee in (
            _employee(SEKRETARIS, "Rahmawati Sari", "Sekretaris", "IV/b", echelon="III.a"),
            _employee(
                BOSS, "Budi Santoso", "Kepala Sub Bagian", "III/d", SEKRETARIS, echelon="IV.a"
            ),
            _employee(STAFF, "Dewi Lestari", "Pengadministrasi Umum", "II/c", BOSS),
            _employee(PEER, "Rudi Hartono", "Pengadministrasi Umum", "II/c", BOSS),
        ):
            directory.create_employee(tx, employee, "test")
        for username, nip in (("sekretaris", SEKRETARIS), ("kasubag", BOSS), ("dewi", STAFF)):
            identity.create_account(tx, username, PASSWORD, [], nip, None, "test")
        identity.create_account(tx, "rudi", PASSWORD, [], PEER, None, "test")
        identity.create_account(tx, "hr-admin", PASSWORD, ["hr"], None, None, "test")

    gateway_app.extensions["kinerja"].uow(seed)


# --- the services' answers --------------------------------------------------------------------

ACTIVITIES = [
    {
        "id": "agenda-surat",
        "name": "Mengagendakan surat masuk dan keluar",
        "quantity": 1200.0,
        "unit": "surat",
        "months": 12.0,
        "quality": 100.0,
        "cost": None,
        "credit_points": None,
    },
    {
        "id": "laporan-bulanan",
        "name": "Menyusun laporan bulanan administrasi",
        "quantity": 12.0,
        "unit": "laporan",
        "months": 12.0,
        "quality": 100.0,
        "cost": None,
        "credit_points": None,
    },
]


def _version(status: str, number: int = 1) -> dict:
    decided = BOSS if status == "approved" else None
    return {
        "number": number,
        "status": status,
        "activities": ACTIVITIES,
        "notes": "",
        "decided_by": decided,
    }


def _skp(cycle: str, status: str, realization: dict) -> dict:
    approved = status in ("approved", "realization_complete")
    version = _version("approved" if approved else status)
    return {
        "nip": STAFF,
        "cycle": cycle,
        "status": status,
        "revision": 3,
        "current": version,
        "contract": version if approved else None,
        "realization": realization,
        "achievements": [],
    }


def _activity_score(activity: dict, realized: dict, scores: dict, assumed=()) -> dict:
    return {
        "activity": activity,
        "realization": realized,
        "score": scores,
        "assumed": list(assumed),
    }


SKP_2025 = _skp(
    "2025",
    "realization_complete",
    {
        "agenda-surat": {"quantity": 1176.0, "quality": 86.0, "months": 12.0, "cost": None},
        "laporan-bulanan": {"quantity": 11.0, "quality": 80.0, "months": 12.0, "cost": None},
    },
)
SKP_SCORE_2025 = {
    "nip": STAFF,
    "cycle": "2025",
    "activities": [
        _activity_score(
            ACTIVITIES[0],
            {"quantity": 1176.0, "quality": 86.0, "months": 12.0, "cost": None},
            {
                "quantity": 98.0,
                "quality": 86.0,
                "time": 76.0,
                "cost": None,
                "total": 260.0,
                "score": 86.66666666666667,
            },
        ),
        _activity_score(
            ACTIVITIES[1],
            {"quantity": 11.0, "quality": 80.0, "months": 12.0, "cost": None},
            {
                "quantity": 91.66666666666667,
                "quality": 80.0,
                "time": 76.0,
                "cost": None,
                "total": 247.66666666666666,
                "score": 82.55555555555556,
            },
        ),
    ],
    "activities_mean": 84.61111111111111,
    "extra_tasks": 2,
    "extra_tasks_points": 1.0,
    "creativity": None,
    "creativity_points": 0.0,
    "skp_score": 85.61111111111111,
    "complete": True,
}
SKP_2026 = _skp("2026", "draft", {})
DIMENSIONS = {
    "disiplin": 84.56,
    "integritas": 85.56,
    "kerja_sama": 85.81,
    "komitmen": 86.81,
    "orientasi_pelayanan": 86.06,
}
GROUPS = {
    "superior": {
        "raters": 1,
        "counted": True,
        "weight": 0.625,
        "mean_raw": 85.4,
        "mean_adjusted": 85.747,
    },
    "peer": {
        "raters": 3,
        "counted": True,
        "weight": 0.375,
        "mean_raw": 86.133,
        "mean_adjusted": 85.763,
    },
    "self": {"raters": 1, "counted": False, "weight": 0.0, "mean_raw": 85.8, "mean_adjusted": 85.8},
}


def _score(cycle: str, skp: float, final: float, predicate: str, finalized=None) -> dict:
    return {
        "nip": STAFF,
        "cycle": cycle,
        "name": "Dewi Lestari",
        "unit_id": "umpeg",
        "skp_score": skp,
        "skp_complete": finalized is not None,
        "skp_share": 0.6,
        "behaviour_score": 85.76,
        "dimensions": DIMENSIONS,
        "groups": GROUPS,
        "reliability": 0.998,
        "standard_error": 0.23,
        "effective_raters": 4.0,
        "flags": [],
        "final_score": final,
        "predicate": predicate,
        "scheme": "default@v2",
        "code_version": "combination-2",
        "pending": False,
        "computed_at": "2026-01-20T07:15:50+00:00",
        "finalized": finalized,
    }


OBJECTION = {
    "reason": "Target kuantitas tidak memperhitungkan tiga bulan penugasan saya sebagai panitia.",
    "filed_on": "2026-01-22",
    "decided_by": SEKRETARIS,
    "decided_on": "2026-01-30",
    "outcome": "changed",
    "why": "Surat tugas kepanitiaan terlampir; target kuantitas disesuaikan.",
    "previous_final_score": 85.67066666666668,
}
SCORE_2025 = _score(
    "2025",
    85.61111111111111,
    88.5,
    "Baik",
    finalized={
        "nip": STAFF,
        "cycle": "2025",
        "skp_score": 85.61111111111111,
        "behaviour_score": 85.76,
        "final_score": 88.5,
        "predicate": "Baik",
        "finalized_by": BOSS,
        "finalized_on": "2026-01-20",
        "objection": OBJECTION,
    },
)
# during the year: the SKP pro-rated, so no final score and no predicate, a provisional figure
SCORE_2026 = {
    **_score("2026", 64.96, None, None),
    "skp_prorated_to": "2026-06-30",
    "provisional_final_score": 73.28,
}
REPORT_2025 = {
    "nip": STAFF,
    "cycle": "2025",
    "dimensions": sorted(DIMENSIONS),
    "groups": {
        "superior": {d: v + 1 for d, v in DIMENSIONS.items()},
        "peer": {d: v - 1 for d, v in DIMENSIONS.items()},
    },
    "others": DIMENSIONS,
    "self": {d: 80.0 for d in DIMENSIONS},
    "self_gap": {},
    "strengths": [],
    "development_areas": [],
    "blind_spots": [],
    "hidden_strengths": [],
}
ROUNDS = [
    {"id": "2026-perilaku", "cycle": "2026", "status": "open"},
    {"id": "2025-perilaku", "cycle": "2025", "status": "closed"},
]
ANSWERS = {
    f"skps/{STAFF}/2025": SKP_2025,
    f"skps/{STAFF}/2025/score": SKP_SCORE_2025,
    f"skps/{STAFF}/2026": SKP_2026,
    f"cycles/2025/scores/{STAFF}": SCORE_2025,
    f"cycles/2025/scores/{STAFF}/report": REPORT_2025,
    f"cycles/2026/scores/{STAFF}": SCORE_2026,
    "rounds": ROUNDS,
}
SUPERVISORS = {STAFF: BOSS, PEER: BOSS, BOSS: SEKRETARIS}
OWNER = re.compile(r"^(?:skps/(?P<skp>[^/]+)/|cycles/[^/]+/scores/(?P<score>[^/]+))")


def _answer(status: int, body) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = json.dumps(body).encode()
    answer.headers["Content-Type"] = "application/json"
    return answer


class FakeServices:
    """The services' HTTP answers to the UI, refusing as they do: an employee's records are
    for the employee, their direct supervisor and HR (403); what is not there is 404; the
    2026 report waits for the open round (409)."""

    def __init__(self, settings):
        self.settings = settings
        self.calls: list[str] = []

    def request(self, method, url, headers, timeout, **_kwargs) -> requests.Response:
        path = urlsplit(url).path.removeprefix("/api/v1/")
        self.calls.append(path)
        caller = verify_access_token(self.settings, headers["Authorization"].split()[1])
        owner = OWNER.match(path)
        nip = owner and (owner["skp"] or owner["score"])
        if nip and caller.subject not in (nip, SUPERVISORS.get(nip)) and "hr" not in caller.roles:
            return _answer(403, {"error": {"code": "forbidden", "message": "not yours to see"}})
        if path == f"cycles/2026/scores/{STAFF}/report":
            return _answer(409, {"error": {"code": "round_open", "message": "round open"}})
        if path not in ANSWERS:
            return _answer(404, {"error": {"code": "not_found", "message": "nothing here"}})
        return _answer(200, ANSWERS[path])


@pytest.fixture
def services(gateway_app, monkeypatch):
    settings = gateway_app.extensions["kinerja"].settings
    for name in SERVICES:
        monkeypatch.setitem(settings.urls, name, f"http://{name}.test")
    fake = FakeServices(settings)
    monkeypatch.setattr(upstream, "_session", fake)
    return fake


@pytest.fixture
def printed(monkeypatch) -> list:
    """The laid-out documents the printouts wrote as PDF, to read their pages' text."""
    documents = []
    render = printing.render_document

    def keep(html: str):
        documents.append(render(html))
        documents[-1].html = html  # the markup too: an SVG chart's text is no page text
        return documents[-1]

    monkeypatch.setattr(printing, "render_document", keep)
    return documents


def page_texts(document) -> list[str]:
    """Each page's text, the running header and footer included, spaces collapsed."""
    return [
        " ".join(
            " ".join(b.text for b in page._page_box.descendants() if hasattr(b, "text")).split()
        )
        for page in document.pages
    ]


def logged_in(client, username: str):
    answer = login(client, username)
    assert answer.status_code == 200, answer.json
    with client.session_transaction() as session:
        session["tokens"] = {k: answer.json[k] for k in ("access_token", "refresh_token")}
    return client


@pytest.fixture
def as_user(gateway_app, people, services):
    return lambda username: logged_in(gateway_app.test_client(), username)


def assert_pdf(answer, filename: str) -> None:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == f'inline; filename="{filename}"'
    assert answer.data.startswith(b"%PDF-") and answer.data.rstrip().endswith(b"%%EOF")


# --- the SKP form -------------------------------------------------------------------------------


def test_the_skp_form_names_both_people_the_targets_and_the_achievement(as_user, printed):
    answer = as_user("dewi").get(f"/print/skp/{STAFF}/2025.pdf")

    assert_pdf(answer, f"skp-{STAFF}-2025.pdf")
    first, second = page_texts(printed[0])
    assert "FORMULIR SASARAN KERJA PEGAWAI NEGERI SIPIL" in first
    assert "1 Januari 2025 s.d. 31 Desember 2025" in first
    for who in ("Budi Santoso", BOSS, "Penata Tingkat I, III/d", "Dewi Lestari", STAFF):
        assert who in first
    assert "Pengatur, II/c" in first
    assert "Sub Bagian Umum dan Kepegawaian, Sekretariat, Bappeda Provinsi" in first
    assert "Mengagendakan surat masuk dan keluar" in first and "1.200 surat" in first
    assert "Halaman 1 dari 2" in first
    # the achievement, on a landscape page: realization, the sums and scores, the total
    assert printed[0].pages[1].width > printed[0].pages[1].height
    assert "PENILAIAN CAPAIAN SASARAN KERJA" in second
    assert "1.176 surat" in second and "260,00" in second and "86,67" in second
    assert "II. Tugas tambahan: 2 tugas disetujui" in second
    assert "85,61" in second and "(Baik)" in second
    assert "SEMENTARA" not in first + second and "DRAF" not in first + second


def test_a_draft_skp_prints_its_targets_marked_draf_without_an_achievement(as_user, printed):
    answer = as_user("dewi").get(f"/print/skp/{STAFF}/2026.pdf")

    assert_pdf(answer, f"skp-{STAFF}-2026.pdf")
    (only,) = page_texts(printed[0])
    assert "DRAF" in only and "Belum disetujui pejabat penilai (status: Draf)" in only
    assert "Menyusun laporan bulanan administrasi" in only
    assert "PENILAIAN CAPAIAN" not in only


# --- the appraisal form ------------------------------------------------------------------------


def test_the_finalized_appraisal_form_has_every_part_and_no_provisional_mark(as_user, printed):
    answer = as_user("dewi").get(f"/print/appraisal/{STAFF}/2025.pdf")

    assert_pdf(answer, f"penilaian-{STAFF}-2025.pdf")
    pages = page_texts(printed[0])
    text = " ".join(pages)
    assert "PENILAIAN PRESTASI KERJA PEGAWAI NEGERI SIPIL" in text
    # the employee, the appraiser and the appraiser's superior
    for who in ("Dewi Lestari", "Budi Santoso", "Rahmawati Sari", "Pembina Tingkat I, IV/b"):
        assert who in text
    # SKP × 60 %, each aspect with its predicate, the sum, the mean, × 40 %
    assert "85,61 × 60 % 51,37" in text
    assert "1. Orientasi pelayanan 86,06 Baik" in text and "5. Kerja sama 85,81 Baik" in text
    assert "Kepemimpinan" not in text  # a functional position: five aspects
    assert "Jumlah 428,80" in text and "Nilai rata-rata 85,76 Baik" in text
    assert "85,76 × 40 % 34,30" in text
    # the objection changed the score: both numbers and the decision are on the form
    assert "Hasil penghitungan, sebelum keputusan atas keberatan Baik 85,67" in text
    assert "5. Nilai prestasi kerja (setelah keputusan atas keberatan) Baik 88,50" in text
    assert OBJECTION["reason"] in text and OBJECTION["why"] in text
    assert "Nilai diubah menjadi 88,50 (Baik)." in text
    assert "Dibuat tanggal 20 Januari 2026" in text
    # the 360 appendix: the chart's numbers and how they were combined (weights shown to
    # the employee too here: the API decides what it sends)
    assert (
        "<svg" in printed[0].html and "Perilaku kerja menurut kelompok penilai" in printed[0].html
    )
    assert "Atasan Rekan kerja Diri sendiri Nilai gabungan" in text
    assert "default@v2" in text and "62,5 %" in text and "Keandalan 0,998" in text
    assert "SEMENTARA" not in text
    assert pages[-1].endswith(f"Halaman {len(pages)} dari {len(pages)}")


def test_a_provisional_appraisal_is_marked_sementara_on_every_page(as_user, printed):
    answer = as_user("dewi").get(f"/print/appraisal/{STAFF}/2026.pdf")

    assert_pdf(answer, f"penilaian-{STAFF}-2026.pdf")
    pages = page_texts(printed[0])
    assert len(pages) >= 2
    assert all("SEMENTARA" in text for text in pages)
    text = " ".join(pages)
    assert "penilaian ini belum difinalisasi pejabat penilai" in text
    assert "Dibuat tanggal ...................." in text
    assert "Grafik 360 belum tersedia" in text  # the round is still open
    assert "Tidak ada keberatan." in text
    assert "sementara, pro-rata s.d. 30 Juni 2026" in text
    assert "tanpa sebutan: nilai belum final 73,28" in text
    assert "Cukup" not in text.split("5. Nilai prestasi kerja", 1)[1].split("6.", 1)[0]


def test_the_employee_sees_no_breakdown_the_api_did_not_send(as_user, printed, monkeypatch):
    hidden = {**SCORE_2025, "groups": {}, "reliability": None, "standard_error": None}
    monkeypatch.setitem(ANSWERS, f"cycles/2025/scores/{STAFF}", hidden)

    as_user("dewi").get(f"/print/appraisal/{STAFF}/2025.pdf")

    text = " ".join(page_texts(printed[0]))
    assert "hanya dicetak untuk atasan dan HR" in text and "Bobot efektif" not in text


# --- who may print ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["skp", "appraisal"])
def test_another_employee_gets_403(as_user, printed, form):
    answer = as_user("rudi").get(f"/print/{form}/{STAFF}/2025.pdf")

    assert answer.status_code == 403
    assert answer.mimetype == "text/html"
    assert "tidak berhak mencetak formulir pegawai ini" in answer.get_data(as_text=True)
    assert printed == []


@pytest.mark.parametrize("username", ["kasubag", "hr-admin"])
def test_the_supervisor_and_hr_print_the_employees_forms(as_user, username):
    client = as_user(username)
    for form, name in (("skp", "skp"), ("appraisal", "penilaian")):
        assert_pdf(client.get(f"/print/{form}/{STAFF}/2025.pdf"), f"{name}-{STAFF}-2025.pdf")


def test_a_form_that_does_not_exist_is_404(as_user):
    answer = as_user("dewi").get(f"/print/appraisal/{STAFF}/2024.pdf")

    assert answer.status_code == 404
    assert "Belum ada nilai prestasi kerja untuk siklus ini." in answer.get_data(as_text=True)


def test_a_path_that_is_no_nip_never_reaches_a_service(as_user, services):
    answer = as_user("dewi").get("/print/skp/..%2F..%2Frounds/2025.pdf")

    assert answer.status_code == 404
    assert not [c for c in services.calls if c.startswith("skps")]


def test_logged_out_the_printout_asks_to_log_in(gateway_app, people, services):
    answer = gateway_app.test_client().get(f"/print/skp/{STAFF}/2025.pdf")

    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


# --- the list of printouts ---------------------------------------------------------------------


def test_the_list_links_the_employees_own_forms_per_cycle(as_user):
    html = as_user("dewi").get("/print").get_data(as_text=True)

    assert f'href="/print/skp/{STAFF}/2025.pdf">Formulir SKP 2025 (PDF)' in html
    assert f'href="/print/appraisal/{STAFF}/2025.pdf">Formulir penilaian 2025 (PDF)' in html
    assert f'href="/print/appraisal/{STAFF}/2026.pdf">Formulir penilaian 2026 (PDF)' in html
    assert "Final" in html and "Sementara" in html and "Draf" in html
    assert "Formulir bawahan langsung" not in html and "Formulir pegawai lain" not in html


def test_the_list_gives_a_supervisor_a_row_per_direct_report(as_user):
    html = as_user("kasubag").get("/print").get_data(as_text=True)

    assert "Formulir bawahan langsung" in html
    for nip, name in ((STAFF, "Dewi Lestari"), (PEER, "Rudi Hartono")):
        link = f'href="/print/appraisal/{nip}/2025.pdf"'
        assert f'{link} aria-label="Formulir penilaian 2025 {name} (PDF)"' in html


def test_hr_finds_anyones_forms_by_nip(as_user):
    client = as_user("hr-admin")

    html = client.get(f"/print?nip={STAFF}").get_data(as_text=True)
    assert "Dewi Lestari" in html and f"/print/skp/{STAFF}/2026.pdf" in html
    assert "NIP tidak sah" in client.get("/print?nip=../x").get_data(as_text=True)


# --- the rows the forms print (pure) -------------------------------------------------------------


def test_the_appraisal_form_keeps_the_computed_and_the_decided_score():
    """The score before the objection's decision is the service's own record of it, not a
    sum the UI makes: the printout never recomputes a score."""
    form = printouts.appraisal_form(SCORE_2025)

    assert form.finalized and not form.provisional
    assert [a.key for a in form.aspects] == [
        "orientasi_pelayanan",
        "integritas",
        "komitmen",
        "disiplin",
        "kerja_sama",
    ]
    assert form.objection.previous_final_score == 85.67066666666668
    assert form.final_score == 88.5 and form.predicate == "Baik"
    assert form.objection.outcome == "changed"


def test_predicates_are_banded_without_rounding():
    assert printouts.predicate(90.5) == "Baik"
    assert printouts.predicate(91) == "Sangat Baik"
    assert printouts.predicate(50.99) == "Buruk"


def test_the_radar_puts_groups_in_order_then_self_then_the_combined_score():
    radar = printouts.radar_data(REPORT_2025)

    assert list(radar.series) == ["Atasan", "Rekan kerja", "Diri sendiri", "Nilai gabungan"]
    assert radar.axes[0] == "Orientasi pelayanan"
    assert radar.rows()[0] == ("Orientasi pelayanan", [87.06, 85.06, 80.0, 86.06])


def test_a_draft_skp_prints_the_current_version_without_scores():
    form = printouts.skp_form(SKP_2026, None)

    assert not form.approved and not form.realized and form.score is None
    assert [row.name for row in form.rows] == [a["name"] for a in ACTIVITIES]


def test_cycles_come_from_the_rounds_and_this_year():
    assert printouts.cycles_from_rounds(ROUNDS, 2027) == ["2027", "2026", "2025"]
    assert printouts.cycles_from_rounds([], 2026) == ["2026", "2025"]


def test_rank_names_the_pangkat_of_a_golongan():
    assert printouts.rank_of("III/a") == "Penata Muda, III/a"
    assert printouts.rank_of("X/y") == "X/y"


def test_in_english_the_numbers_follow_the_locale(as_user, printed):
    client = as_user("dewi")
    client.set_cookie("lang", "en")

    assert_pdf(client.get(f"/print/appraisal/{STAFF}/2025.pdf"), f"penilaian-{STAFF}-2025.pdf")
    text = " ".join(page_texts(printed[0]))
    assert "86.06" in text and "86,06" not in text


def test_the_renderer_fetches_nothing_from_outside(caplog):
    document = printing.render_document(
        '<img src="file:///etc/hostname"><img src="http://127.0.0.1:9/pixel.png">'
    )

    assert len(document.pages) == 1
    assert caplog.text.count("disallowed protocol") == 2


def test_a_pro_rated_skp_prints_without_a_predicate_and_says_what_is_not_assessable():
    skp = _skp("2026", "approved", {"agenda-surat": {"quantity": 560.0}})
    first = _activity_score(
        ACTIVITIES[0],
        {"quantity": 560.0, "quality": 100.0, "months": 6.0, "cost": None},
        {
            "quantity": 93.33,
            "quality": 100.0,
            "time": -24.0,
            "cost": None,
            "total": 169.33,
            "score": 56.44,
        },
        assumed=("quality", "months"),
    )
    first.update(share=0.5, target={"quantity": 600.0}, flags=["waktu_negatif"])
    waiting = {**_activity_score(ACTIVITIES[1], None, None), "share": 0.5, "flags": []}
    score = {
        **SKP_SCORE_2025,
        "cycle": "2026",
        "activities": [first, waiting],
        "skp_score": 56.44,
        "complete": False,
        "provisional": True,
        "prorated": True,
        "as_of": "2026-06-30",
    }
    form = printouts.skp_form(skp, score)
    assert form.predicate is None and form.prorated_to == "2026-06-30"
    assert form.rows[0].due == 600.0 and form.rows[0].flags == ("waktu_negatif",)
    assert not form.rows[1].assessable and form.rows[1].score is None
