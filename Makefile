# Noticeboard. `make help` lists the targets.
# Every target makes its own virtualenv (.venv) from the pinned requirements the
# first time, and only reinstalls when a requirements file changes.

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
PELICAN     := $(BIN)/pelican
INPUTDIR    ?= content
OUTPUTDIR   ?= output
PORT        ?= 8000
PELICANOPTS ?=
# Plain log lines keep each message whole: "content/posts/x.md:4: ... Fix: ..."
PELICAN_LOG := --log-handler plain

.DEFAULT_GOAL := help
.PHONY: help html serve publish test lint bench clean

help: ## List the targets
	@echo "Noticeboard: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# The site's own packages. The stamp file records a finished install.
$(VENV)/.site-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Test tools on top.
$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.site-installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

html: $(VENV)/.site-installed ## Build the site into output/ with local settings
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s pelicanconf.py $(PELICAN_LOG) $(PELICANOPTS)

serve: $(VENV)/.site-installed ## Build, serve on http://127.0.0.1:$(PORT) and rebuild on every change
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s pelicanconf.py --listen --autoreload --port $(PORT) --bind 127.0.0.1 $(PELICAN_LOG) $(PELICANOPTS)

publish: $(VENV)/.site-installed ## Build for production (publishconf.py); any error stops it
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s publishconf.py --fatal errors $(PELICAN_LOG) $(PELICANOPTS)

test: $(VENV)/.dev-installed ## Lint, then run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed ## Lint only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .

bench: $(VENV)/.site-installed ## Measure: the feed step at 5,000 posts against Pelican's (not part of test)
	$(BIN)/python bench/feed_step.py 5000 5

clean: ## Remove the built site and caches (keeps .venv)
	rm -rf $(OUTPUTDIR) .cache .pytest_cache .ruff_cache
