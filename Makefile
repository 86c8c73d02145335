# auditconsole: `make run` serves the demo console, `make test` runs everything CI runs.
#
# Two supported Django versions, one virtualenv each (constraints/ pins each one's Django
# and the matching django-stubs):
#   .venv           Django 5.2 LTS on $(PYTHON), 3.11 or newer: the lint step, then every
#                   test on SQLite (browser and packaging tests included), then on PostgreSQL.
#   .venv-django61  Django 6.1 on the newest Python 3.12+ found (Django 6 needs 3.12): mypy
#                   against 6.1's stubs, then every test on SQLite, browser walks included.
# Without a Python 3.12+ the Django 6.1 pass is announced and skipped, under CI=true too: Debian
# 12 ships 3.11 only, and a fresh machine with nothing else must still run the 5.2 passes.
# On the 2-core CI machine (2026-12-08, 2,260 tests): Django 5.2 on SQLite 9-10 min, on
# PostgreSQL 6 min, Django 6.1 on SQLite 9-10 min; 24-30 min in all from a fresh clone,
# virtualenvs and both mypy passes included (18 min on the faster machine of 2026-12-07).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
VENV61  := .venv-django61
PY61    := $(VENV61)/bin/python
STAMP61 := $(VENV61)/.installed-dev
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Only the browser/packaging-free part of the suite runs a second time on PostgreSQL.
PG_PYTEST_ARGS ?= -m "not browser and not packaging"
# Everything runs on Django 6.1 too (the CSP walk among the browser tests).
DJANGO61_PYTEST_ARGS ?=
# Writes the real audit-log records LogSourceTrail is tested on. Installed --no-deps: it pins
# Django<6, yet the formatter the tests import is plain logging (no Django import at all).
NODEPS_DEV := "django-activity-audit>=1.2,<2"

.PHONY: install install-django61 run demo test lint bench clean

$(STAMP): pyproject.toml constraints/django-5.2.txt
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv is unavailable; installing python3-venv with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]" -c constraints/django-5.2.txt
	$(PY) -m pip install -q --no-deps $(NODEPS_DEV)
	@touch $(STAMP)

# Builds .venv-django61 when a Python 3.12+ exists; says so and leaves it out otherwise.
$(STAMP61): pyproject.toml constraints/django-6.1.txt
	@python=$$($(PYTHON) -m tests.services python 3.12) || { \
	  $(PYTHON) -c 'from tests.services import loud; loud("No Python 3.12 or newer found, and Django 6.1 needs one: make test SKIPS the Django 6.1 pass, make run uses Django 5.2.")'; \
	  exit 0; }; \
	echo "Django 6.1 runs on $$python"; \
	$$python -m venv $(VENV61) && \
	$(PY61) -m pip install -q --upgrade pip && \
	$(PY61) -m pip install -q -e ".[dev]" -c constraints/django-6.1.txt && \
	$(PY61) -m pip install -q --no-deps $(NODEPS_DEV) && \
	touch $(STAMP61)

install: $(STAMP)

install-django61: $(STAMP61)

# The standalone console on the newest Django there is: 6.1 when a Python 3.12+ exists,
# else 5.2 in .venv (only the virtualenv it runs in is built). Served over ASGI by uvicorn
# (reloading on code changes), so the live tail pushes its lines (docs/tail.md).
RUN_PY = $$(test -f $(STAMP61) && echo $(PY61) || echo $(PY))

demo:
	@$(MAKE) --no-print-directory $(STAMP61)
	@test -f $(STAMP61) || $(MAKE) --no-print-directory $(STAMP)
	DEBUG=1 $(RUN_PY) manage.py migrate --noinput
	DEBUG=1 $(RUN_PY) manage.py auditconsole_demo

run: demo
	@echo ""
	@echo "  auditconsole is starting on http://$(HOST):$(PORT)/ (Django $$($(RUN_PY) -m django --version))"
	@echo "  demo logins:  admin/admin (superuser)  support/support (support agent)  staff/staff (no console access)"
	@echo ""
	@DEBUG=1 $(RUN_PY) manage.py auditconsole_demo_writer & writer=$$!; \
	  trap 'kill $$writer 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(RUN_PY) -m uvicorn project.asgi:application --host $(HOST) --port $(PORT) \
	    --reload --reload-dir auditconsole --reload-dir project --reload-dir templates

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --cache-dir $(VENV)/.mypy_cache

test: $(STAMP) $(STAMP61)
	$(PY) -m tests.services ensure
	$(MAKE) --no-print-directory lint
	@if [ -f $(STAMP61) ]; then set -x; $(VENV61)/bin/mypy --cache-dir $(VENV61)/.mypy_cache; fi
	rm -f .coverage .coverage.*
	$(PY) -m pytest --cov --cov-report= --cov-fail-under=0
	$(PY) -m tests.services postgres -- $(PY) -m pytest --cov --cov-append --cov-report= --cov-fail-under=0 $(PG_PYTEST_ARGS)
	@if [ -f $(STAMP61) ]; then set -x; \
	  $(PY61) -m pytest --cov --cov-append --cov-report= --cov-fail-under=0 $(DJANGO61_PYTEST_ARGS); fi
	$(PY) -m coverage report

# Every benchmark pair on SQLite then PostgreSQL, then docs/benchmarks.md (docs/benchmarks.md
# says how). Small defaults (about 10 minutes on 2 cores); the note's figures come from e.g.
#   make bench BENCH_ARGS="--rows 1000000 --log-size 1G"
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(VENV61) var .coverage .coverage.* dist build
