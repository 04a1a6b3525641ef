# The two commands of README.md: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test venv lint clean-data

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	DJANGO_SETTINGS_MODULE=cpaudit.settings.dev $(BIN)/cpaudit migrate --noinput
	DJANGO_SETTINGS_MODULE=cpaudit.settings.dev $(BIN)/cpaudit load-demo --port $(PORT)
	DJANGO_SETTINGS_MODULE=cpaudit.settings.dev $(BIN)/cpaudit serve --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean-data:
	rm -rf data
