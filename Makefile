# The single list of things a developer runs. Everything installs into .venv and .jars.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
JARS   := .jars
# pytest-xdist workers; each Spark test worker starts its own local JVM.
WORKERS ?= 2

.PHONY: help setup jars test test-fast stress demo bench lint fmt wheel clean

help:
	@echo "make demo    emulator -> full sync -> changes -> incremental sync -> summary"
	@echo "make test    the whole test suite (what CI runs)"
	@echo "make bench   the benchmarks (figures go to BENCHMARKS.md)"
	@echo "make stress  the long fault-matrix and crash runs"
	@echo "make lint    ruff"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[local,dev]"
	touch $@

# The Delta jars, fetched once with Maven into .jars/ (Spark's Ivy download cannot always reach
# Maven Central). The local SparkSession picks them up from there with spark.jars.
$(JARS)/.done: tools/delta-jars/pom.xml
	mkdir -p $(JARS)
	mvn -q -f tools/delta-jars/pom.xml dependency:copy-dependencies \
	    -DoutputDirectory=$(CURDIR)/$(JARS) -DincludeGroupIds=io.delta,io.unitycatalog
	touch $@

setup: $(VENV)/.installed $(JARS)/.done
jars: $(JARS)/.done

test: setup
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup --durations=25 -m "not slow" tests

test-fast: setup
	$(BIN)/pytest -m "not spark and not slow" tests

stress: setup
	$(BIN)/pytest -n $(WORKERS) -m slow tests

demo: setup
	$(BIN)/intacct-sync demo

bench: setup
	$(BIN)/python -m benchmarks --out BENCHMARKS.md

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

fmt: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

wheel: setup
	$(BIN)/pip wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) $(JARS) .lakehouse .demo .bench build dist *.egg-info
