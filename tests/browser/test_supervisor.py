"""Supervisor: the team overview, approving and returning SKPs, the log verification queue
(verify one, several, reject with a reason, revoke), recording an activity's realization at
the period's end, deciding on a behaviour proposal, finalizing a score, and objections.

Each test works on its own employees of the demo unit, so the order does not matter. A
few preparations are the employees' own steps (submitting an SKP), done through the API.
"""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from kinerja360.demo.gateway import DEMO_PASSWORD, nip
from tests.browser.conftest import log_in

SUPERVISOR = "demo-supervisor"
SEKRETARIS = nip(1)  # the supervisor's superior: decides objections on his staff
CYCLE = "2026"
PAST_CYCLE = "2025"
ANDI, SRI = nip(21), nip(20)  # the 2026 SKP still a draft; the one returned with notes
AGUS, SITI, DEWI, JOKO = nip(4), nip(5), nip(3), nip(6)
LINA, EKO = nip(13), nip(14)  # approved 2026 SKPs no other journey here touches
UNDECIDED_NAME = "Yusuf Hidayat"  # his 2026 behaviour proposal is not decided in the demo


def api(stack, username: str) -> requests.Session:
    """A client of the gateway's API logged in as `username`."""
    session = requests.Session()
    answer = session.post(
        f"{stack.url()}/api/v1/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=15,
    )
    answer.raise_for_status()
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return session


def submit_skp(stack, owner: str) -> None:
    """The employee's own step: send their SKP for approval (already sent is fine)."""
    answer = api(stack, owner).post(
        f"{stack.url()}/api/v1/targets/skps/{owner}/{CYCLE}/submit", timeout=15
    )
    assert answer.status_code in (200, 409), answer.text


def pending_entries(stack, owner: str) -> list[dict]:
    queue = api(stack, SUPERVISOR).get(f"{stack.url()}/api/v1/logs/verification-queue")
    return [entry for entry in queue.json() if entry["nip"] == owner]


def queue_of(page, name: str) -> None:
    """The queue, shown for one employee."""
    page.goto("/team")
    page.get_by_role("navigation", name="Menu tim").get_by_role(
        "link", name="Antrean verifikasi log"
    ).click()
    page.get_by_label("Pegawai").select_option(label=name)
    page.get_by_role("button", name="Tampilkan", exact=True).click()


def queue_rows(page):
    return page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("checkbox"))


