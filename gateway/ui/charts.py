"""The UI's charts as inline SVG (pygal): the same markup on the page and in the PDF.

No scripts (the pages' CSP allows none inline, and a PDF runs none): pygal's tooltips
are left out; every chart has a title and its numbers are also shown in a table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#5b6775",
    colors=("#0b5cab", "#d9822b", "#17733a", "#8e44ad", "#b3261e"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
COMMON = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "explicit_size": False,
    "legend_at_bottom": True,
    "print_values": False,
}


def radar(title: str, axes: Sequence[str], series: Mapping[str, Mapping[str, float]]) -> Markup:
    """One line per series (a rater group, self) over the axes (the dimensions), 0–100."""
    chart = pygal.Radar(title=title, range=(0, 100), fill=False, width=520, height=440, **COMMON)
    chart.x_labels = [label.replace("_", " ") for label in axes]
    for name, values in series.items():
        chart.add(name, [values.get(axis) for axis in axes])
    return _without_scripts(chart.render(is_unicode=True))


def bars(title: str, labels: Sequence[str], values: Sequence[float], name: str = "") -> Markup:
    """A bar chart: a histogram of scores or counts per predicate."""
    chart = pygal.Bar(title=title, width=560, height=320, show_legend=bool(name), **COMMON)
    chart.x_labels = list(labels)
    chart.add(name or title, list(values))
    return _without_scripts(chart.render(is_unicode=True))


def _without_scripts(svg: str) -> Markup:
    # pygal always embeds its config as an inline script, even with js=[]; the CSP would
    # block it anyway, so it is dropped instead of raising a violation on every page.
    return Markup(SCRIPT.sub("", svg))
