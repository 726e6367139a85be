# emr-constructs: `make synth` and `make test` set everything up on a fresh machine (Python 3.11, Node 20).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ENV ?= dev
CONFIG ?= config/$(ENV).yaml

# Offline and quiet: no version checks, no telemetry, no notices, no Node end-of-life banner.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := 1
export AWS_EC2_METADATA_DISABLED := true

CDK := npx --no-install cdk
CDK_FLAGS := --no-notices --no-version-reporting --context config=$(CONFIG)
CFN_LINT := $(VENV)/bin/cfn-lint --non-zero-exit-code warning

GUARD_BASE ?= origin/main

.PHONY: help setup synth test lint docs diff deploy guard check lock bench clean

help:
	@echo "make synth   set up, synthesise config/$(ENV).yaml with every policy check into cdk.out/"
	@echo "make test    set up and run the tests"
	@echo "make lint    ruff, ruff format --check, mypy --strict"
	@echo "make docs    the API reference from the docstrings (pdoc, offline, warnings fail) into site/"
	@echo "make diff ENV=prod / make deploy ENV=prod   (need AWS credentials)"
	@echo "make guard   EMR resources the working tree would replace, against the merge base with GUARD_BASE ($(GUARD_BASE))"
	@echo "make check   the EMR policy rules and cfn-lint over cdk.out/ (after make synth)"
	@echo "make bench   synth-time benchmark";

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=24'
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# Synthesise into a temporary directory and move it into place only when every check passed: the CDK CLI
# neither cleans cdk.out nor holds back templates when a policy check fails.
synth: setup
	@tmp=$$(mktemp -d .cdk.out.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	$(CDK) synth $(CDK_FLAGS) --quiet --output "$$tmp"; \
	$(CFN_LINT) -- "$$tmp"/*.template.json; \
	$(VENV)/bin/emr-constructs check --no-cfn-lint "$$tmp" >/dev/null; \
	rm -rf cdk.out; mv "$$tmp" cdk.out; trap - EXIT; \
	echo "synthesised $(CONFIG) into cdk.out/: $$(ls cdk.out/*.template.json | xargs -n1 basename | tr '\n' ' ')"

# One worker per CPU (pytest-xdist); each test module runs on one worker (--dist loadfile), so its module-scoped
# stacks are synthesised once and the module's tests never race each other (tests/e2e runs make synth).
test: setup
	$(PY) -m pytest -q -n auto --dist loadfile

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy emr_constructs stacks app.py

# The API reference of the public modules, from their docstrings (scripts/build_docs.py: pdoc, offline; any warning
# fails the build). Needs only the Python environment.
docs: $(VENV)/.installed
	$(PY) scripts/build_docs.py --output site

check: setup
	$(VENV)/bin/emr-constructs check cdk.out --format text

# Synthesise the merge base (in a git worktree, with this checkout's locked .venv and node_modules) and the
# working tree, then compare them. Fails when a long-running cluster would be replaced without acknowledgment.
guard: setup
	@base=$$(git merge-base HEAD $(GUARD_BASE)); work=$$(mktemp -d); \
	trap 'git worktree remove --force "$$work/base" >/dev/null 2>&1 || true; rm -rf "$$work"' EXIT; \
	git worktree add --quiet --detach "$$work/base" "$$base"; \
	ln -s "$(CURDIR)/$(VENV)" "$$work/base/$(VENV)"; ln -s "$(CURDIR)/node_modules" "$$work/base/node_modules"; \
	(cd "$$work/base" && $(CDK) synth $(CDK_FLAGS) --quiet --output "$$work/baseline" >/dev/null); \
	$(CDK) synth $(CDK_FLAGS) --quiet --output "$$work/candidate" >/dev/null; \
	echo "replacement guard: $(CONFIG), merge base $$base against the working tree"; \
	$(VENV)/bin/emr-constructs guard --baseline "$$work/baseline" --candidate "$$work/candidate"

diff: setup
	$(CDK) diff $(CDK_FLAGS) --all

deploy: setup
	$(CDK) deploy $(CDK_FLAGS) --all --require-approval broadening

bench: setup
	$(PY) benchmarks/synth_bench.py

# Refresh the Python lock after changing pyproject.toml dependencies.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv && .lockvenv/bin/pip install --quiet '.[dev]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^emr-constructs' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf cdk.out .cdk.out.* .pytest_cache .mypy_cache .ruff_cache
