"""The machine, the goals and the tables of bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

import psutil

MEMORY_LIMIT_MB = 150


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    try:
        secantus = metadata.version("SecantusDB")
    except metadata.PackageNotFoundError:
        secantus = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": os_name,
        "python": platform.python_version(),
        "secantusdb_package": secantus,
        "pymongo": metadata.version("pymongo"),
        "kombu": metadata.version("kombu"),
        "gunicorn": metadata.version("gunicorn"),
    }


def mongo_version(url: str) -> str:
    from pymongo import MongoClient

    try:
        client = MongoClient(url, serverSelectionTimeoutMS=3000)
        info = client.admin.command("buildInfo")
        client.close()
        return f"embedded SecantusDB (wire version of MongoDB {info.get('version', '?')})"
    except Exception:  # noqa: BLE001
        return "embedded SecantusDB"


def goals(results: dict) -> list[dict]:
    """Each goal: the figure, its reference, the ratio, the bound, met or not."""
    rows = []
    inserts = results.get("raw_inserts") or []
    maximum = results.get("ingest_max")
    if inserts and maximum:
        raw_rate = max(i["per_second"] for i in inserts)
        e2e = min(maximum["accepted_per_second"], maximum["reflected_per_second"])
        rows.append(
            {
                "goal": "End-to-end ingest ≥ 0.5 × raw single-insert rate",
                "figure": f"{e2e} responses/s end to end",
                "reference": f"{raw_rate} insert_one/s (best of {len(inserts)} thread counts)",
                "ratio": round(e2e / raw_rate, 3),
                "bound": "≥ 0.5",
                "met": e2e / raw_rate >= 0.5,
            }
        )
    lag = results.get("ingest_lag")
    if lag and lag.get("lag_ms_p99") is not None:
        rows.append(
            {
                "goal": "p99 lag 2xx → reflected ≤ 250 ms at half the maximum throughput",
                "figure": f"p99 {lag['lag_ms_p99']} ms (p50 {lag['lag_ms_p50']} ms)",
                "reference": f"at {lag['rate_per_second']}/s, {lag['measured']} responses",
                "ratio": round(lag["lag_ms_p99"] / 250, 3),
                "bound": "≤ 1 (of 250 ms)",
                "met": lag["lag_ms_p99"] <= 250 and not lag["never_reflected"],
            }
        )
    recompute, group = results.get("recompute"), results.get("group")
    if recompute and group:
        ratio = recompute["seconds"] / group["seconds"]
        rows.append(
            {
                "goal": "Full recompute ≤ 1.5 × one raw $group",
                "figure": f"{recompute['seconds']} s recompute (every score rewritten)",
                "reference": f"{group['seconds']} s $group",
                "ratio": round(ratio, 2),
                "bound": "≤ 1.5",
                "met": ratio <= 1.5,
            }
        )
    gateway = results.get("gateway")
    if gateway:
        ratio = gateway["gateway_ms_p50"] / gateway["direct_ms_p50"]
        rows.append(
            {
                "goal": "Gateway p50 ≤ 1.2 × direct call",
                "figure": f"p50 {gateway['gateway_ms_p50']} ms "
                f"(p99 {gateway['gateway_ms_p99']} ms)",
                "reference": f"direct p50 {gateway['direct_ms_p50']} ms "
                f"(p99 {gateway['direct_ms_p99']} ms)",
                "ratio": round(ratio, 2),
                "bound": "≤ 1.2",
                "met": ratio <= 1.2,
            }
        )
    memory = {k: v for k, v in (results.get("memory_mb") or {}).items() if k != "mongodb"}
    if memory:
        worst = max(memory, key=memory.get)
        rows.append(
            {
                "goal": f"Each service process < {MEMORY_LIMIT_MB} MB resident under load",
                "figure": f"largest: {worst} {memory[worst]} MB",
                "reference": f"{len(memory)} processes sampled",
                "ratio": round(memory[worst] / MEMORY_LIMIT_MB, 2),
                "bound": "< 1",
                "met": memory[worst] < MEMORY_LIMIT_MB,
            }
        )
    return rows


def table(results: dict) -> str:
    lines = [
        "| goal | measured | against | ratio | bound | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in goals(results):
        lines.append(
            f"| {row['goal']} | {row['figure']} | {row['reference']} | {row['ratio']} "
            f"| {row['bound']} | {'yes' if row['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def figures(results: dict) -> str:
    """Every figure measured, for the record."""
    out = []
    for item in results.get("raw_inserts", []):
        out.append(
            f"- pymongo insert_one, {item['threads']} thread(s): **{item['per_second']}/s** "
            f"({item['inserts']} in {item['seconds']} s)"
        )
    if "raw_broker" in results:
        b = results["raw_broker"]
        out.append(
            f"- kombu publish (confirms, persistent) → consume (prefetch 32, ack each): "
            f"**{b['per_second']} messages/s** ({b['messages']} in {b['seconds']} s)"
        )
    if "ingest_max" in results:
        m = results["ingest_max"]
        out.append(
            f"- ingest, {m['clients']} closed-loop clients for {m['seconds']} s: "
            f"**{m['accepted_per_second']} accepted/s** (2xx), "
            f"**{m['reflected_per_second']} reflected/s** in the appraisal service; "
            f"answer p50 {m['answer_ms_p50']} ms, p99 {m['answer_ms_p99']} ms; errors "
            f"{m['errors'] or 'none'}; backlog drained {m['backlog_drain_seconds']} s "
            f"after the window"
        )
        if m.get("server_ops_per_response"):
            ops = ", ".join(f"{k} {v}" for k, v in m["server_ops_per_response"].items())
            out.append(
                f"- MongoDB server operations per accepted response (serverStatus opcounters, "
                f"whole stack, warm-up to drained): {ops}"
            )
    if "ingest_lag" in results:
        lag = results["ingest_lag"]
        out.append(
            f"- lag at {lag['rate_per_second']}/s (open loop, {lag['seconds']} s, "
            f"{lag['measured']} responses): p50 **{lag['lag_ms_p50']} ms**, p90 "
            f"{lag['lag_ms_p90']} ms, p99 **{lag['lag_ms_p99']} ms**, max "
            f"{lag['lag_ms_max']} ms; never reflected {lag['never_reflected']}; answer p50 "
            f"{lag['answer_ms_p50']} ms, p99 {lag['answer_ms_p99']} ms; poll every "
            f"{lag['poll_ms']:.0f} ms ({lag['late_sends']} sends > 100 ms late)"
        )
    if "gateway" in results:
        g = results["gateway"]
        out.append(
            f"- GET /api/v1{g['path']} ×{g['requests_each']} each way, alternating: "
            f"gateway p50 **{g['gateway_ms_p50']} ms** p99 {g['gateway_ms_p99']} ms; "
            f"direct p50 **{g['direct_ms_p50']} ms** p99 {g['direct_ms_p99']} ms"
        )
    if "recompute" in results:
        r, g, d = results["recompute"], results["group"], results["recompute_dataset"]
        out.append(
            f"- dataset: {d['employees']:,} employees, {d['ratings']:,} ratings "
            f"({d['item_scores']:,} item scores)"
        )
        out.append(
            f"- recompute_cycle, every score changed: **{r['seconds']} s** (runs {r['runs']}, "
            f"warm-up {r['warmup_seconds']} s under pyinstrument); parts of one run: "
            f"{results.get('recompute_parts')}"
        )
        if "nothing_changed_seconds" in r:
            out.append(
                f"- recompute_cycle, nothing changed (no score rewritten): "
                f"**{r['nothing_changed_seconds']} s**"
            )
        out.append(f"- $group: **{g['seconds']} s** (runs {g['runs']}, {g['groups']:,} groups)")
    if "tuning" in results:
        for step in results["tuning"]:
            line = (
                f"- tuning, {step['name']}: before {step['before']} {step.get('unit', 's')}, "
                f"after {step['after']} {step.get('unit', 's')}"
            )
            if "detail" in step:
                line += f"; {step['detail']}"
            out.append(line)
    return "\n".join(out)


def memory_table(results: dict) -> str:
    memory = results.get("memory_mb") or {}
    lines = ["| process | max RSS (MB) |", "| --- | --- |"]
    lines += [f"| {name} | {mb} |" for name, mb in memory.items()]
    return "\n".join(lines)


def cpu_table(cores: dict) -> str:
    lines = ["| process | cores used |", "| --- | --- |"]
    for name, value in sorted(cores.items(), key=lambda kv: -kv[1]):
        if value >= 0.01:
            lines.append(f"| {name} | {value} |")
    return "\n".join(lines)


def _short(frame: str) -> str:
    """ "EventConsumer.apply (kinerja/bus/consumer.py)" -> "EventConsumer.apply (consumer.py)"."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1]}" if where else name


