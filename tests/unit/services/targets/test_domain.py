from datetime import date
from decimal import Decimal

import pytest

from kinerja.errors import Conflict, NotFound, ValidationFailed
from services.targets import domain
from services.targets.domain import Achievement, ActivityTarget

NIP = "198001012005012002"
BOSS = "197001012000031002"
DECEMBER_31 = date(2026, 12, 31)  # the last day of the cycle: every target is due in full
MID_YEAR = date(2026, 6, 30)  # half of a 12-month activity has elapsed


def activity(id="surat", **changes) -> ActivityTarget:
    base = dict(
        id=id, name="Mengagendakan surat", quantity=Decimal(12), unit="laporan", months=Decimal(12)
    )
    return ActivityTarget(**{**base, **changes})


def approved(*activities: ActivityTarget) -> domain.Skp:
    skp = domain.submit(domain.draft(NIP, "2026", list(activities or [activity()])))
    return domain.approve(skp, BOSS)


def test_a_revision_supersedes_the_contract_only_when_approved():
    skp = domain.start_revision(approved())
    assert (skp.current.status, skp.contract.number) == ("draft", 1)
    skp = domain.approve(domain.submit(skp), BOSS)
    assert [v.status for v in skp.versions] == ["superseded", "approved"]
    assert skp.status == "approved"


def test_an_approved_skp_is_not_edited_in_place():
    with pytest.raises(Conflict):
        domain.edit(approved(), [activity()])


def test_realization_rules():
    skp = approved(activity(), activity("anggaran", cost=Decimal(1000)))
    with pytest.raises(ValidationFailed) as refused:
        domain.realize(skp, "surat", {"quality": Decimal(90)}, by_supervisor=False, has_logs=False)
    assert "quality" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        domain.realize(skp, "surat", {"quantity": Decimal(3)}, by_supervisor=True, has_logs=True)
    assert "quantity" in refused.value.fields
    with pytest.raises(ValidationFailed):
        domain.realize(skp, "surat", {"cost": Decimal(5)}, by_supervisor=True, has_logs=False)
    with pytest.raises(NotFound):
        domain.realize(skp, "nope", {"months": Decimal(3)}, by_supervisor=True, has_logs=False)


def test_realization_is_complete_when_every_aspect_is_recorded():
    skp = approved(activity(), activity("anggaran", cost=Decimal(1000)))
    done = {"quantity": Decimal(12), "quality": Decimal(100), "months": Decimal(12)}
    skp = domain.realize(skp, "surat", done, by_supervisor=True, has_logs=False)
    assert not skp.realization_complete
    skp = domain.realize(skp, "anggaran", {**done, "cost": Decimal(900)}, True, False)
    assert skp.realization_complete
    assert skp.status == "realization_complete"


def test_the_provisional_score_assumes_targets_for_what_is_not_recorded():
    skp = domain.with_logged_quantity(approved(), "surat", Decimal(12))
    breakdown = domain.score(skp, as_of=DECEMBER_31)
    assert breakdown.activities[0].assumed == ("quality", "months")
    assert breakdown.total.skp_score == Decimal(92)  # full, on time, full quality
    what_if = domain.score(
        skp, {"surat": {"quality": Decimal(90), "months": Decimal(10)}}, as_of=DECEMBER_31
    )
    assert round(what_if.total.skp_score, 2) == Decimal("94.22")


def test_only_approved_extra_tasks_and_the_highest_creativity_count():
    # with some output: an SKP with none has no score to add points to
    skp = domain.with_logged_quantity(approved(), "surat", Decimal(12))
    for index in range(4):
        task = Achievement(f"t{index}", "extra_task", "Panitia", "SK")
        skp = domain.decide(domain.propose(skp, task), task.id, index < 3, BOSS)
    for level in ("unit", "agency"):
        idea = Achievement(level, "creativity", "Aplikasi", "Surat", level=level)
        skp = domain.decide(domain.propose(skp, idea), idea.id, True, BOSS)
    breakdown = domain.score(skp, as_of=DECEMBER_31)
    assert (breakdown.extra_tasks, breakdown.creativity) == (3, "agency")
    assert breakdown.total.extra_tasks_points + breakdown.total.creativity_points == 7


def test_during_the_year_output_to_date_is_compared_with_the_target_due_to_date():
    skp = domain.with_logged_quantity(approved(), "surat", Decimal(6))
    breakdown = domain.score(skp, as_of=MID_YEAR)
    row = breakdown.activities[0]
    assert (row.share, row.target.quantity) == (Decimal("0.5"), Decimal(6))
    # 6 of the 6 due by June: (100 + 100 + 76) / 3, not 6 of 12's 75.33
    assert breakdown.total.skp_score == Decimal(92)
    assert breakdown.provisional and breakdown.prorated and breakdown.as_of == MID_YEAR


def test_the_pro_rated_cost_is_the_budget_due_to_date():
    skp = approved(activity("anggaran", cost=Decimal(1000)))
    skp = domain.realize(
        skp, "anggaran", {"quantity": Decimal(6), "cost": Decimal(500)}, True, False
    )
    row = domain.score(skp, as_of=MID_YEAR).activities[0]
    assert row.target.cost == Decimal(500)
    assert row.score.cost == Decimal(76)  # spent what was due: no saving, no overrun


def test_an_activity_without_output_is_not_assessable_during_the_year():
    skp = domain.with_logged_quantity(approved(activity(), activity("arsip")), "surat", Decimal(6))
    breakdown = domain.score(skp, as_of=MID_YEAR)
    waiting = breakdown.activities[1]
    assert (waiting.score, waiting.realization) == (None, None)
    assert breakdown.total.skp_score == Decimal(92)  # the mean of the one assessed, no 0


def test_an_skp_without_any_output_has_no_score_during_the_year():
    breakdown = domain.score(approved(activity(), activity("arsip")), as_of=MID_YEAR)
    assert breakdown.total is None
    assert all(row.score is None for row in breakdown.activities)


def test_nothing_is_due_before_the_year_begins():
    skp = domain.with_logged_quantity(approved(), "surat", Decimal(1))
    breakdown = domain.score(skp, as_of=date(2025, 12, 31))
    assert breakdown.total is None and breakdown.activities[0].target is None


def test_once_the_year_is_over_an_activity_not_carried_out_scores_0_and_counts():
    skp = domain.with_logged_quantity(approved(activity(), activity("arsip")), "surat", Decimal(12))
    breakdown = domain.score(skp, as_of=date(2027, 1, 15))
    assert breakdown.activities[1].score.score == 0
    assert breakdown.total.skp_score == Decimal(46)  # (92 + 0) / 2, the regulation's rule
    assert not breakdown.prorated and breakdown.provisional  # quality not assessed yet


def test_a_finished_activity_is_scored_against_its_whole_target_mid_year():
    done = {"quantity": Decimal(12), "quality": Decimal(100), "months": Decimal(5)}
    skp = domain.realize(approved(), "surat", done, by_supervisor=True, has_logs=False)
    breakdown = domain.score(skp, as_of=MID_YEAR)
    assert breakdown.activities[0].share == 1
    assert breakdown.complete and not breakdown.provisional


def test_very_late_work_keeps_its_negative_time_score_and_is_flagged():
    late = {"quantity": Decimal(12), "quality": Decimal(100), "months": Decimal(24)}
    skp = domain.realize(approved(), "surat", late, by_supervisor=True, has_logs=False)
    row = domain.score(skp, as_of=DECEMBER_31).activities[0]
    assert row.score.time == Decimal(-24)  # (1.76 × 12 − 24) / 12 × 100, as written
    assert row.flags == ("waktu_negatif",)
