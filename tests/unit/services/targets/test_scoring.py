from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja.errors import ValidationFailed
from services.targets.scoring import (
    NEGATIVE_COST,
    NEGATIVE_TIME,
    Realization,
    Target,
    creativity_points,
    efficiency,
    elapsed_months,
    elapsed_share,
    extra_task_points,
    mean_of_assessable,
    negative_aspects,
    prorated_target,
    score_activity,
    score_document,
    score_skp,
)

D = Decimal
CENT = D("0.01")
YEARLY = Target(quantity=D(12), quality=D(100), months=D(12))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def realized(quantity="12", quality="100", months="12", cost=None) -> Realization:
    return Realization(
        quantity=D(quantity),
        quality=D(quality),
        months=D(months),
        cost=None if cost is None else D(cost),
    )


def with_cost(cost="100", **changes) -> Target:
    return Target(**{"quantity": D(12), "months": D(12), "cost": D(cost), **changes})


def problems_of(call) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value.fields


# --- DOMAIN.md's worked examples (TO = 12, TK = 100, TW = 12, no cost) --------------------

WORKED_EXAMPLES = [
    # RO, RK, RW, kuantitas, kualitas, e_w, waktu, activity score
    ("12", "100", "12", "100", "100", "0", "76.00", "92.00"),
    ("12", "90", "10", "100", "90", "16.67", "92.67", "94.22"),
    ("12", "100", "9", "100", "100", "25.00", "75.00", "91.67"),
    ("10", "80", "12", "83.33", "80", "0", "76.00", "79.78"),
    ("12", "100", "13", "100", "100", "-8.33", "67.67", "89.22"),
    ("12", "100", "14", "100", "100", "-16.67", "59.33", "86.44"),
    ("12", "100", "9.12", "100", "100", "24.00", "100.00", "100.00"),
    ("12", "100", "6", "100", "100", "50.00", "50.00", "83.33"),
    ("0", "0", "12", "0", "0", None, "0", "0.00"),
]


@pytest.mark.parametrize(
    ("ro", "rk", "rw", "kuantitas", "kualitas", "e_w", "waktu", "score"), WORKED_EXAMPLES
)
def test_the_worked_examples_of_the_domain_reference(
    ro, rk, rw, kuantitas, kualitas, e_w, waktu, score
):
    result = score_activity(YEARLY, realized(ro, rk, rw))
    assert cents(result.quantity) == D(kuantitas)
    assert cents(result.quality) == D(kualitas)
    assert cents(result.time) == D(waktu)
    assert cents(result.score) == D(score)
    assert result.cost is None
    if e_w is not None:
        assert cents(efficiency(D(12), D(rw))) == D(e_w)


def test_saving_exactly_24_percent_of_the_time_takes_the_first_branch():
    # 9.12 / 12 is exactly 0.76 in decimal, so e_w is exactly 24 and waktu is 100. In binary
    # floats 100 - 9.12 / 12 * 100 is 24.000000000000014, which takes the second branch: 75.92.
    assert 100 - 9.12 / 12 * 100 > 24
    result = score_activity(YEARLY, realized(months="9.12"))
    assert efficiency(D(12), D("9.12")) == D(24)
    assert result.time == D("100")
    assert result.score == D("100")


def test_scores_do_not_depend_on_the_callers_decimal_context():
    with localcontext() as coarse:
        coarse.prec = 3
        result = score_activity(YEARLY, realized(quality="90", months="10"))
    assert str(result.time).startswith("92.666666666666666")


def test_a_float_is_refused_where_an_exact_number_belongs():
    with pytest.raises(TypeError, match="months"):
        Target(quantity=D(12), months=12.0)
    assert Target(quantity=12, months=12).quantity == D(12)


# --- cost (biaya) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spent", "biaya"),
    [
        ("100", "76"),  # e_b = 0: first branch
        ("90", "86"),  # e_b = 10: first branch
        ("76", "100"),  # e_b = 24 exactly: still the first branch
        ("75", "75"),  # e_b = 25: second branch, 76 - (101 - 100)
        ("50", "50"),  # e_b = 50: second branch, 76 - (126 - 100)
        ("110", "66"),  # over budget
    ],
)
def test_the_cost_aspect_follows_the_time_rule(spent, biaya):
    assert score_activity(with_cost("100"), realized(cost=spent)).cost == D(biaya)


