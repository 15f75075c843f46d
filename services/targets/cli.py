"""The targets service's commands: `kinerja skp score`."""

import click

from kinerja.json_command import json_command
from services.targets.scoring import score_document


@click.group("skp")
def skp_group() -> None:
    """The SKP (Sasaran Kerja Pegawai, the yearly work targets)."""


score = json_command(
    skp_group,
    "score",
    score_document,
    "Score an SKP by the regulation from a JSON DOCUMENT (default: stdin); nothing is stored.",
)
