# kundebot: `make run` starts the console on demo data, `make test` runs the whole suite (SQLite + PostgreSQL).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test lint bench postgres mailserver clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("kundebot needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Seed demo data on first run (SQLite under the user's data directory unless DATABASE_URL is set), then chat.
run: $(STAMP)
	$(BIN)/kundebot demo-data --if-empty
	$(BIN)/kundebot chat

## The whole suite, every store test on SQLite and on a throw-away PostgreSQL on 127.0.0.1; the mail tests on a
## throw-away Dovecot on 127.0.0.1.
test: $(STAMP) postgres mailserver
	$(BIN)/python -m pytest -q

postgres:
	@scripts/ensure-postgres

mailserver:
	@scripts/ensure-mailserver

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy store registry bot

bench: $(STAMP)
	$(BIN)/python -m bench.kpi $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench/.data
