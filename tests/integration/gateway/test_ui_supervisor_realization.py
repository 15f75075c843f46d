"""The supervisor's SKP page against stand-in services: the realization an employee entered
waits there, and is confirmed (with a written reason above the bound) or rejected."""

from __future__ import annotations

import pytest

from tests.integration.gateway import test_ui_employee as employee_ui
from tests.integration.gateway.conftest import STAFF, ui_session
from tests.integration.gateway.test_ui_employee import (
    CYCLE,
    activity,
    field_html,
    post,
    skp,
    text,
)

# the same stand-in services and gateway wiring as the employee's pages
services = employee_ui.services
gateway_settings = employee_ui.gateway_settings

PAGE = f"/team/skp/{STAFF}/{CYCLE}"
REALIZATION = f"/skps/{STAFF}/{CYCLE}/activities/rapat/realization"


@pytest.fixture
def kasubag(gateway_app, client, directory_seed):
    """The test client, logged in to the UI as the supervisor (Budi)."""
    return ui_session(gateway_app, client, "kasubag")


def waiting_skp(quantity: float) -> dict:
    body = skp("approved", [activity("rapat", "Rapat koordinasi")], True)
    pending = {"quantity": quantity, "months": None, "cost": None, "proposed_by": STAFF}
    return {
        **body,
        "pending_realization": {
            "rapat": {**pending, "status": "pending", "reason": "", "decided_by": None}
        },
        "realization_bound": 2.0,
    }


def test_the_supervisor_confirms_a_pending_realization_with_a_reason_above_the_bound(
    kasubag, services
):
    services.on("GET", f"/skps/{STAFF}/{CYCLE}", waiting_skp(25.0))
    services.on("GET", f"/skps/{STAFF}/{CYCLE}/versions", [])
    page = text(kasubag.get(PAGE))
    assert "Realisasi menunggu konfirmasi" in page
    assert "Kuantitas: 25 dari target 12 laporan" in page
    assert "di atas batas: alasan wajib" in page

    services.refuse(
        "POST",
        f"{REALIZATION}/confirm",
        422,
        "validation_failed",
        {
            "reason": [
                "quantity_above_bound: 25 is more than 2 times the target (12 laporan); "
                "the supervisor's written reason is required"
            ]
        },
    )
    bare = post(kasubag, PAGE, {"action": "confirm_realization", "activity": "rapat"})
    assert bare.status_code == 422
    beside = field_html(text(bare), "rapat.reason")
    assert "25 melebihi 2 kali target (12): atasan wajib menuliskan alasannya" in beside
    assert services.bodies("POST", f"{REALIZATION}/confirm") == [{"reason": ""}]

    services.on("POST", f"{REALIZATION}/confirm", waiting_skp(25.0))
    reason = "Limpahan rapat dari bidang perencanaan"
    done = post(
        kasubag,
        PAGE,
        {"action": "confirm_realization", "activity": "rapat", "rapat.reason": reason},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(PAGE)
    assert services.bodies("POST", f"{REALIZATION}/confirm")[-1] == {"reason": reason}


def test_rejecting_a_pending_realization_needs_a_reason(kasubag, services):
    services.on("GET", f"/skps/{STAFF}/{CYCLE}", waiting_skp(10.0))
    services.on("GET", f"/skps/{STAFF}/{CYCLE}/versions", [])
    assert "di atas batas: alasan wajib" not in text(kasubag.get(PAGE))
    blank = post(kasubag, PAGE, {"action": "reject_realization", "activity": "rapat"})
    assert blank.status_code == 422
    assert "wajib diisi bila menolak" in field_html(text(blank), "rapat.reason")
    assert services.bodies("POST", f"{REALIZATION}/reject") == []
    services.on("POST", f"{REALIZATION}/reject", waiting_skp(10.0))
    done = post(
        kasubag,
        PAGE,
        {"action": "reject_realization", "activity": "rapat", "rapat.reason": "Tanpa notulen"},
    )
    assert done.status_code == 302
    assert services.bodies("POST", f"{REALIZATION}/reject") == [{"reason": "Tanpa notulen"}]
