"""What an idle stack costs: `python -m bench.idle [--minutes 10]`.

Starts `kinerja up` on its embedded defaults (what `make run` runs: SecantusDB, kombu's
filesystem transport), lets it settle, then measures every process's CPU time over the
idle window (nobody sends a request) and writes bench/IDLE.md: cores used per process and
in all, 1.0 being one core busy the whole time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import procs, report

HERE = Path(__file__).resolve().parent
SETTLE_SECONDS = 30  # indexes built, first relay passes done


def measure(minutes: float, say=print) -> tuple[dict[str, float], float]:
    sys.path.insert(0, str(HERE.parent))
    from kinerja360.harness import Stack, clean_env

    work = Path(tempfile.mkdtemp(prefix="kinerja-idle-"))
    stack = Stack(work / "data", clean_env())
    stack.start()
    try:
        say(f"stack ready on {stack.url()}; settling {SETTLE_SECONDS} s")
        time.sleep(SETTLE_SECONDS)
        named = procs.processes(stack.port, procs.mongo_pid_of(work / "data"))
        before, started = procs.cpu_seconds(named), time.monotonic()
        window = minutes * 60
        while (elapsed := time.monotonic() - started) < window:
            time.sleep(min(60.0, window - elapsed))
            say(f"  idle {time.monotonic() - started:.0f} of {window:.0f} s")
        wall = time.monotonic() - started
        shares = procs.cpu_share(before, procs.cpu_seconds(named), wall)
        shares.pop("bench harness", None)
        return shares, wall
    finally:
        stack.stop()


def markdown(shares: dict[str, float], wall: float) -> str:
    machine = report.machine()
    lines = [
        "# An idle stack's CPU (`python -m bench.idle`)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d}, {machine.get('cores')} cores ({machine.get('cpu')}), "
        f"embedded defaults, {wall / 60:.1f} idle minutes; cores used (1.0 = one core busy).",
        "",
        "| process | cores |",
        "|---|---|",
        *(f"| {name} | {share:.4f} |" for name, share in sorted(shares.items())),
        f"| **all {len(shares)} processes** | **{sum(shares.values()):.4f}** |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    minutes = parser.parse_args().minutes
    shares, wall = measure(minutes)
    text = markdown(shares, wall)
    (HERE / "IDLE.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