def post_status(page, action) -> int:
    """The status of the form POST an action sends (before any redirect)."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        action()
    return answer.value.status


def test_supervisor_approves_verifies_and_finalizes(page, stack):
    submit_skp(stack, ANDI)
    log_in(page, SUPERVISOR)

    # approve a submitted SKP, after trying to return it without notes
    page.get_by_role("link", name="Tim saya").first.click()
    andi = page.get_by_role("row").filter(has_text="Andi Firmansyah")
    andi.get_by_role("link", name="Menunggu persetujuan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SKP Andi Firmansyah")
    expect(page.get_by_role("rowheader", name="Melaksanakan tugas pokok jabatan")).to_be_visible()
    status = post_status(
        page, lambda: page.get_by_role("button", name="Kembalikan dengan catatan").click()
    )
    assert status == 422
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Catatan perbaikan")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.invalid")).to_contain_text("wajib diisi")
    page.get_by_role("button", name="Setujui SKP").click()
    expect(page.get_by_role("status").first).to_contain_text("SKP disetujui")
    andi = page.get_by_role("row").filter(has_text="Andi Firmansyah")
    expect(andi).to_contain_text("Disetujui")

    # verify one entry, then a ticked one; each leaves the queue
    queue_of(page, "Agus Pratama")
    expect(queue_rows(page)).to_have_count(3)
    queue_rows(page).first.get_by_role("button", name="Verifikasi").click()
    expect(page.get_by_role("status").first).to_contain_text("Entri diverifikasi")
    expect(queue_rows(page)).to_have_count(2)
    queue_rows(page).first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Verifikasi yang dipilih").click()
    expect(page.get_by_role("status").first).to_contain_text("1 entri diverifikasi")
    expect(queue_rows(page)).to_have_count(1)

    # reject the last one: the reason is required, said in place
    queue_rows(page).first.get_by_role("link", name="Tolak").click()
    status = post_status(page, lambda: page.get_by_role("button", name="Tolak entri").click())
    assert status == 422
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Alasan penolakan")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Alasan penolakan").fill("Hasil kerja belum dilampirkan; mohon lengkapi.")
    page.get_by_role("button", name="Tolak entri").click()
    expect(page.get_by_role("status").first).to_contain_text("Entri ditolak")
    expect(queue_rows(page)).to_have_count(0)
    expect(page.get_by_text("Tidak ada entri yang menunggu verifikasi.")).to_be_visible()
    assert pending_entries(stack, AGUS) == []

    # finalize the one 2025 score still provisional, and see it locked
    page.get_by_role("link", name="Nilai tim").click()
    page.get_by_label("Siklus").select_option(PAST_CYCLE)
    page.get_by_role("button", name="Tampilkan", exact=True).click()
    andi = page.get_by_role("row").filter(has_text="Andi Firmansyah")
    expect(andi).to_contain_text("Sementara")
    andi.get_by_role("link", name="Andi Firmansyah").click()
    expect(page.get_by_role("table", name=re.compile("Kelompok penilai"))).to_be_visible()
    expect(page.get_by_role("rowheader", name="Atasan")).to_be_visible()
    page.get_by_role("link", name="Finalisasi nilai").click()
    expect(page.get_by_role("alert")).to_contain_text("Kunci nilai Andi Firmansyah")
    page.get_by_role("button", name="Ya, kunci nilai").click()
    expect(page.get_by_role("status").first).to_contain_text("Nilai difinalisasi")
    expect(page.get_by_role("heading", name="Terkunci")).to_be_visible()
    expect(page.get_by_role("link", name="Finalisasi nilai")).to_have_count(0)
    page.get_by_role("link", name="Kembali ke nilai tim").click()
    expect(page.get_by_role("row").filter(has_text="Andi Firmansyah")).to_contain_text("Terkunci")


def test_the_overview_shows_each_report_at_a_glance(page):
    log_in(page, SUPERVISOR)
    page.goto("/team")
    expect(page.get_by_role("link", name="Tim saya").first).to_have_attribute(
        "aria-current", "page"
    )
    table = page.get_by_role("table", name=re.compile("Bawahan langsung"))
    expect(table.get_by_role("row")).to_have_count(21)  # a header and the 20 staff
    rudi = table.get_by_role("row").filter(has_text="Rudi Hartono")
    expect(rudi).to_contain_text("Disetujui")
    expect(rudi).to_contain_text("/4")  # ratings received of those asked, open round
    # during the year a provisional figure, never a predicate (the final one needs every input)
    expect(rudi).to_contain_text(re.compile(r"\d+\.\d\d \(sementara, tanpa predikat\)"))
    expect(rudi).not_to_contain_text(re.compile(r"Sangat Baik|Baik|Cukup|Kurang|Buruk"))
    expect(page.get_by_text("penilaian 360 masuk (putaran 2026-berakhlak")).to_be_visible()


def test_a_resubmitted_skp_is_returned_with_notes(page, stack):
    submit_skp(stack, SRI)
    log_in(page, SUPERVISOR)
    page.goto(f"/team/skp/{SRI}/{CYCLE}")
    expect(page.get_by_role("heading", name="Catatan yang pernah diberikan")).to_be_visible()
    page.get_by_label("Catatan perbaikan").fill("Target kuantitas terlalu rendah untuk setahun.")
    page.get_by_role("button", name="Kembalikan dengan catatan").click()
    expect(page.get_by_role("status").first).to_contain_text("SKP dikembalikan")
    expect(page.get_by_role("row").filter(has_text="Sri Wahyuni")).to_contain_text("Dikembalikan")


def test_a_verification_is_revoked_from_the_month_of_logs(page, stack):
    entry = pending_entries(stack, SITI)[0]
    supervisor = api(stack, SUPERVISOR)
    answer = supervisor.post(f"{stack.url()}/api/v1/logs/entries/{entry['id']}/verify")
    assert answer.status_code == 200, answer.text
    log_in(page, SUPERVISOR)
    page.goto(f"/team/{SITI}/logs?month={entry['date'][:7]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log harian Siti Nurhaliza")
    row = page.get_by_role("row").filter(has_text=entry["description"])
    expect(row).to_contain_text("Terverifikasi")
    row.get_by_role("button", name="Batalkan verifikasi").click()
    expect(page.get_by_role("status").first).to_contain_text("Verifikasi dibatalkan")
    row = page.get_by_role("row").filter(has_text=entry["description"])
    expect(row).to_contain_text("Menunggu verifikasi")
    assert entry["id"] in {e["id"] for e in pending_entries(stack, SITI)}


def test_the_queue_works_without_javascript(browser, stack):
    context = browser.new_context(base_url=stack.url(), locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, SUPERVISOR)
        queue_of(page, "Dewi Lestari")
        shown = queue_rows(page).count()
        assert shown > 0
        page.get_by_role("button", name="Verifikasi yang dipilih").click()
        expect(page.get_by_role("alert")).to_contain_text("Pilih setidaknya satu entri")
        expect(queue_rows(page)).to_have_count(shown)
        page.get_by_role("button", name=f"Verifikasi semua yang ditampilkan ({shown})").click()
        expect(page.get_by_role("status").first).to_contain_text(f"{shown} entri diverifikasi")
        assert pending_entries(stack, DEWI) == []
    finally:
        context.close()


def test_the_superior_reads_a_decided_objection_and_cannot_decide_it_again(page):
    """The Sekretaris (the appraiser's superior) sees the objection, the score it was about
    and her decision; a decided objection offers no second decision."""
    log_in(page, SEKRETARIS)
    page.goto(f"/team/objections?cycle={PAST_CYCLE}")
    page.get_by_role("link", name="Joko Susilo").click()
    expect(page.get_by_role("heading", name="Keberatan pegawai")).to_be_visible()
    expect(page.get_by_text("Target kuantitas tidak memperhitungkan")).to_be_visible()
    expect(page.get_by_text("Nilai diubah")).to_be_visible()
    expect(page.get_by_role("button", name="Simpan keputusan")).to_have_count(0)


def test_the_supervisor_adjusts_a_behaviour_proposal_with_a_reason(page):
    """The proposal with its uncertainty; an own aspect score far from it is refused without
    a reason and kept with one; the page and the team's list say which was decided."""
    log_in(page, SUPERVISOR)
    page.goto(f"/team/scores?cycle={CYCLE}")
    row = page.get_by_role("row").filter(has_text=UNDECIDED_NAME)
    row.get_by_role("link", name=UNDECIDED_NAME).click()
    decision = page.get_by_role("region", name="Keputusan nilai perilaku")
    expect(decision).to_contain_text("Belum diputuskan")
    decision.get_by_role("link", name="Lihat usulan dan putuskan").click()
    expect(page.get_by_role("table", name=re.compile("Usulan per aspek"))).to_contain_text("±")

    aspect = page.get_by_label("Kerja sama", exact=True)
    proposed = float(aspect.input_value())
    own = max(0.0, proposed - 25)
    aspect.fill(f"{own:g}")
    assert (
        post_status(page, lambda: page.get_by_role("button", name="Simpan nilai saya").click())
        == 422
    )
    expect(page.locator("#e-reason")).to_contain_text("tuliskan alasan")
    expect(page.get_by_label("Kerja sama", exact=True)).to_have_value(f"{own:g}")  # kept

    reason = "Sering menolak tugas bersama unit lain selama semester kedua."
    page.get_by_label(re.compile("Alasan")).fill(reason)
    page.get_by_role("button", name="Simpan nilai saya").click()
    expect(page.get_by_role("status").first).to_contain_text("Nilai perilaku Anda disimpan")
    decided = page.get_by_role("region", name="Keputusan Anda")
    expect(decided).to_contain_text("Nilai ditetapkan sendiri")
    expect(decided).to_contain_text(reason)
    expect(decided).to_contain_text("Budi Santoso")

    page.goto(f"/team/scores?cycle={CYCLE}")
    expect(page.get_by_role("row").filter(has_text=UNDECIDED_NAME)).to_contain_text(
        "Nilai ditetapkan sendiri"
    )


def test_a_realization_the_employee_entered_counts_once_confirmed(page, stack):
    rudi = nip(8)  # his archive register is kept by hand; the demo left its entry waiting
    log_in(page, SUPERVISOR)
    page.goto(f"/team?cycle={CYCLE}")
    page.get_by_role("link", name=re.compile("realisasi menunggu konfirmasi")).first.click()
    expect(page.get_by_role("heading", name="Realisasi menunggu konfirmasi")).to_be_visible()
    expect(page.get_by_text("Kuantitas: 41 dari target 48 berkas")).to_be_visible()
    before = api(stack, SUPERVISOR).get(f"{stack.url()}/api/v1/targets/skps/{rudi}/{CYCLE}/score")
    page.get_by_role("button", name="Konfirmasi realisasi").click()
    expect(page.get_by_role("status").first).to_contain_text("Realisasi dikonfirmasi")
    expect(page.get_by_role("heading", name="Realisasi menunggu konfirmasi")).to_have_count(0)
    after = api(stack, SUPERVISOR).get(f"{stack.url()}/api/v1/targets/skps/{rudi}/{CYCLE}/score")
    archive = [a for a in after.json()["activities"] if a["activity"]["id"] == "arsip-dokumen"]
    assert archive[0]["realization"]["quantity"] == 41
    assert after.json()["skp_score"] > before.json()["skp_score"]


def targets(stack, client: requests.Session, path: str) -> dict:
    """A targets API answer read as the supervisor (one logged-in client per test: the
    gateway limits logins)."""
    answer = client.get(f"{stack.url()}/api/v1/targets/{path}", timeout=15)
    answer.raise_for_status()
    return answer.json()


def activity_row(score: dict, activity_id: str) -> dict:
    return next(row for row in score["activities"] if row["activity"]["id"] == activity_id)


def test_the_supervisor_records_the_quality_at_the_periods_end_and_it_counts(page, stack):
    supervisor = api(stack, SUPERVISOR)
    before = activity_row(
        targets(stack, supervisor, f"skps/{LINA}/{CYCLE}/score"), "laporan-kinerja"
    )
    assert "quality" in before["assumed"]  # not assessed yet: assumed on target
    log_in(page, SUPERVISOR)
    page.goto(f"/team/skp/{LINA}/{CYCLE}")
    section = page.get_by_role("region", name="Realisasi akhir periode")
    form = section.get_by_role("form", name="Menyusun laporan kinerja")
    expect(form).to_contain_text("Kualitas: belum dinilai (target 100)")
    expect(form).to_contain_text("dari target 4 laporan")
    form.get_by_label("Kualitas (0–100)").fill("88")
    form.get_by_role("button", name="Simpan realisasi akhir").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Realisasi akhir periode dicatat dan langsung dihitung"
    )
    form = page.get_by_role("form", name="Menyusun laporan kinerja")
    expect(form).to_contain_text("Kualitas: 88 dari target 100")
    expect(form.get_by_label("Kualitas (0–100)")).to_have_value("")  # nothing carried over
    expect(page.get_by_role("heading", name="Realisasi menunggu konfirmasi")).to_have_count(0)

    after = activity_row(
        targets(stack, supervisor, f"skps/{LINA}/{CYCLE}/score"), "laporan-kinerja"
    )
    assert after["realization"]["quality"] == 88  # counted at once, no confirmation
    assert "quality" not in after["assumed"]
    assert after["score"] is None or after["score"]["quality"] == 88  # 88 of the target 100


