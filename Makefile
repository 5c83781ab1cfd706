# Two commands on a fresh machine with Python 3.11+:  `make run`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: install run console test test-fast lint fmt bench lock clean

# Installs exactly the versions in requirements-dev.lock (see README, "Зависимости"), then the
# project itself without resolving anything again.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools
	$(PY) -m pip install --quiet -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## the bot: Telegram with BOT_TOKEN, console mode without
	$(PY) -m bot

console: $(STAMP)
	$(PY) -m bot console

test: lint  ## lint, architecture contracts, type checks and the whole test suite
	$(PY) -m pytest

test-fast: $(STAMP)  ## the edit loop: everything but the slow subprocess and fresh-venv tests
	$(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) bench/run_all.py

# Refresh the pins after changing pyproject.toml: the dev lock first, then the runtime lock
# constrained by it, so the image and the test venv run the same versions.
lock: $(STAMP)
	$(PIP_COMPILE) --upgrade --extra dev --output-file requirements-dev.lock pyproject.toml
	$(PIP_COMPILE) --constraint requirements-dev.lock --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
