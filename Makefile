# One idempotent install step under every entry point (see README).
PYTHON ?= python
export OMP_NUM_THREADS ?= 1

.PHONY: install test test-slow lint quickstart

install:
	PYTHON=$(PYTHON) bash tools/install.sh

test: install
	PYTHON=$(PYTHON) bash tools/run_tests.sh

test-slow: install
	PYTHON=$(PYTHON) bash tools/run_tests.sh -m slow

lint: install
	$(PYTHON) -m flake8 mmjotr tools tests configs demo
	$(PYTHON) -m isort --check-only --diff mmjotr tools tests configs demo
	$(PYTHON) -m yapf --diff --recursive mmjotr tools tests configs demo

quickstart: install
	bash tools/quickstart.sh
