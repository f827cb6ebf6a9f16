"""Search: a Pagefind index of the built site, made after every build.

Only the main text of posts, pages, events and brochures is indexed (the templates
mark it with data-pagefind-body), never navigation or footers. The search page
(theme/templates/search.html) uses Pagefind's own files, served from this site.
A large site is indexed in parts (parts.py); after a local build, only the parts
whose pages changed are indexed again, and a part indexed before with the same pages
(into another or an emptied output folder) is copied from the cache (index_cache.py).
"""

import json
import logging
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

from blinker import signal
from pelican import signals

from . import index_cache
from .parts import OUTPUT, plan

logger = logging.getLogger(__name__)
FIX = "Fix: `pip install 'pagefind[bin]'`, or set SEARCH_ENABLED = False."
STATE = "search-parts.json"  # in CACHE_PATH: the key of each part as last indexed


def enabled(settings) -> bool:
    return bool(settings.get("SEARCH_ENABLED", True))


def index(pelican):
    """On `finalized`: run Pagefind (from the pagefind[bin] wheel) over each part of
    the output that changed since it was last indexed."""
    settings = pelican.settings
    if not enabled(settings):
        return
    if "incremental" in settings.get("PLUGINS", ()):
        # The output must be tidied first, or a deleted post would stay searchable.
        from incremental import finish

        finish(pelican)
    pagefind = _pagefind()
    if pagefind is None:
        logger.error("search: Pagefind is not installed, so the site has no search. %s", FIX)
        return
    root = pelican.output_path
    parts = plan(settings, root)
    # A new Pagefind, or another output folder, indexes every part again.
    salt = f"pagefind {metadata.version('pagefind_bin')} {os.path.abspath(root)}"
    state = os.path.join(settings["CACHE_PATH"], STATE)
    known = _load(state)
    keys = {part.subdir: part.key(root, salt) for part in parts}
    todo = [p for p in parts if known.get(p.subdir) != keys[p.subdir] or not _indexed(root, p)]
    for part in todo:
        _clear(root, part.subdir)
    # A part indexed before with the same pages (another output folder, an emptied
    # one): its index is copied from the cache (index_cache.py).
    cache = settings["CACHE_PATH"]
    tools = index_cache.tool_salt(metadata.version("pagefind_bin"))
    content = {part.subdir: index_cache.content_key(part, root, tools) for part in todo}
    run = [p for p in todo if not index_cache.restore(cache, content[p.subdir], root, p.subdir)]
    # Each part is its own Pagefind process, so the parts are indexed on every core.
    workers = max(1, min(len(run), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        done = pool.map(lambda part: _run(_command(pagefind, root, part), part.subdir), run)
        ok = {part.subdir: result for part, result in zip(run, done, strict=True)}
    for part in run:
        if ok[part.subdir]:
            index_cache.store(cache, content[part.subdir], root, part.subdir)
    if all(ok.values()):
        _remove_old_parts(root, len(parts))
        # The search page merges the other parts into the first (templates/search.html).
        with open(os.path.join(root, OUTPUT, "parts.json"), "w", encoding="utf-8") as f:
            json.dump([f"part-{n}/" for n in range(1, len(parts))], f)
    # A part that failed is indexed again next time.
    _save(state, {subdir: key for subdir, key in keys.items() if ok.get(subdir, True)})
    logger.info("search: %d of %d parts indexed, %d copied from the cache, the others unchanged",
                len(run), len(parts), len(todo) - len(run))  # fmt: skip


def _indexed(root, part) -> bool:
    return os.path.exists(os.path.join(root, part.subdir, "pagefind-entry.json"))


def _pagefind() -> list[str] | None:
    """Pagefind's own program, from the pagefind_bin wheel (`pagefind[bin]`): called
    directly, its Python launcher would cost a Python start per part."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except (ImportError, FileNotFoundError):
        return None


def _command(pagefind, root, part):
    cmd = [*pagefind, "--site", root, "--silent", "--output-subdir", part.subdir]
    if part.globs:
        globs = part.globs
        cmd += ["--glob", "{" + ",".join(globs) + "}" if len(globs) > 1 else globs[0]]
    return cmd


def _run(cmd, subdir) -> bool:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        logger.error("search: Pagefind could not index %s/ (%s). %s", subdir, err, FIX)
        return False
    if done.returncode != 0:
        logger.error("search: Pagefind failed on %s/: %s", subdir,
                     (done.stderr or done.stdout).strip()[-500:])  # fmt: skip
        return False
    return True


def _clear(root, subdir):
    """Remove a part's old files before indexing it again (Pagefind leaves them); the
    first part's folder also holds the others, which stay."""
    folder = os.path.join(root, subdir)
    if not os.path.isdir(folder):
        return
    for entry in os.scandir(folder):
        if subdir == OUTPUT and entry.is_dir() and entry.name.startswith("part-"):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.remove(entry.path)


def _remove_old_parts(root, count):
    """Parts from a bigger plan than this build's (posts were deleted)."""
    folder = os.path.join(root, OUTPUT)
    for entry in os.scandir(folder):
        number = entry.name.removeprefix("part-")
        if entry.is_dir() and number.isdigit() and int(number) >= count:
            shutil.rmtree(entry.path)


def _load(path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return dict(json.load(f))
    except (OSError, ValueError, TypeError):
        return {}  # never indexed, or unreadable: every part is indexed


def _save(path, indexed):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(indexed, f)
    os.replace(path + ".tmp", path)


def keep_index(pelican):
    """The incremental plugin tidies the output: the index is this plugin's to tidy."""
    return [OUTPUT] if enabled(pelican.settings) else []


def register():
    # After every file is written: Pagefind reads the finished HTML.
    signals.finalized.connect(index)
    # Pagefind's files are not Pelican's: kept between builds (plugins/incremental).
    signal("incremental_keep_folders").connect(keep_index)