def test_a_cost_target_makes_the_score_the_mean_of_four_aspects():
    result = score_activity(with_cost("100"), realized(cost="100"))
    assert (result.quantity, result.quality, result.time, result.cost) == (100, 100, 76, 76)
    assert result.total == D(352)
    assert result.score == D(88)  # not 352 / 3


@pytest.mark.parametrize("cost", [None, "0"])
def test_no_cost_or_a_zero_cost_means_three_aspects(cost):
    target = Target(quantity=D(12), months=D(12), cost=None if cost is None else D(cost))
    result = score_activity(target, realized(cost="50"))
    assert result.cost is None
    assert result.score == D(92)


# --- activities not carried out -------------------------------------------------------------


def test_an_activity_not_carried_out_scores_zero_on_every_aspect():
    result = score_activity(with_cost("100"), realized(quantity="0", cost="40"))
    assert (result.quantity, result.quality, result.time, result.cost) == (0, 0, 0, 0)
    assert (result.total, result.score) == (0, 0)


def test_an_activity_not_carried_out_keeps_its_place_in_the_mean():
    perfect = (YEARLY, realized(months="9.12"))
    skipped = (YEARLY, realized(quantity="0"))
    result = score_skp([perfect, skipped], extra_tasks=0, creativity=None)
    assert [a.score for a in result.activities] == [100, 0]
    assert result.activities_mean == D(50)
    assert result.skp_score == D(50)


def test_a_very_late_activity_can_score_below_one_not_carried_out():
    # The regulation's time formula has no floor: RW = 36 of TW = 12 gives waktu = 176 - 300.
    # Implemented as written; whether to floor it at 0 is a policy question, not arithmetic.
    late = score_activity(YEARLY, realized(quantity="1", quality="0", months="36"))
    assert late.time == D(-124)
    assert late.score < score_activity(YEARLY, realized(quantity="0")).score


# --- extra tasks (tugas tambahan) and creativity (kreativitas) -------------------------------


@pytest.mark.parametrize(
    ("count", "points"), [(0, 0), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (20, 3)]
)
def test_extra_task_points_by_tier(count, points):
    assert extra_task_points(count) == D(points)


@pytest.mark.parametrize("count", [-1, True, 1.5, "2"])
def test_extra_tasks_must_be_a_whole_number_not_below_zero(count):
    assert "extra_tasks" in problems_of(lambda: extra_task_points(count))


@pytest.mark.parametrize(
    ("level", "points"), [(None, 0), ("unit", 3), ("agency", 6), ("national", 12)]
)
def test_creativity_points_by_who_recognized_it(level, points):
    assert creativity_points(level) == D(points)


@pytest.mark.parametrize("level", ["provincial", "", "Unit", 3])
def test_an_unknown_creativity_level_is_refused(level):
    assert "creativity" in problems_of(lambda: creativity_points(level))


def test_the_skp_score_may_exceed_100():
    result = score_skp([(YEARLY, realized(months="9.12"))], extra_tasks=7, creativity="national")
    assert (result.activities_mean, result.extra_tasks_points, result.creativity_points) == (
        100,
        3,
        12,
    )
    assert result.skp_score == D(115)


