"""gunicorn settings shared by every service's web process.

Prometheus multiprocess mode: the folder is wiped when the master starts and a
dead worker's live gauges are dropped when it exits.
"""

import os
import shutil

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
