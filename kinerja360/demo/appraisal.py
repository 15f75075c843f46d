"""Demo appraisals: a finished 2025 cycle beside the provisional 2026 one, and HR's schemes.

2025 is the year before, complete: the SKPs were approved and realized to the year's end
(most staff Baik, a few Sangat Baik, a few Cukup), the PP 46/2011 360 round closed with
answers (lenient and severe raters among them), and the Kepala Sub Bagian finalized his
staff's appraisals (the Sekretaris his); one employee objected and the Sekretaris changed
his score; one appraisal still waits. HR keeps a weighting scheme for structural
positions and a second version of the default one. 2026 stays provisional: its SKPs, logs
and ratings go on; the Kasubag has decided some of the behaviour proposals (one adjusted
with a reason, a few adopted, the rest not yet decided).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import date

from kinerja360.demo.feedback import rating_for as behaviour_rating
from kinerja360.demo.gateway import EMPLOYEE_INDEX, PEOPLE, SUPERVISOR_INDEX, nip
from kinerja360.demo.targets import activities_for

PAST_CYCLE = "2025"
PAST_ROUND = "2025-perilaku"
SEKRETARIS_INDEX = 1  # the Kepala Sub Bagian's superior: appraises him, decides objections
APPRAISED = range(SUPERVISOR_INDEX, len(PEOPLE))  # the Kasubag and his 20 staff have SKPs
# How the year went (the 360 levels of kinerja360/demo/feedback.py point the same way).
EXCELLENT = {11, 14, 17}  # beat their targets early: Sangat Baik
FELL_SHORT = {6, 9, 20}  # Joko Susilo, Wulan Sari, Sri Wahyuni: below target, Cukup
OBJECTOR = 6  # Joko Susilo objects to his Cukup; the Sekretaris raises it
NOT_FINALIZED = {21}  # Andi Firmansyah's appraisal still waits for the Kasubag
SILENT_IN_PAST_ROUND = {16}  # Bayu Saputra never answered in 2025
STRUCTURAL_SCHEME = "struktural"
CURRENT_CYCLE = "2026"
ADOPTED_2026 = (3, 4, 5, 6, 7)  # the Kasubag adopted these staff's behaviour proposals
ADJUSTED_2026 = 10  # ... and set his own aspect scores for this one, with a reason
ADJUSTED_ASPECT = "kerja_sama"
ADJUSTMENT_REASON = (
    "Memimpin pemindahan arsip ke sistem digital selama enam bulan bersama unit lain; "
    "kerja sama lintas unit ini tidak terlihat oleh rekan satu tim."
)
WAIT_SECONDS = 60


def _as(client, index: int, *roles: str) -> dict:
    return {"Authorization": f"Bearer {client.token(nip(index), list(roles))}"}


def _supervisor_index(index: int) -> int:
    return min(index - 1, SUPERVISOR_INDEX)  # the reporting lines of kinerja360/demo/gateway.py


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    """Data reaches the appraisal service through events: poll, with a bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(f"demo: the appraisal service did not {what} within {WAIT_SECONDS} s")


# --- 2025 SKPs, approved and realized -------------------------------------------------------


def year_end(index: int, activity: dict, number: int) -> dict:
    """An activity's realization at the year's end, varied by person and activity.

    The time aspect rewards finishing early (up to 24% of the planned months), so the best
    finish in about 80% of the time, the rest in 92-100% of it.
    """
    spread = (index + number) % 5  # 0-4: no two neighbours alike
    if index in EXCELLENT:
        output, quality, time_used = 1.06 + 0.01 * spread, 95 + spread % 3, 0.8
    elif index in FELL_SHORT:
        output, quality, time_used = 0.68 + 0.01 * spread, 70 + spread, 1.0
    else:
        output, quality, time_used = (
            0.92 + 0.02 * spread,
            80 + 2 * spread,
            1.0 - 0.04 * (spread % 3),
        )
    realization = {
        "quantity": max(1, round(activity["quantity"] * output)),
        "quality": quality,
        "months": round(activity["months"] * time_used, 1),
    }
    if activity.get("cost"):
        realization["cost"] = round(activity["cost"] * 0.95)
    return realization


