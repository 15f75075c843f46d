"""HR weighting schemes: the rules `check` enforces, how `draft` builds the next version, and
which scheme applies to an employee (unit before position kind before the default)."""

from decimal import Decimal

import pytest

from kinerja.errors import Conflict, ValidationFailed
from services.appraisal.schemes import (
    BUILT_IN_DEFAULT,
    WeightingScheme,
    check,
    draft,
    replacing,
    scheme_for,
    with_default,
)

STANDARD_WEIGHTS = {"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0}
STANDARD_MIN_RATERS = {"superior": 1, "peer": 3, "subordinate": 3}


def scheme(
    scheme_id: str = "keuangan",
    *,
    name: str = "Bagian Keuangan",
    weights: dict | None = None,
    min_raters: dict | None = None,
    bias_correction: bool = False,
    skp_share: str = "0.6",
    unit_ids: tuple[str, ...] = ("unit-keu",),
    position_kinds: tuple[str, ...] = (),
    version: int = 1,
) -> WeightingScheme:
    return WeightingScheme(
        id=scheme_id,
        name=name,
        weights=dict(STANDARD_WEIGHTS if weights is None else weights),
        min_raters=dict(STANDARD_MIN_RATERS if min_raters is None else min_raters),
        bias_correction=bias_correction,
        skp_share=Decimal(skp_share),
        unit_ids=unit_ids,
        position_kinds=position_kinds,
        version=version,
    )


def default_scheme(**kwargs) -> WeightingScheme:
    return scheme("default", name="Default instansi", unit_ids=(), **kwargs)


def invalid_fields(candidate: WeightingScheme, others=()) -> dict:
    with pytest.raises(ValidationFailed) as raised:
        check(candidate, others)
    return raised.value.fields


# --- check: the rules of a single scheme ---------------------------------------------------


def test_a_valid_unit_scheme_and_the_built_in_default_pass_check():
    assert check(scheme(), []) is None
    assert check(BUILT_IN_DEFAULT, []) is None
    assert check(default_scheme(), [scheme()]) is None


def test_a_self_weight_other_than_zero_is_refused():
    weights = {**STANDARD_WEIGHTS, "self": 0.1}
    assert "weights.self" in invalid_fields(scheme(weights=weights))


def test_all_weights_zero_is_refused():
    weights = {"superior": 0.0, "peer": 0.0, "subordinate": 0.0, "self": 0.0}
    assert "weights.superior" in invalid_fields(scheme(weights=weights))


def test_the_superior_cannot_be_weighted_at_zero():
    # the direct superior is the pejabat penilai; peers and subordinates alone do not appraise
    weights = {"superior": 0.0, "peer": 0.5, "subordinate": 0.5, "self": 0.0}
    assert set(invalid_fields(scheme(weights=weights))) == {"weights.superior"}


@pytest.mark.parametrize("weight", [1.01, 2.0, -0.1])
def test_a_weight_outside_zero_to_one_is_refused(weight):
    weights = {**STANDARD_WEIGHTS, "peer": weight}
    assert "weights.peer" in invalid_fields(scheme(weights=weights))


def test_a_single_group_may_carry_the_whole_weight():
    superior_only = {"superior": 1.0, "peer": 0.0, "subordinate": 0.0, "self": 0.0}
    assert check(scheme(weights=superior_only), []) is None


@pytest.mark.parametrize("group", ["peer", "subordinate"])
@pytest.mark.parametrize("count", [1, 2])
def test_anonymous_groups_cannot_go_below_the_floor_of_three_raters(group, count):
    fields = invalid_fields(scheme(min_raters={**STANDARD_MIN_RATERS, group: count}))
    assert f"min_raters.{group}" in fields


@pytest.mark.parametrize("group", ["peer", "subordinate"])
def test_anonymous_groups_may_require_three_or_more_raters(group):
    assert check(scheme(min_raters={**STANDARD_MIN_RATERS, group: 3}), []) is None
    assert check(scheme(min_raters={**STANDARD_MIN_RATERS, group: 5}), []) is None


def test_a_lone_superior_is_enough_for_the_superior_group():
    assert check(scheme(min_raters={**STANDARD_MIN_RATERS, "superior": 1}), []) is None


def test_self_has_no_minimum_raters():
    fields = invalid_fields(scheme(min_raters={**STANDARD_MIN_RATERS, "self": 1}))
    assert "min_raters.self" in fields


@pytest.mark.parametrize("share", ["-0.01", "1.01", "60", "0", "1", "0.7", "0.59"])
def test_an_skp_share_other_than_the_regulations_is_refused(share):
    # PP 46/2011: 60 % SKP, 40 % behaviour; not HR's number
    assert set(invalid_fields(scheme(skp_share=share))) == {"skp_share"}


@pytest.mark.parametrize("share", ["0.6", "0.60"])
def test_the_regulations_skp_share_is_accepted(share):
    assert check(scheme(skp_share=share), []) is None


def test_an_unknown_position_kind_is_refused():
    fields = invalid_fields(scheme(unit_ids=(), position_kinds=("functional", "eselon")))
    assert "position_kinds" in fields


@pytest.mark.parametrize(
    ("unit_ids", "position_kinds"), [(("unit-keu",), ()), ((), ("structural",))]
)
def test_the_default_scheme_cannot_name_units_or_position_kinds(unit_ids, position_kinds):
    fields = invalid_fields(scheme("default", unit_ids=unit_ids, position_kinds=position_kinds))
    assert "unit_ids" in fields


def test_a_non_default_scheme_must_name_units_or_position_kinds():
    assert "unit_ids" in invalid_fields(scheme(unit_ids=(), position_kinds=()))
    assert check(scheme(unit_ids=(), position_kinds=("functional",)), []) is None


@pytest.mark.parametrize(
    "bad_id", ["", "Keuangan", "-keuangan", "keu_angan", "keu angan", "a" * 65]
)
def test_a_malformed_scheme_id_is_refused(bad_id):
    assert "id" in invalid_fields(scheme(bad_id))


@pytest.mark.parametrize("good_id", ["k", "keuangan-2026", "9a", "a" * 64])
def test_lowercase_digits_and_dashes_up_to_64_make_an_id(good_id):
    assert check(scheme(good_id), []) is None


def test_an_id_with_a_trailing_newline_is_refused():
    assert "id" in invalid_fields(scheme("keuangan\n"))


def test_a_scheme_without_a_name_is_refused():
    assert "name" in invalid_fields(scheme(name="   "))


def test_every_broken_rule_is_reported_at_once():
    broken = scheme(
        "Bad Id",
        weights={"superior": 1.5, "peer": 0.0, "subordinate": 0.0, "self": 0.2},
        min_raters={"superior": 1, "peer": 2, "subordinate": 1},
        skp_share="1.5",
        unit_ids=(),
        position_kinds=("eselon",),
    )
    fields = invalid_fields(broken)
    assert {
        "id",
        "weights.superior",
        "weights.self",
        "min_raters.peer",
        "min_raters.subordinate",
        "skp_share",
        "position_kinds",
    } <= set(fields)
    assert all(isinstance(messages, list) and messages for messages in fields.values())


# --- check: no two schemes claim the same unit or position kind -----------------------------


def test_two_schemes_naming_the_same_unit_conflict():
    taken = scheme("keuangan", unit_ids=("unit-keu", "unit-umum"))
    candidate = scheme("umum", unit_ids=("unit-umum",))
    with pytest.raises(Conflict) as raised:
        check(candidate, [default_scheme(), taken])
    assert raised.value.code == "scheme_overlap"
    assert set(raised.value.fields) == {"unit_ids"}
    assert "unit-umum" in " ".join(raised.value.fields["unit_ids"])
    assert "keuangan" in " ".join(raised.value.fields["unit_ids"])


def test_two_schemes_naming_the_same_position_kind_conflict():
    taken = scheme("fungsional", unit_ids=(), position_kinds=("functional",))
    candidate = scheme("jf-baru", unit_ids=(), position_kinds=("functional", "structural"))
    with pytest.raises(Conflict) as raised:
        check(candidate, [taken])
    assert raised.value.code == "scheme_overlap"
    assert set(raised.value.fields) == {"position_kinds"}


def test_a_new_version_does_not_conflict_with_its_own_older_version():
    older = scheme("keuangan", unit_ids=("unit-keu",), version=3)
    newer = scheme("keuangan", unit_ids=("unit-keu", "unit-umum"), version=4)
    assert check(newer, [older, default_scheme()]) is None


def test_schemes_on_different_units_and_kinds_do_not_conflict():
    others = [
        scheme("keuangan", unit_ids=("unit-keu",)),
        scheme("fungsional", unit_ids=(), position_kinds=("functional",)),
    ]
    assert check(scheme("umum", unit_ids=("unit-umum",)), others) is None
    assert check(scheme("struktural", unit_ids=(), position_kinds=("structural",)), others) is None


# --- draft: the next version from HR's fields ---------------------------------------------


def test_a_new_scheme_starts_at_version_one_from_the_built_in_values():
    new = draft("keuangan", {"name": "Keuangan", "unit_ids": ["unit-keu"]}, None)
    assert new.id == "keuangan"
    assert new.version == 1
    assert new.name == "Keuangan"
    assert new.weights == STANDARD_WEIGHTS
    assert new.min_raters == STANDARD_MIN_RATERS
    assert new.bias_correction is True
    assert new.skp_share == Decimal("0.6")
    assert new.unit_ids == ("unit-keu",)
    check(new, [])


def test_draft_bumps_the_version_and_keeps_fields_hr_did_not_send():
    current = scheme(
        weights={"superior": 0.6, "peer": 0.4, "subordinate": 0.0, "self": 0.0},
        min_raters={"superior": 1, "peer": 4, "subordinate": 5},
        unit_ids=("unit-keu",),
        version=3,
    )
    nxt = draft("keuangan", {"bias_correction": True}, current)
    assert nxt.version == 4
    assert nxt.bias_correction is True
    assert nxt.name == current.name
    assert nxt.weights == current.weights
    assert nxt.min_raters == current.min_raters
    assert nxt.skp_share == Decimal("0.6")
    assert nxt.unit_ids == ("unit-keu",)


def test_a_version_saved_with_another_skp_share_does_not_carry_it_forward():
    legacy = scheme(skp_share="0.7", version=3)
    nxt = draft("keuangan", {"name": "Keuangan"}, legacy)
    assert nxt.skp_share == Decimal("0.6")
    assert check(nxt, []) is None


def test_draft_ignores_fields_hr_may_not_set():
    current = scheme(version=2)
    nxt = draft("keuangan", {"id": "other", "version": 99, "name": "Baru"}, current)
    assert (nxt.id, nxt.version, nxt.name) == ("keuangan", 3, "Baru")


def test_draft_sorts_and_deduplicates_units_and_position_kinds():
    nxt = draft(
        "gabungan",
        {
            "unit_ids": ["unit-umum", "unit-keu", "unit-umum"],
            "position_kinds": ["structural", "functional", "structural"],
        },
        scheme("gabungan"),
    )
    assert nxt.unit_ids == ("unit-keu", "unit-umum")
    assert nxt.position_kinds == ("functional", "structural")


def test_draft_fills_missing_min_raters_with_the_defaults():
    nxt = draft("keuangan", {"min_raters": {"peer": 4}}, scheme())
    assert nxt.min_raters == {"superior": 1, "peer": 4, "subordinate": 3}


def test_draft_gives_every_group_a_float_weight_defaulting_to_zero():
    nxt = draft("keuangan", {"weights": {"superior": 1, "peer": 0.5}}, scheme())
    assert nxt.weights == {"superior": 1.0, "peer": 0.5, "subordinate": 0.0, "self": 0.0}
    assert all(isinstance(w, float) for w in nxt.weights.values())


@pytest.mark.parametrize(("raw", "expected"), [(0.7, "0.7"), ("0.65", "0.65"), (1, "1")])
def test_draft_turns_the_skp_share_into_an_exact_decimal(raw, expected):
    nxt = draft("keuangan", {"skp_share": raw}, scheme())
    assert isinstance(nxt.skp_share, Decimal)
    assert nxt.skp_share == Decimal(expected)


def test_hr_replacing_the_built_in_default_saves_version_one():
    nxt = draft("default", {"bias_correction": False}, BUILT_IN_DEFAULT)
    assert nxt.version == 1
    assert nxt.ref == "default@v1"
    assert nxt.weights == BUILT_IN_DEFAULT.weights
    check(nxt, [])


# --- whom a scheme applies to --------------------------------------------------------------


def test_a_unit_scheme_wins_over_a_position_kind_scheme_and_the_default():
    by_unit = scheme("keuangan", unit_ids=("unit-keu",))
    by_kind = scheme("struktural", unit_ids=(), position_kinds=("structural",))
    employee = {"unit_id": "unit-keu", "position_kind": "structural"}
    for order in ([default_scheme(), by_kind, by_unit], [by_unit, by_kind, default_scheme()]):
        assert scheme_for(order, employee).id == "keuangan"


def test_a_position_kind_scheme_wins_over_the_default():
    schemes = [
        default_scheme(),
        scheme("keuangan", unit_ids=("unit-keu",)),
        scheme("struktural", unit_ids=(), position_kinds=("structural",)),
    ]
    employee = {"unit_id": "unit-umum", "position_kind": "structural"}
    assert scheme_for(schemes, employee).id == "struktural"


def test_an_employee_no_scheme_names_gets_the_saved_default():
    saved_default = default_scheme(version=2)
    schemes = [scheme("keuangan", unit_ids=("unit-keu",)), saved_default]
    employee = {"unit_id": "unit-umum", "position_kind": "functional"}
    assert scheme_for(schemes, employee) is saved_default
    assert scheme_for(schemes, None) is saved_default
    assert scheme_for(schemes, {}) is saved_default


def test_the_built_in_default_applies_until_hr_saves_one():
    schemes = [scheme("keuangan", unit_ids=("unit-keu",))]
    assert scheme_for(schemes, {"unit_id": "unit-umum"}) is BUILT_IN_DEFAULT
    assert scheme_for([], {"unit_id": "unit-keu"}) is BUILT_IN_DEFAULT
    assert BUILT_IN_DEFAULT.ref == "default@v0"


def test_with_default_adds_the_built_in_only_when_no_default_is_saved():
    unit = scheme("keuangan")
    assert with_default([]) == [BUILT_IN_DEFAULT]
    assert with_default([unit]) == [BUILT_IN_DEFAULT, unit]
    saved = default_scheme()
    assert with_default([unit, saved]) == [unit, saved]


def test_replacing_swaps_the_old_version_and_keeps_the_others():
    keu_v1 = scheme("keuangan", version=1)
    umum = scheme("umum", unit_ids=("unit-umum",))
    keu_v2 = scheme("keuangan", skp_share="0.7", version=2)
    result = replacing([keu_v1, umum], keu_v2)
    assert result == [BUILT_IN_DEFAULT, umum, keu_v2]


def test_replacing_adds_a_new_scheme_and_a_saved_default_displaces_the_built_in():
    umum = scheme("umum", unit_ids=("unit-umum",))
    assert replacing([umum], scheme("keuangan")) == [BUILT_IN_DEFAULT, umum, scheme("keuangan")]
    new_default = default_scheme(skp_share="0.7")
    result = replacing([umum], new_default)
    assert result == [umum, new_default]
    assert scheme_for(result, {"unit_id": "elsewhere"}) is new_default