def test_more_output_than_planned_may_lift_an_activity_above_100():
    assert score_activity(YEARLY, realized(quantity="24", months="9.12")).score == D(
        "133.3333333333333333333333333"
    )


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realization", "field"),
    [
        (dict(quantity=0), {}, "activities[0].target.quantity"),
        (dict(quantity=-5), {}, "activities[0].target.quantity"),
        (dict(months=0), {}, "activities[0].target.months"),
        (dict(months=-1), {}, "activities[0].target.months"),
        (dict(quality=0), {}, "activities[0].target.quality"),
        (dict(quality=D("100.01")), {}, "activities[0].target.quality"),
        (dict(cost=-1), dict(cost=D(1)), "activities[0].target.cost"),
        ({}, dict(quality=120), "activities[0].realization.quality"),
        ({}, dict(quality=-1), "activities[0].realization.quality"),
        ({}, dict(quantity=-1), "activities[0].realization.quantity"),
        ({}, dict(months=D("-0.5")), "activities[0].realization.months"),
        (dict(cost=100), dict(cost=-1), "activities[0].realization.cost"),
        (dict(cost=100), {}, "activities[0].realization.cost"),
        (dict(quantity=D("NaN")), {}, "activities[0].target.quantity"),
    ],
)
def test_bad_values_are_refused_with_the_field_path(target, realization, field):
    activity = (
        Target(**{"quantity": D(12), "months": D(12), **target}),
        Realization(**{"quantity": D(12), "quality": D(100), "months": D(12), **realization}),
    )
    assert field in problems_of(lambda: score_skp([activity], 0, None))


def test_every_bad_field_is_named_at_once():
    good = (YEARLY, realized())
    bad = (Target(quantity=D(0), months=D(0)), realized(quality="120"))
    fields = problems_of(lambda: score_skp([good, bad], -1, "galactic"))
    assert set(fields) == {
        "activities[1].target.quantity",
        "activities[1].target.months",
        "activities[1].realization.quality",
        "extra_tasks",
        "creativity",
    }


def test_a_single_activity_names_its_fields_without_a_list_index():
    fields = problems_of(lambda: score_activity(Target(quantity=0, months=12), realized()))
    assert set(fields) == {"target.quantity"}


def test_an_skp_without_activities_cannot_be_scored():
    assert "activities" in problems_of(lambda: score_skp([], 0, None))


# --- the JSON contract -------------------------------------------------------------------


EXAMPLE_TARGET = {"quantity": 12, "quality": 100, "months": 12, "cost": 0}
EXAMPLE_REALIZATION = {"quantity": 12, "quality": 90, "months": 10}


def document(target=None, realization=None, **rest) -> dict:
    return {
        "activities": [
            {
                "target": {**EXAMPLE_TARGET, **(target or {})},
                "realization": {**EXAMPLE_REALIZATION, **(realization or {})},
            }
        ],
        "extra_tasks": 2,
        "creativity": None,
        **rest,
    }


def test_the_document_is_scored_to_full_precision():
    result = score_document(document())
    assert result["activities"] == [
        {
            "quantity": 100.0,
            "quality": 90.0,
            "time": pytest.approx(92.6666666666667, abs=1e-12),
            "cost": None,
            "total": pytest.approx(282.666666666667, abs=1e-12),
            "score": pytest.approx(94.2222222222222, abs=1e-12),
        }
    ]
    assert result["extra_tasks_points"] == 1.0
    assert result["creativity_points"] == 0.0
    assert result["activities_mean"] == pytest.approx(94.2222222222222, abs=1e-12)
    assert result["skp_score"] == pytest.approx(95.2222222222222, abs=1e-12)
    assert all(type(v) is float for v in result["activities"][0].values() if v is not None)


@pytest.mark.parametrize("months", [9.12, "9.12", " 9.12 "])
def test_numbers_are_read_exactly_from_floats_and_strings(months):
    result = score_document(document(realization={"months": months, "quality": 100}))
    assert result["activities"][0]["time"] == 100.0
    assert result["activities"][0]["score"] == 100.0


def test_defaults_quality_100_no_cost_no_extra_tasks():
    doc = {
        "activities": [
            {"target": {"quantity": "12", "months": "12"}, "realization": EXAMPLE_REALIZATION}
        ]
    }
    result = score_document(doc)
    assert result["activities"][0]["quality"] == 90.0
    assert result["activities"][0]["cost"] is None
    assert result["extra_tasks_points"] == 0.0


