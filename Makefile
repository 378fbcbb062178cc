# One idempotent install step under every entry point (see README).
PYTHON ?= python
export OMP_NUM_THREADS ?= 1

.PHONY: install test test-quick test-slow test-random lint quickstart

install:
	PYTHON=$(PYTHON) bash tools/install.sh

# the whole suite, `slow` full-size checks included (what CI runs)
test: install
	PYTHON=$(PYTHON) bash tools/run_tests.sh -m "slow or not slow"

# without the `slow` checks (setup.cfg's default marker filter)
test-quick: install
	PYTHON=$(PYTHON) bash tools/run_tests.sh

test-slow: install
	PYTHON=$(PYTHON) bash tools/run_tests.sh -m slow

# the whole suite in a random order (pytest-random-order; the seed is
# printed: rerun one order with RANDOM_ORDER_SEED=N)
test-random: install
	PYTHON=$(PYTHON) bash tools/run_tests.sh -m "slow or not slow" \
		--random-order-bucket=global \
		$(if $(RANDOM_ORDER_SEED),--random-order-seed=$(RANDOM_ORDER_SEED))

lint: install
	$(PYTHON) -m flake8 mmjotr tools tests configs demo
	$(PYTHON) -m isort --check-only --diff mmjotr tools tests configs demo
	$(PYTHON) -m yapf --diff --recursive mmjotr tools tests configs demo

quickstart: install
	bash tools/quickstart.sh