def _realize_past_skps(client) -> int:
    """Draft, submit, approve, then the supervisor records every activity's realization
    (quality is theirs to assess; quantity is typed in, as 2025 has no daily logs)."""
    for index in APPRAISED:
        owner, supervisor = _as(client, index, "employee"), _supervisor_index(index)
        as_supervisor = _as(client, supervisor, "employee", "supervisor")
        activities = activities_for(PEOPLE[index][1])
        client.post(
            "/api/v1/targets/skps",
            headers=owner,
            json={"cycle": PAST_CYCLE, "activities": activities},
        )
        base = f"/api/v1/targets/skps/{nip(index)}/{PAST_CYCLE}"
        client.post(f"{base}/submit", headers=owner)
        client.post(f"{base}/approve", headers=as_supervisor)
        for number, activity in enumerate(activities):
            client.patch(
                f"{base}/activities/{activity['id']}/realization",
                headers=as_supervisor,
                json=year_end(index, activity, number),
            )
    return len(APPRAISED)


# --- the 2025 360 round ------------------------------------------------------------------------


def _answer_past_round(client) -> tuple[Counter, int]:
    """Open the round, let every rater but one answer, close it; the responses per ratee."""
    index_of = {nip(i): i for i in range(len(PEOPLE))}
    client.post(
        "/api/v1/feedback/rounds",
        json={
            "id": PAST_ROUND,
            "cycle": PAST_CYCLE,
            "framework_id": "pp46",
            "deadline": date(int(PAST_CYCLE), 12, 15).isoformat(),
            "peers_per_ratee": 3,
        },
    )
    assigned = client.get(f"/api/v1/feedback/rounds/{PAST_ROUND}/assignments").json()
    if not assigned:
        raise RuntimeError("demo: the feedback service has no org chart yet")
    answered: Counter = Counter()
    for rater in range(len(PEOPLE)):
        if rater in SILENT_IN_PAST_ROUND:
            continue
        headers = _as(client, rater, "employee")
        mine = client.get(
            f"/api/v1/feedback/rounds/{PAST_ROUND}/my-assignments", headers=headers
        ).json()
        for assignment in mine:
            ratee = index_of[assignment["ratee"]]
            scores = {
                d["key"]: behaviour_rating(ratee, rater, number)
                for number, d in enumerate(assignment["dimensions"])
            }
            client.post(
                f"/api/v1/feedback/rounds/{PAST_ROUND}/assignments/{assignment['id']}/submit",
                headers=headers,
                json={"scores": scores},
            )
            answered[assignment["ratee"]] += 1
    client.post(f"/api/v1/feedback/rounds/{PAST_ROUND}/close")
    return answered, len(assigned)


# --- HR's weighting schemes --------------------------------------------------------------------


