"""The employee's personal data in the browser: the download button on the home page, and
the results page's statistical adjustment beside the human decision (UU 27/2022).

demo-employee (Rudi Hartono) has a 2026 behaviour proposal his supervisor has not decided
yet and a 2025 appraisal his supervisor finalized.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import log_in

EMPLOYEE = "demo-employee"


def test_the_home_page_downloads_my_personal_data_as_one_file(page):
    log_in(page, EMPLOYEE)
    page.goto("/")
    button = page.get_by_role("link", name="Unduh data pribadi saya")
    expect(button).to_be_visible()
    with page.expect_download() as waiting:
        button.click()
    download = waiting.value
    assert re.fullmatch(
        r"kinerja360-data-pribadi-\d{18}-\d{4}-\d\d-\d\d\.json", download.suggested_filename
    )
    export = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert export["complete"] is True, export["missing"]
    assert sorted(export["services"]) == ["appraisal", "feedback", "logs", "targets"]
    assert export["gateway"]["employee"]["name"] == "Rudi Hartono"


def test_my_results_show_the_adjustment_beside_the_human_decision(page):
    log_in(page, EMPLOYEE)
    page.get_by_role("link", name="Hasil saya").first.click()
    adjustment = page.get_by_role("region", name="Penyesuaian statistik dan keputusan atasan")
    table = adjustment.get_by_role("table", name="Nilai perilaku sebelum dan sesudah penyesuaian")
    for row in ("Gabungan tanpa penyesuaian", "Setelah koreksi bias", "Selisih"):
        expect(table.get_by_role("rowheader", name=row)).to_be_visible()
    expect(adjustment).to_contain_text("model campuran")
    expect(adjustment.get_by_text("Belum diputuskan")).to_be_visible()  # 2026: not decided

    page.get_by_label("Siklus").select_option("2025")
    page.get_by_role("button", name="Tampilkan").click()
    adjustment = page.get_by_role("region", name="Penyesuaian statistik dan keputusan atasan")
    expect(adjustment).to_contain_text(re.compile(r"difinalisasi oleh Budi Santoso pada"))
    expect(adjustment).to_contain_text("Diputuskan oleh Budi Santoso")
    expect(adjustment.get_by_text("Belum diputuskan")).to_have_count(0)
