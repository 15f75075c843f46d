"""The fairness benchmark's command: `python -m bench fairness` (or `make fairness`)."""

from __future__ import annotations

import sys
import time

import click

from bench import fairness
from services.feedback.assignments import CROSS_TEAM_PEERS


@click.command("fairness")
@click.option("--seeds", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--scenario",
    type=click.Choice([*fairness.SCENARIOS, "all"]),
    default="all",
    show_default=True,
    help="One scenario, or all of them.",
)
@click.option(
    "--size",
    type=click.Choice(list(fairness.SIZES)),
    default="standard",
    show_default=True,
    help="standard: 20 units × 10 staff; small: 4 × 6; medium: 15 × 8; large: 1,000 × 9.",
)
@click.option(
    "--reference/--no-reference",
    default=False,
    help="Add statsmodels' MixedLM (REML) on every form: slow, tens of seconds a fit.",
)
def fairness_command(seeds: int, scenario: str, size: str, reference: bool) -> None:
    """Compare the superior alone, plain and weighted means and the platform against the truth.

    Prints a Markdown table: RMSE (0–100 scale), Spearman and the share of true values inside
    ±1.96 standard errors, mean [min–max] over seeds 0..N-1.
    """
    config = fairness.SIZES[size]
    scenarios = list(fairness.SCENARIOS) if scenario == "all" else [scenario]
    methods = [*fairness.METHODS, fairness.REFERENCE] if reference else list(fairness.METHODS)
    started = time.monotonic()
    with click.progressbar(
        length=len(scenarios) * seeds,
        label="Simulating",
        file=sys.stderr,
    ) as bar:
        rows = fairness.run(
            config,
            range(seeds),
            scenarios,
            progress=lambda _scenario, _seed: bar.update(1),
            methods=methods,
        )
    click.echo(fairness.markdown(rows))
    click.echo(
        f"\n{size} organization: {config.units} units × {config.staff_per_unit} staff + heads "
        f"+ director, {config.peers_per_ratee} peers per ratee from the own unit "
        f"+ {CROSS_TEAM_PEERS} from another (staff), {seeds} seed(s); "
        f"{time.monotonic() - started:.1f} s"
    )
