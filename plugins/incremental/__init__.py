"""Incremental builds: a page is rendered and written only when something it shows
has changed, and the output folder is tidied instead of emptied.

Pelican's content cache already spares reading unchanged posts; this plugin spares
rendering and writing their pages (writer.py), and removes whatever no longer belongs
to the site (prune.py), so an incremental build gives exactly the files a clean one
does. A page missing from the output (an empty output folder: a fresh clone with the
cache restored, a publish build) is written from the text it was last rendered to
(rendered.py) when nothing it shows has changed. Every page renders again when the
theme, a plugin, a setting or a package version changes (the site key).

Builds that share an output folder take turns (lock.py): `make html` waits for a
`make serve` rebuild in progress.

Settings: INCREMENTAL = True (False: Pelican's own writer, every page rendered every
time). With DELETE_OUTPUT_DIRECTORY = True (publishconf.py) Pelican empties the output
first and every page is written, from the page cache where its inputs are unchanged.
"""

import contextlib
import functools
import hashlib
import logging
import os
import sys
import time
from datetime import UTC, datetime
from importlib import metadata

from blinker import signal
from pelican import signals
from pelican.log import console

from . import memory, prune, unchanged
from .lock import output_lock
from .rendered import RenderedPages
from .signature import Signer
from .store import FileHashes, PageStore
from .writer import CachingWriter, owned

logger = logging.getLogger(__name__)
PACKAGES = ("pelican", "jinja2", "markdown", "pelican-image-process")
# One build at a time per process (`make serve` rebuilds in the same process).
_build = {}
# Other plugins name the output folders they look after themselves (search: pagefind):
# a receiver takes the Pelican object and returns a list of top-level folder names.
keep_folders = signal("incremental_keep_folders")


def enabled(settings) -> bool:
    return bool(settings.get("INCREMENTAL", True))


def take_turns(pelican):
    """On `initialized`: each run of this Pelican (every rebuild of `make serve`) holds
    the output folder's lock from start to end, raised or not. Pelican sends no signal
    when a build fails, so the run itself is wrapped."""
    run = pelican.run
    if getattr(run, "takes_turns", False):
        return

    @functools.wraps(run)
    def locked_run(*args, **kwargs):
        with output_lock(pelican.output_path):
            settings = pelican.settings
            if not enabled(settings) or settings.get("DELETE_OUTPUT_DIRECTORY"):
                return run(*args, **kwargs)
            started = time.perf_counter()
            inputs = unchanged.inputs(settings, site_key(settings))
            # The preview builds once at its start even so: it keeps that build in
            # memory, so each save after it writes only what the save changed.
            record = None if getattr(pelican, "in_memory", False) else unchanged.load(settings)
            if record and unchanged.nothing_to_do(record, inputs, unchanged.output(
                    pelican.output_path), datetime.now(UTC)):  # fmt: skip
                unchanged.say_again(record)
                console.print(f"Done: nothing changed since the last build, so "
                              f"{pelican.output_path} is as it was; "
                              f"{time.perf_counter() - started:.2f} seconds.")  # fmt: skip
                return None
            unchanged.forget(settings)
            with unchanged.recording() as recorder:
                result = run(*args, **kwargs)
            if _build.get("done") and _build.get("until"):
                unchanged.save(settings, {
                    "inputs": inputs,
                    "output": unchanged.output(pelican.output_path),
                    "until": _build["until"].isoformat(),
                    "said": recorder.said,
                })  # fmt: skip
            return result

    locked_run.takes_turns = True
    pelican.run = locked_run


def settle_settings(pelican):
    """On `initialized`: fill in now the settings Pelican's Markdown reader and
    image-process fill in during a build (MARKDOWN's extension list, the
    IMAGE_PROCESS_* defaults). Otherwise the second build of one process (the first
    save in `make serve`) signs other settings than the first, and renders every page."""
    from pelican.readers import MarkdownReader

    if MarkdownReader.enabled:
        MarkdownReader(pelican.settings)  # completes settings["MARKDOWN"] in place
    image_process = sys.modules.get("pelican.plugins.image_process.image_process")
    if image_process is not None and "IMAGE_PROCESS" in pelican.settings:
        image_process.set_default_settings(pelican.settings)


