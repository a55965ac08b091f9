# Every target creates .venv when it is missing, so a fresh clone needs only `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo agent-demo lint typecheck unit bench clean docs lint-list

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

demo: $(STAMP)
	-$(BIN)/rustpro audit --static --select all examples/showcase

# The agent, offline: a scripted model (examples/agent/fix-unwrap.jsonl) fixes a copy of
# examples/agent/fix-unwrap in a temporary directory, so the repository is never modified.
# It shows the plan, a refused gate, the fix and the passing gate; it needs cargo.
AGENT_DEMO_TASK := parse_settings panics when a value is not a number (port = http): report it as an error instead, and test it
agent-demo: $(STAMP)
	@demo=$$(mktemp -d) && cp -r examples/agent/fix-unwrap "$$demo/" && \
	$(BIN)/rustpro agent --workspace "$$demo/fix-unwrap" --non-interactive \
		--model scripted:examples/agent/fix-unwrap.jsonl "$(AGENT_DEMO_TASK)"; \
	status=$$?; rm -rf "$$demo"; exit $$status

# Rule pages under docs/rules/ come from the rule docstrings; a test fails when they are stale.
docs: $(STAMP)
	$(BIN)/python -m rustpro.docsgen docs/rules

# The clippy/rustc/rustdoc lint list rustpro ships (src/rustpro/toollints.json), read from
# the installed toolchain's `-W help`; rerun after a toolchain update and commit the diff.
lint-list: $(STAMP)
	$(BIN)/python -m rustpro.lintlist

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_audit.py

clean:
	rm -rf $(VENV) build src/*.egg-info
