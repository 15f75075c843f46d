"""Realization counts only when the supervisor stands behind it; bounds on what may be said."""

from datetime import date
from decimal import Decimal

import pytest

from kinerja.errors import Conflict, ValidationFailed
from services.targets import domain
from services.targets.domain import ActivityTarget

# after the cycle's year: the whole target counts (during it, the target due to date)
AFTER_THE_YEAR = date(2027, 1, 15)


def approved(quantity=12, cost=None) -> domain.Skp:
    activity = ActivityTarget("surat", "Surat", Decimal(quantity), "surat", Decimal(12))
    if cost is not None:
        activity = ActivityTarget(
            "surat", "Surat", Decimal(quantity), "surat", Decimal(12), cost=Decimal(cost)
        )
    skp = domain.draft("199001012020011001", "2026", [activity])
    return domain.approve(domain.submit(skp), "boss")


def owner_says(skp, **changes) -> domain.Skp:
    values = {k: Decimal(v) for k, v in changes.items()}
    return domain.realize(skp, "surat", values, False, False, proposed_by=skp.nip)


def quantity_score(skp) -> Decimal:
    return domain.score(skp, as_of=AFTER_THE_YEAR).activities[0].score.quantity


def test_the_employees_own_realization_waits_and_moves_no_score():
    skp = approved()
    before = domain.score(skp, as_of=AFTER_THE_YEAR).total.skp_score
    pending = owner_says(skp, quantity=10**12, months=11)
    assert pending.realization == {}
    assert pending.pending["surat"].status == domain.AWAITING_CONFIRMATION
    assert pending.pending["surat"].changes == {
        "quantity": Decimal(10**12),
        "months": Decimal(11),
    }
    assert domain.score(pending, as_of=AFTER_THE_YEAR).total.skp_score == before
    assert not pending.realization_complete


def test_a_confirmed_realization_counts_and_leaves_the_queue():
    skp = domain.confirm_pending(owner_says(approved(), quantity=9), "surat", "boss")
    assert skp.pending == {}
    assert skp.realization["surat"].quantity == 9
    assert skp.realization["surat"].quantity_source == "manual"
    assert quantity_score(skp) == 75


def test_a_second_proposal_adds_to_the_one_waiting():
    skp = owner_says(owner_says(approved(), quantity=9), months=10)
    assert skp.pending["surat"].changes == {"quantity": Decimal(9), "months": Decimal(10)}


def test_a_rejected_realization_needs_a_reason_and_counts_nothing():
    skp = owner_says(approved(), quantity=9)
    with pytest.raises(ValidationFailed) as refused:
        domain.reject_pending(skp, "surat", "boss", "  ")
    assert "reason" in refused.value.fields
    rejected = domain.reject_pending(skp, "surat", "boss", "Bukti tidak ada")
    assert rejected.pending["surat"].status == domain.REJECTED
    assert rejected.pending["surat"].reason == "Bukti tidak ada"
    assert rejected.realization == {}
    with pytest.raises(Conflict):
        domain.confirm_pending(rejected, "surat", "boss")
    # a new proposal after a rejection starts afresh
    again = owner_says(rejected, months=11)
    assert again.pending["surat"].changes == {"months": Decimal(11)}


def test_nothing_waiting_is_nothing_to_confirm():
    with pytest.raises(Conflict):
        domain.confirm_pending(approved(), "surat", "boss")


def test_a_quantity_above_the_bound_needs_the_supervisors_written_reason():
    skp = owner_says(approved(quantity=12), quantity=25)  # above 2 x 12
    with pytest.raises(ValidationFailed) as refused:
        domain.confirm_pending(skp, "surat", "boss", reason=" ")
    assert "quantity_above_bound" in refused.value.fields["reason"][0]
    confirmed = domain.confirm_pending(skp, "surat", "boss", reason="Limpahan dari bidang lain")
    assert confirmed.realization["surat"].reason == "Limpahan dari bidang lain"
    # exactly at the bound stands without one; the bound is the caller's setting
    assert domain.confirm_pending(owner_says(approved(), quantity=24), "surat", "boss")
    with pytest.raises(ValidationFailed):
        domain.confirm_pending(
            owner_says(approved(), quantity=24), "surat", "boss", bound=Decimal("1.5")
        )


def test_the_supervisor_records_at_once_within_the_bound_or_with_a_reason():
    skp = approved()
    recorded = domain.realize(skp, "surat", {"quality": Decimal(90)}, True, False)
    assert recorded.realization["surat"].quality == 90
    with pytest.raises(ValidationFailed) as refused:
        domain.realize(skp, "surat", {"quantity": Decimal(100)}, True, False)
    assert list(refused.value.fields) == ["reason"]
    explained = domain.realize(
        skp, "surat", {"quantity": Decimal(100), "reason": "Tugas limpahan"}, True, False
    )
    assert explained.realization["surat"].reason == "Tugas limpahan"


def test_the_employee_gives_no_reason_and_no_quality():
    with pytest.raises(ValidationFailed) as refused:
        domain.realize(approved(), "surat", {"reason": "x", "quality": Decimal(90)}, False, False)
    assert set(refused.value.fields) == {"reason", "quality"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("months", 0), ("months", -1), ("cost", 0), ("cost", -5), ("quantity", -1)],
)
def test_time_and_cost_at_or_below_zero_are_refused_naming_the_field(field, value):
    skp = approved(cost=1000)
    for by_supervisor in (True, False):
        with pytest.raises(ValidationFailed) as refused:
            domain.realize(skp, "surat", {field: Decimal(value)}, by_supervisor, False)
        assert list(refused.value.fields) == [field]


def test_quantity_zero_is_an_activity_not_carried_out():
    skp = domain.realize(approved(), "surat", {"quantity": Decimal(0)}, True, False)
    assert quantity_score(skp) == 0


def test_logged_output_still_decides_the_quantity_at_confirmation():
    skp = owner_says(approved(), quantity=9)
    with pytest.raises(ValidationFailed) as refused:
        domain.confirm_pending(skp, "surat", "boss", has_logs=True)
    assert "quantity" in refused.value.fields