def start(pelican):
    """On `get_generators`, the first thing each build does: note the time."""
    _build.clear()
    _build.update(start_ns=time.time_ns(), statics=set(), writer=None, done=False,
                  now=datetime.now(UTC), generators=[], until=None,
                  in_memory=getattr(pelican, "in_memory", False))  # fmt: skip


def note_generators(generators):
    """On `all_generators_finalized`: this build's generators, for `unchanged.until`
    and the preview; each notes the write_file calls it makes (writer.owned)."""
    _build["generators"] = list(generators)
    for generator in generators:
        owned(generator)


class SiteWriter(CachingWriter):
    """The writer Pelican makes for each build, with the previous build's manifest."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        previous = _build.get("writer")
        if previous is not None and previous.pages is not None:
            previous.pages.close()  # a build that failed (`make serve` goes on)
        if enabled(self.settings):
            folder = os.path.join(self.settings["CACHE_PATH"], "incremental")
            key = site_key(self.settings)
            self.store = PageStore(os.path.join(folder, "pages.json"), key,
                                   os.path.abspath(output_path))  # fmt: skip
            self.pages = RenderedPages(os.path.join(folder, "rendered.sqlite"))
            if not self.store.old:
                # Every page renders again: so must every resized picture, since
                # image-process keeps any it finds (a replaced photo's old sizes).
                prune.remove_folders(
                    output_path, self.settings.get("IMAGE_PROCESS_DIR", "derivatives")
                )
        # The preview keeps the build in memory: it needs every write_file call.
        self.keep_calls = bool(_build.get("in_memory"))
        _build["writer"] = self


def get_writer(pelican):
    return SiteWriter


def note_statics(generator):
    """On `static_generator_finalized`: static files this build kept without copying
    (STATIC_CHECK_IF_MODIFIED) or hard-linked (STATIC_CREATE_LINKS) keep their old
    file time, so the time alone would not show they belong to the site."""
    _build.setdefault("statics", set()).update(sf.save_as for sf in generator.staticfiles)


def finish(pelican):
    """On `finalized` (and before the search index reads the output): remove what
    no longer belongs, save the manifest. Runs once per build."""
    writer = _build.get("writer")
    if _build.get("done") or writer is None or writer.store is None:
        return
    _build["done"] = True
    root = os.path.abspath(pelican.output_path)
    content = os.path.abspath(pelican.settings["PATH"])
    if os.path.commonpath([root, content]) == root:
        logger.warning("incremental: not tidying %s: it holds the content folder", root)
        writer.pages.close()
        return
    store = writer.store
    claimed = {os.path.relpath(p, root).replace(os.sep, "/") for p in store.claimed}
    claimed |= {os.path.relpath(p, root).replace(os.sep, "/") for p in writer._written_files}
    claimed |= {p.replace(os.sep, "/") for p in _build["statics"]}
    files, kept = _output_files(pelican, root)
    derivatives = pelican.settings.get("IMAGE_PROCESS_DIR", "derivatives")
    gone = prune.stale(files, claimed, _build["start_ns"], derivatives, kept,
                       _pictures_shown(writer, derivatives, pelican.settings))  # fmt: skip
    logger.debug("incremental: removing %s", gone)
    prune.remove(root, gone)
    store.save()
    writer.pages.save(store.new)
    _build["until"] = unchanged.until(pelican, _build.get("generators", ()), _build["now"])
    logger.info("incremental: %d pages rendered, %d from the page cache, %d unchanged, "
                "%d old files removed", writer.rendered, writer.restored, writer.skipped,
                len(gone))  # fmt: skip


def settle_after_edit(pelican, writer):
    """After the preview wrote some pages again (plugins/preview/hot.py): every page of
    the site in the manifest, in memory, with the pictures each shows, as `finish`
    saves it. `tidy_after_edit` keeps it on disk later."""
    derivatives = pelican.settings.get("IMAGE_PROCESS_DIR", "derivatives")
    writer.store.merge()
    _pictures_shown(writer, derivatives, pelican.settings)
    writer.store.settle()


def tidy_after_edit(pelican, writer):
    """When the preview has time after edits in memory: the resized pictures no page
    shows any more are removed, and the manifest is saved."""
    derivatives = pelican.settings.get("IMAGE_PROCESS_DIR", "derivatives")
    shown = {path for entry in writer.store.saved.values() for path in entry.get("shows", ())}
    root = os.path.abspath(pelican.output_path)
    files, kept = _output_files(pelican, root)
    # Every file is claimed: only the resized pictures no page shows are stale.
    prune.remove(root, prune.stale(files, set(files), 0, derivatives, kept, shown))
    writer.store.write()


def _output_files(pelican, root) -> tuple[dict[str, int], set[str]]:
    """Every file in the output (posix path -> time), outside the folders other plugins
    look after (and OUTPUT_RETENTION), and those folders' names."""
    kept = {*pelican.settings.get("OUTPUT_RETENTION", ())}
    kept |= {folder for _, folders in keep_folders.send(pelican) for folder in folders or ()}
    files = {}
    for folder, dirs, names in os.walk(root):
        if folder == root:
            dirs[:] = [d for d in dirs if d not in kept]
        for name in names:
            full = os.path.join(folder, name)
            files[os.path.relpath(full, root).replace(os.sep, "/")] = os.stat(full).st_mtime_ns
    return files, kept


