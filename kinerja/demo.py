"""Demo data for `kinerja up --demo`: the field study's unit, with fictional names.

Loaded once per data folder, through the services' own HTTP APIs.
"""

from __future__ import annotations

import requests

from kinerja.auth import issue_access_token
from kinerja.config import Settings

DEMO_ROUND = "2026-perilaku"
ASPECTS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")

# (id, name, position) - Sub Bagian Umum dan Kepegawaian, Bappeda Prov. Kalimantan Timur
UNIT = [
    ("sekretaris", "Rahmawati Sari", "Sekretaris"),
    ("kasubag", "Budi Santoso", "Kepala Sub Bagian Umum dan Kepegawaian"),
    ("staf01", "Dewi Lestari", "Penyusun Rencana Kehumasan dan Perpustakaan"),
    ("staf02", "Agus Pratama", "Penyuluh Kearsipan"),
    ("staf03", "Siti Nurhaliza", "Pranata Barang dan Jasa"),
]

# (rater, ratee, group, base score): the kasubag is rated from every direction.
RESPONSES = [
    ("sekretaris", "kasubag", "superior", 82),
    ("staf01", "kasubag", "subordinate", 78),
    ("staf02", "kasubag", "subordinate", 85),
    ("staf03", "kasubag", "subordinate", 74),
    ("kasubag", "kasubag", "self", 90),
]


def load_demo(stack, echo=print) -> None:
    marker = stack.data_dir / "demo-loaded"
    if marker.exists():
        echo("Demo data: already loaded")
        return
    settings = Settings.from_env("demo", stack.env)
    names = {person_id: name for person_id, name, _ in UNIT}
    feedback_url = stack.env["FEEDBACK_URL"]
    for rater, ratee, group, base in RESPONSES:
        token = issue_access_token(settings, rater, ["employee"], name=names[rater])
        scores = {aspect: min(100, base + offset) for offset, aspect in enumerate(ASPECTS)}
        answer = requests.put(
            f"{feedback_url}/api/v1/rounds/{DEMO_ROUND}/responses/{ratee}",
            json={"rater_group": group, "scores": scores},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        answer.raise_for_status()
    marker.write_text("ok\n")
    echo(f"Demo data: {len(RESPONSES)} responses in round {DEMO_ROUND}")
