# Two commands for a new user (see README.md):
#   make demo   install, then open the dashboard on the built-in synthetic demo data
#   make test   install, then run every test (including the browser tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: demo test install assets tools check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,geodata]'
	touch $@

install: $(VENV)/.installed

# Leaflet and its plugins from the npm registry, served locally: maps draw with no internet.
# For `make demo` a failure only warns (maps then load Leaflet from its CDN); under CI (`CI`
# set) it stops the run, since the offline map tests need the assets.
assets: install
	@$(BIN)/safetymap assets || { \
	  if [ -n "$$CI" ]; then echo "error: map assets not installed (is npm there?); CI needs them" >&2; exit 1; fi; \
	  echo "warning: map assets not installed (is npm there?); maps will load Leaflet from its CDN"; }

# Debian packages the tests call, installed when missing (as root, or with sudo): Chromium
# (browser tests), poppler-utils (pdftotext reads the PDFs back), npm (map assets),
# PostgreSQL with PostGIS (store tests; they start a throwaway cluster of their own).
# When all are there this only looks, and fetches nothing.
tools:
	@missing=""; pg=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	{ ls /usr/share/postgresql/*/extension/postgis.control && ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 \
	  || pg="postgresql postgresql-postgis"; \
	if [ -n "$$missing$$pg" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing:$$missing $$pg"; \
	  $$SUDO apt-get update -qq || exit 1; \
	  if [ -n "$$missing" ]; then $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; fi; \
	  if [ -n "$$pg" ]; then $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pg >/dev/null || exit 1; fi; \
	fi

demo: assets
	$(BIN)/safetymap dashboard --port $(PORT)

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# `tools` first: `assets` needs npm.
test: tools assets check
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) static/vendor .pytest_cache .mypy_cache .ruff_cache