def test_a_cost_target_scores_four_aspects_in_the_document():
    result = score_document(
        document(target={"cost": 100}, realization={"cost": 76, "quality": 100, "months": 12})
    )
    assert result["activities"][0]["cost"] == 100.0
    assert result["activities"][0]["score"] == 94.0  # (100 + 100 + 76 + 100) / 4


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ([], "document"),
        ({}, "activities"),
        ({"activities": {}}, "activities"),
        ({"activities": []}, "activities"),
        ({"activities": [7]}, "activities[0]"),
        ({"activities": [{"target": {"quantity": 1, "months": 1}}]}, "activities[0].realization"),
        (document(target={"quantity": None}), "activities[0].target.quantity"),
        (document(target={"quantity": True}), "activities[0].target.quantity"),
        (document(target={"quantity": "twelve"}), "activities[0].target.quantity"),
        (document(target={"quantity": "NaN"}), "activities[0].target.quantity"),
        (document(target={"quantity": "1e400"}), "activities[0].target.quantity"),
        (document(target={"quantity": [12]}), "activities[0].target.quantity"),
        (document(target={"qualty": 90}), "activities[0].target.qualty"),
        (document(target={"quantity": 0}), "activities[0].target.quantity"),
        (document(realization={"quality": 120}), "activities[0].realization.quality"),
        (document(target={"cost": 100}), "activities[0].realization.cost"),
        (document(extra_tasks=1.5), "extra_tasks"),
        (document(extra_tasks=-1), "extra_tasks"),
        (document(extra_tasks="many"), "extra_tasks"),
        (document(creativity="galactic"), "creativity"),
        (document(creativity=["unit"]), "creativity"),
        (document(bonus=1), "bonus"),
    ],
)
def test_malformed_documents_name_the_field(doc, field):
    assert field in problems_of(lambda: score_document(doc))


def test_a_whole_number_of_extra_tasks_may_come_as_a_string_or_float():
    assert score_document(document(extra_tasks="4"))["extra_tasks_points"] == 2.0
    assert score_document(document(extra_tasks=7.0))["extra_tasks_points"] == 3.0


def test_a_score_too_large_for_json_is_refused_not_sent_as_infinity():
    doc = document(target={"quantity": "1e-300"}, realization={"quantity": "1e300"})
    assert "activities[0]" in problems_of(lambda: score_document(doc))


# --- properties --------------------------------------------------------------------------


def amounts(low="0.01", high="10000"):
    return st.decimals(
        min_value=D(low), max_value=D(high), places=2, allow_nan=False, allow_infinity=False
    )


qualities = amounts("0", "100")
target_qualities = amounts("0.01", "100")
realized_quantities = amounts("0", "20000")
always = st.just(True)
PROPERTY = settings(max_examples=200, deadline=None)


@st.composite
def activities(draw, quantity=realized_quantities, costs=always):
    cost = draw(costs)
    target = Target(
        quantity=draw(amounts()),
        quality=draw(target_qualities),
        months=draw(amounts("0.01", "12")),
        cost=draw(amounts()) if cost else None,
    )
    realization = Realization(
        quantity=draw(quantity),
        quality=draw(qualities),
        months=draw(amounts("0", "36")),
        cost=draw(amounts("0", "20000")) if cost else None,
    )
    return target, realization


@PROPERTY
@given(activities(quantity=amounts("0.01", "20000"), costs=st.booleans()), amounts("0", "20000"))
def test_more_output_never_lowers_the_score(activity, more):
    target, realization = activity
    higher = Realization(**{**vars(realization), "quantity": realization.quantity + more})
    assert score_activity(target, higher).score >= score_activity(target, realization).score


@PROPERTY
@given(activities(), amounts("0.01", "20000"))
def test_doing_an_activity_within_176_percent_of_its_time_and_cost_beats_skipping_it(
    activity, quantity
):
    # Past 1.76 x TW (or TB) time (or cost) turns negative (see the very-late test above).
    target, realization = activity
    in_time = min(realization.months, D("1.76") * target.months)
    in_budget = min(realization.cost, D("1.76") * target.cost)
    skipped = Realization(
        **{**vars(realization), "quantity": D(0), "months": in_time, "cost": in_budget}
    )
    done = Realization(**{**vars(skipped), "quantity": quantity})
    assert score_activity(target, done).score >= score_activity(target, skipped).score


