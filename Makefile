# Consortium Ledger: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CONSORTIUM_DATA_DIR ?= var

.PHONY: run test lint security install bench i18n-extract i18n-update clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/consortium demo --if-empty
	$(BIN)/consortium serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Static security checks of our code (bandit, settings in pyproject.toml) and known
# vulnerabilities of the installed dependencies (pip-audit; see the script for what
# happens when its vulnerability service cannot be reached). The benchmark (web/bench)
# is left out: a developer tool the app never imports (an import contract checks it)
# that starts its own processes and builds SQL from its own table names by design.
security: $(STAMP)
	$(BIN)/bandit -q -c pyproject.toml -r governance projections notifications web -x tests,web/bench
	$(BIN)/python scripts/pip_audit_check.py

test: lint security
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no test"; exit 1; fi; exit $$status

# The benchmark: a synthetic history measured against this machine's limits.
# make bench BENCH_ARGS="--events 1000000" (or --database-url postgresql://…)
BENCH_ARGS ?= --events 10000
bench: $(STAMP)
	$(BIN)/consortium bench $(BENCH_ARGS)

# Translations: extract the English messages, then merge them into the French catalogue.
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k ngettext_:1,2 --ignore-dirs '.* __pycache__' -o web/translations/messages.pot --no-location --sort-output .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations -l fr --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var
