"""The appraisal service's commands: `kinerja appraisal combine`."""

import click

from kinerja.json_command import json_command
from services.appraisal.combination import combine_document


@click.group("appraisal")
def appraisal_group() -> None:
    """The 360-degree behaviour appraisal (penilaian perilaku kerja)."""


combine = json_command(
    appraisal_group,
    "combine",
    combine_document,
    "Combine a cycle's ratings from a JSON DOCUMENT (default: stdin); nothing is stored.",
)
