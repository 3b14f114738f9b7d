# The two commands a newcomer needs: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
# The first interpreter that is Python 3.12 or newer (pyenv honours .python-version).
PYTHON ?= $(shell for c in python3 python3.13 python3.12 python; do \
	$$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; break; }; done)

MAKEMESSAGES := makemessages -l ru --no-location --no-obsolete \
	--ignore=.venv --ignore=staticfiles --ignore=build --ignore=tests --ignore=benchmarks

# Every dependency, pinned with its hashes, for development, tests, CI and benchmarks; the
# production lock holds the site's own. `make upgrade` re-locks both on purpose.
LOCK := requirements-dev.lock
LOCK_ARGS := --universal --generate-hashes --python-version 3.12 --quiet

.PHONY: run test chromium lint format bench messages messages-check upgrade lock-check clean

# The site, and beside it the job that counts each letter's signatures every few seconds.
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py count_signatures & \
	DEBUG=true TASKS_BACKEND=immediate $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed chromium
	$(BIN)/pytest

# The browser tests drive Debian's Chromium; as root on Debian, install it if it is missing.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's Chromium for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; fi
	@[ -x "$(CHROMIUM)" ] || { \
		echo "The browser tests need Chromium: apt-get install chromium (or set CHROMIUM)"; exit 1; }

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the translatable strings into locale/ru, then compile them once translated.
messages: $(VENV)/.installed
	$(BIN)/python manage.py $(MAKEMESSAGES)
	$(BIN)/python manage.py compilemessages -l ru --ignore=.venv

# Fails if a string in the code is missing from the catalogue (checked in a copy of the tree).
messages-check: $(VENV)/.installed
	@copy=$$(mktemp -d) && tar --exclude=./.venv --exclude=./.git --exclude=./staticfiles -cf - . \
	| tar -xf - -C $$copy \
	&& (cd $$copy && $(CURDIR)/$(BIN)/python manage.py $(MAKEMESSAGES) >/dev/null) \
	&& diff -I '^"POT-Creation-Date' $$copy/locale/ru/LC_MESSAGES/django.po locale/ru/LC_MESSAGES/django.po \
	|| { echo "locale/ru is out of date with the code: run make messages"; rm -rf $$copy; exit 1; }; \
	rm -rf $$copy

# The benchmark suite (benchmarks/run.py): PostgreSQL at DATABASE_URL (else the local server),
# Redis, gunicorn, and wrk and nginx, which it installs as root on Debian if they are missing.
bench: $(VENV)/.installed
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { ! command -v wrk >/dev/null || [ ! -x /usr/sbin/nginx ]; }; then \
		echo "Installing wrk and nginx for the benchmark"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null \
		&& { service nginx stop >/dev/null 2>&1 || true; }; fi
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

$(VENV)/.installed: $(LOCK)
	@if [ -z "$(PYTHON)" ]; then \
		echo "Solidarity needs Python 3.12 or newer (3.13 recommended, see .python-version)."; \
		echo "None was found on PATH: install one (for example 'pyenv install 3.13') and run make again."; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	touch $@

# Re-lock every dependency to its newest release within pyproject.toml, then install them.
upgrade: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) --upgrade -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --group dev $(LOCK_ARGS) --upgrade -o $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	touch $(VENV)/.installed
	@echo "Re-locked: review the changes to the locks, run make test, and commit them."

# Fails if pyproject.toml asks for something the locks do not hold (checked in a copy).
lock-check: $(VENV)/.installed
	@copy=$$(mktemp -d) && cp pyproject.toml requirements.lock $(LOCK) $$copy \
	&& (cd $$copy && $(CURDIR)/$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) -o requirements.lock \
		&& $(CURDIR)/$(BIN)/uv pip compile pyproject.toml --group dev $(LOCK_ARGS) -o $(LOCK)) \
	&& diff -q $$copy/requirements.lock requirements.lock && diff -q $$copy/$(LOCK) $(LOCK) \
	|| { echo "The locks are behind pyproject.toml: run make upgrade"; rm -rf $$copy; exit 1; }; \
	rm -rf $$copy

clean:
	rm -rf $(VENV) staticfiles build *.egg-info