def test_a_refused_realization_is_said_beside_its_field(page, stack):
    log_in(page, SUPERVISOR)
    page.goto(f"/team/skp/{EKO}/{CYCLE}")
    form = page.get_by_role("form", name="Mengelola buku agenda")
    form.get_by_label("Kualitas (0–100)").fill("150")
    status = post_status(
        page, lambda: form.get_by_role("button", name="Simpan realisasi akhir").click()
    )
    assert status == 422
    form = page.get_by_role("form", name="Mengelola buku agenda")
    expect(form.get_by_role("alert")).to_contain_text("Periksa isian yang ditandai")
    quality = form.get_by_label("Kualitas (0–100)")
    expect(quality).to_have_attribute("aria-invalid", "true")
    expect(quality).to_have_value("150")  # kept
    expect(form.locator(".field.invalid")).to_contain_text("antara 0 dan 100")
    # the other activities' forms are untouched
    other = page.get_by_role("form", name="Mendistribusikan surat dinas")
    expect(other.locator(".field.invalid")).to_have_count(0)
    supervisor = api(stack, SUPERVISOR)
    skp = targets(stack, supervisor, f"skps/{EKO}/{CYCLE}")
    assert (skp["realization"].get("buku-agenda") or {}).get("quality") is None  # nothing kept
    score = targets(stack, supervisor, f"skps/{EKO}/{CYCLE}/score")
    assert "quality" in activity_row(score, "buku-agenda")["assumed"]
