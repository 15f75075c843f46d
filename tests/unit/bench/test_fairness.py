"""The fairness benchmark: a deterministic simulation, the estimators, the table and the command.

Small organizations keep these fast. The issue's stretch goals (RMSE half the superior's,
Spearman 0.9) are measured by `python -m bench fairness` at the standard size, not asserted
here; what is asserted is that the platform never loses badly to the plain mean, in every
scenario and in organizations drawn at random, so the method is not tuned to one setting.
"""

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from bench import fairness
from bench.fairness_cli import fairness_command
from kinerja.anonymity import SELF, SUPERIOR

SMALL = fairness.Config(units=4, staff_per_unit=6, peers_per_ratee=3)
SEEDS = (0, 1)
# In a 29-person organization one seed's RMSE swings with the few superiors' leniency (the
# group offsets rest on them); comparisons with the control average eight paired seeds.
PAIRED_SEEDS = tuple(range(8))


def mean_figures(
    config: fairness.Config, seeds: tuple[int, ...] = SEEDS
) -> dict[str, tuple[float, float, float | None]]:
    """Each method's mean (RMSE, Spearman, SE coverage) over the seeds."""
    runs = [fairness.evaluate(config, seed) for seed in seeds]
    return {
        method: (
            float(np.mean([r[method].rmse for r in runs])),
            float(np.mean([r[method].spearman for r in runs])),
            None
            if runs[0][method].coverage is None
            else float(np.mean([r[method].coverage for r in runs])),
        )
        for method in fairness.METHODS
    }


def test_the_simulation_is_deterministic_per_seed():
    first, truth = fairness.simulate(SMALL, 7)
    again, truth_again = fairness.simulate(SMALL, 7)
    other, _ = fairness.simulate(SMALL, 8)
    assert first == again and truth == truth_again
    assert first != other


def test_the_simulation_rates_everyone_as_the_platform_assigns():
    ratings, truth = fairness.simulate(SMALL, 0)
    people = 1 + SMALL.units * (1 + SMALL.staff_per_unit)
    assert len(truth) == people
    assert all(0 <= r.score <= 100 for r in ratings)
    assert {r.dimension for r in ratings} == set(fairness.DIMENSIONS)
    superiors = {r.ratee for r in ratings if r.group == SUPERIOR}
    assert superiors == set(truth) - {fairness.DIRECTOR}
    assert {r.ratee for r in ratings if r.group == SELF} == set(truth)


def test_cross_team_raters_add_peers_from_other_units():
    plain, _ = fairness.simulate(SMALL, 0)
    linked, _ = fairness.simulate(replace(SMALL, cross_team_raters=True), 0)

    def unit(nip: str) -> str:
        return nip.split("-")[0]

    def crossing(ratings) -> Counter:
        """Peers from another unit, per staff ratee."""
        return Counter(
            ratee
            for rater, ratee in {
                (r.rater, r.ratee) for r in ratings if r.group == "peer" and "-s" in r.ratee
            }
            if unit(rater) != unit(ratee)
        )

    staff = {r.ratee for r in plain if "-s" in r.ratee}
    # the platform's own design: one peer from another unit each (SCORING.md step 7)
    assert crossing(plain) == dict.fromkeys(staff, 1)
    # the scenario's extra cross-team peers come on top (less any pair drawn twice)
    extra = crossing(linked) - crossing(plain)
    assert set(crossing(linked)) == staff
    assert sum(extra.values()) > len(staff) and max(extra.values()) <= SMALL.cross_team_peers


