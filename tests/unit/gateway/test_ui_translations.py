"""The UI's English catalogue: complete for the current source, compiled, placeholders kept.

The UI's texts are Indonesian msgids; English comes from
gateway/ui/translations/en/LC_MESSAGES/messages.po, compiled to messages.mo (Flask-Babel
reads only the .mo). The messages are extracted here the way `make translations` does it:
babel.cfg's method map and the Makefile's `pybabel extract` keywords.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
UI = ROOT / "gateway" / "ui"
TRANSLATIONS = UI / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

FIX = (
    "Run `make translations`, translate the new or changed entries in "
    "gateway/ui/translations/en/LC_MESSAGES/messages.po (and clear their `#, fuzzy` flag), "
    "then `make translations` again to compile messages.mo."
)
# Python-format placeholders: %(name)s, %s, %d, %.2f ... and the escaped %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[sdifeEgGrx%]")


def extract_keywords() -> dict:
    """pybabel's default keywords plus the Makefile's `-k`/`--keyword` options."""
    line = next(
        text for text in (ROOT / "Makefile").read_text().splitlines() if "pybabel extract" in text
    )
    words = shlex.split(line)
    extra: list[str] = []
    no_defaults = False
    for i, word in enumerate(words):
        if word in ("-k", "--keyword", "--keywords"):
            extra += words[i + 1].split()
        elif word.startswith(("--keyword=", "--keywords=")):
            extra += word.split("=", 1)[1].split()
        elif word.startswith("-k") and len(word) > 2:
            extra += word[2:].split()
        elif word == "--no-default-keywords":
            no_defaults = True
    keywords = {} if no_defaults else dict(DEFAULT_KEYWORDS)
    keywords.update(parse_keywords(extra))
    return keywords


def key(message_id) -> str:
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) -> where it is used, for every text wrapped in the UI's source."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(UI), method_map, options_map, keywords=extract_keywords()
    ):
        found.setdefault((key(message), context), []).append(f"gateway/ui/{filename}:{lineno}")
    return found


def test_the_source_has_texts_to_translate(source_messages):
    # guards the completeness test below against an extraction that silently finds nothing
    files = {where.rsplit(":", 1)[0] for places in source_messages.values() for where in places}
    assert len(source_messages) > 100
    assert any(name.endswith(".html") for name in files), "no template texts extracted"
    assert any(name.endswith(".py") for name in files), "no Python texts extracted"


def test_every_text_in_the_source_is_translated(catalog, source_messages):
    problems = []
    for (msgid, context), where in sorted(source_messages.items(), key=lambda item: item[1][0]):
        entry = catalog.get(msgid, context=context)
        strings = (
            []
            if entry is None
            else list(entry.string)
            if isinstance(entry.string, (tuple, list))
            else [entry.string]
        )
        if entry is None:
            problems.append(f"missing from messages.po: {msgid!r} ({where[0]})")
        elif not strings or not all(strings):
            problems.append(f"no English yet: {msgid!r} ({where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy (not compiled): {msgid!r} ({where[0]})")
    assert not problems, (
        f"{len(problems)} UI text(s) lack an English translation. {FIX}\n" + "\n".join(problems)
    )


def messages(mo_bytes: bytes) -> dict:
    return {(m.id, m.context): m.string for m in read_mo(io.BytesIO(mo_bytes)) if m.id}


def test_the_compiled_catalogue_matches_the_po(catalog):
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing. {FIX}"
    expected = io.BytesIO()
    write_mo(expected, catalog, use_fuzzy=False)  # as `pybabel compile` does
    compiled = messages(MO.read_bytes())
    wanted = messages(expected.getvalue())
    stale = sorted(
        str(msgid)
        for msgid in wanted.keys() | compiled.keys()
        if wanted.get(msgid) != compiled.get(msgid)
    )
    assert not stale, (
        f"messages.mo is out of date with messages.po for {len(stale)} message(s), e.g. "
        f"{stale[:5]}. Run `pybabel compile -d gateway/ui/translations` (or `make translations`)."
    )


def placeholders(text: str) -> tuple[set[str], list[str]]:
    """The named placeholders (and %%), and the positional ones in order."""
    found = PLACEHOLDER.findall(text)
    return {p for p in found if p.startswith("%(") or p == "%%"}, [
        p for p in found if not p.startswith("%(") and p != "%%"
    ]


def test_translations_keep_the_placeholders(catalog):
    problems = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, (tuple, list)) else (entry.id,)
        strings = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
        named, positional = placeholders(ids[-1])
        named |= placeholders(ids[0])[0]
        for string in filter(None, strings):
            has_named, has_positional = placeholders(string)
            if has_named != named or len(has_positional) != len(positional):
                problems.append(
                    f"{ids[0]!r}: placeholders {sorted(named) + positional}, but the English "
                    f"{string!r} has {sorted(has_named) + has_positional}"
                )
    assert not problems, (
        "A translation must keep every placeholder of its msgid, and add none:\n"
        + "\n".join(problems)
    )
