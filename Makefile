# The returns portal. `make run` serves the demo; `make test` runs every test.
# Set-up is idempotent: stamps make a second run take seconds.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help install lock run serve test test-unit test-integration test-e2e lint format worker services browser db-upgrade seed bench-upload bench-aggregate bench-api-fuzz bench-pages bench-load bench-load-quick restore-check clean

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: pyproject.toml requirements.lock | $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# The pip that Python 3.11 ships (23.2) sometimes refuses a hashed lock whose packages
	@# ask for another's extra (pip-audit's CacheControl[filecache]): use a current pip.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

lock: ## Re-resolve requirements.lock (with hashes) after changing pyproject.toml
	@test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/python -m pip install --quiet uv; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 --quiet -o requirements.lock

$(STAMPS)/npm: frontend/package.json frontend/package-lock.json | $(STAMPS)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/assets: $(STAMPS)/npm frontend/build.mjs $(wildcard frontend/src/*) | $(STAMPS)
	cd frontend && node build.mjs
	@touch $@

install: $(STAMPS)/venv $(STAMPS)/assets ## Create .venv, install the package and build the front-end assets

browser: ## Install the system Chromium for browser tests (apt-get, when missing)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium with apt-get (needed by the browser tests)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

services: ## Start PostgreSQL and Redis on this machine if they are not running
	@sh .ci/ensure-services

db-upgrade: install ## Apply database migrations
	$(BIN)/flask db upgrade

seed: db-upgrade ## Load the demo data (safe to re-run)
	$(BIN)/flask seed-demo
	@# What the daily job would have made by now: a feedback report for every locked month's
	@# return, reviewed or not, and last quarter's (about a minute the first time, then
	@# seconds: reports already made are not made again).
	$(BIN)/flask queue-feedback > instance/queue-feedback.log && grep '^Queued' instance/queue-feedback.log

run: seed ## Serve the app with demo data at http://127.0.0.1:5000 (SQLite, jobs in-process)
	$(BIN)/flask run --host 127.0.0.1 --port 5000

serve: db-upgrade ## Serve in production style: gunicorn with gunicorn.conf.py (see docs/operations.md)
	$(BIN)/gunicorn -c gunicorn.conf.py

worker: install ## Run background workers (WORKER_PROCESSES, default the CPU count; the scheduler in one) (needs REDIS_URL)
	$(BIN)/python -m workers.pool

restore-check: install ## Back up DATABASE_URL with pg_dump, restore it into a scratch database and compare row counts
	$(BIN)/python ops/restore_check.py

test: install browser services ## Run the whole test suite (unit, integration, end-to-end)
	@# The unit tier (a SQLite file per test, nothing shared) runs on every core; the tiers
	@# that share PostgreSQL, Redis and the browser run one test at a time.
	$(BIN)/python -m pytest tests/unit --numprocesses=auto
	$(BIN)/python -m pytest tests/integration tests/e2e

test-unit: install ## Run the unit tests only
	$(BIN)/python -m pytest tests/unit --numprocesses=auto

test-integration: install services ## Run the integration tests (PostgreSQL and Redis)
	$(BIN)/python -m pytest tests/integration

test-e2e: install browser ## Run the browser tests
	$(BIN)/python -m pytest tests/e2e

bench-upload: install services ## Benchmark checking and importing an ASC-WDS upload (5,000 staff, 100,000 training rows; PostgreSQL)
	$(BIN)/python benchmarks/upload.py --import

bench-pages: install services ## Benchmark the busiest pages under gunicorn with wrk, as a ratio to a hello-world app (PostgreSQL, demo data)
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk with apt-get"; (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/pages.py

bench-load: install services ## Load test: 200 providers submitting and 10 commissioners for 5 minutes under gunicorn and 2 RQ workers (locust)
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk with apt-get"; (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/load.py --minutes 5

bench-load-quick: install services ## The load test for 1 minute
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk with apt-get"; (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/load.py --minutes 1

bench-aggregate: install services ## Benchmark the training matrix and 60 packs (PostgreSQL, Redis)
	$(BIN)/python benchmarks/aggregate.py

bench-api-fuzz: install ## Fuzz every API operation from the OpenAPI document (schemathesis, 500 requests each)
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-500} $(BIN)/python -m pytest -p no:cacheprovider tests/unit/api/test_api_document.py -k generated

lint: install ## Check style (ruff), the layers (import-linter), sizes and complexity (radon), and audit the locked dependencies
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python .ci/size_and_complexity.py
	$(BIN)/python .ci/audit.py

format: install ## Reformat with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtual environment, node modules, built assets and stamps
	rm -rf $(VENV) $(STAMPS) frontend/node_modules portal/static *.egg-info
