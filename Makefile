# The two set-up commands: `make run` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8080
DATA_DIR ?= .kinerja
# `make load`: locust's users, spawn rate (users/s) and run time; LOAD_URL: a running demo stack
LOAD_USERS ?= 20
LOAD_SPAWN_RATE ?= 4
LOAD_TIME ?= 60s
LOAD_URL ?=
LOAD_REPORT ?= load/report
# `make bench BENCH_QUICK=1`: the harness's short run
BENCH_QUICK ?=
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format translations bench fairness load clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install  ## start the whole platform with demo data
	$(BIN)/kinerja up --demo --port $(PORT) --data-dir $(DATA_DIR)

test: install  ## the whole test suite, against real MongoDB-compatible and RabbitMQ servers
	scripts/ensure-rabbitmq.sh
	scripts/ensure-system-packages.sh
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After changing the UI's texts: collect them, merge into the English catalogue, compile.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o gateway/ui/translations/messages.pot gateway/ui
	$(BIN)/pybabel update -i gateway/ui/translations/messages.pot -d gateway/ui/translations -l en
	$(BIN)/pybabel compile -d gateway/ui/translations

# The performance harness (issue 11): a fresh stack on free ports (RabbitMQ at AMQP_URL when
# it answers, else the embedded defaults), every measurement after a warm-up; writes
# bench/results.json and the table in bench/RESULTS.md. BENCH_QUICK=1: a short check run
# (bench/results.quick.json, bench/RESULTS.quick.md).
bench: install
	BENCH_QUICK=$(BENCH_QUICK) $(BIN)/python -m bench

# The fairness benchmark of the appraisal methods (bench/fairness.py), printed as Markdown;
# FAIRNESS_ARGS e.g. "--size medium --seeds 10 --reference".
fairness: install
	$(BIN)/python -m bench fairness $(FAIRNESS_ARGS)

# The locust profile (load/), headless and bounded, against a fresh demo stack on free ports
# (or LOAD_URL); the report lands in LOAD_REPORT; fails when any request failed.
load: install
	$(BIN)/python -m load.run --users $(LOAD_USERS) --spawn-rate $(LOAD_SPAWN_RATE) \
		--run-time $(LOAD_TIME) --report-dir $(LOAD_REPORT) $(if $(LOAD_URL),--url $(LOAD_URL))

clean:
	rm -rf $(VENV) $(DATA_DIR) build *.egg-info
