"""The employee's export and HR's retention purge through the gateway, with the four real
services behind it (each on its own port, on the same real database server)."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date

import pytest

from kinerja import audit
from kinerja.config import Settings
from services.appraisal.app import create_app as appraisal_app
from services.feedback.app import create_app as feedback_app
from services.logs import store as logs_store
from services.logs.app import create_app as logs_app
from services.logs.domain import Entry
from services.targets.app import create_app as targets_app
from tests.integration.gateway.conftest import BOSS, STAFF, bearer, ui_session
from tests.integration.services.appraisal.support import open_round, rate, recompute_now, skp
from tests.support import bus_env, closed_port_url, replicate_employees, serve, token

FACTORIES = {
    "targets": targets_app,
    "logs": logs_app,
    "feedback": feedback_app,
    "appraisal": appraisal_app,
}


@pytest.fixture
def services(mongo_url, namespace):
    """Each service's app, served, with the gateway's directory in its copy."""
    env = bus_env(mongo_url, "memory://", namespace)
    apps, urls = {}, {}
    with contextlib.ExitStack() as stack:
        for name, factory in FACTORIES.items():
            app = factory(Settings.from_env(name, env))
            replicate_employees(app, ((BOSS, None), (STAFF, BOSS)))
            apps[name], urls[name] = app, stack.enter_context(serve(app))
        yield apps, urls
        for app in apps.values():
            context = app.extensions["kinerja"]
            context.client.drop_database(context.settings.mongo_db)


@pytest.fixture
def down():
    """The services a test wants unreachable."""
    return set()


@pytest.fixture
def gateway_settings(mongo_url, namespace, services, down) -> Settings:
    env = bus_env(mongo_url, "memory://", namespace)
    _, urls = services
    for name, url in urls.items():
        env[f"{name.upper()}_URL"] = closed_port_url() if name in down else url
    return Settings.from_env("gateway", env)


def old_entry(services, nip: str, day: date, entry_id: str) -> None:
    apps, _ = services
    entry = Entry(entry_id, nip, day, "agenda-surat", f"Agenda surat {day}", None, 60)
    apps["logs"].extensions["kinerja"].uow(lambda tx: logs_store.save_entry(tx, entry))


def test_the_export_is_one_file_with_every_part_and_the_reads_of_others(
    client, services, directory_seed
):
    """Subject access through the one door: one JSON attachment with the directory
    record, the account without its password hash, the audit about me, each service's
    part, and a read of my logs by my supervisor; another employee's data absent."""
    old_entry(services, STAFF, date(2026, 3, 9), "mine")
    old_entry(services, BOSS, date(2026, 3, 9), "his")
    boss = bearer(client, "kasubag")
    read = client.get(f"/api/v1/logs/entries?nip={STAFF}&month=2026-03", headers=boss)
    assert read.status_code == 200, read.json

    answer = client.get("/api/v1/me/personal-data", headers=bearer(client, "dewi"))

    assert answer.status_code == 200, answer.json
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    export = answer.json
    assert export["complete"] is True and export["missing"] == {}
    assert sorted(export["services"]) == sorted(FACTORIES)
    assert export["gateway"]["employee"]["nip"] == STAFF
    assert export["gateway"]["account"]["username"] == "dewi"
    assert "password_hash" not in json.dumps(export) and "argon2" not in json.dumps(export)
    assert any(e["action"] == "employee.created" for e in export["gateway"]["audit"])
    logs = export["services"]["logs"]
    assert [e["id"] for e in logs["records"]["entries"]] == ["mine"]
    assert [(r["reader"], r["action"]) for r in logs["record_reads"]] == [(BOSS, "see")]


def test_nobody_exports_another_employees_part(client, services, directory_seed):
    """Authorization: each service's export route is the employee's own (403 for the
    supervisor, HR and a colleague), so the gateway's collection cannot be redirected."""
    for who in ("kasubag", "hr-admin"):
        for service in FACTORIES:
            answer = client.get(
                f"/api/v1/{service}/personal-data/{STAFF}", headers=bearer(client, who)
            )
            assert answer.status_code == 403, (who, service, answer.json)


@pytest.mark.parametrize("down", [{"appraisal"}])
def test_a_service_down_is_named_in_the_export_never_left_out(client, services, directory_seed):
    """Completeness: a part that cannot be fetched makes the export say so."""
    export = client.get("/api/v1/me/personal-data", headers=bearer(client, "dewi")).json

    assert export["complete"] is False
    assert list(export["missing"]) == ["appraisal"]
    assert "appraisal" not in export["services"] and "logs" in export["services"]


