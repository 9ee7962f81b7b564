# Two commands on a fresh machine:
#   make run    set up .venv, build the index on first run, serve the chat on http://127.0.0.1:7860
#   make test   set up .venv (with test extras) and run the whole test suite
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test eval index

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ui

test: $(STAMP)
	$(PY) -m pytest

eval: $(STAMP)
	$(PY) -m eval

index: $(STAMP)
	$(PY) -m assistant index
