# Two entry points; each creates .venv and installs what it needs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

.PHONY: demo test lint browser
demo: $(VENV)/.installed
	$(BIN)/guanghe demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Chromium and a CJK font for tests/metrics/test_report_browser.py: installed with apt-get when missing
# (as root), else the target fails naming what is missing.
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	{ command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; } || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing (apt-get)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "make test needs the Debian packages:$$missing (sudo apt-get install$$missing)" >&2; exit 1; \
	  fi; \
	fi

test: lint browser
	$(BIN)/python -m pytest
