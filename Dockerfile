# One image for every Kinerja360 process. What it runs is chosen by the command:
#   web:    gunicorn --config python:kinerja.gunicorn_conf "<module>:create_app()"
#   worker: kinerja worker <service> --metrics-port 9100
# The default command runs the gateway's web process.

# --- build: install the project and its dependencies into a virtualenv -------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml ./
COPY kinerja ./kinerja
COPY services ./services
COPY gateway ./gateway
# The runtime dependencies only: no test or embedded-database extras.
RUN pip install .

# --- runtime: the virtualenv, a non-root user, WeasyPrint's libraries --------
FROM python:3.11-slim AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics

# The gateway renders the PDF printouts with WeasyPrint, which loads Pango (text
# layout) at run time; DejaVu Sans is the printouts' font (print.css). The apt
# lists are removed in the same layer so they never reach the image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A real home: gunicorn (25.1+) puts its control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 kinerja \
    && useradd --system --uid 10001 --gid kinerja --create-home \
        --home-dir /home/kinerja --shell /usr/sbin/nologin kinerja \
    && install -d -o kinerja -g kinerja /tmp/metrics \
    && install -d /app

COPY --from=build /opt/venv /opt/venv

USER kinerja
WORKDIR /app

# 8000: web (API, /healthz, /readyz, /metrics); 9100: a worker's /metrics.
EXPOSE 8000 9100

# Liveness of the web process; compose overrides it for workers (their :9100/metrics).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["gunicorn", "--config", "python:kinerja.gunicorn_conf", "gateway.app:create_app()"]
