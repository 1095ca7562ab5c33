# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SERVICES := $(sort $(dir $(wildcard services/*/pyproject.toml)))
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast lint seed bench clean

install: $(STAMP)

$(STAMP): pyproject.toml $(addsuffix pyproject.toml,$(SERVICES))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' $(addprefix -e ,$(SERVICES))
	touch $(STAMP)

## run: migrate every service's database, then start every web and worker, restarting any that exits (Ctrl-C stops
## all). Tokens are signed with DEALER_JWT_SECRET, else with ./var/jwt-secret, a random secret made on first start.
run: install
	$(BIN)/dealer migrate
	@echo ""
	@echo "Services:  leads http://127.0.0.1:8001  orders http://127.0.0.1:8002  inventory http://127.0.0.1:8003"
	@echo "           after_sales http://127.0.0.1:8004  reporting http://127.0.0.1:8005 (dashboard: /dashboard)"
	@echo "More tokens: TOKEN=\$$($(BIN)/dealer token --role consultant --sub c1)"
	@echo "Manager token (12 h):"
	@$(BIN)/dealer token --role sales_manager --sub m1 --name "Sales Manager"
	@echo ""
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dealer run

## test: import contract, lint, then every test against the real broker and databases
test: install lint
	$(BIN)/python -m pytest

## test-faults: the fault-injection runs against the real broker and databases (~10 min), then their report
.PHONY: test-faults
test-faults: install
	$(BIN)/python -m pytest -m faults tests/faults; status=$$?; $(BIN)/python tests/faults/report.py; exit $$status

## bench: every benchmark against the real broker and databases (~15 min), then BENCHMARKS.md
.PHONY: bench-quick
bench: install
	AMQP_URL=$${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/} $(BIN)/python bench/run_all.py

## bench-quick: every benchmark in its short mode (~2 min)
bench-quick: install
	AMQP_URL=$${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/} $(BIN)/python bench/run_all.py --quick

## test-schemathesis: the security suite's generated requests, 200 examples per operation and kind of input
.PHONY: test-schemathesis
test-schemathesis: install
	SCHEMATHESIS_EXAMPLES=$${SCHEMATHESIS_EXAMPLES:-200} $(BIN)/python -m pytest -s --timeout 3600 tests/security/test_schemathesis.py

## seed: fill the running services with DAYS days of a believable store (after `make run`)
DAYS ?= 30
seed: install
	$(BIN)/dealer seed --days $(DAYS)

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var test-output .pytest_cache
