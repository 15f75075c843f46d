"""HR: a weighting scheme changed after its preview (an invalid weight refused in place, the
preview's summary and moves, the save, the new version in the history, a stale edit refused),
the scores CSV downloaded; the calibration page, the completion dashboard, the directory
import with its per-row errors, and the workload page."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def open_default_scheme(page) -> int:
    """The default scheme's editor; returns the version the edit starts from."""
    page.get_by_role("link", name="Skema bobot").first.click()
    scheme = page.get_by_role("row").filter(has=page.get_by_text("default", exact=True))
    scheme.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ubah skema default")
    started = page.get_by_text(re.compile(r"Perubahan dimulai dari versi \d+")).inner_text()
    return int(re.search(r"\d+", started).group())


def test_hr_changes_a_weighting_scheme_after_its_preview_and_exports(page):
    log_in(page, "demo-hr")
    version = open_default_scheme(page)
    # a second tab opened on the same version, to be saved after the first one
    stale = page.context.new_page()
    stale.goto(page.url)

    superior, peer = page.get_by_label("Bobot atasan"), page.get_by_label("Bobot rekan kerja")
    # a weight that differs from the current one, so the new version has a change to show
    new_peer = "0.3" if peer.input_value() == "0.35" else "0.35"
    superior.fill("0.45")
    peer.fill("1,5")
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_role("alert")).to_contain_text("Periksa isian yang ditandai")
    expect(peer).to_have_attribute("aria-invalid", "true")
    expect(peer).to_have_accessible_description(re.compile("antara 0 dan 1"))
    expect(peer).to_have_value("1,5")
    expect(superior).to_have_value("0.45")

    peer.fill(new_peer.replace(".", ","))  # the Indonesian decimal comma
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.get_by_role("heading", name=re.compile("Pratinjau untuk siklus"))).to_be_visible()
    preview = page.get_by_role("region", name=re.compile("Pratinjau untuk siklus"))
    for figure in ("Pegawai", "Nilai berubah", "Predikat berubah", "Perubahan terbesar"):
        expect(preview.get_by_role("term").filter(has_text=figure)).to_be_visible()
    weights = page.get_by_role("table", name="Bobot kebijakan dan bobot terpakai")
    peer_weight = weights.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="rekan kerja")
    )
    expect(peer_weight).to_contain_text(f"{float(new_peer):.0%}")
    moves = page.get_by_role("table", name=re.compile("Perubahan per pegawai"))
    expect(moves.get_by_role("row").nth(1)).to_contain_text(f"default@v{version + 1}")
    expect(peer).to_have_value(new_peer.replace(".", ","))  # the preview kept the edit

    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"disimpan sebagai versi {version + 1}"
    )
    history = page.get_by_role("table", name=re.compile("Versi skema default"))
    newest = history.get_by_role("row").nth(1)
    expect(newest.get_by_role("rowheader")).to_have_text(f"v{version + 1}")
    expect(newest).to_contain_text("demo-hr")
    expect(newest.get_by_role("listitem").filter(has_text="bobot rekan kerja")).to_contain_text(
        f"→ {new_peer}"
    )

    stale.get_by_label("Nama skema").fill("Perubahan dari tab lama")
    with stale.expect_response(lambda r: r.request.method == "POST") as answer:
        stale.get_by_role("button", name="Simpan").click()
    assert answer.value.status == 409
    expect(stale.get_by_role("alert")).to_contain_text("sudah diubah orang lain")
    expect(stale.get_by_label("Nama skema")).to_have_value("Perubahan dari tab lama")
    stale.close()

    page.get_by_role("link", name="Kalibrasi").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV nilai siklus 2025").click()
    assert download.value.suggested_filename == "kinerja360-2025.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0][:3] == ["nip", "name", "unit_id"] and "predicate" in rows[0]
    assert len(rows) > 20  # the demo unit's 23 people
    assert any(row[rows[0].index("predicate")] == "Baik" for row in rows[1:])


def test_calibration_shows_the_histogram_members_and_reliability(page):
    log_in(page, "demo-hr")
    page.get_by_role("link", name="Kalibrasi").first.click()
    page.get_by_label("Unit", exact=True).select_option("subbag-umpeg")
    page.get_by_label("Siklus", exact=True).select_option("2025")
    page.get_by_role("button", name="Tampilkan").click()
    histogram = page.get_by_role("figure", name=re.compile("rentang nilai akhir"))
    expect(histogram.locator("svg")).to_be_visible()
    predicates = page.get_by_role("table", name="Jumlah per predikat")
    expect(predicates.get_by_role("rowheader", name="Sangat Baik", exact=True)).to_be_visible()
    members = page.get_by_role("table", name=re.compile("Anggota unit"))
    expect(members.get_by_role("row").nth(21)).to_be_visible()  # a header, 21 appraised
    expect(members).to_contain_text("Rudi Hartono")
    reliability = page.get_by_role("table", name=re.compile("sebelum dan sesudah koreksi bias"))
    expect(reliability.get_by_role("rowheader", name="ICC(1)")).to_be_visible()
    expect(page.get_by_text("Porsi kemurahan penilai", exact=True)).to_be_visible()


