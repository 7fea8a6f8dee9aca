# Two entry points; each creates .venv and installs what it needs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@ $(VENV)/.installed

.PHONY: demo test lint browser lock
# Re-pin constraints.txt from a fresh environment with every extra installed.
lock:
	rm -rf .lock-venv && $(PY) -m venv .lock-venv && .lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q '.[dev]'
	{ echo "# Pinned versions for reproducible installs (Python 3.11, Linux x86_64): the Makefile installs with"; \
	  echo "# -c constraints.txt. Refresh with 'make lock' after changing dependencies in pyproject.toml."; \
	  .lock-venv/bin/pip freeze --exclude guanghe; } > constraints.txt
	rm -rf .lock-venv

demo: $(VENV)/.installed
	$(BIN)/guanghe demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# Chromium and a CJK font for tests/metrics/test_report_browser.py, ffmpeg and espeak-ng for the creator studio's
# tests (tests/studio: vlog edits, narration): installed with apt-get when missing (as root), else the target
# fails naming what is missing.
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	{ command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; } || missing="$$missing fonts-noto-cjk"; \
	{ command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; } || missing="$$missing ffmpeg"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
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
