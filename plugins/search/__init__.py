"""Search: a Pagefind index of the built site, made after every build.

Only the main text of posts, pages, events and brochures is indexed (the templates
mark it with data-pagefind-body), never navigation or footers. The search page
(theme/templates/search.html) uses Pagefind's own files, served from this site.
"""

import logging
import subprocess
import sys

from pelican import signals

logger = logging.getLogger(__name__)


def index(pelican):
    """On `finalized`: run Pagefind (from the pagefind[bin] wheel) over the output."""
    if not pelican.settings.get("SEARCH_ENABLED", True):
        return
    cmd = [sys.executable, "-m", "pagefind", "--site", pelican.output_path, "--silent"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        logger.error("search: Pagefind could not run (%s). Fix: `pip install 'pagefind[bin]'`, "
                     "or set SEARCH_ENABLED = False.", err)  # fmt: skip
        return
    if done.returncode != 0:
        logger.error("search: Pagefind failed: %s", (done.stderr or done.stdout).strip()[-500:])


def register():
    # After every file is written: Pagefind reads the finished HTML.
    signals.finalized.connect(index)
