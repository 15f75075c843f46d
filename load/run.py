"""`make load`: the locust profile, headless and bounded, against a fresh demo stack.

Starts `kinerja up --demo` on free ports in REPORT_DIR/stack/ (unless --url names a running
stack that has the demo data), runs load/locustfile.py headless, writes locust's CSV and
HTML reports and the summary (summary.md, summary.json) into REPORT_DIR, prints the summary,
stops the stack, and exits 1 when any request failed (or none was made).

    python -m load.run [--url URL] [--users 20] [--spawn-rate 4] [--run-time 60s]
                       [--report-dir load/report]
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m load.run", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="", help="a running stack with the demo data")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=4)
    parser.add_argument("--run-time", default="60s", help="locust's form: 60s, 5m, 1h30m")
    parser.add_argument("--report-dir", type=Path, default=HERE / "report")
    args = parser.parse_args(argv)

    report = args.report_dir.resolve()
    _clear(report)

    stack = None
    url = args.url.rstrip("/")
    if not url:
        sys.path.insert(0, str(ROOT))
        from kinerja360.harness import Stack, clean_env

        stack = Stack(report / "stack" / "data", clean_env())
        stack.data_dir.mkdir(parents=True, exist_ok=True)
        print(f"Starting the demo stack on port {stack.port} (log: {stack.output}) ...", flush=True)
        started = time.monotonic()
        try:
            stack.start("--demo")
        except BaseException:
            _stop(stack)
            raise
        url = stack.url()
        print(f"Stack up with demo data in {time.monotonic() - started:.0f} s at {url}", flush=True)
    try:
        code = _locust(args, url, report)
    finally:
        if stack is not None:
            _stop(stack)
    return _verdict(report, code)


def _clear(report: Path) -> None:
    """Remove the previous run's files, and only those: the folder may be any folder."""
    report.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(report / "stack", ignore_errors=True)
    for pattern in ("locust*", "summary.*"):
        for old in report.glob(pattern):
            old.unlink()


def _locust(args, url: str, report: Path) -> int:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        url,
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--stop-timeout",
        "15",
        "--only-summary",
        "--csv",
        str(report / "locust"),
        "--html",
        str(report / "locust.html"),
        "--report-dir",
        str(report),
        "--exit-code-on-error",
        "1",
    ]
    print(
        f"locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.run_time}, "
        f"against {url}",
        flush=True,
    )
    with open(report / "locust.log", "wb") as log:
        return subprocess.call(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def _stop(stack) -> None:
    """SIGTERM, which `kinerja up` turns into a clean stop of its children (SIGINT, what
    Stack.stop sends, is ignored by processes started in the background by a shell)."""
    if stack.process is None or stack.process.poll() is not None:
        return
    print("Stopping the stack ...", flush=True)
    stack.process.send_signal(signal.SIGTERM)
    try:
        stack.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        stack.process.wait()


def _verdict(report: Path, locust_code: int) -> int:
    summary = report / "summary.md"
    if not summary.exists():
        print(f"locust wrote no summary (exit code {locust_code}); see {report / 'locust.log'}")
        return 1
    figures = json.loads((report / "summary.json").read_text())
    print()
    print(summary.read_text())
    print(f"Reports: {report}/ (summary.md, locust.html, locust_*.csv, locust.log)")
    failed, raised = figures["total"]["failures"], len(figures["exceptions"])
    if locust_code != 0 or failed or raised or not figures["total"]["requests"]:
        print(
            f"FAILED: {failed} failed requests, {raised} exceptions, locust exit code {locust_code}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
