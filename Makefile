# Consortium Ledger: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The application alone (what `make run` and a real instance need), then the
# development tools on top of it (what `make test` needs).
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed
# The lock: every package CI and developers install, pinned (see `make lock`).
CONSTRAINTS := requirements/constraints.txt
LOCK_VENV := .venv-lock
# `make run`: the demo, in a data directory of its own, on this port.
PORT ?= 8000
DEMO_DIR ?= $(CURDIR)/var/demo

.PHONY: run test lint security install install-runtime lock check-wheel bench i18n-extract i18n-update clean

# Installs exactly the locked versions, build backend included (--build-constraint),
# so an upstream release cannot change a run; pyproject.toml keeps the ranges that
# people who `pip install` the package get.
$(RUNTIME): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) pip setuptools
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) --build-constraint $(CONSTRAINTS) -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) --build-constraint $(CONSTRAINTS) -e ".[dev]"
	touch $(STAMP)

# The application and its runtime dependencies only: no test tools, no browser.
install-runtime: $(RUNTIME)

# Everything a developer needs: the runtime, then the dev extra (tests, linters).
install: $(STAMP)

# The demo, away from any real instance: its own data directory (DEMO_DIR), SQLite,
# e-mails to DEMO_DIR/mailbox.mbox, its own keys. Every CONSORTIUM_* variable of the
# caller's environment is left out, so a real store, SMTP server or signing key
# configured in this shell is never touched by the demo.
run: $(RUNTIME)
	@env $$(env | sed -n 's/^\(CONSORTIUM_[A-Z0-9_]*\)=.*/-u \1/p') \
		CONSORTIUM_DATA_DIR="$(DEMO_DIR)" CONSORTIUM_BASE_URL="http://127.0.0.1:$(PORT)" \
		sh -c '$(BIN)/consortium demo --if-empty && exec $(BIN)/consortium serve --port "$(PORT)"'

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

# Refresh the lock: the newest release of every package within pyproject.toml's
# ranges (dev extra and build backend included), resolved for this Python, by
# pip-tools in a venv of its own. Review the diff, run `make test`, commit.
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip-tools==7.7.0
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --upgrade \
		--extra dev --all-build-deps --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-trusted-host --no-emit-find-links \
		--output-file $(CONSTRAINTS) pyproject.toml

# The package as users get it: build the wheel, install it in a fresh venv, run it.
check-wheel: $(STAMP)
	bash scripts/check_wheel.sh

# The benchmark: a synthetic history measured against this machine's limits.
# make bench BENCH_ARGS="--events 1000000" (or --database-url postgresql://…); the
# run's tables replace its own section of docs/performance.md (BENCH_OUTPUT).
BENCH_ARGS ?= --events 10000
BENCH_OUTPUT ?= docs/performance.md
bench: $(STAMP)
	$(BIN)/consortium bench $(BENCH_ARGS) --output $(BENCH_OUTPUT)

# Translations: extract the English messages, then merge them into the French catalogue.
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k ngettext_:1,2 --ignore-dirs '.* __pycache__' -o web/translations/messages.pot --no-location --sort-output .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations -l fr --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) $(LOCK_VENV) var
