"""The employee's journey: draft and submit an SKP, log a day, rate a peer, read my results
and my supervisor's decision on my behaviour proposal.

demo-employee (Rudi Hartono) has an approved 2026 SKP, an open BerAKHLAK round to answer,
a 2026 behaviour proposal his supervisor has not decided yet and a finalized, published
2025 appraisal; 2027 is a cycle nobody has touched. Fajar Nugroho's 2026 proposal is the
one the supervisor replaced with his own scores, with a reason.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from kinerja360.demo.appraisal import ADJUSTED_2026, ADJUSTMENT_REASON
from kinerja360.demo.gateway import nip
from tests.browser.conftest import log_in

EMPLOYEE = "demo-employee"
ADJUSTED = nip(ADJUSTED_2026)  # Fajar Nugroho logs in with his NIP


def test_an_employee_drafts_an_skp_sees_errors_in_place_and_submits_it(page):
    log_in(page, EMPLOYEE)
    page.get_by_role("link", name="SKP saya").first.click()
    page.get_by_label("Siklus").select_option("2027")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_role("heading", name="Buat draf SKP 2027")).to_be_visible()

    first = page.get_by_role("group", name="Kegiatan 1")
    first.get_by_label("Kode").fill("rapat-koordinasi")
    first.get_by_label("Nama kegiatan").fill("Menyiapkan rapat koordinasi unit")
    first.get_by_label("Target kuantitas").fill("24")
    first.get_by_label("Satuan").fill("rapat")
    first.get_by_label("Waktu (bulan)").fill("12")
    second = page.get_by_role("group", name="Kegiatan 2")
    second.get_by_label("Kode").fill("notulen")
    second.get_by_label("Nama kegiatan").fill("Menyusun notulen rapat")
    second.get_by_label("Satuan").fill("notulen")
    second.get_by_label("Waktu (bulan)").fill("12")

    # a row more, without JavaScript: the page comes back with what was typed
    page.get_by_role("button", name="Tambah baris").click()
    expect(page.get_by_role("group", name="Kegiatan 4")).to_be_visible()
    expect(first.get_by_label("Nama kegiatan")).to_have_value("Menyiapkan rapat koordinasi unit")

    # the second activity has no target quantity: said beside it, the rest kept
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("alert").first).to_contain_text("Periksa isian")
    quantity = second.get_by_label("Target kuantitas")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(second).to_contain_text("wajib diisi")
    expect(second.get_by_label("Nama kegiatan")).to_have_value("Menyusun notulen rapat")
    expect(first.get_by_label("Target kuantitas")).to_have_value("24")

    quantity.fill("24")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("status").first).to_contain_text("Draf SKP 2027 disimpan")
    expect(page.get_by_role("main")).to_contain_text("Status: Draf")
    expect(page.get_by_role("group", name="Kegiatan 2").get_by_label("Kode")).to_have_value(
        "notulen"
    )

    page.get_by_role("button", name="Ajukan SKP").click()
    expect(page.get_by_role("status").first).to_contain_text("diajukan ke atasan")
    expect(page.get_by_role("main")).to_contain_text("Status: Menunggu persetujuan atasan")
    expect(page.get_by_role("rowheader", name=re.compile("Menyusun notulen rapat"))).to_be_visible()


def test_an_employee_logs_a_day_and_sees_it_pending(page):
    log_in(page, EMPLOYEE)
    page.get_by_role("link", name="Log harian").first.click()
    page.get_by_label("Kegiatan SKP").select_option(label="Menata arsip dokumen unit (berkas)")
    page.get_by_label("Uraian pekerjaan").fill("Arsip")
    page.get_by_label("Jumlah output yang diselesaikan").fill("2")
    page.get_by_label("Lama (menit)").fill("150")
    page.get_by_role("button", name="Simpan log").click()

    # too short a description, and an output quantity on an entry not marked as completing
    # output: each rule is said beside its field, the values kept
    description = page.get_by_label("Uraian pekerjaan")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("uraikan pekerjaan paling sedikit")).to_be_visible()
    quantity = page.get_by_label("Jumlah output yang diselesaikan")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("log biasa adalah kegiatan tanpa jumlah output")).to_be_visible()
    expect(page.get_by_label("Lama (menit)")).to_have_value("150")

    # a day of plain activity: no output quantity (it adds nothing to the realization)
    text = f"Menata dan memberi label arsip surat keluar, batch {int(time.time())}"
    description.fill(text)
    quantity.fill("")
    page.get_by_role("button", name="Simpan log").click()
    expect(page.get_by_role("status").first).to_contain_text("menunggu verifikasi")
    row = page.get_by_role("row").filter(has_text=text)
    expect(row).to_contain_text("Menunggu verifikasi")
    expect(row).to_contain_text("150")
    expect(row).to_contain_text("kegiatan")
    expect(row.get_by_role("link", name=re.compile("^Ubah log"))).to_be_visible()


def test_an_employee_rates_a_peer_as_a_draft_then_submits(page):
    log_in(page, EMPLOYEE)
    page.get_by_role("link", name="Penilaian 360").first.click()
    expect(page.get_by_role("heading", name=re.compile("Putaran 2026-berakhlak"))).to_be_visible()
    peer = page.get_by_role("listitem").filter(has_text="sebagai rekan kerja").first
    name = peer.get_by_role("strong").inner_text()
    peer.get_by_role("link", name=f"Nilai {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nilai {name}")

    scores = page.get_by_role("spinbutton")
    expect(scores).to_have_count(7)  # BerAKHLAK's seven values
    scores.nth(0).fill("82")
    scores.nth(1).fill("78")
    page.get_by_label("Komentar (opsional)").fill("Sigap membantu rekan.")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Draf penilaian untuk {name}")
    expect(page.get_by_text("Draf tersimpan")).to_be_visible()
    expect(scores.nth(0)).to_have_value("82")

    # submitting with dimensions left blank is refused, and says which
    page.get_by_role("button", name="Kirim penilaian").click()
    expect(page.get_by_role("alert").filter(has_text="belum dinilai")).to_be_visible()
    expect(scores.nth(1)).to_have_value("78")

    for index in range(2, 7):
        scores.nth(index).fill(str(75 + index))
    page.get_by_role("button", name="Kirim penilaian").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Penilaian untuk {name} terkirim")
    done = page.get_by_role("listitem").filter(has_text=name).filter(has_text="Terkirim")
    expect(done).to_be_visible()
    expect(done.get_by_role("link", name=re.compile("perbarui"))).to_be_visible()


def test_my_results_show_the_2025_radar_chart_and_the_2026_report_unpublished(page):
    log_in(page, EMPLOYEE)
    page.get_by_role("link", name="Hasil saya").first.click()
    expect(page.get_by_text("belum diterbitkan")).to_be_visible()  # 2026's round is open
    decision = page.get_by_role("region", name="Keputusan atasan atas nilai perilaku")
    expect(decision).to_contain_text("Belum diputuskan")
    expect(decision).to_contain_text("menunggu keputusan atasan Anda")

    page.get_by_label("Siklus").select_option("2025")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025")
    expect(page.get_by_text("final, terkunci")).to_be_visible()
    # finalizing without a decision recorded the supervisor's adoption of the proposal
    decision = page.get_by_role("region", name="Keputusan atasan atas nilai perilaku")
    expect(decision).to_contain_text("Usulan diterima")
    expect(decision).to_contain_text("Diputuskan oleh Budi Santoso pada")
    chart = page.get_by_role("figure", name=re.compile("Grafik radar"))
    expect(chart.locator("svg")).to_be_visible()
    numbers = page.get_by_role("table", name=re.compile("Rata-rata per aspek"))
    expect(numbers.get_by_role("columnheader", name="Atasan")).to_be_visible()
    expect(numbers.get_by_role("rowheader", name="Disiplin")).to_be_visible()
    expect(page.get_by_role("table", name="Diri sendiri dibanding orang lain")).to_be_visible()
    expect(page.get_by_role("heading", name="Kekuatan", exact=True)).to_be_visible()
    # finalized today in the demo: the objection form is open for 14 days
    expect(page.get_by_label("Alasan keberatan")).to_be_visible()


def test_my_results_show_the_supervisors_own_behaviour_scores_beside_the_proposal(page):
    log_in(page, ADJUSTED)
    page.get_by_role("link", name="Hasil saya").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026")
    decision = page.get_by_role("region", name="Keputusan atasan atas nilai perilaku")
    expect(decision).to_contain_text("Nilai ditetapkan sendiri")
    expect(decision).to_contain_text(ADJUSTMENT_REASON)
    expect(decision).to_contain_text(re.compile(r"Diputuskan oleh Budi Santoso pada \d+ \w+ 2026"))
    table = decision.get_by_role("table", name="Usulan dan keputusan atasan per aspek")
    expect(table.get_by_role("columnheader", name="Usulan")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Keputusan atasan")).to_be_visible()
    # the aspect he raised: the proposal and his number side by side, not the same
    rows = table.get_by_role("row")
    raised = rows.filter(has=page.get_by_role("rowheader", name="Kerja sama"))
    proposed, decided = (cell.inner_text() for cell in raised.get_by_role("cell").all())
    assert proposed != decided
    total = rows.filter(has=page.get_by_role("rowheader", name="Nilai perilaku"))
    expect(total.get_by_role("cell")).to_have_count(2)
    # nothing of the raters: no group, no standard error
    expect(decision).not_to_contain_text("galat baku")
