"""Trying to see one peer's or subordinate's answer, as the ratee, as their supervisor
and by differencing two views, and failing."""

from __future__ import annotations

from kinerja.contracts import appraisal
from services.feedback import handlers
from tests.integration.services.feedback.conftest import BOSS, HEAD, STAFF, assignment, scores
from tests.support import deliver


def submit(client, as_, rater, ratee, value, comment=""):
    a = assignment(client, as_, rater, ratee)
    answer = client.post(
        f"/api/v1/rounds/r1/assignments/{a['id']}/submit",
        json={"scores": scores(value, ratee == BOSS), "comment": comment},
        headers=as_(rater),
    )
    assert answer.status_code == 200, answer.json


def results(client, as_, viewer, ratee=BOSS):
    return client.get(f"/api/v1/rounds/r1/results/{ratee}", headers=as_(viewer))


def group(body, name):
    return next(g for g in body["groups"] if g["group"] == name)


def test_nothing_is_published_while_answers_can_still_change(client, as_, open_round):
    submit(client, as_, STAFF[0], BOSS, 60)
    for viewer in (BOSS, HEAD, "hr"):
        assert results(client, as_, viewer).status_code == 409


def test_the_ratee_and_their_supervisor_never_see_a_small_groups_answers(client, as_, open_round):
    submit(client, as_, STAFF[0], BOSS, 40, "Kurang komunikatif")
    submit(client, as_, STAFF[1], BOSS, 90)
    submit(client, as_, HEAD, BOSS, 80)
    client.post("/api/v1/rounds/r1/close", headers=as_("hr"))
    for viewer in (BOSS, HEAD):
        body = results(client, as_, viewer).json
        subordinates = group(body, "subordinate")
        assert (subordinates["responses"], subordinates["shown"]) == (2, False)
        assert subordinates["mean_by_dimension"] == {} and subordinates["comments"] == []
        assert "Kurang komunikatif" not in str(body)
        assert STAFF[0] not in str(body) and STAFF[1] not in str(body)
        # the pooled "others" mean is the superior's alone: the subordinates' can't be derived
        assert set(body["others_mean_by_dimension"].values()) == {80}
    assert results(client, as_, STAFF[2]).status_code == 403  # a colleague sees nothing


def test_differencing_before_and_after_one_more_answer_reveals_nothing(client, as_, settings):
    """Two rounds identical but for one subordinate's extra answer: the views differ only
    once the group reaches the threshold, and then only as a mean of three."""
    views = []
    for round_id, answered in (("r1", STAFF[:2]), ("r2", STAFF[:3])):
        client.post(
            "/api/v1/rounds",
            json={"id": round_id, "cycle": "2026", "deadline": "2026-11-22"},
            headers=as_("hr"),
        )
        mine = {}
        for rater in answered:
            mine[rater] = next(
                a
                for a in client.get(
                    f"/api/v1/rounds/{round_id}/my-assignments", headers=as_(rater)
                ).json
                if a["ratee"] == BOSS
            )
            value = {STAFF[0]: 40, STAFF[1]: 90, STAFF[2]: 65}[rater]
            client.post(
                f"/api/v1/rounds/{round_id}/assignments/{mine[rater]['id']}/submit",
                json={"scores": scores(value, True)},
                headers=as_(rater),
            )
        client.post(f"/api/v1/rounds/{round_id}/close", headers=as_("hr"))
        views.append(
            client.get(f"/api/v1/rounds/{round_id}/results/{BOSS}", headers=as_(BOSS)).json
        )
    before, after = (group(v, "subordinate") for v in views)
    assert before["shown"] is False and before["mean_by_dimension"] == {}
    assert after["shown"] is True
    assert set(after["mean_by_dimension"].values()) == {65}  # (40 + 90 + 65) / 3: no single one


def test_the_superior_and_self_are_shown_as_they_are_not_anonymous(client, as_, open_round):
    submit(client, as_, HEAD, BOSS, 80)
    submit(client, as_, BOSS, BOSS, 95)
    client.post("/api/v1/rounds/r1/close", headers=as_("hr"))
    body = results(client, as_, BOSS).json
    assert group(body, "superior")["shown"] and group(body, "self")["shown"]
    assert set(group(body, "self")["mean_by_dimension"].values()) == {95}


def scheme_changed(app, occurred_at: str, **data) -> None:
    """HR's scheme as the appraisal service announces it, applied by the feedback handler."""
    uow = app.extensions["kinerja"].uow
    scheme = appraisal.SCHEME_CHANGED
    deliver(uow, handlers.keep_anonymity_floors, scheme, data, occurred_at=occurred_at)


def test_hrs_raised_floor_hides_a_group_of_three_and_retiring_it_shows_it(app, client, as_):
    client.post(
        "/api/v1/rounds",
        json={"id": "r1", "cycle": "2026", "deadline": "2026-11-22"},
        headers=as_("hr"),
    )
    for rater in STAFF[:3]:
        submit(client, as_, rater, BOSS, 70)
    client.post("/api/v1/rounds/r1/close", headers=as_("hr"))
    assert group(results(client, as_, BOSS).json, "subordinate")["shown"]

    scheme = {
        "id": "umpeg-4",
        "version": 1,
        "min_raters": {"superior": 1, "peer": 3, "subordinate": 4, "self": 1},
        "unit_ids": ["umpeg"],
        "position_kinds": [],
    }
    # the retirement overtakes the save on the way: the older save must not win
    scheme_changed(app, "2026-11-21T10:00:00+00:00", **scheme, retired=True)
    scheme_changed(app, "2026-11-21T09:00:00+00:00", **scheme, retired=False)
    assert group(results(client, as_, BOSS).json, "subordinate")["shown"]

    scheme_changed(app, "2026-11-21T11:00:00+00:00", **{**scheme, "version": 2}, retired=False)
    for viewer in (BOSS, HEAD):
        hidden = group(results(client, as_, viewer).json, "subordinate")
        assert (hidden["responses"], hidden["shown"], hidden["mean_by_dimension"]) == (3, False, {})

    scheme_changed(app, "2026-11-21T12:00:00+00:00", **{**scheme, "version": 2}, retired=True)
    assert group(results(client, as_, BOSS).json, "subordinate")["shown"]
