"""The appraiser decides: adopting the behaviour proposal or setting own aspect scores."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kinerja.errors import Conflict, ValidationFailed
from services.appraisal import decisions, reports
from services.appraisal.decisions import Proposal

ASPECTS = {"orientasi_pelayanan": 80.0, "integritas": 82.0, "komitmen": 78.0}
PROPOSAL = Proposal(Decimal("80.00"), dict(ASPECTS), standard_error=2.5)  # margin 4.90
AT = "2026-12-01T08:00:00+00:00"
REASON = "Tugas tambahan kepanitiaan tidak tercermin dalam penilaian rekan kerja."


def own(scores, reason=None, proposal=PROPOSAL):
    return decisions.set_own_scores("e1", "2026", proposal, scores, reason, "boss", AT)


def refused(scores, reason=None, proposal=PROPOSAL) -> dict:
    with pytest.raises(ValidationFailed) as raised:
        own(scores, reason, proposal)
    return raised.value.fields


def test_adopting_keeps_both_numbers_equal_and_needs_no_reason():
    decision = decisions.adopt("e1", "2026", PROPOSAL, "boss", AT)
    assert decision.kind == decisions.ADOPTED
    assert decision.behaviour_score == decision.proposed_score == Decimal("80.00")
    assert decision.dimensions == ASPECTS and decision.departure == 0
    assert (decision.reason, decision.beyond_uncertainty) == (None, [])
    assert (decision.decided_by, decision.decided_at) == ("boss", AT)


def test_own_scores_within_the_uncertainty_need_no_reason():
    decision = own({**ASPECTS, "integritas": 86.9})  # +4.9: on the band's edge
    assert decision.kind == decisions.OWN_SCORES
    assert decision.beyond_uncertainty == []
    assert decision.behaviour_score == Decimal("81.63")  # the aspects' mean
    assert decision.departure == Decimal("1.63")


def test_an_aspect_beyond_the_uncertainty_needs_a_reason_naming_the_rule():
    fields = refused({**ASPECTS, "integritas": 87.0})  # +5.0 > 1.96 x 2.5
    assert list(fields) == ["reason"]
    assert fields["reason"][0].startswith("departure_needs_reason:")
    assert "integritas" in fields["reason"][0]


def test_a_short_reason_is_no_reason():
    assert "reason" in refused({**ASPECTS, "integritas": 95.0}, reason="tidak setuju")


def test_with_a_reason_the_departure_is_kept_and_marked():
    decision = own({a: v - 10 for a, v in ASPECTS.items()}, reason=f"  {REASON} ")
    assert decision.reason == REASON
    assert decision.beyond_uncertainty == [*sorted(ASPECTS), "behaviour_score"]
    assert decision.departure == Decimal("-10.00")
    assert decision.proposed_dimensions == ASPECTS


def test_the_overall_score_alone_can_be_beyond_the_uncertainty():
    wide = Proposal(Decimal("80.00"), dict(ASPECTS), standard_error=2.0)  # margin 3.92
    # each aspect +3.9 (inside), the mean +3.9 (inside); +4 each crosses both
    assert own({a: v + 3.9 for a, v in ASPECTS.items()}, proposal=wide).beyond_uncertainty == []
    fields = refused({a: v + 4 for a, v in ASPECTS.items()}, proposal=wide)
    assert "behaviour_score" in fields["reason"][0]


def test_without_a_standard_error_any_departure_needs_a_reason():
    unknown = Proposal(Decimal("80.00"), dict(ASPECTS), standard_error=None)
    assert "reason" in refused({**ASPECTS, "komitmen": 78.5}, proposal=unknown)
    assert own(dict(ASPECTS), proposal=unknown).beyond_uncertainty == []


def test_every_aspect_of_the_proposal_and_no_other_is_scored():
    fields = refused({"integritas": 80, "kepemimpinan": 70})
    assert set(fields) == {
        "scores.orientasi_pelayanan",
        "scores.komitmen",
        "scores.kepemimpinan",
    }


@pytest.mark.parametrize("value", [-50, 100.01, Decimal("1E+300"), Decimal("NaN")])
def test_an_aspect_off_the_0_to_100_scale_is_refused(value):
    fields = refused({**ASPECTS, "integritas": value}, reason=REASON)
    assert fields["scores.integritas"][0].startswith("on_scale")


@pytest.mark.parametrize("value", [0, 100, Decimal("55.5")])
def test_the_scale_includes_its_ends(value):
    decisions.on_scale("final_score", value)


@pytest.mark.parametrize("value", [Decimal("1E+300"), Decimal(-50), Decimal("Infinity")])
def test_a_value_off_the_scale_is_refused_by_name(value):
    with pytest.raises(ValidationFailed) as raised:
        decisions.on_scale("final_score", value)
    assert list(raised.value.fields) == ["final_score"]


def test_a_decision_is_made_on_one_proposal():
    decision = decisions.adopt("e1", "2026", PROPOSAL, "boss", AT)
    assert decision.made_on(PROPOSAL)
    moved = Proposal(Decimal("80.40"), {**ASPECTS, "komitmen": 79.2}, 2.5)
    assert not decision.made_on(moved)


def test_a_finalized_decision_is_not_changed():
    decisions.changeable(False)
    with pytest.raises(Conflict) as raised:
        decisions.changeable(True)
    assert raised.value.code == "finalized"


def test_a_stored_decision_reads_back_the_same():
    decision = own({a: v - 10 for a, v in ASPECTS.items()}, reason=REASON)
    assert decisions.from_record(decisions.as_record(decision)) == decision


def test_hr_sees_how_often_how_far_and_which_way_each_supervisor_departs():
    made = [
        decisions.adopt("e1", "2026", PROPOSAL, "boss", AT),
        own({a: v + 2 for a, v in ASPECTS.items()}, proposal=PROPOSAL),
        own({a: v - 10 for a, v in ASPECTS.items()}, reason=REASON),
        decisions.adopt("e9", "2026", PROPOSAL, "other", AT),
    ]
    by = {row["supervisor"]: row for row in decisions.by_supervisor(made)}
    assert by["boss"] == {
        "supervisor": "boss",
        "decisions": 3,
        "adopted": 1,
        "own_scores": 2,
        "beyond_uncertainty": 1,
        "raised": 1,
        "lowered": 1,
        "mean_change": round((0 + 2 - 10) / 3, 2),
        "mean_absolute_change": 4.0,
        "largest_change": -10.0,
    }
    assert by["other"]["adopted"] == 1 and by["other"]["largest_change"] == 0.0


@pytest.mark.parametrize("stored", ["1E+300", "-50", "100", "150.5"])
def test_an_out_of_range_stored_score_still_bins_in_the_calibration_histogram(stored):
    position = reports._bin(Decimal(stored))
    assert 0 <= position < reports.HISTOGRAM_BINS
