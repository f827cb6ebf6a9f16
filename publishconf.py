"""Noticeboard production settings, used by `make publish`.

Everything in pelicanconf.py applies, then this file makes the build fit to go
live: absolute addresses from SITEURL, a clean output folder, and (in the
Makefile) `pelican --fatal errors`, so a broken post stops the publish instead
of going live without it.
"""

import os
import sys

from dotenv import load_dotenv

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

# Secrets and per-site values come from .env (git-ignored) or the environment.
# The environment wins, so CI can set them without a file.
load_dotenv(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".env"), override=False)

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL.startswith(("https://", "http://")):
    sys.exit(
        "publishconf.py: SITEURL is not set to the site's public address.\n"
        "Fix: copy .env.example to .env and set SITEURL=https://your-library.example "
        "(or set SITEURL in the environment)."
    )
RELATIVE_URLS = False

# Start from an empty output folder so nothing stale goes live.
DELETE_OUTPUT_DIRECTORY = True

# Search in parts of up to 1,000 pages: each part is a few more files for a reader's
# browser to fetch per search, and a publish build indexes everything anyway.
SEARCH_SHARD_PAGES = 1000

# Plan announcements of new posts; `make announce` sends them after deploying.
ANNOUNCE_ENABLED = True
