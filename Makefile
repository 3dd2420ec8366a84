# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate lint format ci worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(STAMP): $(BIN)/python requirements/base.txt requirements/local.txt requirements/production.txt
	$(BIN)/python -m pip install --quiet -r requirements/local.txt
	touch $(STAMP)

install: $(STAMP)

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
	$(BIN)/celery -A config.celery_app worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config.celery_app beat --loglevel=INFO

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
