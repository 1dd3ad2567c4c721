# Integration Hub. `make run` serves the app; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-runtime
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test test-postgres lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

.env:
	$(PYTHON) scripts/make_env.py

run: $(STAMP_RUN) .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py ensure_groups
	bash scripts/run.sh

test: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# The suite again on PostgreSQL (the multi-machine path); browser tests run in `test`.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: $(STAMP_DEV)
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -m "not browser"

# The production smoke test: deploys as docs/deploy.md says, then Chromium uses every page.
.PHONY: smoke
smoke: $(STAMP_DEV)
	$(BIN)/python scripts/smoke_test.py

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP_DEV)
	@for f in bench/*.py; do \
		[ "$$f" = bench/common.py ] && continue; \
		echo "== $$f"; $(BIN)/python $$f || exit 1; \
	done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
