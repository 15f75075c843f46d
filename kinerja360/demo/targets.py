"""Demo SKPs for the field study's unit: drafted, submitted and approved through the API."""

from __future__ import annotations

import time

from kinerja360.demo.gateway import EMPLOYEE_INDEX, PEOPLE, SUPERVISOR_INDEX, nip

CYCLE = "2026"
# Activities by position (kegiatan tugas jabatan): id, name, quantity, unit, months.
ACTIVITIES = {
    "Pengadministrasi Umum": [
        ("agenda-surat", "Mengagendakan surat masuk dan keluar", 1200, "surat", 12),
        ("arsip-dokumen", "Menata arsip dokumen unit", 48, "berkas", 12),
        ("laporan-bulanan", "Menyusun laporan bulanan administrasi", 12, "laporan", 12),
    ],
    "Pengadministrasi Kepegawaian": [
        ("usulan-kgb", "Memproses usulan kenaikan gaji berkala", 60, "usulan", 12),
        ("data-pegawai", "Memutakhirkan data kepegawaian", 108, "data", 12),
        ("rekap-absensi", "Merekap kehadiran pegawai", 12, "rekap", 12),
    ],
    "Pengadministrasi Persuratan": [
        ("distribusi-surat", "Mendistribusikan surat dinas", 1500, "surat", 12),
        ("buku-agenda", "Mengelola buku agenda", 12, "buku", 12),
    ],
    "Kepala Sub Bagian Umum dan Kepegawaian": [
        ("rencana-kerja", "Menyusun rencana kerja sub bagian", 1, "dokumen", 2),
        ("pembinaan", "Membina dan mengevaluasi staf", 12, "laporan", 12),
        ("anggaran-umum", "Mengendalikan anggaran rumah tangga", 4, "laporan", 12),
    ],
}
GENERAL = [
    ("tugas-pokok", "Melaksanakan tugas pokok jabatan", 12, "laporan", 12),
    ("laporan-kinerja", "Menyusun laporan kinerja", 4, "laporan", 12),
]
STILL_DRAFT = {21}  # Andi Firmansyah has not submitted yet
# Rudi keeps the archive register by hand, not in his daily log: he enters its realization
# himself, and it waits for Budi's confirmation (menunggu konfirmasi atasan).
HAND_RECORDED = "arsip-dokumen"
HAND_RECORDED_QUANTITY = 41  # of 48 berkas, early December
RETURNED = {20}  # Sri Wahyuni's SKP came back with notes


def activities_for(position: str) -> list[dict]:
    rows = ACTIVITIES.get(position, GENERAL)
    skp = [{"id": i, "name": n, "quantity": q, "unit": u, "months": m} for i, n, q, u, m in rows]
    if position.startswith("Kepala Sub Bagian"):
        skp[2]["cost"] = 150_000_000  # an activity with a budget
    return skp


def _wait_for_team(client, supervisor: str, size: int) -> None:
    """The targets service learns the org chart from the gateway's events."""
    headers = {"Authorization": f"Bearer {client.token(supervisor, ['employee', 'supervisor'])}"}
    for _ in range(300):
        answer = client.get(
            f"/api/v1/targets/teams/{supervisor}/skps?cycle={CYCLE}", headers=headers
        )
        if len(answer.json()) >= size:
            return
        time.sleep(0.1)
    raise RuntimeError("the targets service did not receive the directory in time")


def load(client) -> str:
    kasubag = nip(SUPERVISOR_INDEX)
    _wait_for_team(client, kasubag, len(PEOPLE) - 3)
    approved = 0
    for index, (_name, position, _education) in enumerate(PEOPLE):
        if index < SUPERVISOR_INDEX:
            continue  # the Kepala and the Sekretaris appraise; their own SKPs are left out
        owner = nip(index)
        supervisor = nip(index - 1) if index <= SUPERVISOR_INDEX else kasubag
        as_owner = {"Authorization": f"Bearer {client.token(owner, ['employee'])}"}
        as_supervisor = {
            "Authorization": f"Bearer {client.token(supervisor, ['employee', 'supervisor'])}"
        }
        client.post(
            "/api/v1/targets/skps",
            headers=as_owner,
            json={"cycle": CYCLE, "activities": activities_for(position)},
        )
        if index in STILL_DRAFT:
            continue
        base = f"/api/v1/targets/skps/{owner}/{CYCLE}"
        client.post(f"{base}/submit", headers=as_owner)
        if index in RETURNED:
            client.post(
                f"{base}/return",
                headers=as_supervisor,
                json={"notes": "Lengkapi target kualitas dan satuan output."},
            )
            continue
        client.post(f"{base}/approve", headers=as_supervisor)
        approved += 1
        if index == EMPLOYEE_INDEX:
            client.patch(
                f"{base}/activities/{HAND_RECORDED}/realization",
                headers=as_owner,
                json={"quantity": HAND_RECORDED_QUANTITY},
            )
    return (
        f"{approved} approved SKPs for {CYCLE}, one returned, one still a draft; "
        "one realization waiting for the supervisor's confirmation"
    )
