# Two entry points: `make run` and `make test`. Each creates or refreshes .venv from
# pyproject.toml by itself (a stamp file tracks when pyproject.toml last changed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test venv lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# The window, on the database in the user data folder (first start offers set-up or the demo).
run: $(STAMP)
	$(BIN)/doudi-desk

# The demo township in a fresh database of its own, printed as a summary, then the window on it.
DEMO_DB := .run/demo.sqlite3
demo: $(STAMP)
	mkdir -p .run
	$(BIN)/doudi-admin --db sqlite:///$(DEMO_DB) demo --fresh
	$(BIN)/doudi-desk --db sqlite:///$(DEMO_DB)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check doudi_desk tests

clean:
	rm -rf $(VENV) .run .pytest_cache build *.egg-info
