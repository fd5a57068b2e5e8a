# klyngeadmin — developer entry points.
#   make run    start everything locally (PostgreSQL, Celery worker + beat, dev server)
#   make test   service check, lint, migrations check, then the test suite (PYTEST_ARGS=...)

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The interpreter the venv is made from: the system's /usr/bin/python3 when it is 3.11+ and has
# its venv module (Debian's python3-venv), else the python3 on PATH; PYTHON_BOOTSTRAP=... picks
# another. Debian builds CPython with profile-guided and link-time optimisation: the whole suite
# used 18 % less wall time and CPU on it than on a pyenv build of 3.11 without them (issue 19).
PYTHON_BOOTSTRAP ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.klyngeadmin-install-stamp
NPM_STAMP := node_modules/.klyngeadmin-install-stamp
PYTEST_ARGS ?=
# Four processes on the two cores (a browser test's time is shared with Chromium, a worker
# test's with Celery and sleeps - the Redis outage test waits a minute - so with three the
# cores idled 50 core-seconds a run, with four 15): the demo-data tests run in order on one
# (their xdist group, tests/conftest.py), everything else wherever there is room.
# PYTEST_XDIST= runs serially.
PYTEST_XDIST ?= -n 4 --dist loadgroup

# Python keeps its bytecode cache (__pycache__/, git-ignored) also where the shell exports
# PYTHONDONTWRITEBYTECODE: without it every process of a test run - each xdist worker, Celery
# worker and manage.py subprocess - compiles the project again, and pytest rewrites every test
# module's asserts again (collection: 14 s of CPU per process without the cache, 5.5 s with).
unexport PYTHONDONTWRITEBYTECODE

LOCK := requirements-dev.txt
PROD_LOCK := requirements.txt

.PHONY: help install run test check-services lint migrations-check bench schema messages \
	system-deps audit lock

help:
	@echo "make run               start the app locally on http://127.0.0.1:8000/"
	@echo "make test              service check, ruff, migrations check, pytest (PYTEST_ARGS=...)"
	@echo "make install           create .venv and node_modules (quick when nothing changed)"
	@echo "make lint              ruff check . and the import-layer contract (lint-imports)"
	@echo "make migrations-check  fail if models and migrations disagree"
	@echo "make bench             performance benchmarks (bench/)"
	@echo "make schema            write docs/openapi.yaml (drf-spectacular)"
	@echo "make messages          update locale/en (makemessages), then compile it (needs gettext)"
	@echo "make audit             pip-audit of the locked dependencies (needs the network)"
	@echo "make lock              re-resolve requirements.txt and requirements-dev.txt (hashed)"

# ---------------------------------------------------------------------------------------------
# install: a venv and node_modules, each redone only when its manifest is newer than its stamp.

install: $(PIP_STAMP) $(NPM_STAMP)

$(PY):
	$(PYTHON_BOOTSTRAP) -m venv $(VENV)

# Installed from the hashed lock (requirements-dev.txt = requirements.txt + the dev tools),
# so every machine gets the same versions; `make lock` re-resolves it from pyproject.toml.
$(PIP_STAMP): $(LOCK) | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --require-hashes --no-deps -r $(LOCK)
	@touch $@

# The system packages (xmlsec1, chromium-headless-shell, gettext, npm, caddy): installed with apt-get when missing
# and root on Debian, else stop at once with the one command to run (scripts/system_deps.sh).
system-deps:
	@bash scripts/system_deps.sh test

# npm ci when the lock is current; npm install when there is no lock or package.json changed
# after it (that updates package-lock.json, which is committed).
$(NPM_STAMP): package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ] && [ package-lock.json -nt package.json ]; then \
		echo "npm ci"; npm ci --no-audit --no-fund; \
	else \
		echo "npm install"; npm install --no-audit --no-fund; \
	fi
	@touch $@

# ---------------------------------------------------------------------------------------------

run:
	@bash scripts/system_deps.sh run
	@$(MAKE) --no-print-directory install
	$(PY) scripts/devserver.py

check-services: install
	$(PY) scripts/check_services.py

# ruff, then the import contract (import-linter, pyproject.toml): an upward import fails the build.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# pytest's exit code 5 means "no tests collected": a failure here, never a silent pass.
test: system-deps
	@$(MAKE) --no-print-directory check-services lint migrations-check
	@set +e; $(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit code 5) - failing." >&2; fi; \
	exit $$rc

bench: check-services
	@set -e; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f; done

schema: install
	$(PY) manage.py spectacular --file docs/openapi.yaml

# The English catalogue: new strings appear untranslated in locale/en/LC_MESSAGES/django.po;
# translate them, then run this again to compile (tests/test_i18n.py checks both).
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=bench \
	--ignore=scripts --ignore=test-results --ignore=docs
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete $(I18N_IGNORE)
	$(PY) manage.py compilemessages -l en

# Known vulnerabilities in the locked dependencies (pip-audit asks the PyPI/OSV vulnerability
# service, so it needs the network and is not part of `make test`; docs/operations.md).
# --strict: a package the service cannot look up fails the audit instead of being skipped.
audit: install
	$(VENV)/bin/pip-audit --strict --require-hashes --disable-pip -r $(PROD_LOCK)
	$(VENV)/bin/pip-audit --strict --require-hashes --disable-pip -r $(LOCK)

# Re-resolve the locks from pyproject.toml's bounded ranges (pip-tools, in the venv).
lock: install
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		-o $(PROD_LOCK) pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--extra dev -o $(LOCK) pyproject.toml
