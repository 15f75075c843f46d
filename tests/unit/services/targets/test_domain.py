from decimal import Decimal

import pytest

from kinerja.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.targets import domain
from services.targets.domain import Achievement, ActivityTarget

NIP = "198001012005012002"
BOSS = "197001012000031002"


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


def test_only_the_direct_supervisor_decides():
    domain.ensure_supervisor(BOSS, BOSS)
    for caller, supervisor in ((NIP, BOSS), (BOSS, None)):
        with pytest.raises(Forbidden):
            domain.ensure_supervisor(supervisor, caller)


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
    breakdown = domain.score(skp)
    assert breakdown.activities[0].assumed == ("quality", "months")
    assert breakdown.total.skp_score == Decimal(92)  # full, on time, full quality
    what_if = domain.score(skp, {"surat": {"quality": Decimal(90), "months": Decimal(10)}})
    assert round(what_if.total.skp_score, 2) == Decimal("94.22")


def test_only_approved_extra_tasks_and_the_highest_creativity_count():
    skp = approved()
    for index in range(4):
        task = Achievement(f"t{index}", "extra_task", "Panitia", "SK")
        skp = domain.decide(domain.propose(skp, task), task.id, index < 3, BOSS)
    for level in ("unit", "agency"):
        idea = Achievement(level, "creativity", "Aplikasi", "Surat", level=level)
        skp = domain.decide(domain.propose(skp, idea), idea.id, True, BOSS)
    breakdown = domain.score(skp)
    assert (breakdown.extra_tasks, breakdown.creativity) == (3, "agency")
    assert breakdown.total.extra_tasks_points + breakdown.total.creativity_points == 7
