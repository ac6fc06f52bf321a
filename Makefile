# Colloque — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format check-chromium messages worker clean

# The tasks worker runs beside the server, as in production (emails, their retries, badge
# sheets, programme updates); Ctrl+C stops both.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two processes (pytest-xdist), each with its own test database: the suite takes about half
# the time on two cores. `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= 2
test: install check-chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS)

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

check-chromium:
	@test -x /usr/bin/chromium || { echo "Browser tests need Debian's Chromium: sudo apt-get install chromium"; exit 1; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the French catalogue after changing interface strings (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=node_modules
	$(BIN)/python manage.py compilemessages -l fr --ignore=.venv

worker: install
	$(BIN)/python manage.py db_worker

clean:
	rm -rf $(VENV) node_modules staticfiles
