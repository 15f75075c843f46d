"""gunicorn settings shared by every service's web process.

Prometheus multiprocess mode: the folder is wiped when the master starts and a
dead worker's live gauges are dropped when it exits.
"""

import json
import os
import shutil

from gunicorn import util

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
# Idle keep-alive connections live longer than any client's or proxy's reuse of them
# (ingress-nginx keeps upstream connections 60 s, the gateway's pool as long as it likes):
# with gunicorn's default of 2 s, a request sent as the server closes is lost.
keepalive = 75
graceful_timeout = 10
accesslog = None  # the app logs each request as JSON itself


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.environ.get("KINERJA_KEEP_METRICS") != "1":
        shutil.rmtree(folder, ignore_errors=True)
    if folder:
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    from kinerja.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def json_error(sock, status_int, reason, mesg):
    """What gunicorn answers itself, before the app sees the request (a request line over
    limit_request_line: 414, headers it cannot parse: 400 or 431), in the one error shape
    every other answer has, instead of its HTML page."""
    code = reason.lower().replace(" ", "_")
    body = json.dumps({"error": {"code": code, "message": mesg or reason, "fields": {}}})
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, (head + body).encode("latin-1", "replace"))


# the workers, forked from the master that read this file, call util.write_error
util.write_error = json_error
