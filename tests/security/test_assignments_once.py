"""One assignment per rater, ratee and round, one nomination, and no side channel through
counts or error messages (issue 21): on the demo stack, through the gateway, as an attacker
or a hurried client would. Twenty identical requests at once store one; the ratee never
reads a rater's NIP; the supervisor's completion view does not move with one answer.

The unit, its people and logins are test_anonymity's lab (a head and ten staff of our own).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.security import test_anonymity
from tests.security.test_anonymity import PP46, Lab
from tests.support import AT_ONCE

LIVE = ("active", "nominated")
lab = test_anonymity.lab  # the scenario's own unit, people and logins (a module fixture)


def at_once(api, method: str, path: str, body: dict) -> list[int]:
    """The same call AT_ONCE times together, as one login; the status codes."""
    api.get("feedback/rounds")  # log in before the burst, so every call carries one token
    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(lambda _: api.call(method, path, json=body), range(AT_ONCE)))
    return [answer.status_code for answer in answers]


def live_copies(unit: Lab, round_id: str, rater: str, ratee: str) -> list[dict]:
    listed = unit.hr.get(f"feedback/rounds/{round_id}/assignments").json()
    return [a for a in listed if (a["rater"], a["ratee"]) == (rater, ratee) and a["state"] in LIVE]


def test_twenty_identical_assignments_and_nominations_at_once_store_one(lab):
    """Class: a one-per-key rule checked by a read (duplicate assignments and nominations
    under concurrent identical requests). Exactly one is stored, the rest are refused as
    the repeat they are, whatever the number of web workers."""
    round_ = lab.open_round(lab.cycle())
    ratee, peer, nominee = lab.staff[0], lab.staff[1], lab.staff[2]

    added = at_once(
        lab.hr,
        "POST",
        f"feedback/rounds/{round_.id}/assignments",
        {"rater": peer, "ratee": ratee, "group": "peer"},
    )
    assert added.count(201) == 1 and set(added) <= {201, 409}, added
    assert len(live_copies(lab, round_.id, peer, ratee)) == 1

    nominated = at_once(
        lab.api(ratee), "POST", f"feedback/rounds/{round_.id}/nominations", {"peer": nominee}
    )
    assert nominated.count(201) == 1 and set(nominated) <= {201, 409}, nominated
    assert len(live_copies(lab, round_.id, nominee, ratee)) == 1


def test_the_ratee_reads_no_rater_nip_and_the_supervisor_no_single_answer(lab):
    """Classes: a rater named to the ratee in an error message, and a count that moves
    with one anonymous answer (differencing two completion reads). Whatever a hurried HR
    did, the ratee's results name no rater, and the supervisor's completion view reads the
    same before and after one peer answers."""
    round_ = lab.open_round(lab.cycle())
    ratee, peer = lab.staff[3], lab.staff[4]
    at_once(
        lab.hr,
        "POST",
        f"feedback/rounds/{round_.id}/assignments",
        {"rater": peer, "ratee": ratee, "group": "peer"},
    )
    supervisor = lab.api(lab.head)
    completion = f"feedback/rounds/{round_.id}/completion"
    before = supervisor.get(completion)
    assert before.status_code == 200, before.text

    mine = lab.api(peer).get(f"feedback/rounds/{round_.id}/my-assignments").json()
    for copy in (a for a in mine if a["ratee"] == ratee):  # every copy the peer was given
        answer = lab.api(peer).post(
            f"feedback/rounds/{round_.id}/assignments/{copy['id']}/submit",
            json={"scores": dict.fromkeys(PP46, 70), "comment": ""},
        )
        assert answer.status_code == 200, answer.text
    after = supervisor.get(completion)
    assert after.json() == before.json(), "one peer's answer moved the supervisor's counts"

    lab.close(round_)
    results = lab.api(ratee).get(f"feedback/rounds/{round_.id}/results/{ratee}")
    assert peer not in results.text, (results.status_code, results.text)
    assert results.status_code == 200, results.text
