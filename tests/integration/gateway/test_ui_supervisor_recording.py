"""The supervisor records an activity's realization at the period's end, on the page of a
report's SKP, against the real targets service: the quality always, the quantity only
without daily logs, the time, the cost only with a cost target; the values typed and
nothing else go in one PATCH, mine counts at once, and a refusal comes back beside its
input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinerja.config import Settings
from services.targets import commands
from services.targets.app import create_app as create_targets
from tests.integration.gateway.conftest import BOSS, STAFF, ui_session
from tests.integration.gateway.test_ui_employee import field_html, post, text
from tests.support import bus_env, replicate_employees, serve, token

CYCLE = "2026"
PAGE = f"/team/skp/{STAFF}/{CYCLE}"
SKP = f"/api/v1/skps/{STAFF}/{CYCLE}"
ACTIVITIES = [
    # counted from verified daily logs: no quantity typed in
    {"id": "agenda-surat", "name": "Mengagendakan surat", "quantity": 12, "unit": "laporan"},
    # kept by hand, with a budget
    {
        "id": "anggaran",
        "name": "Mengelola anggaran",
        "quantity": 4,
        "unit": "laporan",
        "cost": 1000,
    },
]


@pytest.fixture
def targets(mongo_url, namespace):
    """The targets service on a port of its own, knowing Budi as Dewi's supervisor."""
    settings = Settings.from_env("targets", bus_env(mongo_url, "memory://", namespace))
    app = create_targets(settings)
    context = app.extensions["kinerja"]
    replicate_employees(app, ((BOSS, None), (STAFF, BOSS)))
    app.staff = token(settings, STAFF, "employee")
    app.boss = token(settings, BOSS, "employee", "supervisor")
    with serve(app) as url:
        app.url = url
        yield app
    context.client.drop_database(settings.mongo_db)


@pytest.fixture
def gateway_settings(mongo_url, namespace, targets) -> Settings:
    env = bus_env(mongo_url, "memory://", namespace)
    env["TARGETS_URL"] = targets.url
    return Settings.from_env("gateway", env)


@pytest.fixture
def approved(targets):
    """Dewi's SKP, approved by Budi; five letters registered from verified daily logs."""
    client = targets.test_client()
    activities = [{**activity, "months": 12} for activity in ACTIVITIES]
    drafted = client.post(
        "/api/v1/skps", json={"cycle": CYCLE, "activities": activities}, headers=targets.staff
    )
    assert drafted.status_code == 201, drafted.json
    assert client.post(f"{SKP}/submit", headers=targets.staff).status_code == 200
    assert client.post(f"{SKP}/approve", headers=targets.boss).status_code == 200
    targets.extensions["kinerja"].uow(
        lambda tx: commands.apply_log_output(
            tx, "entry-1", STAFF, CYCLE, "agenda-surat", Decimal(5), True, 1
        )
    )
    return client


@pytest.fixture
def kasubag(gateway_app, client, directory_seed):
    return ui_session(gateway_app, client, "kasubag")


def realization(approved, activity: str) -> dict:
    skp = approved.get(SKP, headers=approved.application.staff).json
    return skp["realization"].get(activity, {})


def recorded(approved) -> int:
    """How many realizations the supervisor recorded (each one audited)."""
    audit = approved.application.extensions["kinerja"].db["audit"]
    return audit.count_documents({"action": "realization.recorded"})


def record(kasubag, activity: str, **typed: str):
    data = {"action": "record_realization", "activity": activity}
    return post(kasubag, PAGE, {**data, **{f"{activity}.{k}": v for k, v in typed.items()}})


def test_each_approved_activity_has_a_form_with_the_inputs_it_takes(kasubag, approved):
    page = text(kasubag.get(PAGE))
    assert "Realisasi akhir periode" in page
    logged = page[page.index('id="final-agenda-surat"') : page.index('id="final-anggaran"')]
    assert "Kuantitas: 5 dari target 12 laporan" in logged and "dari log terverifikasi" in logged
    assert "Kualitas: belum dinilai (target 100)" in logged
    assert 'id="f-agenda-surat.quality"' in logged and 'id="f-agenda-surat.months"' in logged
    assert 'name="agenda-surat.quantity"' not in page  # counted from its logs
    assert 'name="agenda-surat.cost"' not in page  # no cost target
    assert "dihitung dari log harian yang terverifikasi" in logged

    by_hand = page[page.index('id="final-anggaran"') :]
    for name in ("quality", "quantity", "months", "cost", "quantity_reason"):
        assert f'id="f-anggaran.{name}"' in by_hand
    assert "Biaya: Rp — dari target Rp 1.000" in by_hand
    # the bound (2 × the target of 4) is said on the form
    assert "Wajib bila kuantitas melebihi 2 kali target, yaitu di atas 8 laporan." in by_hand


