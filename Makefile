# TrustLab: `make demo` serves the demo study, `make test` runs the whole test suite.
# Both create .venv and install what they need on a fresh machine.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Which design's demo `make demo` seeds: gaube2021, gaube2023, prinster2024, dratsch2023, reveal
# or all (study.core.design_templates).
DESIGN ?= gaube2021
# The demo runs with DEBUG on and a throw-away key; production sets its own (see README).
DEMO_ENV := DEBUG=1
TEST_ENV := DEBUG=1 SECRET_KEY=test-only-secret-key

.PHONY: install demo test test-fast serve worker beat lint format bench drill clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# CHOLMOD where SuiteSparse's headers are installed (make test needs it; make demo does not).
	if [ -e /usr/include/suitesparse/cholmod.h ]; then $(PY) -m pip install --quiet -e ".[dev,sparse]"; fi
	touch $(STAMP)

# axe-core for the browser accessibility tests (package.json, pinned; never served to anyone).
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo_seed --design $(DESIGN) --base-url http://$(HOST):$(PORT)
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Every test but the timing-sensitive benchmarks' runs on three workers (pytest-xdist, a test
# database per worker, one file per worker at a time; the browser tests wait on Chromium, so a
# third worker keeps both cores busy; measured: 826 s for this part with three); those (marked serial: tests/bench) run
# alone afterwards. `make test` fails if either part fails.
TEST_JOBS ?= 3

test: $(STAMP) $(NODE_STAMP)
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_JOBS) --dist loadfile -m "not serial"
	$(TEST_ENV) $(PY) -m pytest -m serial

test-fast: $(STAMP)
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_JOBS) --dist loadfile -m "not e2e and not serial"

# Production: set SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS (see README), then `make serve`.
# gunicorn reads deploy/gunicorn.conf.py (gthread workers, timeouts, request limits, redacted
# access log) and binds the loopback address unless HOST says otherwise: put nginx in front
# (deploy/nginx.conf), never expose gunicorn directly.
GUNICORN_CONF ?= deploy/gunicorn.conf.py
serve: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn --config $(GUNICORN_CONF) --bind $(HOST):$(PORT)

# A Celery worker for the background jobs (reports, power runs, imports, bundles, e-mail):
# CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make worker, on any number of hosts sharing the
# database and the media storage; `make beat` (one per site) sends the reminders that are due.
WORKER_CONCURRENCY ?= 2
worker: $(STAMP)
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=$(WORKER_CONCURRENCY)

beat: $(STAMP)
	mkdir -p var && $(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=$(or $(BEAT_SCHEDULE_FILE),var/celerybeat-schedule)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	@for bench in tests/bench/bench_*.py; do echo "== $$bench"; $(TEST_ENV) $(PY) $$bench; done

# The fault drill (as root, PostgreSQL on 127.0.0.1:5432; DRILL_ARGS=--quick for a minute):
# a killed worker, terminated database connections and a full media disk under bot traffic;
# prints what was acknowledged, stored, lost, duplicated and half-written.
drill: $(STAMP)
	$(PY) tests/bench/drill.py $(DRILL_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 media staticfiles .pytest_cache
