# Two entry points: `make run` and `make test`. Each creates or refreshes .venv from
# pyproject.toml by itself (a stamp file tracks when pyproject.toml last changed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Until the window exists: build the demo township in a fresh database and print its cases.
DEMO_DB := .run/demo.sqlite3
run: $(STAMP)
	mkdir -p .run
	$(BIN)/doudi-admin --db sqlite:///$(DEMO_DB) demo --fresh

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check doudi_desk tests

clean:
	rm -rf $(VENV) .run .pytest_cache build *.egg-info
