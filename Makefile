# The two commands a user needs: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := tests/fixtures/yueqing-2022-08.txt
LOCALES := i18n/locale
CATALOG := $(LOCALES)/zh_CN/LC_MESSAGES/minsheng
SOURCES := i18n limits parsers schemas warehouse pipelines

.PHONY: install run test test-fast lint bench clean messages docs


# uv resolves and installs the same versions as pip in a tenth of the time; pip is the fallback.
# The venv is made without pip (bundling it takes seconds); uv then installs pip into it too,
# for `.venv/bin/pip`. Modules are compiled when first imported (compiling all costs more).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet uv
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python pip -e '.[dev,ocr]' \
		|| $(PYTHON) -m pip --python $(BIN)/python install --quiet pip -e '.[dev,ocr]'
	touch $(STAMP)

# The compiled Chinese catalog is build output (git-ignored), made from the .po at install.
$(CATALOG).mo: $(CATALOG).po $(STAMP)
	$(BIN)/pybabel compile --statistics -D minsheng -d $(LOCALES) -l zh_CN

install: $(STAMP) $(CATALOG).mo

## After adding or changing a message in the code: extract, then translate the new entries
## of the .po (a test fails while one is missing or fuzzy).
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header --width 100 \
		-k pgettext:1c,2 -o $(LOCALES)/minsheng.pot $(SOURCES)
	$(BIN)/pybabel update -D minsheng -i $(LOCALES)/minsheng.pot -d $(LOCALES) -l zh_CN \
		--no-fuzzy-matching --ignore-obsolete --width 100

## Ingest the bundled August 2022 report into data/minsheng.duckdb and show the month.
run: install
	$(BIN)/minsheng ingest $(DEMO) --region 乐清市
	$(BIN)/minsheng sql "SELECT region, year, month, source_name, status, rows_loaded, rows_quarantined FROM reports ORDER BY ingested_at"
	$(BIN)/minsheng sql "SELECT department, items, avg_completion_pct, items_lagging, items_complete FROM department_summary WHERE year = 2022 AND month = 8 ORDER BY items DESC, department LIMIT 10"
	$(BIN)/minsheng sql "SELECT item_no, department, leader, completion_pct, consecutive_months FROM lagging_items"

## The whole suite on 3 worker processes (a test often waits on a subprocess, so one more than
## the 2 cores keeps them busy); each test file stays on one, the slow files handed out first.
## Compiled modules are kept (whatever PYTHONDONTWRITEBYTECODE says): the suite starts many
## Python processes, and each would compile the project again. The 15 slowest tests are
## listed at the end: where the suite's time goes.
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 3 --dist loadfile --no-loadscope-reorder \
		--durations=15

## The edit loop: unit and in-process tests only (no OCR, no Prefect server, no other
## process, not the sweeps over every PDF fixture, no waiting out a timeout); `make test` is
## still what CI runs.
test-fast: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2 --dist loadfile \
		-m "not slow and not process and not heavy and not waits"

## Generate a corpus of reports (all three formats) and print where the time goes.
bench: install
	$(BIN)/python -m bench

## Rewrite the generated parts of docs/: every command's --help in docs/commands.md.
docs: install
	$(BIN)/python -m pipelines.cli.help_pages

lint: install
	$(BIN)/ruff check limits parsers schemas warehouse pipelines bench tests
	$(BIN)/ruff format --check limits parsers schemas warehouse pipelines bench tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data .pytest_cache