def write(results: dict, path: Path) -> None:
    """The generated part of RESULTS.md: between the markers; the rest is kept as written."""
    m = results.get("machine", {})
    generated = [
        "<!-- generated by `make bench` (bench/report.py): edits inside are overwritten -->",
        f"Run: {results.get('started_at')} → {results.get('finished_at')} "
        f"({results.get('total_seconds')} s){' — QUICK run' if results.get('quick') else ''}",
        "",
        f"- Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gb')} GB RAM; "
        f"load average (1, 5, 15 min) at start {m.get('load_average_at_start')}, at end "
        f"{m.get('load_average_at_end')} (the machine is shared)",
        f"- OS: {m.get('os')}; Python {m.get('python')}",
        f"- MongoDB: {m.get('mongodb', 'embedded SecantusDB')}, SecantusDB package "
        f"{m.get('secantusdb_package')}; pymongo {m.get('pymongo')}",
        f"- Broker: {results.get('broker')}; kombu {m.get('kombu')}",
        f"- Stack: {results.get('stack')}; gunicorn {m.get('gunicorn')}",
        "",
        "### Goals",
        "",
        table(results),
        "",
        "### Figures",
        "",
        figures(results),
        "",
        "### Resident memory under load (max per process)",
        "",
        memory_table(results),
    ]
    cores = (results.get("ingest_max") or {}).get("cpu_cores_by_process")
    if cores:
        generated += [
            "",
            "### CPU by process during the maximum-throughput window",
            "",
            cpu_table(cores),
        ]
    profile = results.get("profile_ingest")
    if profile:
        generated += [
            "",
            "### py-spy under ingest load",
            "",
            "Shares of each process's samples (py-spy skips idle threads, but a thread blocked "
            "reading a socket counts: that is the *waiting* share). *Own code*: the project's "
            "frames anywhere on the stack (inclusive). For the database server, its busy "
            "samples by command. Raw stacks: `bench/profiles/ingest/`.",
            "",
            "| process | cores | samples | waiting on I/O | busiest own code (inclusive) "
            "| busiest leaf frames (self) |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        cores = profile.get("cpu_cores_by_process", {})
        for name, summary in profile["py_spy"].items():
            own = "; ".join(f"{_short(f)} {s:.0%}" for f, s in summary.get("own_code", [])[:4])
            if summary.get("commands"):
                own = "commands: " + "; ".join(f"{f} {s:.0%}" for f, s in summary["commands"][:5])
            top = "; ".join(f"{_short(f)} {s:.0%}" for f, s in summary["self"][:3])
            waiting = summary.get("waiting_share", summary.get("idle_or_blocked_share", 0))
            generated.append(
                f"| {name} | {cores.get(name, '')} | {summary['samples']} | {waiting:.0%} "
                f"| {own} | {top} |"
            )
    if results.get("error"):
        generated += ["", "### The run failed", "", "```", results["error"][-3000:], "```"]
    generated.append("<!-- end of generated part -->")
    block = "\n".join(generated)
    start, end = "<!-- generated by", "<!-- end of generated part -->"
    if path.exists() and start in path.read_text():
        text = path.read_text()
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        path.write_text(before + block + after)
    else:
        path.write_text(
            "# Kinerja360 benchmark (issue 11)\n\n`make bench` (see bench/run.py); "
            "figures below are from the last full run.\n\n" + block + "\n"
        )


if __name__ == "__main__":
    # Rewrite the generated part of RESULTS.md from results.json (after changing this file).
    import json

    here = Path(__file__).resolve().parent
    write(json.loads((here / "results.json").read_text()), here / "RESULTS.md")