@PROPERTY
@given(activities(), qualities, qualities)
def test_better_quality_never_lowers_the_score(activity, one, other):
    target, realization = activity
    worse, better = sorted((one, other))
    scored = [
        score_activity(target, Realization(**{**vars(realization), "quality": q})).score
        for q in (worse, better)
    ]
    assert scored[1] >= scored[0]


@PROPERTY
@given(amounts("0.01", "10000"), amounts("0", "100000"))
def test_the_time_aspect_never_exceeds_100(planned, used):
    target = Target(quantity=D(1), months=planned)
    assert score_activity(target, realized(quantity="1", months=used)).time <= 100


@PROPERTY
@given(activities(costs=st.booleans()))
def test_quantity_and_quality_aspects_are_never_negative(activity):
    result = score_activity(*activity)
    assert result.quantity >= 0
    assert result.quality >= 0


@PROPERTY
@given(amounts(), target_qualities, amounts("0.01", "12"))
def test_a_full_on_time_activity_of_full_quality_scores_exactly_92(quantity, quality, months):
    target = Target(quantity=quantity, quality=quality, months=months)
    done = Realization(quantity=quantity, quality=quality, months=months)
    assert score_activity(target, done).score == D(92)


@PROPERTY
@given(activities(quantity=amounts("0.01", "20000")))
def test_with_a_cost_target_the_score_is_the_mean_of_four_aspects(activity):
    result = score_activity(*activity)
    aspects = (result.quantity, result.quality, result.time, result.cost)
    assert result.total == sum(aspects)
    assert result.score == sum(aspects) / 4


# --- during the year: targets pro-rated to date ---------------------------------------


@pytest.mark.parametrize(
    ("as_of", "months"),
    [
        (date(2025, 12, 31), D(0)),  # before the cycle's year
        (date(2026, 1, 31), D(1)),
        (date(2026, 6, 30), D(6)),
        (date(2026, 12, 31), D(12)),
        (date(2027, 1, 1), D(12)),  # after it
    ],
)
def test_elapsed_months_count_whole_months_and_the_days_of_the_current_one(as_of, months):
    assert elapsed_months(2026, as_of) == months


def test_february_15th_is_one_month_and_fifteen_twenty_eighths():
    assert elapsed_months(2026, date(2026, 2, 14)) == D(1) + D(14) / D(28)


def test_the_elapsed_share_of_the_planned_months_is_clamped_to_0_and_1():
    assert elapsed_share(D(12), 2026, date(2026, 3, 31)) == D("0.25")
    assert elapsed_share(D(2), 2026, date(2026, 6, 30)) == D(1)  # a two-month activity, done
    assert elapsed_share(D(12), 2026, date(2025, 7, 1)) == D(0)


def test_the_pro_rated_target_scales_quantity_and_cost_not_quality_or_months():
    due = prorated_target(with_cost("1000", quality=D(90)), D("0.25"))
    assert (due.quantity, due.cost, due.quality, due.months) == (D(3), D(250), D(90), D(12))
    assert prorated_target(YEARLY, D(0)) is None  # nothing is due yet: not assessable


def test_a_pro_rated_score_is_the_regulation_s_formula_against_the_target_due():
    # 3 of the 3 due by the end of March, on time: 92.00, as a full year done on time
    due = prorated_target(YEARLY, elapsed_share(D(12), 2026, date(2026, 3, 31)))
    assert score_activity(due, realized(quantity="3")).score == D(92)


def test_negative_time_and_cost_are_kept_and_named():
    late = score_activity(with_cost("100"), realized(months="24", cost="200"))
    assert late.time == D(-24) and late.cost == D(-24)
    assert negative_aspects(late) == (NEGATIVE_TIME, NEGATIVE_COST)
    assert negative_aspects(score_activity(YEARLY, realized())) == ()


def test_the_mean_leaves_out_what_cannot_be_assessed_yet():
    done = score_activity(YEARLY, realized(quality="90", months="10"))
    result = mean_of_assessable([done, None], extra_tasks=1, creativity=None)
    assert cents(result.activities_mean) == D("94.22")
    assert result.skp_score == result.activities_mean + 1
    assert mean_of_assessable([None, None], extra_tasks=3, creativity="unit") is None
