# ULT Kiosk — the two commands a new user needs are `make demo` and `make test`.
# Each sets up everything on a fresh Debian / Raspberry Pi OS machine with python3,
# python3-venv and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= var/demo

# Debian packages the test suite calls (kept in one place; see scripts/apt-ensure).
# chromium: the browser the end-to-end tests drive (Playwright, never a downloaded build).
# nginx, openssl: the HTTPS proxy's tests (a real nginx, a certificate made by openssl).
# poppler-utils: pdftotext/pdfinfo read the report book the browser test prints to PDF.
TEST_APT_PACKAGES := sqlite3 zbar-tools fonts-dejavu-core systemd espeak-ng sox tesseract-ocr \
    chromium nginx openssl poppler-utils

.PHONY: demo test test-fast e2e lint bench apt-test-deps clean install uninstall

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

apt-test-deps:
	@sh scripts/apt-ensure $(TEST_APT_PACKAGES)

# Test processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= auto

test: $(STAMP) apt-test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# The inner loop: everything but the tests marked slow (processes, servers, browsers,
# benchmarks); make test still runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

# Only the browser tests (tests/e2e): the staff pages and the board in Debian's chromium.
e2e: $(STAMP) apt-test-deps
	$(BIN)/python -m pytest -q -m e2e tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_queue.py
	$(BIN)/python benchmarks/bench_kiosk.py
	$(BIN)/python benchmarks/bench_display.py
	$(BIN)/python benchmarks/bench_admin.py
	$(BIN)/python benchmarks/bench_reports.py

demo: $(STAMP)
	@sh scripts/demo $(DEMO_HOME)

# The appliance on a Raspberry Pi (README, "Install on the Pi"): sudo make install, again to
# upgrade. DESTDIR=dir stages the files for a package; PURGE=1 makes uninstall remove the
# settings, the data and the user too; WHEEL=file installs a wheel built elsewhere; HTTPS=1
# puts nginx in front (TLS_CERT=file TLS_KEY=file: the office's certificate, else self-signed).
install:
	DESTDIR="$(DESTDIR)" WHEEL="$(WHEEL)" HTTPS="$(HTTPS)" TLS_CERT="$(TLS_CERT)" \
	    TLS_KEY="$(TLS_KEY)" sh systemd/install.sh install

uninstall:
	DESTDIR="$(DESTDIR)" PURGE="$(PURGE)" sh systemd/install.sh uninstall

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
