# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SERVICES := $(sort $(dir $(wildcard services/*/pyproject.toml)))
STAMP := $(VENV)/.installed

.PHONY: install run test lint seed bench clean

install: $(STAMP)

$(STAMP): pyproject.toml $(addsuffix pyproject.toml,$(SERVICES))
	@echo "installing the project into $(VENV) (a few minutes the first time)"
	@sh scripts/make-venv $(PYTHON) $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' $(addprefix -e ,$(SERVICES))
	@touch $(STAMP)

## run: start every web and worker, restarting any that exits (Ctrl-C stops all). First it uses the RabbitMQ
## answering at AMQP_URL or starts one of its own under ./var/rabbitmq (installing Debian's rabbitmq-server if
## needed; stopped with the rest), migrates every database, and prints the URLs, a manager token and how to
## load the demo store. Tokens are signed with DEALER_JWT_SECRET, else with ./var/jwt-secret, made on first start.
run: install
	@$(BIN)/dealer run

## test: import contract, lint, what the tests need (Chromium, a CJK font, Node.js, RabbitMQ, PostgreSQL:
## installed or started, else one line saying what to run), then every test against the real broker and databases
export AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
export TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

# The tests use the PostgreSQL URL test-deps checked (TEST_POSTGRES_URL, or a role it made for them).
CHECKED_POSTGRES = TEST_POSTGRES_URL="$$(cat var/test-postgres-url 2>/dev/null || echo "$$TEST_POSTGRES_URL")"

test: install lint test-deps
	$(CHECKED_POSTGRES) $(BIN)/python -m pytest

.PHONY: test-deps
test-deps: install
	@$(BIN)/python scripts/ensure-test-deps

## test-faults: the fault-injection runs against the real broker and databases (~10 min), then their report
.PHONY: test-faults
test-faults: install test-deps
	$(CHECKED_POSTGRES) $(BIN)/python -m pytest -m faults tests/faults; status=$$?; $(BIN)/python tests/faults/report.py; exit $$status

## bench: every benchmark against the real broker and databases (~15 min), then BENCHMARKS.md
.PHONY: bench-quick
bench: install
	$(BIN)/python bench/run_all.py

## bench-quick: every benchmark in its short mode (~2 min)
bench-quick: install
	$(BIN)/python bench/run_all.py --quick

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

## cluster: three RabbitMQ nodes of the project's own on 127.0.0.1:5681-5683, joined into one cluster (data under
## ./var/cluster; the machine's own RabbitMQ is left alone); prints the AMQP_URL naming them. cluster-stop stops them.
.PHONY: cluster cluster-stop test-cluster
cluster: install
	@$(BIN)/python scripts/cluster start

cluster-stop:
	@$(BIN)/python scripts/cluster stop

## test-cluster: replicas and broker-node faults on a three-node cluster of the tests' own (4 tests, ~80 s each quiet, ~9 min each
## on a busy 2-CPU machine), then its section of docs/reliability.md
test-cluster: install test-deps
	$(CHECKED_POSTGRES) $(BIN)/python -m pytest -m faults tests/cluster -p no:cacheprovider; status=$$?; \
	$(BIN)/python tests/cluster/report.py; exit $$status

## compose-up: the whole store in containers (docker-compose.yml) on 8001-8005: Debian's docker.io and
## docker-compose installed and dockerd started where missing (root or sudo), the base images (official, else
## built from Debian packages by deploy/images/build.sh), the build, `up -d`, every container healthy.
## .env is written with fresh secrets when missing (its DEALER_JWT_SECRET is the one `dealer token` uses).
## compose-test: the same from nothing on a throwaway project, the smoke journey (inquiry to delivery, the
## customer file, the report), a worker and the broker restarted mid-stream with nothing lost, then `down -v`;
## each phase timed. compose-down: stops the stack of compose-up (its volumes kept).
.PHONY: compose-up compose-test compose-down
compose-up: install
	@$(BIN)/python scripts/compose_stack.py up

compose-test: install
	@$(BIN)/python scripts/compose_stack.py test

compose-down: install
	@$(BIN)/python scripts/compose_stack.py down
