# The two commands of README.md: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# CJK font embedded in the PDF reports (and pdftoppm, to look at a rendered page).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: run test venv lint clean-data fonts bench bench-quick

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# Installs Debian's fonts-wqy-microhei (+ poppler-utils) when the font is missing; as root, or with
# sudo when available; otherwise prints how to install it and carries on (PDF export then reports
# the missing font in Chinese).
fonts:
	@if [ ! -f $(CJK_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "安装中文字体 fonts-wqy-microhei 和 poppler-utils…"; \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-wqy-microhei poppler-utils \
	      || echo "字体安装失败：请手动运行 sudo apt-get install -y fonts-wqy-microhei poppler-utils"; \
	  else \
	    echo "未找到中文字体 $(CJK_FONT)：PDF 报告需要它。请以 root 运行 apt-get install -y fonts-wqy-microhei poppler-utils，或设置 CPAUDIT_PDF_FONT=/path/to/font.ttf"; \
	  fi; \
	fi

# Served like production: gunicorn + the worker (`cpaudit serve`), DEBUG off, static files by WhiteNoise.
# A developer who wants Django's debug page asks for it: DJANGO_DEBUG=1 make run.
run: $(STAMP) fonts
	DJANGO_SETTINGS_MODULE=cpaudit.settings.dev $(BIN)/cpaudit migrate --noinput
	DJANGO_SETTINGS_MODULE=cpaudit.settings.dev $(BIN)/cpaudit load-demo --port $(PORT)
	DJANGO_SETTINGS_MODULE=cpaudit.settings.dev $(BIN)/cpaudit serve --port $(PORT)

# On every core (pytest-xdist, test by test: see docs/ARCHITECTURE.md); TEST_WORKERS=0 runs one process.
TEST_WORKERS ?= auto
test: $(STAMP) fonts
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The province-scale benchmark (issue 15, docs/PERFORMANCE.md): generated data, gunicorn on 127.0.0.1,
# load from a second process (wrk when installed), a table and the BENCH lines. PostgreSQL too when
# DATABASE_URL is set (in a database <name>_bench of its own). Quick: 2,000 enterprises.
bench: $(STAMP) fonts
	$(BIN)/python -m cpaudit.bench

bench-quick: $(STAMP) fonts
	$(BIN)/python -m cpaudit.bench --quick

lint: $(STAMP)
	$(BIN)/ruff check .

clean-data:
	rm -rf data
