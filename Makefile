# The two commands: `make run` (the demo) and `make test` (the whole suite).
# The tools: `make simulate ARGS="--weeks 1"`, `make bench ARGS="pages --cases 2000"`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The simulation and the bench run on PostgreSQL databases of their own, never on the
# product's (the simulation refuses a database holding cases; the bench seeds its cases).
SIM_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk_sim
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk_bench
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(CURDIR)/$(BIN):$(PATH)
export HOST PORT

.PHONY: run test install install-dev assets chromium services lint tools simulate bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-tools: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[tools]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets
tools: $(VENV)/.installed-tools
assets: node_modules/.package-lock.json

# The demo: web + Celery worker + Celery beat in the foreground; Ctrl-C stops all three.
run: export DEBUG ?= 1
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	@if [ "$$DEBUG" != "0" ]; then $(BIN)/python manage.py seed_demo; fi
	@if [ "$$DEBUG" = "0" ]; then $(BIN)/python manage.py collectstatic --noinput -v0; fi
	@echo
	@echo "  Helpdesk on http://$(HOST):$(PORT)/  (health: http://$(HOST):$(PORT)/healthz)"
	@echo
	HELPDESK_STACK_PID=$$$$ exec $(BIN)/honcho start -f helpdesk/Procfile -d . -p $(PORT)

# The tools in production mode on their own database, created and migrated first.
simulate: export DATABASE_URL := $(SIM_DATABASE_URL)
bench: export DATABASE_URL := $(BENCH_DATABASE_URL)
simulate bench: export DEBUG := 0
simulate bench: export ALLOWED_HOSTS ?= testserver
simulate bench: export SECRET_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))")
simulate bench: tools assets
	$(BIN)/python manage.py create_database
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py $@ $(ARGS)

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

# The suite runs against the real PostgreSQL and Redis on localhost.
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk
test: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
test: export SECRET_KEY ?= test-only-secret-key-not-for-production-use-0123456789
test: export DEBUG := 0
test: install-dev chromium
	$(BIN)/python tests/check_services.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r helpdesk cases notifications -lll
	$(BIN)/python tests/check_audit.py
	@echo "Deployment checks on production settings:"
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
		ALLOWED_HOSTS=help.example.com SECURE_SSL_REDIRECT=1 SECURE_HSTS_PRELOAD=1 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/pytest
	@echo "The pages a new user reaches first, again on the embedded default (SQLite):"
	DATABASE_URL=sqlite:///$(CURDIR)/var/embedded.sqlite3 $(BIN)/pytest -m embedded -q -p no:cacheprovider

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
