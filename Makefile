# Two commands on a fresh machine:
#   make run    set up .venv, build the index on first run, serve the chat on http://127.0.0.1:7860
#   make test   set up .venv (with test extras) and Debian's chromium + CJK fonts, run the whole test suite
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the browser tests drive Debian's chromium (Playwright's own browser download is never used)
BROWSER_DEPS := /usr/bin/chromium /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test eval index

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ui

$(BROWSER_DEPS):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk

test: $(STAMP) $(BROWSER_DEPS)
	$(PY) -m pytest

eval: $(STAMP)
	$(PY) -m eval

index: $(STAMP)
	$(PY) -m assistant index
