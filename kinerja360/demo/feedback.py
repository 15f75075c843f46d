"""Demo 360 rounds: a closed PP 46/2011 round with answers, and an open BerAKHLAK round."""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinerja360.demo.gateway import PEOPLE, nip

CLOSED_ROUND = "2026-perilaku"
OPEN_ROUND = "2026-berakhlak"
SILENT = {9, 15}  # two people never answered: completion is not 100%
LENIENT, SEVERE = {4, 12}, {7, 18}  # raters whose habits bias correction should notice


def rating_for(ratee: int, rater: int, dimension: int) -> int:
    """Deterministic, varied scores: each ratee has a level, each rater a habit, and each
    rater their own impression of each ratee plus an item's noise, as real raters do (without
    them every disagreement would be a habit, and the model would call the ratings exact)."""
    level = 70 + (ratee * 7) % 20
    habit = 8 if rater in LENIENT else -8 if rater in SEVERE else 0
    impression = random.Random(f"{ratee}:{rater}").gauss(0.0, 3.0)
    item = random.Random(f"{ratee}:{rater}:{dimension}").gauss(0.0, 2.0)
    return max(0, min(100, round(level + habit + impression + item)))


def load(client) -> str:
    index_of = {nip(i): i for i in range(len(PEOPLE))}
    today = date.today()
    client.post(
        "/api/v1/feedback/rounds",
        json={
            "id": CLOSED_ROUND,
            "cycle": "2026",
            "framework_id": "pp46",
            "deadline": (today - timedelta(days=1)).isoformat(),
            "peers_per_ratee": 3,
        },
    )
    assignments = client.get(f"/api/v1/feedback/rounds/{CLOSED_ROUND}/assignments").json()
    if not assignments:
        raise RuntimeError("the feedback service has no org chart yet")
    answered = 0
    for assignment in assignments:
        rater = index_of[assignment["rater"]]
        if rater in SILENT:
            continue
        headers = {"Authorization": f"Bearer {client.token(assignment['rater'], ['employee'])}"}
        base = f"/api/v1/feedback/rounds/{CLOSED_ROUND}/assignments/{assignment['id']}"
        mine = client.get(
            f"/api/v1/feedback/rounds/{CLOSED_ROUND}/my-assignments", headers=headers
        ).json()
        dimensions = next(a["dimensions"] for a in mine if a["id"] == assignment["id"])
        ratee = index_of[assignment["ratee"]]
        scores = {d["key"]: rating_for(ratee, rater, n) for n, d in enumerate(dimensions)}
        comment = "Selalu membantu rekan kerja." if ratee % 3 == 0 else ""
        client.post(f"{base}/submit", headers=headers, json={"scores": scores, "comment": comment})
        answered += 1
    client.post(f"/api/v1/feedback/rounds/{CLOSED_ROUND}/close")
    client.post(
        "/api/v1/feedback/rounds",
        json={
            "id": OPEN_ROUND,
            "cycle": "2026",
            "framework_id": "berakhlak",
            "deadline": (today + timedelta(days=14)).isoformat(),
            "peers_per_ratee": 2,
        },
    )
    return (
        f"360 round {CLOSED_ROUND} closed with {answered} of {len(assignments)} "
        f"ratings; round {OPEN_ROUND} open"
    )
