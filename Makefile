# The two set-up commands: `make run` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8080
DATA_DIR ?= .kinerja
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format translations bench clean

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

bench: install
	@echo "The benchmark harness arrives with the performance issue." && exit 1

clean:
	rm -rf $(VENV) $(DATA_DIR) build *.egg-info
