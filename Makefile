# Two entry points for a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: setup system-packages broker stop-broker demo test lint bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

## Debian packages for the browser and Prometheus tests (chromium, chromedriver, promtool).
system-packages:
	deploy/system-packages.sh

broker:
	PYTHON=$(PY) deploy/kafka/kafka.sh start

stop-broker:
	deploy/kafka/kafka.sh stop

## Start the broker, create topics, run a worker over a sample stream, show the routes.
demo: setup broker
	$(PY) deploy/demo.py

## Lint and type-check.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## Lint, then the whole suite (unit and integration against the real broker).
test: lint system-packages broker
	CI=$${CI:-} $(VENV)/bin/pytest

## The engine, stream and export-cost benchmarks (figures for the README's tables).
bench: setup broker
	$(PY) -m benchmarks.bench_engine --n 5000 --naive-n 100
	$(PY) -m benchmarks.bench_stream --events 50000
	$(PY) -m benchmarks.bench_export
