# One-command set-up: `make run` starts hf-tui, `make test` runs the tests (both install first).
SHELL := /bin/bash
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PYTEST_ARGS ?=

.PHONY: setup run test test-fast lint format check bench lab

# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set (as on these machines) nothing else writes
# .pyc files, and every job worker would compile torch and transformers again (~6 s of CPU each).
setup:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv
	$(UV) sync --all-packages --frozen --compile-bytecode

run: setup
	$(UV) run --no-sync hf-tui

# Everything, the course's lessons included (nbval runs each notebook in a kernel: --nbval-lax;
# select them alone with `-m lesson` or by path, notebooks/), on two workers (a test file or a
# notebook stays on one worker, so its fixtures are built once).
test: setup
	$(UV) run --no-sync pytest -n 2 --dist loadfile --nbval-lax --cov --cov-report=term --cov-fail-under=95 --durations=15 $(PYTEST_ARGS)

# Everything but the slow tier (job processes, the real binary, tmux, training), on two workers
# (a test file stays on one): under 2 minutes here, no coverage gate.
test-fast: setup
	$(UV) run --no-sync pytest -m "not slow and not e2e" -n 2 --dist loadfile --durations=10 $(PYTEST_ARGS)

# Jupyter Lab on the project's environment, listening on 127.0.0.1 only; from another machine,
# forward the port over ssh with the line it prints. Root (as in a container) is allowed;
# `make lab LAB_PORT=8890` if 8888 is taken.
LAB_PORT ?= 8888
lab: setup
	@echo "Jupyter Lab on http://127.0.0.1:$(LAB_PORT) (the URL with its token follows)."
	@echo "From your computer: ssh -N -L $(LAB_PORT):127.0.0.1:$(LAB_PORT) $$(whoami)@$$(hostname)"
	$(UV) run --no-sync jupyter lab --no-browser --ip 127.0.0.1 --port $(LAB_PORT) \
		--ServerApp.port_retries=0 --ServerApp.root_dir=notebooks \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: setup
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync lint-imports
	$(UV) run --no-sync pyright --project pyproject.toml

format: setup
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

check: lint test

bench: setup
	@for script in benchmarks/*.py; do echo "== $$script"; $(UV) run --no-sync python "$$script" || exit 1; done
