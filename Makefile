# The two set-up commands of the README: `make demo` and `make test`.
# Both create the virtual environment on first use (Python >= 3.11 and pip are all they need).
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test lint score bench train evaluate

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/python -m benchmarks.bytecode  # the project's own .pyc, as a wheel install has (see there)
	touch $@

demo: $(VENV)/.installed  ## generate sample dumps, ingest them, serve the dashboard
	$(VENV)/bin/bylines demo

# Two workers, a test module each at a time (module fixtures are built once): the suite is mostly
# one process waiting on another (ingests, servers, browsers), so two cores finish it in about
# 70 % of the time one takes. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2

test: $(VENV)/.installed  ## the whole test suite (CI runs exactly this)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --dist loadfile

score: $(VENV)/.installed  ## build a warehouse from ../shared/seeds and print the scorer's table
	rm -f /tmp/bylines-seeds.duckdb*
	$(VENV)/bin/bylines ingest ../shared/seeds/*.txt --warehouse /tmp/bylines-seeds.duckdb
	$(VENV)/bin/python ../shared/eval/score.py --warehouse /tmp/bylines-seeds.duckdb --gold ../shared/eval/gold

train: $(VENV)/.installed  ## rebuild the shipped model (transforms/data/model.zip) from the annotated pages in ../shared
	$(VENV)/bin/bylines train

evaluate: $(VENV)/.installed  ## grouped 5-fold cross-validation on ../shared/corpus, and the seeds with the shipped model
	$(VENV)/bin/bylines evaluate
