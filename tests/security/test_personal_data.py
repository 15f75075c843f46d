"""Personal data rights (UU 27/2022) under attack, on the demo stack: a ratee's export must
not name or expose the raters the anonymity floor protects, nobody exports another
employee's data, the export records who else read the records, and a retention dry run
is HR's only and changes nothing.

Each scenario builds its own unit and rounds (the anonymity suite's lab), in cycles nobody
else uses.
"""

from __future__ import annotations

import json

from tests.security import test_anonymity
from tests.security.test_anonymity import SELF, SUPERIOR, Api, marker

lab = test_anonymity.lab  # the anonymity suite's fixture: a unit of this module's own

SERVICES = ("targets", "logs", "feedback", "appraisal")


def export_of(api: Api) -> dict:
    answer = api.get("me/personal-data")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    return answer.json()


def test_a_ratee_below_the_floor_learns_no_rater_from_their_export(lab):
    """Rater anonymity in the subject-access export: with two peers (below the floor of
    three) the ratee's export holds the peer group's count only, never a peer's NIP,
    answer or comment, in any service's part; the supervisor's read of the score is
    recorded (the class: an export is one more view, and holds no more than the views)."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee, peers = lab.staff[0], lab.staff[2:4]
    lab.submit(round_, lab.head, ratee, SUPERIOR)
    lab.submit(round_, ratee, ratee, SELF)
    comments = []
    for peer, score in zip(peers, (11, 97), strict=True):
        lab.add_peer(round_, peer, ratee)
        comments.append(marker())
        lab.submit(round_, peer, ratee, score, comments[-1])
    lab.close(round_)
    lab.settle_answers(round_, ratee, 4)
    lab.settle_published(cycle, ratee)
    assert lab.api(lab.head).get(f"appraisal/cycles/{cycle}/scores/{ratee}").status_code == 200

    export = export_of(lab.api(f"anon-{ratee}"))

    assert export["complete"] is True, export["missing"]
    assert export["nip"] == ratee and sorted(export["services"]) == sorted(SERVICES)
    text = json.dumps(export)
    for peer in peers:
        assert peer not in text, "a peer below the floor named in the ratee's export"
    for comment in comments:
        assert comment not in text, "a peer's comment below the floor in the export"
    feedback = export["services"]["feedback"]["records"]
    (about,) = [r for r in feedback["results_about_me"] if r["round_id"] == round_.id]
    peer_group = next(g for g in about["groups"] if g["group"] == "peer")
    assert peer_group == {
        "group": "peer",
        "responses": 2,
        "shown": False,
        "mean_by_dimension": {},
        "comments": [],
    }
    appraisal = export["services"]["appraisal"]
    (score,) = [s for s in appraisal["records"]["scores"] if s["cycle"] == cycle]
    assert score["groups"] == {} and score["flags"] == []
    reads = {(r["reader"], r["action"]) for r in appraisal["record_reads"]}
    assert (lab.head, "see") in reads
    assert "password_hash" not in text


def test_nobody_exports_another_employees_data(lab):
    """Authorization: each service's export is the employee's own (EXPORT_OWN_DATA, self
    only), so their supervisor, HR and a colleague get 403 from every service, and the
    gateway's export is always the caller's own (the class: an export route as a way
    around who may see whom)."""
    ratee = lab.staff[1]
    for who in (lab.head, "demo-hr", f"anon-{lab.staff[2]}"):
        api = lab.api(who)
        for service in SERVICES:
            answer = api.get(f"{service}/personal-data/{ratee}")
            assert answer.status_code == 403, (who, service, answer.text)
    assert export_of(lab.api(lab.head))["nip"] == lab.head


def test_a_retention_dry_run_is_hrs_only_and_changes_nothing(lab):
    """Retention: the purge is HR's only in every service, and a dry run (even with a
    cut-off after every cycle) counts and deletes nothing (the class: a purge reachable
    by anyone, or a dry run that is not dry)."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee = lab.staff[4]
    lab.submit(round_, lab.head, ratee, SUPERIOR)
    lab.close(round_)
    lab.settle_answers(round_, ratee, 1)
    before = lab.hr.get(f"feedback/rounds/{round_.id}/results/{ratee}").json()
    body = {"cut_off": "2100-01-01", "dry_run": True}
    for service in ("logs", "feedback", "appraisal"):
        refused = lab.api(lab.head).post(f"{service}/retention/purge", json=body)
        assert refused.status_code == 403, (service, refused.text)
        dry = lab.hr.post(f"{service}/retention/purge", json=body)
        assert dry.status_code == 200, (service, dry.text)
        assert dry.json()["dry_run"] is True
    assert lab.api(lab.head).post("retention/purge", json={"dry_run": True}).status_code == 403

    after = lab.hr.get(f"feedback/rounds/{round_.id}/results/{ratee}").json()

    assert after == before
    assert lab.received(round_, ratee)["responses"] == 1
