# The two commands a newcomer needs:
#   make run    install the app's dependencies and start it on the embedded data
#   make test   install what the tests need (Chromium included) and run them all
PY      ?= python3.11
VENV    ?= .venv
BIN     := $(VENV)/bin
PORT    ?= 8501
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-dev assets chromium postgresql lint check bench bench-browser clean

run: install assets chromium
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: install-dev assets chromium postgresql lint
	$(BIN)/pytest

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

# Leaflet and the map plugins come from the npm registry at install time; nothing
# third-party is committed. They are served by Streamlit from ./static.
assets:
	bash scripts/install_assets.sh

# Browser tests drive Debian's Chromium (never a browser downloaded by a test tool). The
# fonts draw every script of the gazetteer's names in the app, the maps and the exports:
# fonts-noto-core holds Noto Sans Arabic and Noto Naskh Arabic (Arabic, Kurdish in Arabic
# script), Noto Sans Syriac and Noto Sans (Latin with Kurdish and Turkish letters).
FONTS   := fonts-dejavu-core fonts-noto-core
chromium:
	@( command -v chromium >/dev/null 2>&1 && dpkg -s $(FONTS) >/dev/null 2>&1 ) || \
		( $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium $(FONTS) )

# The store's tests also run against a real PostgreSQL server (Debian's packages), started
# on loopback in a temporary folder by the tests themselves.
postgresql:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		( $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql )

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install-dev
	$(BIN)/python -m bench.run

# The whole pages in headless Chromium on synthetic 10k, 100k and 1M data sets, and 20
# concurrent sessions on the embedded set (issue 16). A quick run:
#   make bench-browser BENCH_ARGS="--sizes 10k,100k --pages overview"
bench-browser: install-dev assets chromium
	$(BIN)/python -m bench.browser $(BENCH_ARGS)

clean:
	rm -rf $(VENV) static/node_modules artifacts