def _pictures_shown(writer, derivatives, settings) -> set[str]:
    """The resized pictures the site's pages show: read from each page rendered now
    (after image-process rewrote it), and noted in the manifest for the pages kept or
    written from the page cache."""
    rendered = {os.path.abspath(p) for p in writer._written_files}
    siteurl = settings.get("SITEURL") or ""
    for name, entry in writer.store.new.items():
        if os.path.abspath(entry["path"]) in rendered and "shows" not in entry:
            with open(entry["path"], encoding="utf-8", errors="replace") as f:
                entry["shows"] = prune.pictures_shown(f.read(), name, siteurl, derivatives)
    return {path for entry in writer.store.new.values() for path in entry.get("shows", ())}


def site_key(settings) -> str:
    """What every page depends on: settings, theme, plugin code, package versions, and
    the static files' contents (a replaced photo: its pages must be resized again; a
    fresh clone, with every file time new, is still the same site)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(Signer().sign(dict(settings)).encode())
    memo = FileHashes(os.path.join(settings["CACHE_PATH"], "incremental", "file-hashes.json"))
    for folder in settings.get("STATIC_PATHS", []):
        for path in sorted(_files(os.path.join(settings["PATH"], folder))):
            h.update(f"{path}:{memo.digest(path)}".encode())
    memo.save()
    folders = [settings["THEME"], *settings.get("PLUGIN_PATHS", [])]
    for folder in folders:
        for path in sorted(_files(folder)):
            h.update(path.encode())
            with open(path, "rb") as f:
                h.update(hashlib.blake2b(f.read(), digest_size=16).digest())
    for package in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(f"{package}={metadata.version(package)}".encode())
    return h.hexdigest()


def _files(folder):
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                yield os.path.join(base, name)


def register():
    # One build at a time in an output folder (`make html` during `make serve`).
    signals.initialized.connect(take_turns)
    # Every build of one process signs the same settings.
    signals.initialized.connect(settle_settings)
    # The first signal of every build: the time after which files belong to it.
    signals.get_generators.connect(start)
    signals.all_generators_finalized.connect(note_generators)
    # Pelican writes every page through the writer this returns.
    signals.get_writer.connect(get_writer)
    signals.static_generator_finalized.connect(note_statics)
    signals.finalized.connect(finish)
    # The copies of every post's text Pelican keeps while it writes (memory.py).
    signals.article_generator_write_article.connect(memory.post_written)
    signals.article_writer_finalized.connect(memory.let_go)