def test_the_values_typed_count_at_once_and_empty_inputs_are_left_out(kasubag, approved):
    done = record(kasubag, "agenda-surat", quality="87,5", months="")
    assert done.status_code == 302 and done.headers["Location"].endswith(PAGE)
    counted = realization(approved, "agenda-surat")
    assert counted["quality"] == 87.5
    assert counted["quantity"] == 5 and counted["quantity_source"] == "logs"  # untouched
    assert counted["months"] is None  # left empty: not sent
    assert recorded(approved) == 1

    page = text(kasubag.get(PAGE))
    assert "Realisasi akhir periode dicatat dan langsung dihitung dalam nilai SKP." in page
    assert "Kualitas: 87,5 dari target 100" in page
    assert approved.get(SKP, headers=approved.application.staff).json["pending_realization"] == {}

    by_hand = record(kasubag, "anggaran", quality="90", quantity="3", months="11", cost="900")
    assert by_hand.status_code == 302
    counted = realization(approved, "anggaran")
    assert counted == {
        "quantity": 3,
        "quantity_source": "manual",
        "quality": 90,
        "months": 11,
        "cost": 900,
        "reason": "",
    }
    scored = approved.get(f"{SKP}/score", headers=approved.application.staff).json
    row = next(r for r in scored["activities"] if r["activity"]["id"] == "anggaran")
    assert row["assumed"] == []  # every aspect recorded: none assumed on target


def test_a_refusal_is_shown_beside_its_input_with_the_values_kept(kasubag, approved):
    refused = record(kasubag, "anggaran", quality="150", months="11")
    assert refused.status_code == 422
    page = text(refused)
    beside = field_html(page, "anggaran.quality")
    assert "antara 0 dan 100" in beside and 'aria-invalid="true"' in beside
    assert 'value="150"' in beside
    assert 'value="11"' in field_html(page, "anggaran.months")
    assert 'aria-invalid="true"' not in field_html(page, "agenda-surat.quality")  # its own form
    assert realization(approved, "anggaran") == {} and recorded(approved) == 0

    not_a_number = record(kasubag, "anggaran", cost="banyak")
    assert not_a_number.status_code == 422
    assert "harus berupa angka" in field_html(text(not_a_number), "anggaran.cost")


def test_a_quantity_above_the_bound_needs_the_reason_written_on_the_form(kasubag, approved):
    above = record(kasubag, "anggaran", quantity="9")
    assert above.status_code == 422
    beside = field_html(text(above), "anggaran.quantity_reason")
    assert "9 melebihi 2 kali target (4): atasan wajib menuliskan alasannya" in beside
    assert realization(approved, "anggaran") == {}

    reason = "Dua laporan tambahan diminta inspektorat"
    done = record(kasubag, "anggaran", quantity="9", quantity_reason=reason)
    assert done.status_code == 302
    counted = realization(approved, "anggaran")
    assert counted["quantity"] == 9 and counted["reason"] == reason


def test_nothing_typed_sends_nothing(kasubag, approved):
    blank = record(kasubag, "anggaran", quality=" ", quantity_reason="tanpa angka")
    assert blank.status_code == 422
    assert "isi paling sedikit satu nilai" in field_html(text(blank), "anggaran.quality")
    assert recorded(approved) == 0


def test_beside_a_pending_realization_each_form_keeps_its_own_reason(kasubag, approved):
    path = f"{SKP}/activities/anggaran/realization"
    proposed = approved.patch(path, json={"quantity": 2}, headers=approved.application.staff)
    assert proposed.status_code == 200, proposed.json
    page = text(kasubag.get(PAGE))
    assert "Realisasi menunggu konfirmasi" in page
    assert page.count('id="f-anggaran.reason"') == 1  # the pending one's
    assert page.count('id="f-anggaran.quantity_reason"') == 1  # mine

    rejected = post(kasubag, PAGE, {"action": "reject_realization", "activity": "anggaran"})
    assert rejected.status_code == 422
    page = text(rejected)
    assert "wajib diisi bila menolak" in field_html(page, "anggaran.reason")
    assert "wajib diisi" not in field_html(page, "anggaran.quantity_reason")
