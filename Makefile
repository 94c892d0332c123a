# interlock — set-up, demo and tests. `make demo` and `make test` do all the set-up on a fresh
# Debian machine with Python 3.11 (as root): a virtualenv in .venv, the package and its test
# dependencies, and the Debian packages the browser test needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install system-deps browser-deps bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m compileall -q interlock   # an editable install is not byte-compiled; a regular one is
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests use (never a download from anywhere else): chromium for the
# end-to-end browser test, ffmpeg for the network animation's MP4.
system-deps:
	@{ command -v chromium && command -v ffmpeg; } >/dev/null 2>&1 || { \
	  echo "installing Debian chromium and ffmpeg for the tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ffmpeg >/dev/null; }

browser-deps: system-deps

demo: $(STAMP)
	$(BIN)/interlock run baseline --out runs/baseline-1

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

# every figure of benchmarks/RESULTS.md, regenerated (tens of minutes); bench-quick: each script's
# quick mode, to check they run (minutes; writes nothing)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

clean:
	rm -rf $(VENV) runs .pytest_cache
