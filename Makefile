# Two entry points: `make run` and `make test`. Each creates or refreshes .venv from
# pyproject.toml by itself (a stamp file tracks when pyproject.toml last changed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test test-pg venv lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# The window, on the database in the user data folder (first start offers set-up or the demo).
# On a Linux desktop doudi-desk first checks the system libraries Qt needs and, where some are
# missing, names the Debian packages to install instead of letting Qt abort.
run: $(STAMP)
	$(BIN)/doudi-desk

# The demo township in a fresh database of its own, printed as a summary, then the window on it.
DEMO_DB := .run/demo.sqlite3
demo: $(STAMP)
	$(BIN)/doudi-desk --check-desktop
	mkdir -p .run
	$(BIN)/doudi-admin --db sqlite:///$(DEMO_DB) demo --fresh
	$(BIN)/doudi-desk --db sqlite:///$(DEMO_DB)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# The integration tests again, each on a fresh PostgreSQL database (needs DOUDI_TEST_PG_URL, which
# .ci/run sets after starting a server; see tests/pg_support.py).
PG_SUITE := tests/integration/test_dibao_paths.py tests/integration/test_tekun_temporary.py \
	tests/integration/test_lifecycle.py tests/integration/test_monitoring.py tests/integration/test_privacy.py \
	tests/gui/test_queries.py tests/integration/test_statistics.py tests/integration/test_campaigns.py \
	tests/integration/test_payroll.py tests/integration/test_payroll_cycle.py \
	tests/integration/test_import_export.py tests/integration/test_disability_allowance.py \
	tests/integration/test_batch.py tests/integration/test_printing.py tests/integration/test_search.py \
	tests/integration/test_list_paging.py tests/integration/test_audit_log.py tests/integration/test_case_writer.py \
	tests/integration/test_create_office.py tests/integration/test_payroll_county_lines.py
test-pg: $(STAMP)
	@test -n "$$DOUDI_TEST_PG_URL" || { echo "DOUDI_TEST_PG_URL is not set (.ci/run sets it)"; exit 2; }
	QT_QPA_PLATFORM=offscreen DOUDI_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q $(PG_SUITE) \
		-k "not reopening_the_database"

lint: $(STAMP)
	$(BIN)/ruff check doudi_desk tests

clean:
	rm -rf $(VENV) .run .pytest_cache build *.egg-info
