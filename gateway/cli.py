"""The gateway's commands: `kinerja directory import` and `kinerja accounts create`."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from gateway.directory import commands as directory
from gateway.identity import commands as identity
from kinerja.errors import AppError
from kinerja.local import DATA_DIR_OPTION, local_unit_of_work


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _fail(error: AppError) -> click.ClickException:
    lines = [error.message] + [f"  {where}: {problem}" for where, problem in error.fields.items()]
    return click.ClickException("\n".join(lines))


@click.group("directory")
def directory_group() -> None:
    """The org directory."""


@directory_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--partial", is_flag=True, help="Import the valid rows even if some are rejected.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@DATA_DIR_OPTION
def import_file(file, partial: bool, dry_run: bool, data_dir: Path) -> None:
    """Import employees or units from a CSV file (the header tells which)."""
    uow = local_unit_of_work("gateway", data_dir)
    text = file.read()
    rows = max(text.count("\n") - 1, 0)
    click.echo(f"Checking {rows} rows against the directory...")
    with click.progressbar(length=rows, label="Importing") as bar:
        try:
            report = directory.import_csv(
                uow, text, _actor(), partial=partial, dry_run=dry_run, on_progress=bar.update
            )
        except AppError as exc:
            raise _fail(exc) from exc
    for rejected in report["rejected"]:
        click.echo(f"line {rejected['row']} ({rejected['key']}): {rejected['fields']}", err=True)
    click.echo(
        f"{report['kind']}: {report['created']} created, {report['updated']} updated, "
        f"{report['unchanged']} unchanged, {len(report['rejected'])} rejected"
        + ("" if report["applied"] else " (dry run: nothing written)")
    )


@click.group("accounts")
def accounts_group() -> None:
    """Logins."""


@accounts_group.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(["hr", "ops"]))
@click.option("--nip", default=None, help="Link the login to this employee.")
@click.option("--email", default=None)
@click.password_option(help="Asked for when not given.")
@DATA_DIR_OPTION
def create_account(username, roles, nip, email, password, data_dir: Path) -> None:
    """Create a login: the first HR account of a new installation, for example."""
    uow = local_unit_of_work("gateway", data_dir)
    try:
        uow(
            lambda tx: identity.create_account(
                tx, username, password, list(roles), nip, email, _actor()
            )
        )
    except AppError as exc:
        raise _fail(exc) from exc
    click.echo(f"account {username} created")
