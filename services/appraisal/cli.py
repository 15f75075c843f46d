"""The appraisal service's commands: `kinerja appraisal combine`."""

from __future__ import annotations

import json
from typing import BinaryIO

import click

from kinerja.errors import ValidationFailed
from services.appraisal.combination import combine_document

# Like click's own usage errors: the input, not the program, was wrong.
INVALID_INPUT = 2


@click.group("appraisal")
def appraisal_group() -> None:
    """The 360-degree behaviour appraisal (penilaian perilaku kerja)."""


@appraisal_group.command("combine")
@click.argument("document", type=click.File("rb"), default="-")
@click.option("--pretty", is_flag=True, help="Indent the output for reading.")
def combine(document: BinaryIO, pretty: bool) -> None:
    """Combine a cycle's ratings from a JSON DOCUMENT (default: stdin); nothing is stored.

    Errors go to stderr as JSON, with exit status 2.
    """
    try:
        result = combine_document(_decode(document.read()))
    except ValidationFailed as error:
        click.echo(json.dumps(error.to_body()), err=True)
        raise SystemExit(INVALID_INPUT) from error
    click.echo(json.dumps(result, indent=2 if pretty else None, allow_nan=False))


def _decode(raw: bytes) -> object:
    try:
        # bytes, so json picks UTF-8, UTF-16 or a BOM by itself
        return json.loads(raw)
    except ValueError as error:  # JSONDecodeError, bad encodings, overlong integers
        raise ValidationFailed("the input is not valid JSON", {"document": [str(error)]}) from error
