"""The logs service's command: `kinerja logs import`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from kinerja.local import DATA_DIR_OPTION, local_unit_of_work
from services.logs import commands


@click.group("logs")
def logs_group() -> None:
    """Daily work logs."""


@logs_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@DATA_DIR_OPTION
def import_file(file, data_dir: Path) -> None:
    """Import entries from CSV (nip,date,activity_id,description,completes_output,quantity,
    minutes), each row under the API's rules: a day past the days-back rule needs reopening."""
    uow = local_unit_of_work("logs", data_dir)
    text = file.read()
    rows = max(text.count("\n") - 1, 0)
    with click.progressbar(length=rows, label="Importing") as bar:
        report = commands.import_csv(uow, text, lambda nip: {}, date.today(), bar.update)
    for rejected in report["rejected"]:
        click.echo(f"line {rejected['row']} ({rejected['key']}): {rejected['fields']}", err=True)
    click.echo(
        f"{report['written']} of {report['rows']} entries imported, "
        f"{len(report['rejected'])} rejected"
    )
    if report["rejected"]:
        raise SystemExit(1)