def test_hr_sees_how_each_appraiser_departs_from_the_proposals(page):
    """The demo's Kasubag adopted five 2026 proposals and set his own scores for one."""
    log_in(page, "demo-hr")
    page.get_by_role("link", name="Keputusan penilai").first.click()
    page.get_by_label("Siklus").select_option("2026")
    page.get_by_role("button", name="Tampilkan").click()
    table = page.get_by_role("table", name=re.compile("Per pejabat penilai, siklus 2026"))
    budi = table.get_by_role("row").filter(has_text="Budi Santoso")
    expect(budi).to_be_visible()
    cells = budi.get_by_role("cell")
    assert int(cells.nth(1).inner_text()) >= 5  # adopted
    assert int(cells.nth(2).inner_text()) >= 1  # own scores
    assert int(cells.nth(3).inner_text()) >= 1  # beyond the proposal's uncertainty


def test_the_completion_dashboard_and_reminders_of_the_open_round(page):
    log_in(page, "demo-hr")
    page.get_by_role("link", name="Putaran 360").first.click()
    cycle = page.get_by_role("table", name="Siklus 2026")
    expect(cycle.get_by_role("row").filter(has_text="2026-berakhlak")).to_contain_text("terbuka")
    page.get_by_role("link", name="Kelengkapan 2026-perilaku").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kelengkapan putaran 2026-perilaku")
    # two demo raters never answered: the closed round is not complete
    expect(page.get_by_text("Kelengkapan keseluruhan").locator("..")).not_to_contain_text("100%")
    by_rater = page.get_by_role("table", name=re.compile("Per penilai"))
    expect(by_rater.get_by_role("row").nth(1)).to_contain_text(re.compile(r"(^|\s)0%"))

    page.goto("/hr/rounds")
    page.get_by_role("link", name="Kelengkapan 2026-berakhlak").click()
    page.get_by_label("Tampilkan bila tenggat dalam (hari)").fill("30")
    page.get_by_role("button", name="Perbarui").click()
    reminders = page.get_by_role("table", name="Penilai yang masih berutang penilaian")
    expect(reminders).to_contain_text("Budi Santoso")


def test_a_directory_import_is_checked_row_by_row_before_it_is_applied(page, tmp_path):
    unit = f"bidang-uji-{uuid.uuid4().hex[:6]}"  # new on every run
    units = tmp_path / "unit-baru.csv"
    units.write_text(
        "id,name,parent_id\n"
        f"{unit},Bidang Uji {unit[-6:]},bappeda-kaltim\n"
        "bidang-hilang,Bidang Hilang,unit-yang-tidak-ada\n"
    )
    log_in(page, "demo-hr")
    page.get_by_role("link", name="Direktori").first.click()
    page.get_by_role("link", name="Impor CSV pegawai atau unit").click()
    page.get_by_label("Berkas CSV (UTF-8)").set_input_files(str(units))
    page.get_by_role("button", name="Periksa dulu (uji coba)").click()
    expect(page.get_by_role("status")).to_contain_text("belum ada yang disimpan")
    refused = page.get_by_role("table", name="Baris yang ditolak")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("unit-yang-tidak-ada")

    page.get_by_role("button", name="Impor baris yang benar saja").click()
    expect(page.get_by_role("status")).to_contain_text("1 dibuat")
    page.get_by_role("link", name="← Direktori").click()
    expect(page.get_by_role("table", name=re.compile("Unit kerja"))).to_contain_text(unit)


def test_workload_per_employee_and_its_settings_refused_in_place(page):
    log_in(page, "demo-hr")
    page.get_by_role("link", name="Beban kerja").first.click()
    people = page.get_by_role("table", name=re.compile("Beban per pegawai"))
    expect(people).to_contain_text("Rudi Hartono")
    days = page.get_by_label("Hari kerja per tahun")
    days.fill("400")
    page.get_by_role("button", name="Simpan dasar perhitungan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(days).to_have_accessible_description(re.compile("antara 1 dan 366"))
    expect(days).to_have_value("400")


def test_hr_lists_the_objections_no_superior_can_decide(page):
    """An employee whose appraiser is at the top of the chain (the Kepala reports to no one)
    is on HR's objection list with that appraiser, and opens on the decision page; the
    decision itself is the appraisal service's (tests/integration/services/appraisal)."""
    log_in(page, "demo-hr")
    page.get_by_role("link", name="Keberatan").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keberatan, siklus")
    row = page.get_by_role("row").filter(has_text="Rahmawati Sari")
    expect(row).to_contain_text("Hendra Wijaya")
    expect(page.get_by_role("row").filter(has_text="Budi Santoso")).to_have_count(0)
    row.get_by_role("link", name="Rahmawati Sari").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keberatan Rahmawati Sari")
    expect(page.get_by_role("link", name="Kembali ke daftar keberatan")).to_have_attribute(
        "href", re.compile(r"^/hr/objections")
    )
