"""Printouts: a print template rendered to HTML like any page, then to an A4 PDF (WeasyPrint).

The forms are HTML and CSS (`templates/ui/print/`, `static/ui/print.css`), so one template
language and one catalogue of translations serve the screen and the paper, and the charts
are the same inline SVG. The page box (A4, the running header and footer, page x of y)
lives in the stylesheet; the texts of the header and footer in the print base template.

WeasyPrint fetches nothing: the stylesheet is read from the package and the charts are
inline, and its fetcher accepts data: URLs only, so no text on a form (an activity's name,
an objection) can make the server request an address.
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import date, datetime
from pathlib import Path

import weasyprint
from flask import Response, render_template
from flask_babel import format_date, format_decimal
from weasyprint.urls import URLFetcher

from gateway.ui.formatting import MISSING, amount

STYLESHEET = Path(__file__).parent / "static" / "ui" / "print.css"
PDF_MIMETYPE = "application/pdf"
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

# WeasyPrint logs each of its seven steps at INFO: seven JSON lines for every PDF.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@functools.cache
def _stylesheet() -> weasyprint.CSS:
    return weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"))


def _fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def number(value: float | None, places: int = 2) -> str:
    """A score or measure in the reader's locale (86,20 in Indonesian); a dash when absent."""
    if value is None:
        return MISSING
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(value, format=pattern)


def long_date(value: date | str | None) -> str:
    """1 Desember 2026; accepts the ISO dates the APIs send."""
    if not value:
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="long")


def percent(fraction: float) -> str:
    return format_decimal(fraction * 100, format="#,##0.##") + " %"


HELPERS = {"number": number, "measure": amount, "long_date": long_date, "percent": percent}


def render_html(template: str, **context) -> str:
    """A print template (`ui/print/<template>`) with the formatting helpers and today's date."""
    return render_template(
        f"ui/print/{template}", printed_at=datetime.now().astimezone(), **HELPERS, **context
    )


def render_document(html: str) -> weasyprint.Document:
    """The laid-out pages, before they are written as PDF (tests read their text)."""
    return weasyprint.HTML(string=html, url_fetcher=_fetcher()).render(stylesheets=[_stylesheet()])


def pdf_response(template: str, filename: str, **context) -> Response:
    """The template as a PDF shown in the browser (inline), saved under `filename`."""
    pdf = render_document(render_html(template, **context)).write_pdf()
    safe_name = UNSAFE_IN_FILENAME.sub("_", filename)
    return Response(
        pdf,
        mimetype=PDF_MIMETYPE,
        headers={"Content-Disposition": f'inline; filename="{safe_name}"'},
    )