def test_retention_dry_run_then_purge_across_services_audited(
    gateway_app, client, services, directory_seed
):
    """Retention: HR sets the period (audited; others refused), the dry run counts per
    service and deletes nothing, the purge deletes only ended cycles' entries, and each
    run leaves an audit entry with who, the cut-off and the counts."""
    old_entry(services, STAFF, date(2023, 5, 8), "ended")
    old_entry(services, STAFF, date(date.today().year, 1, 5), "current")
    hr, dewi = bearer(client, "hr-admin"), bearer(client, "dewi")
    assert client.post("/api/v1/retention/purge", json={}, headers=hr).status_code == 409
    assert client.put("/api/v1/retention", json={"months": 12}, headers=dewi).status_code == 403
    assert client.put("/api/v1/retention", json={"months": 0}, headers=hr).status_code == 422
    saved = client.put("/api/v1/retention", json={"months": 12}, headers=hr)
    assert saved.status_code == 200, saved.json
    logs_db = services[0]["logs"].extensions["kinerja"].db

    dry = client.post("/api/v1/retention/purge", json={"dry_run": True}, headers=hr)

    assert dry.status_code == 200, dry.json
    assert dry.json["complete"] is True
    assert dry.json["services"]["logs"]["counts"] == {"entries": 1}
    assert set(dry.json["services"]) == {"logs", "feedback", "appraisal"}
    assert logs_db["entries"].count_documents({}) == 2
    assert client.post("/api/v1/retention/purge", json={}, headers=dewi).status_code == 403

    done = client.post("/api/v1/retention/purge", json={"dry_run": False}, headers=hr)

    assert done.status_code == 200, done.json
    assert [d["_id"] for d in logs_db["entries"].find()] == ["current"]
    db = gateway_app.extensions["kinerja"].db
    trail = audit.history(db, "retention", "policy")
    assert [e["action"] for e in trail] == [
        "retention.purged",
        "retention.dry_run",
        "retention.changed",
    ]
    assert trail[0]["actor"] == "hr-admin"
    assert trail[0]["after"]["cut_off"] == done.json["cut_off"]
    assert trail[0]["after"]["services"]["logs"]["counts"] == {"entries": 1}


def test_the_home_page_offers_the_download_and_hr_runs_the_purge_from_its_page(
    gateway_app, client, services, directory_seed
):
    """The web UI: the employee's button downloads the file; HR's page saves the period
    and shows the dry run's counts per service."""
    old_entry(services, STAFF, date(2023, 5, 8), "ended")
    staff = ui_session(gateway_app, client, "dewi")
    home = staff.get("/").get_data(as_text=True)
    assert 'href="/me/personal-data"' in home
    download = staff.get("/me/personal-data")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(download.get_data())["gateway"]["employee"]["nip"] == STAFF

    hr = ui_session(gateway_app, gateway_app.test_client(), "hr-admin")

    def post(data):
        page = hr.get("/hr/retention").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return hr.post("/hr/retention", data={"csrf_token": token, **data}, follow_redirects=True)

    assert post({"action": "save", "months": "abc"}).status_code == 422
    assert post({"action": "save", "months": "12"}).status_code == 200
    dry = post({"action": "dry_run"})
    assert dry.status_code == 200
    assert 'data-kind="entries">entries: 1<' in dry.get_data(as_text=True)
    assert services[0]["logs"].extensions["kinerja"].db["entries"].count_documents({}) == 1


def test_the_results_page_shows_the_adjustment_beside_the_human_decision(
    gateway_app, client, services, directory_seed
):
    """No decision on automated processing alone (UU 27/2022 Pasal 10): the employee's
    results page shows the unadjusted combination, the corrected value, the difference and
    the method in words, and beside them "not yet decided", then who decided and when."""
    apps, _ = services
    appraisal = apps["appraisal"]
    open_round(appraisal, status="closed")
    skp(appraisal, STAFF, 90.0)
    rate(appraisal, BOSS, STAFF, "superior", 80)
    rate(appraisal, STAFF, STAFF, "self", 95)
    recompute_now(appraisal)
    adjustment = (
        appraisal.test_client()
        .get(
            f"/api/v1/cycles/2026/scores/{STAFF}/adjustment",
            headers=token(appraisal.extensions["kinerja"].settings, STAFF, "employee"),
        )
        .json
    )
    staff = ui_session(gateway_app, client, "dewi")

    page = staff.get("/results?cycle=2026").get_data(as_text=True)

    section = page[page.index('id="adjustment"') : page.index('id="decision-title"')]
    assert amount_shown(section, "unadjusted") == f"{adjustment['unadjusted_behaviour_score']:.2f}"
    assert amount_shown(section, "adjusted") == f"{adjustment['adjusted_behaviour_score']:.2f}"
    # in the reader's language like the values beside it (-0,35), signed
    assert amount_shown(section, "difference") == f"{adjustment['difference']:.2f}"
    assert 'data-method="bias_corrected"' in section and "model campuran" in section
    assert 'data-decision="none"' in section and "Belum diputuskan" in section
    decided = appraisal.test_client().put(
        f"/api/v1/cycles/2026/scores/{STAFF}/decision",
        json={"kind": "adopted"},
        headers=token(appraisal.extensions["kinerja"].settings, BOSS, "employee", "supervisor"),
    )
    assert decided.status_code == 200, decided.json

    page = staff.get("/results?cycle=2026").get_data(as_text=True)

    section = page[page.index('id="adjustment"') : page.index('id="decision-title"')]
    assert 'data-decision="adopted"' in section
    assert "Diputuskan oleh Budi Santoso" in section


def amount_shown(section: str, name: str) -> str:
    """The number in the cell marked `name`, as the API writes it (12,50 -> 12.50)."""
    cell = re.search(rf'data-value="{name}">([^<]*)<', section).group(1)
    return f"{float(cell.replace('.', '').replace(',', '.')):.2f}"
