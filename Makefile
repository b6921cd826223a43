# The single list of things a developer runs. Everything installs into .venv and .jars.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
JARS   := .jars
# pytest-xdist workers; each Spark test worker starts its own local JVM.
WORKERS ?= 2

REMOTE := .venv-remote

.PHONY: help setup jars test test-fast stress demo bench lint fmt wheel clean \
        serverless-check remote-setup remote-check

help:
	@echo "make demo    emulator -> full sync -> changes -> incremental sync -> summary"
	@echo "make test    the whole test suite (what CI runs)"
	@echo "make bench   the benchmarks (figures go to BENCHMARKS.md)"
	@echo "make stress  the long fault-matrix and crash runs"
	@echo "make lint    ruff"
	@echo "make serverless-check  installing the wheel on serverless changes none of its packages"
	@echo "make remote-setup      .venv-remote: the \`remote\` extra (databricks-connect), for --databricks"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions for local work come from constraints.txt; the wheel itself declares ranges.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[local,dev]"
	touch $@

# databricks-connect ships its own pyspark: it gets a venv of its own, never beside `local`.
$(REMOTE)/.installed: pyproject.toml constraints.txt constraints-remote.txt
	$(PYTHON) -m venv $(REMOTE)
	$(REMOTE)/bin/pip install --quiet --upgrade pip
	$(REMOTE)/bin/pip install --quiet -c constraints-remote.txt -e ".[remote,dev]"
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

# The venvs and the jars do not depend on one another, nor do the two checks: each pair is made
# at once (a fresh clone's setup and checks: 110 s one after the other, 67 s at once).
test:
	$(MAKE) -j3 setup remote-setup
	$(MAKE) -j2 serverless-check remote-check
	$(BIN)/pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder --durations=25 -m "not slow" tests

# pip's resolver, in cached venvs holding serverless environment 3's and 4's packages: the
# wheel must install there without changing any of them (tools/serverless/fit.py).
serverless-check: setup
	$(BIN)/python tools/serverless/fit.py

remote-setup: $(REMOTE)/.installed

# The Databricks Connect and secrets tests again, with the real databricks-connect installed.
remote-check: remote-setup
	$(REMOTE)/bin/pytest -q -p no:cacheprovider tests/unit/test_remote.py tests/unit/test_secrets.py

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
	rm -rf $(VENV) $(REMOTE) $(JARS) .lakehouse .demo .bench build dist *.egg-info