def test_spearman_averages_ties_and_matches_the_definition():
    assert fairness.ranks([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert fairness.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert fairness.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # with ties: Pearson on average ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]
    assert fairness.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, rel=1e-6)
    assert fairness.rmse([1, 2], [1, 4]) == pytest.approx(np.sqrt(2))


@pytest.mark.parametrize("scenario", list(fairness.SCENARIOS))
def test_the_platform_is_never_worse_than_the_plain_mean(scenario):
    """Not in the null (no leniency to remove), nor where the floor hides the peers.

    Where the anonymity floor forbids some ratings (few peers), the plain mean of all others
    uses what the platform may not: there the platform stays within 5 % of it and well
    below the plain mean of the ratings it may use.
    """
    figures = mean_figures(fairness.SCENARIOS[scenario](SMALL), PAIRED_SEEDS)
    platform, control = figures[fairness.PLATFORM], figures[fairness.PLAIN_MEAN]
    counted = figures[fairness.PLAIN_COUNTED]
    if counted[0] > control[0]:  # the floor hides some ratings
        assert platform[0] <= control[0] * 1.05
        assert platform[0] < 0.9 * counted[0]
        assert platform[1] > counted[1]
    else:
        assert platform[0] <= control[0]
        assert platform[1] >= control[1] - 0.03


@pytest.mark.parametrize("scenario", list(fairness.SCENARIOS))
def test_the_standard_errors_cover_most_true_values(scenario):
    """±1.96 SE holds most true values, in the outside check's 15 × 8 organization.

    A guard, not the goal: the goal (93–97 % in every scenario) is measured by `python -m bench
    fairness` over ten seeds and written down in the README, scenario by scenario.
    """
    config = fairness.SCENARIOS[scenario](fairness.MEDIUM)
    coverage = mean_figures(config, SEEDS)[fairness.PLATFORM][2]
    assert 0.85 <= coverage <= 0.99


@pytest.mark.parametrize("scenario", ["standard", "few peers", "leniency-heavy"])
def test_estimating_the_components_costs_little_against_knowing_them(scenario):
    """The same model given the simulation's true components is what no estimate of them can
    beat on average: the platform stays within 10 % of its RMSE, the floor hiding peers or not.
    (Feeding the Huber weights back into REML cost 14 % with two peers per ratee.)"""
    figures = mean_figures(fairness.SCENARIOS[scenario](SMALL), PAIRED_SEEDS)
    platform, known = figures[fairness.PLATFORM], figures[fairness.TRUE_COMPONENTS]
    assert platform[0] <= 1.10 * known[0]
    assert platform[1] >= known[1] - 0.03


def test_the_true_components_follow_the_simulation():
    config = fairness.Config(team_share=0.4, true_sd=5.0, dimension_sd=3.0, halo_sd=4.0)
    components = fairness.true_components(config)
    assert components["ratee_unit"] == pytest.approx(10.0)
    assert components["ratee"] == pytest.approx(15.0 + 9.0 / 5)
    assert components["rater"] == pytest.approx(36.0)
    assert components["residual"] == pytest.approx(16.0 + 36.0 / 5)
    assert components["rater_unit"] == pytest.approx(0.0, abs=1e-6)
    cultured = fairness.true_components(replace(config, shared_team_leniency=True))
    assert cultured["rater_unit"] == pytest.approx(16.0)


def random_config(seed: int) -> fairness.Config:
    """A small organization with its variance split, peers and contamination drawn at random."""
    rng = np.random.default_rng(seed)
    return replace(
        SMALL,
        units=int(rng.integers(3, 6)),
        staff_per_unit=int(rng.integers(4, 9)),
        peers_per_ratee=int(rng.integers(2, 5)),
        true_sd=float(rng.uniform(3.0, 7.0)),
        team_share=float(rng.uniform(0.1, 0.5)),
        leniency_sd=float(rng.choice([0.0, rng.uniform(2.0, 9.0)])),
        halo_sd=float(rng.uniform(2.0, 6.0)),
        noise_sd=float(rng.uniform(4.0, 9.0)),
        straight_liner_share=float(rng.uniform(0.0, 0.1)),
        shared_team_leniency=bool(rng.random() < 0.3),
    )


@pytest.mark.parametrize("draw", range(6))
def test_in_random_organizations_the_platform_holds_up(draw):
    """The first six draws, none picked: beat the superior alone, stay near the plain mean.

    The margins are wider than in the fixed scenarios: with 3–5 units a team's shared
    leniency or a lone director's can pass for a group offset, and the peers of the few
    heads often fall below the anonymity threshold, which the plain mean ignores. Over 60
    draws the worst were RMSE ×1.16 and Spearman −0.032 (median ×0.89 and +0.013).
    """
    config = random_config(draw)
    figures = mean_figures(config, PAIRED_SEEDS)
    platform, control = figures[fairness.PLATFORM], figures[fairness.PLAIN_MEAN]
    superior = figures[fairness.SUPERIOR_ALONE]
    assert platform[0] < superior[0] and platform[1] > superior[1]
    assert platform[0] <= control[0] * 1.20
    assert platform[1] >= control[1] - 0.05


@pytest.mark.parametrize("scenario", ["standard", "leniency-heavy", "team leniency"])
def test_with_leniency_the_platform_beats_the_superior_alone(scenario):
    figures = mean_figures(fairness.SCENARIOS[scenario](SMALL))
    platform, superior = figures[fairness.PLATFORM], figures[fairness.SUPERIOR_ALONE]
    assert platform[0] < superior[0]
    assert platform[1] > superior[1]


def test_with_leniency_the_platform_beats_the_superior_alone_in_other_organizations():
    # not one tuned configuration: more peers, more noise, a different spread
    config = replace(SMALL, units=5, peers_per_ratee=4, noise_sd=8.0, true_sd=6.0, halo_sd=5.0)
    figures = mean_figures(fairness.SCENARIOS["leniency-heavy"](config))
    platform, superior = figures[fairness.PLATFORM], figures[fairness.SUPERIOR_ALONE]
    assert platform[0] < superior[0]
    assert platform[1] > superior[1]


def test_the_table_has_every_scenario_and_method():
    rows = fairness.run(SMALL, SEEDS)
    assert {(r.scenario, r.method) for r in rows} == {
        (s, m) for s in fairness.SCENARIOS for m in fairness.METHODS
    }
    for row in rows:
        assert row.rmse_min <= row.rmse_mean <= row.rmse_max
        assert row.rho_min <= row.rho_mean <= row.rho_max
    table = fairness.markdown(rows)
    assert table.splitlines()[0].startswith("| scenario | method | RMSE")
    assert len(table.splitlines()) == 2 + len(rows)


def test_run_reports_progress_per_scenario_and_seed():
    seen = []
    fairness.run(SMALL, SEEDS, ["null", "few peers"], progress=lambda s, n: seen.append((s, n)))
    assert seen == [("null", 0), ("null", 1), ("few peers", 0), ("few peers", 1)]


def test_the_command_prints_the_table():
    result = CliRunner().invoke(fairness_command, ["--size", "small", "--seeds", "2"])
    assert result.exit_code == 0, result.output
    for scenario in fairness.SCENARIOS:
        assert f"| {scenario} | {fairness.PLATFORM} |" in result.output
    assert "| scenario | method | RMSE mean [min–max] | Spearman mean [min–max] |" in result.output
    assert "±1.96 SE coverage" in result.output


def test_the_command_refuses_an_unknown_scenario():
    result = CliRunner().invoke(fairness_command, ["--scenario", "easy"])
    assert result.exit_code == 2
