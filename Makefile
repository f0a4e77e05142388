# Two commands for a new user (see README.md):
#   make demo   install, then open the dashboard on the built-in synthetic demo data
#   make test   install, then run every test (including the browser tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: demo test install assets browser check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,geodata]'
	touch $@

install: $(VENV)/.installed

# Leaflet and its plugins from the npm registry, served locally: maps draw with no internet.
assets: install
	$(BIN)/safetymap assets || echo "warning: map assets not installed (is npm there?); maps will load Leaflet from its CDN"

# Debian's Chromium for the browser tests (as root, or with sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: assets
	$(BIN)/safetymap dashboard --port $(PORT)

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: assets browser check
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) static/vendor .pytest_cache .mypy_cache .ruff_cache
