# smev_soap — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := openssl libengine-gost-openssl
STAMP := $(VENV)/.installed

NODE_DIR := tests/interop/node

.PHONY: run test deps system-deps node-deps lint bench bench-crypto demo wsdl clean

run: deps
	$(BIN)/smev-soap run --demo

test: deps node-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The full exchange against the running gateway (`make run` in another terminal).
demo: deps
	$(BIN)/smev-soap demo play

# Regenerate the committed WSDL (checked by tests/interop/test_wsdl_drift.py).
wsdl: deps
	$(BIN)/python -m smev_soap.service.wsdl_dump

lint: deps
	$(BIN)/ruff check smev_soap tests bench

bench-crypto: deps
	$(BIN)/python bench/crypto.py

bench: deps
	$(BIN)/python bench/service.py

deps: system-deps $(STAMP)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# node and the npm `soap` client for tests/interop/test_node_soap.py (D24).
node-deps:
	@missing=""; command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@[ $(NODE_DIR)/node_modules/.package-lock.json -nt $(NODE_DIR)/package-lock.json ] || \
	  (cd $(NODE_DIR) && npm ci --no-audit --no-fund)

$(STAMP): setup.cfg pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache $(NODE_DIR)/node_modules
