# Dialogbot — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every package, pinned with its hashes; `make lock` refreshes it from pyproject.toml.
LOCK := requirements/lock.txt
LOCK_TOOLS := build/lock-tools
UV_VERSION := 0.13.8
LOCK_ARGS := --universal --python-version 3.11 --generate-hashes --extra dev \
	--custom-compile-command "make lock" pyproject.toml requirements/build.in -o $(LOCK)
# Installs exactly the lock (hash-checked, nothing resolved) and then the project without
# its dependencies; `pip check` catches a lock that lacks a dependency of pyproject.toml.
define install_locked
	$(1)/bin/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(1)/bin/python -m pip install --quiet --no-deps --no-build-isolation $(2)
	$(1)/bin/python -m pip check >/dev/null || { $(1)/bin/python -m pip check; \
	  echo "$(LOCK) does not match pyproject.toml: run 'make lock'"; exit 1; }
endef

.PHONY: demo test lint typecheck unit install bench clean check-wheel lock lock-upgrade docs-preview

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(call install_locked,$(VENV),-e .)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/dialogbot demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot storage tests bench

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

# All figures and drills into BENCHMARKS.md (about 25 min on 2 cores). Needs a PostgreSQL
# server at $$DIALOGBOT_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test)
# for figures 1-3, 5 and the drills; figures 4 and 6 use SQLite. One part:
# `.venv/bin/python -m bench figure4`.
bench: $(STAMP)
	$(BIN)/python -m bench

# Renders a sample round's documentation and a yearly report (HTML and DOCX) to PDF and
# PNG pages in build/preview/, as a reader sees them (headless Chromium, LibreOffice,
# pdftoppm); skips with a message when those are not installed. Not part of `make test`.
docs-preview: $(STAMP)
	$(BIN)/python tools/docs_preview.py

# Re-resolve after a change to pyproject.toml's dependencies, keeping the other pins;
# `make lock-upgrade` moves every pin to the newest release. Needs the network (PyPI).
lock:
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(LOCK_TOOLS)/bin/uv pip compile --quiet $(LOCK_ARGS)

lock-upgrade:
	$(MAKE) lock LOCK_ARGS='--upgrade $(LOCK_ARGS)'

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache

# A non-editable install (what users get from a wheel) must carry templates and migrations.
check-wheel:
	rm -rf build/wheel-venv
	$(PYTHON) -m venv build/wheel-venv
	$(call install_locked,build/wheel-venv,.)
	cd build && ./wheel-venv/bin/dialogbot templates list >/dev/null
	cd build && ./wheel-venv/bin/dialogbot demo | grep -q "Socialförvaltningen (Förvaltning)"
	rm -rf build/wheel-venv
