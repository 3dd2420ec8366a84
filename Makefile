# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install lock lock-check migrate lint format ci worker beat clean

# requirements/*.in list the direct dependencies; requirements/*.txt are compiled
# from them by `make lock` (uv pip compile: every transitive package pinned, with
# hashes) and are what gets installed. Order matters: local and production are
# constrained by base.txt so all three agree on the shared packages.
LOCKS  := requirements/base.txt requirements/production.txt requirements/local.txt
COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a compiled requirements file changed. The hashes in the
# lock files make pip verify every download.
$(STAMP): $(BIN)/python $(LOCKS)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/local.txt
	touch $(STAMP)

install: $(STAMP)

# After editing a requirements/*.in file: recompile the lock files (keeps every
# other pin where it is), then `make install`.
lock: install
	for name in base production local; do \
		$(COMPILE) requirements/$$name.in -o requirements/$$name.txt || exit 1; \
	done

# Fails when a lock file is not what its .in compiles to (an .in edited without `make lock`).
lock-check: install
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp requirements/*.txt "$$tmp"/; \
	for name in base production local; do \
		$(COMPILE) --no-header requirements/$$name.in -o "$$tmp/$$name.txt" || exit 1; \
		tail -n +3 requirements/$$name.txt | diff -u - "$$tmp/$$name.txt" \
			|| { echo "requirements/$$name.txt is stale: run make lock" >&2; exit 1; }; \
	done

migrate: install
	$(MANAGE) migrate --noinput

run: migrate
	$(MANAGE) load_demo_data
	$(MANAGE) ensure_local_admin --url http://$(HOST):$(PORT)/admin/
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/celery -A config.celery_app worker --loglevel=INFO

beat: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(BIN)/celery -A config.celery_app beat --loglevel=INFO

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
