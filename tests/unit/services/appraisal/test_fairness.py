"""The fairness benchmark: a deterministic simulation, the estimators, the table and the command.

Small organizations and two seeds keep these fast. The issue's stretch goals (RMSE half the
superior's, Spearman 0.9) are measured by `kinerja bench fairness`, not asserted here.
"""

from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from services.appraisal import fairness
from services.appraisal.bench_cli import bench_group
from services.appraisal.combination import SELF, SUPERIOR

SMALL = fairness.Config(units=4, staff_per_unit=6, peers_per_ratee=3)
SEEDS = (0, 1)


def mean_figures(config: fairness.Config) -> dict[str, tuple[float, float]]:
    """Each method's mean (RMSE, Spearman) over the seeds."""
    runs = [fairness.evaluate(config, seed) for seed in SEEDS]
    return {
        method: (
            float(np.mean([r[method][0] for r in runs])),
            float(np.mean([r[method][1] for r in runs])),
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

    def crossing(ratings):
        return {(r.rater, r.ratee) for r in ratings if r.group == "peer" and "-s" in r.ratee}

    assert all(unit(a) == unit(b) for a, b in crossing(plain))
    assert any(unit(a) != unit(b) for a, b in crossing(linked))


def test_spearman_averages_ties_and_matches_the_definition():
    assert fairness.ranks([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert fairness.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert fairness.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # with ties: Pearson on average ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]
    assert fairness.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, rel=1e-6)
    assert fairness.rmse([1, 2], [1, 4]) == pytest.approx(np.sqrt(2))


@pytest.mark.xfail(
    strict=True,
    reason="measured gap, not tuned away: with no leniency the platform's superior-heavy "
    "HR weights lose to the equal-weight plain mean (about 0.09 in Spearman)",
)
def test_without_leniency_the_platform_is_not_much_worse_than_the_plain_mean():
    figures = mean_figures(fairness.SCENARIOS["null"](SMALL))
    platform, control = figures[fairness.PLATFORM], figures[fairness.PLAIN_MEAN]
    assert platform[0] <= control[0] * 1.10
    assert platform[1] >= control[1] - 0.03


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
    result = CliRunner().invoke(bench_group, ["fairness", "--size", "small", "--seeds", "2"])
    assert result.exit_code == 0, result.output
    for scenario in fairness.SCENARIOS:
        assert f"| {scenario} | {fairness.PLATFORM} |" in result.output
    assert "| scenario | method | RMSE mean [min–max] | Spearman mean [min–max] |" in result.output


def test_the_command_refuses_an_unknown_scenario():
    result = CliRunner().invoke(bench_group, ["fairness", "--scenario", "easy"])
    assert result.exit_code == 2
