"""Demo 360 responses: the Kasubag rated from every direction."""

from __future__ import annotations

from gateway.demo import nip

DEMO_ROUND = "2026-perilaku"
ASPECTS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
KASUBAG = 2

# (rater index, group, base score) for the Kasubag, by index in gateway.demo.PEOPLE
RESPONSES = [
    (1, "superior", 82),
    (3, "subordinate", 78),
    (4, "subordinate", 85),
    (5, "subordinate", 74),
    (KASUBAG, "self", 90),
]


def load(client) -> str:
    for rater, group, base in RESPONSES:
        token = client.token(nip(rater), ["employee"])
        scores = {aspect: min(100, base + offset) for offset, aspect in enumerate(ASPECTS)}
        client.put(
            f"/api/v1/feedback/rounds/{DEMO_ROUND}/responses/{nip(KASUBAG)}",
            json={"rater_group": group, "scores": scores},
            headers={"Authorization": f"Bearer {token}"},
        )
    return f"{len(RESPONSES)} 360 responses in round {DEMO_ROUND}"
