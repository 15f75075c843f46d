"""Commands that read a JSON document and write a JSON answer, the same way everywhere:
`kinerja skp score`, `kinerja appraisal combine`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import BinaryIO

import click

from kinerja.errors import ValidationFailed

# Like click's own usage errors: the input, not the program, was wrong.
INVALID_INPUT = 2


def json_command(group: click.Group, name: str, compute: Callable[[object], dict], help: str):
    """Add to `group` a command that answers `compute(document)` as JSON on stdout.

    The document comes from a file or stdin; bad input is a JSON error on stderr, exit 2.
    """

    @group.command(name, help=help + "\n\nErrors go to stderr as JSON, with exit status 2.")
    @click.argument("document", type=click.File("rb"), default="-")
    @click.option("--pretty", is_flag=True, help="Indent the output for reading.")
    def command(document: BinaryIO, pretty: bool) -> None:
        try:
            result = compute(_decode(document.read()))
        except ValidationFailed as error:
            click.echo(json.dumps(error.to_body()), err=True)
            raise SystemExit(INVALID_INPUT) from error
        click.echo(json.dumps(result, indent=2 if pretty else None, allow_nan=False))

    return command


def _decode(raw: bytes) -> object:
    try:
        # bytes, so json picks UTF-8, UTF-16 or a BOM by itself
        return json.loads(raw)
    except ValueError as error:  # JSONDecodeError, bad encodings, overlong integers
        raise ValidationFailed("the input is not valid JSON", {"document": [str(error)]}) from error
