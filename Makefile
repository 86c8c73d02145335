# auditconsole: `make run` serves the demo console, `make test` runs everything CI runs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Only the browser/packaging-free part of the suite runs a second time on PostgreSQL.
PG_PYTEST_ARGS ?= -m "not browser and not packaging"

.PHONY: install run demo test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv is unavailable; installing python3-venv with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py auditconsole_demo

run: demo
	@echo ""
	@echo "  auditconsole is starting on http://$(HOST):$(PORT)/"
	@echo "  demo logins:  admin/admin (superuser)  support/support (support agent)  staff/staff (no console access)"
	@echo ""
	@DEBUG=1 $(PY) manage.py auditconsole_demo_writer & writer=$$!; \
	  trap 'kill $$writer 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP)
	$(PY) -m tests.services ensure
	$(VENV)/bin/ruff check .
	rm -f .coverage .coverage.*
	$(PY) -m pytest --cov --cov-report= --cov-fail-under=0
	$(PY) -m tests.services postgres -- $(PY) -m pytest --cov --cov-append --cov-report= --cov-fail-under=0 $(PG_PYTEST_ARGS)
	$(PY) -m coverage report

# Every benchmark pair on SQLite then PostgreSQL, then docs/benchmarks.md (docs/benchmarks.md
# says how). Small defaults (about 10 minutes on 2 cores); the note's figures come from e.g.
#   make bench BENCH_ARGS="--rows 1000000 --log-size 1G"
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .coverage .coverage.* dist build
