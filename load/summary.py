"""The run's figures in short: per request name and per service, requests, requests/s,
p50/p95/p99 and failures, as JSON (for `load/run.py` to judge) and Markdown (for people).

Written by the locustfile when locust quits (`--report-dir`), from locust's own stats, so
the percentiles of a service's row are those of all its requests together, not an average
of its endpoints' percentiles.
"""

from __future__ import annotations

import json
import os
import platform
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from locust.stats import RequestStats, StatsEntry

from load.plan import CORE, group_of

PERCENTILES = (0.5, 0.95, 0.99)
LOGIN = "POST /auth/login"  # argon2 on purpose: slow, and once per person


def _row(entry: StatsEntry, seconds: float) -> dict:
    count = entry.num_requests
    return {
        "requests": count,
        "failures": entry.num_failures,
        "rps": round(count / seconds, 2) if seconds else 0.0,
        **{
            f"p{round(p * 100)}": entry.get_response_time_percentile(p) if count else None
            for p in PERCENTILES
        },
        "max": round(entry.max_response_time) if count else None,
        "avg": round(entry.avg_response_time, 1) if count else None,
    }


def summarize(
    stats: RequestStats, meta: dict, notes: Counter | None = None, exceptions: dict | None = None
) -> dict:
    """The figures of a run, from locust's stats (the run's own, not reset), and the
    exceptions that ended a user or a task (locust's `runner.exceptions`)."""
    meta, total = dict(meta), stats.total
    # the test's wall time when the locustfile saw it start and stop; else the requests' span
    seconds = meta.pop("wall_seconds", None) or max(
        (total.last_request_timestamp or total.start_time) - total.start_time, 1e-9
    )
    groups: dict[str, StatsEntry] = {}
    working = StatsEntry(stats, "all but logins", "")  # the logins happen once, at the start
    endpoints = {}
    for (name, method), entry in sorted(stats.entries.items()):
        key = f"{method} {name}"
        endpoints[key] = _row(entry, seconds)
        groups.setdefault(group_of(key), StatsEntry(stats, group_of(key), "")).extend(entry)
        if key != LOGIN:
            working.extend(entry)
    failures = [
        {"name": e.name, "method": e.method, "error": str(e.error), "occurrences": e.occurrences}
        for e in stats.errors.values()
    ]
    return {
        "meta": {**meta, "measured_seconds": round(seconds, 1)},
        "total": _row(total, seconds),
        "all_but_logins": _row(working, seconds),
        "groups": {name: _row(entry, seconds) for name, entry in sorted(groups.items())},
        "endpoints": endpoints,
        "failures": failures,
        "exceptions": [
            {
                "count": row["count"],
                "error": row["msg"] or (row["traceback"].strip().splitlines() or [""])[-1],
                "traceback": row["traceback"],
            }
            for row in (exceptions or {}).values()
        ],
        "not_exercised": [name for name in CORE if name not in endpoints],
        "notes": dict(sorted((notes or Counter()).items())),
    }


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def _table(rows: dict[str, dict], first: str) -> list[str]:
    lines = [
        f"| {first} | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['requests']} | {r['rps']:.2f} | {_ms(r['p50'])} | {_ms(r['p95'])} "
            f"| {_ms(r['p99'])} | {_ms(r['max'])} | {r['failures']} |"
        )
    return lines


def markdown(figures: dict) -> str:
    meta, total = figures["meta"], figures["total"]
    verdict = "PASS" if passed(figures) else "FAIL"
    lines = [
        f"# Load run: {verdict}",
        "",
        f"{meta.get('users')} users (spawn rate {meta.get('spawn_rate')}/s) for "
        f"{meta.get('run_time')} against {meta.get('host')}; measured "
        f"{meta['measured_seconds']} s; {meta.get('finished')}; {meta.get('machine')}.",
        "",
        f"**{total['requests']} requests, {total['rps']:.1f} req/s, p50 {_ms(total['p50'])} ms, "
        f"p95 {_ms(total['p95'])} ms, p99 {_ms(total['p99'])} ms, "
        f"{total['failures']} failed, {len(figures['exceptions'])} exceptions.**",
        "",
        "## By service",
        "",
        *_table(
            {
                **figures["groups"],
                "**all**": total,
                "all but the logins at the start": figures["all_but_logins"],
            },
            "service",
        ),
        "",
        "## By endpoint",
        "",
        *_table(figures["endpoints"], "endpoint"),
    ]
    if figures["failures"]:
        lines += ["", "## Failures", ""]
        lines += [
            f"- {f['occurrences']} x {f['method']} {f['name']}: {f['error'][:300]}"
            for f in figures["failures"]
        ]
    if figures["exceptions"]:
        lines += ["", "## Exceptions (users or tasks that ended with an error)", ""]
        lines += [f"- {e['count']} x {e['error'][:300]}" for e in figures["exceptions"]]
    if figures["notes"]:
        lines += ["", "## Expected outcomes that were not 2xx-and-done", ""]
        lines += [f"- {count} x {what}" for what, count in figures["notes"].items()]
    if figures["not_exercised"]:
        lines += ["", f"Not exercised in this run: {', '.join(figures['not_exercised'])}."]
    return "\n".join(lines) + "\n"


def passed(figures: dict) -> bool:
    total = figures["total"]
    return total["requests"] > 0 and total["failures"] == 0 and not figures["exceptions"]


def machine() -> str:
    """The cores, and how busy the machine was (the stack and locust share it, with anything
    else running there): the 1- and 5-minute load averages when the run ended."""
    one, five, _ = os.getloadavg()
    return (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"load average {one:.1f} (1 min) {five:.1f} (5 min) at the end"
    )


def write(folder: Path, stats: RequestStats, meta: dict, notes: Counter, exceptions: dict) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        **meta,
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
    }
    figures = summarize(stats, meta, notes, exceptions)
    (folder / "summary.json").write_text(json.dumps(figures, indent=2) + "\n")
    (folder / "summary.md").write_text(markdown(figures))
    return figures