def _configure_schemes(client) -> None:
    """The default saved twice (so its history has two versions), and one for structural
    positions, whose subordinates see how they lead."""
    default = {
        "name": "Bawaan: atasan 50%, rekan kerja 25%, bawahan 25%",
        "weights": {"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0},
    }
    client.put("/api/v1/appraisal/schemes/default", json={"version": 0, **default})
    client.put(
        "/api/v1/appraisal/schemes/default",
        json={
            "version": 1,
            **default,
            "name": "Umum: atasan 50%, rekan kerja 30%, bawahan 20%",
            "weights": {"superior": 0.5, "peer": 0.3, "subordinate": 0.2, "self": 0},
        },
    )
    client.put(
        f"/api/v1/appraisal/schemes/{STRUCTURAL_SCHEME}",
        json={
            "version": 0,
            "name": "Jabatan struktural: atasan 40%, rekan kerja 20%, bawahan 40%",
            "weights": {"superior": 0.4, "peer": 0.2, "subordinate": 0.4, "self": 0},
            "bias_correction": True,
            "position_kinds": ["structural"],
        },
    )


def _expected_scheme(index: int) -> str:
    return f"{STRUCTURAL_SCHEME}@v1" if index <= SUPERVISOR_INDEX else "default@v2"


def _past_scores_ready(client, answered: Counter) -> bool:
    """Every SKP realized, every response counted, the schemes applied, nothing pending,
    and the round's closing received (it publishes the reports)."""
    scores = {
        s["nip"]: s for s in client.get(f"/api/v1/appraisal/cycles/{PAST_CYCLE}/scores").json()
    }
    for index in APPRAISED:
        score = scores.get(nip(index))
        if (
            score is None
            or score["pending"]
            or score["final_score"] is None
            or not score["skp_complete"]
            or score["scheme"] != _expected_scheme(index)
            or sum(g["raters"] for g in score["groups"].values()) != answered[nip(index)]
        ):
            return False
    report = f"/api/v1/appraisal/cycles/{PAST_CYCLE}/scores/{nip(EMPLOYEE_INDEX)}/report"
    return client.get(report, accept=(200, 409)).status_code == 200


# --- finalization and an objection --------------------------------------------------------------


def _finalize(client, index: int) -> dict:
    """The direct supervisor locks the appraisal; a recompute under way means a moment's wait."""
    path = f"/api/v1/appraisal/cycles/{PAST_CYCLE}/scores/{nip(index)}/finalize"
    headers = _as(client, _supervisor_index(index), "employee", "supervisor")
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        answer = client.post(path, headers=headers, accept=(200, 409))
        if answer.status_code == 200:
            return answer.json()
        if answer.json()["error"]["code"] != "recompute_pending" or time.monotonic() > deadline:
            raise RuntimeError(f"demo: finalizing {nip(index)} -> {answer.text}")
        time.sleep(0.2)


def _object_and_decide(client) -> dict:
    """Joko Susilo objects (keberatan); the Sekretaris, the Kasubag's superior, raises it."""
    base = f"/api/v1/appraisal/cycles/{PAST_CYCLE}/scores/{nip(OBJECTOR)}/objection"
    objected = client.post(
        base,
        headers=_as(client, OBJECTOR, "employee"),
        json={
            "reason": "Target kuantitas tidak memperhitungkan tiga bulan penugasan saya "
            "sebagai panitia pengadaan barang dan jasa."
        },
    ).json()
    return client.post(
        f"{base}/decision",
        headers=_as(client, SEKRETARIS_INDEX, "employee", "supervisor"),
        json={
            "reason": "Surat tugas kepanitiaan terlampir; target kuantitas disesuaikan "
            "untuk tiga bulan penugasan.",
            "final_score": round(objected["final_score"] + 4, 2),
        },
    ).json()


# --- 2026: the supervisor decides on the behaviour proposals ---------------------------------


def _current_proposals(client) -> dict[str, dict] | None:
    """The Kasubag's staff's 2026 proposals, once computed (the closed round's answers
    arrived long before: the 2025 cycle was loaded after them)."""
    headers = _as(client, SUPERVISOR_INDEX, "employee", "supervisor")
    scores = client.get(f"/api/v1/appraisal/cycles/{CURRENT_CYCLE}/scores", headers=headers)
    by_nip = {s["nip"]: s for s in scores.json()}
    wanted = [nip(i) for i in (*ADOPTED_2026, ADJUSTED_2026)]
    ready = all(
        n in by_nip and not by_nip[n]["pending"] and by_nip[n]["dimensions"] for n in wanted
    )
    return by_nip if ready else None


def _decide_current(client) -> int:
    """Adopt a few proposals, adjust one with a reason; the rest wait for the Kasubag."""
    _wait_until(lambda: _current_proposals(client) is not None, "compute the 2026 proposals")
    proposals = _current_proposals(client)
    headers = _as(client, SUPERVISOR_INDEX, "employee", "supervisor")
    base = f"/api/v1/appraisal/cycles/{CURRENT_CYCLE}/scores"
    for index in ADOPTED_2026:
        client.put(f"{base}/{nip(index)}/decision", headers=headers, json={"kind": "adopted"})
    proposed = proposals[nip(ADJUSTED_2026)]["dimensions"]
    own = {**proposed, ADJUSTED_ASPECT: min(100, round(proposed[ADJUSTED_ASPECT] + 12, 2))}
    client.put(
        f"{base}/{nip(ADJUSTED_2026)}/decision",
        headers=headers,
        json={"kind": "own_scores", "scores": own, "reason": ADJUSTMENT_REASON},
    )
    return len(ADOPTED_2026) + 1


def load(client) -> str:
    realized = _realize_past_skps(client)
    answered, assigned = _answer_past_round(client)
    _configure_schemes(client)  # before finalizing: the locked scores carry these schemes
    _wait_until(lambda: _past_scores_ready(client, answered), f"compute the {PAST_CYCLE} scores")
    finalized = [_finalize(client, index) for index in APPRAISED if index not in NOT_FINALIZED]
    decided = _object_and_decide(client)
    behaviour_decisions = _decide_current(client)
    predicates = Counter(
        decided["predicate"] if f["nip"] == decided["nip"] else f["predicate"] for f in finalized
    )
    spread = ", ".join(f"{count} {name}" for name, count in predicates.most_common())
    return (
        f"{PAST_CYCLE} appraised: {realized} SKPs realized, round {PAST_ROUND} closed with "
        f"{sum(answered.values())} of {assigned} ratings, {len(finalized)} scores finalized "
        f"({spread}), one objection decided, {len(NOT_FINALIZED)} awaiting finalization; "
        f"schemes default v2 and {STRUCTURAL_SCHEME}; {CURRENT_CYCLE} provisional, "
        f"{behaviour_decisions} behaviour proposals decided (one adjusted with a reason)"
    )
