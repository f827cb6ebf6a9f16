"""Search: a Pagefind index of the built site, made after every build.

Only the main text of posts, pages, events and brochures is indexed (the templates
mark it with data-pagefind-body), never navigation or footers. The search page
(theme/templates/search.html) uses Pagefind's own files, served from this site.
"""

import logging
import os
import subprocess
import sys

from pelican import signals

logger = logging.getLogger(__name__)


def index(pelican):
    """On `finalized`: run Pagefind (from the pagefind[bin] wheel) over the output."""
    if not pelican.settings.get("SEARCH_ENABLED", True):
        return
    if "incremental" in pelican.settings.get("PLUGINS", ()):
        # The output must be tidied first, or a deleted post would stay searchable.
        from incremental import finish

        finish(pelican)
    cmd = [sys.executable, "-m", "pagefind", "--site", pelican.output_path, "--silent"]
    glob = pages_glob(pelican.settings, _folders(pelican.output_path))
    if glob:
        cmd += ["--glob", glob]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        logger.error("search: Pagefind could not run (%s). Fix: `pip install 'pagefind[bin]'`, "
                     "or set SEARCH_ENABLED = False.", err)  # fmt: skip
        return
    if done.returncode != 0:
        logger.error("search: Pagefind failed: %s", (done.stderr or done.stdout).strip()[-500:])


# Folders of pages that only list others (no data-pagefind-body): Pagefind would read
# and drop them, a third of a large site's files.
LISTINGS = ("TAG_SAVE_AS", "TAGS_SAVE_AS", "CATEGORY_SAVE_AS", "CATEGORIES_SAVE_AS",
            "AUTHOR_SAVE_AS", "AUTHORS_SAVE_AS", "ARCHIVES_SAVE_AS")  # fmt: skip


def pages_glob(settings, folders) -> str | None:
    """The folders Pagefind should read, as a glob; None: all of them (the posts or
    pages are written at the top level, so no folder can be left out)."""
    if any("/" not in (settings.get(k) or "/") for k in ("ARTICLE_SAVE_AS", "PAGE_SAVE_AS")):
        return None
    skip = {(settings.get(k) or "").split("/")[0] for k in LISTINGS}
    skip |= {"page", "pagefind", settings.get("THEME_STATIC_DIR", "theme")}
    keep = sorted(f for f in folders if f not in skip)
    return "{" + ",".join(keep) + "}/**/*.html" if keep else None


def _folders(root):
    with os.scandir(root) as entries:
        return [e.name for e in entries if e.is_dir()]


def register():
    # After every file is written: Pagefind reads the finished HTML.
    signals.finalized.connect(index)
