"""Search: a Pagefind index of the built site, made after every build.

Only the main text of posts, pages, events and brochures is indexed (the templates
mark it with data-pagefind-body), never navigation or footers. The search page
(theme/templates/search.html) uses Pagefind's own files, served from this site.
"""

import json
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
    root = pelican.output_path
    per_part = int(pelican.settings.get("SEARCH_SHARD_PAGES", 1000))
    folders = pages_folders(pelican.settings, _folders(root))
    counts = html_counts(root, folders, per_part) if folders else {}
    # Nothing to split (posts at the top level, or no pages found): one run over everything.
    shards = plan_shards(counts, per_part) or [[]]
    for number, globs in enumerate(shards):
        subdir = "pagefind" if number == 0 else f"pagefind/part-{number}"
        cmd = [sys.executable, "-m", "pagefind", "--site", root, "--silent",
               "--output-subdir", subdir]  # fmt: skip
        if globs:
            cmd += ["--glob", "{" + ",".join(globs) + "}" if len(globs) > 1 else globs[0]]
        if not _run(cmd):
            return
    # The search page merges the other parts into the first (theme/templates/search.html).
    with open(os.path.join(root, "pagefind", "parts.json"), "w", encoding="utf-8") as f:
        json.dump([f"part-{n}/" for n in range(1, len(shards))], f)


def _run(cmd) -> bool:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        logger.error("search: Pagefind could not run (%s). Fix: `pip install 'pagefind[bin]'`, "
                     "or set SEARCH_ENABLED = False.", err)  # fmt: skip
        return False
    if done.returncode != 0:
        logger.error("search: Pagefind failed: %s", (done.stderr or done.stdout).strip()[-500:])
        return False
    return True


def plan_shards(counts: dict[str, int], per_part: int) -> list[list[str]]:
    """Split the pages into parts of at most `per_part` pages (Pagefind's memory grows
    with the pages of one run: about 100 KB each), as lists of globs. A folder too big
    for one part is split by its subfolders (news/2019, news/2020...); folders are
    packed in order. `counts`: folder -> HTML files; "news/*" means news's own files.
    """
    parts, current, size = [], [], 0
    for folder, count in counts.items():
        if current and size + count > per_part:
            parts.append(current)
            current, size = [], 0
        current.append(_glob(folder))
        size += count
    if current:
        parts.append(current)
    return parts


def _glob(folder: str) -> str:
    return folder[:-1] + "*.html" if folder.endswith("/*") else folder + "/**/*.html"


def html_counts(root: str, folders: list[str], per_part: int) -> dict[str, int]:
    """HTML files under each folder; folders with more than `per_part`, per subfolder."""
    counts = {}
    for folder in folders:
        total, below, own = 0, {}, 0
        for base, _, names in os.walk(os.path.join(root, folder)):
            n = sum(1 for name in names if name.endswith(".html"))
            total += n
            rel = os.path.relpath(base, root).replace(os.sep, "/")
            if rel == folder:
                own = n
            else:
                top = "/".join(rel.split("/")[:2])
                below[top] = below.get(top, 0) + n
        if not total:
            continue
        if total <= per_part or not below:
            counts[folder] = total
        else:
            if own:
                counts[folder + "/*"] = own
            counts.update(sorted((k, v) for k, v in below.items() if v))
    return counts


# Folders of pages that only list others (no data-pagefind-body): Pagefind would read
# and drop them, a third of a large site's files.
LISTINGS = ("TAG_SAVE_AS", "TAGS_SAVE_AS", "CATEGORY_SAVE_AS", "CATEGORIES_SAVE_AS",
            "AUTHOR_SAVE_AS", "AUTHORS_SAVE_AS", "ARCHIVES_SAVE_AS")  # fmt: skip


def pages_folders(settings, folders) -> list[str] | None:
    """The top folders Pagefind should read; None: all of them (posts or pages are
    written at the top level, so no folder can be left out)."""
    if any("/" not in (settings.get(k) or "/") for k in ("ARTICLE_SAVE_AS", "PAGE_SAVE_AS")):
        return None
    skip = {(settings.get(k) or "").split("/")[0] for k in LISTINGS}
    skip |= {"page", "pagefind", settings.get("THEME_STATIC_DIR", "theme")}
    return sorted(f for f in folders if f not in skip) or None


def _folders(root):
    with os.scandir(root) as entries:
        return [e.name for e in entries if e.is_dir()]


def register():
    # After every file is written: Pagefind reads the finished HTML.
    signals.finalized.connect(index)
