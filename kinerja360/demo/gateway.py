"""Demo directory and accounts: the field study's unit, with fictional names.

Sub Bagian Umum dan Kepegawaian, Bappeda Provinsi Kalimantan Timur (DOMAIN.md):
Kepala Bappeda -> Sekretaris -> Kepala Sub Bagian -> the 20 staff.
"""

from __future__ import annotations

import csv
import io

DEMO_PASSWORD = "demo1234"

UNITS = [
    ("bappeda-kaltim", "Bappeda Provinsi Kalimantan Timur", None),
    ("sekretariat", "Sekretariat", "bappeda-kaltim"),
    ("subbag-umpeg", "Sub Bagian Umum dan Kepegawaian", "sekretariat"),
]

# (fictional name, position, education) in the study's order.
PEOPLE = [
    ("Hendra Wijaya", "Kepala Bappeda", "S-3"),
    ("Rahmawati Sari", "Sekretaris", "S-2"),
    ("Budi Santoso", "Kepala Sub Bagian Umum dan Kepegawaian", "S-2"),
    ("Dewi Lestari", "Penyusun Rencana Kehumasan dan Perpustakaan", "S-2"),
    ("Agus Pratama", "Penyuluh Kearsipan", "S-1"),
    ("Siti Nurhaliza", "Pranata Barang dan Jasa", "S-1"),
    ("Joko Susilo", "Pengadministrasi Rumah Tangga Produksi", "SMA"),
    ("Nur Aisyah", "Pengadministrasi Keuangan", "SMA"),
    ("Rudi Hartono", "Pengadministrasi Umum", "SMA"),
    ("Wulan Sari", "Pengadministrasi Umum", "SMA"),
    ("Fajar Nugroho", "Pengadministrasi Kepegawaian", "SMA"),
    ("Maya Anggraini", "Pengadministrasi Kepegawaian", "SMA"),
    ("Yusuf Hidayat", "Pengadministrasi Kepegawaian", "SMA"),
    ("Lina Marlina", "Pengadministrasi Sarana dan Prasarana", "SMA"),
    ("Eko Prasetyo", "Pengadministrasi Persuratan", "SMA"),
    ("Ratna Dewi", "Pengadministrasi Persuratan", "SMA"),
    ("Bayu Saputra", "Penyuluh Kearsipan", "S-1"),
    ("Indah Permata", "Pengadministrasi Umum", "SMA"),
    ("Dimas Anggara", "Pranata Teknologi Informasi Komputer", "SMP"),
    (
        "Slamet Riyadi",
        "Pengadministrasi Teknis Pemeriksaan dan Perawatan Kendaraan Bermotor",
        "SMP",
    ),
    ("Sri Wahyuni", "Pramu Bakti", "SD"),
    ("Andi Firmansyah", "Pengemudi", "SMA"),
    ("Tuti Handayani", "Pramu Bakti", "SD"),
]
FEMALE = {1, 3, 5, 7, 9, 11, 15, 17, 20, 22}  # indexes of the women above
GOLONGAN_BY_EDUCATION = {
    "S-3": "IV/c",
    "S-2": "III/c",
    "S-1": "III/a",
    "SMA": "II/c",
    "SMP": "II/a",
    "SD": "I/c",
}
LEADERS = {0: ("IV/d", "II.a"), 1: ("IV/b", "III.a"), 2: ("III/d", "IV.a")}

EMPLOYEE_INDEX = 8  # Rudi Hartono, Pengadministrasi Umum: demo-employee
SUPERVISOR_INDEX = 2  # Budi Santoso, the Kasubag: demo-supervisor


def nip(index: int) -> str:
    """A well-formed, fictional NIP: birth date, appointment month, sex, sequence."""
    born = f"{1965 + index}{(index % 12) + 1:02d}{(index % 27) + 1:02d}"
    appointed = f"{1990 + index}{(index % 12) + 1:02d}"
    sex = "2" if index in FEMALE else "1"
    return f"{born}{appointed}{sex}{index + 1:03d}"


def employees() -> list[dict]:
    rows = []
    for index, (name, position, education) in enumerate(PEOPLE):
        golongan, echelon = LEADERS.get(index, (GOLONGAN_BY_EDUCATION[education], None))
        unit = "bappeda-kaltim" if index == 0 else "sekretariat" if index == 1 else "subbag-umpeg"
        supervisor = None if index == 0 else nip(min(index - 1, 2))
        rows.append(
            {
                "nip": nip(index),
                "name": name,
                "position": position,
                "unit_id": unit,
                "golongan": golongan,
                "echelon": echelon,
                "position_kind": "structural" if echelon else "functional",
                "education": education,
                "supervisor_nip": supervisor,
                "email": f"{name.lower().replace(' ', '.')}@bappeda.example.go.id",
                "active": "true",
            }
        )
    return rows


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return out.getvalue()


def accounts() -> list[dict]:
    named = {EMPLOYEE_INDEX: "demo-employee", SUPERVISOR_INDEX: "demo-supervisor"}
    result = [
        {"username": named.get(index, nip(index)), "nip": nip(index), "roles": []}
        for index in range(len(PEOPLE))
    ]
    result += [
        {"username": "demo-hr", "nip": None, "roles": ["hr"]},
        {"username": "demo-ops", "nip": None, "roles": ["ops"]},
    ]
    return [{**account, "password": DEMO_PASSWORD} for account in result]


def load(client) -> str:
    """Through the gateway's own API, as HR would."""
    units = [{"id": u, "name": n, "parent_id": p or ""} for u, n, p in UNITS]
    for kind, rows in (("units", units), ("employees", employees())):
        client.post("/api/v1/directory/imports", files={"file": (f"{kind}.csv", _csv(rows))})
    for account in accounts():
        client.post("/api/v1/auth/accounts", json=account, accept=(201, 409))
    return (
        f"{len(PEOPLE)} employees in 3 units, {len(accounts())} accounts (password {DEMO_PASSWORD})"
    )
