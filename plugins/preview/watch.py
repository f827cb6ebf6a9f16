"""Watching the site's files for the whole life of the preview.

Pelican's autoreload makes a new watcher after every build, so whatever is saved while
a build runs (or while the new watcher is still setting itself up on a large site) is
never seen. Here the watchers start once, before the first build, each in a thread of
its own, and put every set of changes on one queue that the build loop reads when it
is ready: a change waits there, whenever it was made.

What is watched is what Pelican watches (the settings file, the theme, the content
folder and its static folders, with Pelican's own filter and IGNORE_FILES), except:
- the settings file is watched through its folder (not recursively), so an editor
  that saves by writing a new file and renaming it over the old one is still seen;
- the output and cache folders are never watched, should they be inside the content
  folder: the build writes there, and would otherwise start itself again forever.
"""

import logging
import os
import queue
import threading

import watchfiles
from pelican.utils import FileChangeFilter

logger = logging.getLogger(__name__)
STEP_MS = 50  # how often the watcher looks at what the system reported
# watchfiles waits for this long at most for a burst of changes to end before it hands
# them over (Pelican's default); the build loop gathers anything later itself.
DEBOUNCE_MS = 1600
# The thread says what it did not expect on the queue, never on the console: the
# parallel plugin forks worker processes during a build, and a fork while another
# thread holds the console's lock leaves the worker stuck when it prints.
logging.getLogger("watchfiles").setLevel(logging.WARNING)


class WatcherFailed(Exception):
    """Put on the queue by a watcher that stopped by itself (the message says why)."""


class Filter(FileChangeFilter):
    """Pelican's filter (watchfiles' defaults and IGNORE_FILES), without the folders the
    build writes to, and, given `only`, without any path but that one."""

    def __init__(self, ignore_file_patterns, skip_folders=(), only=None):
        super().__init__(ignore_file_patterns=ignore_file_patterns)
        self.skip = [os.path.join(os.path.abspath(f), "") for f in skip_folders if f]
        self.only = only

    def __call__(self, change, path):
        path = os.path.abspath(path)
        if self.only is not None and path != self.only:
            return False
        if any(path == f[:-1] or path.startswith(f) for f in self.skip):
            return False
        return super().__call__(change, path)


class Watcher:
    """One watchfiles watch over `paths`, from start() to stop(), in its own thread."""

    def __init__(self, paths, changes: queue.Queue, watch_filter, recursive=True):
        self.paths = list(paths)
        self.changes = changes
        self.filter = watch_filter
        self.recursive = recursive
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error = None
        self._thread = None

    def is_set(self) -> bool:
        """watchfiles asks this every STEP_MS while it watches (its stop event): the
        first time proves it is watching, every path registered."""
        self._ready.set()
        return self._stop.is_set()

    def start(self):
        """Start watching; return once every path is being watched."""
        self._thread = threading.Thread(target=self._watch, name="preview-watcher", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise WatcherFailed(self._error)

    def _watch(self):
        try:
            for changes in watchfiles.watch(
                *self.paths,
                watch_filter=self.filter,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self,
                # No timeout: on a timeout watchfiles empties what it gathered, and a
                # change arriving at that instant would be lost.
                rust_timeout=0,
                recursive=self.recursive,
                raise_interrupt=False,
            ):
                self.changes.put({path for _, path in changes})
        except Exception as err:  # noqa: BLE001 - handed to the build loop, which says it
            self._error = (f"cannot watch {', '.join(self.paths)} ({type(err).__name__}: "
                           f"{err}). Fix: if the system ran out of file watches, raise "
                           "fs.inotify.max_user_watches, or set WATCHFILES_FORCE_POLLING=1 "
                           "to look for changes by polling instead.")  # fmt: skip
            if self._ready.is_set():
                self.changes.put(WatcherFailed(self._error))
            self._ready.set()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def watched(settings_file, settings):
    """(the folders, the settings file or None) that Pelican's autoreload watches."""
    content = settings.get("PATH", "")
    folders = [settings.get("THEME", ""), content]
    folders += [os.path.join(content, path) for path in settings.get("STATIC_PATHS", [])]
    kept = []
    for path in folders:
        if not path:
            continue
        path = os.path.abspath(path)
        if not os.path.exists(path):
            logger.warning("Unable to watch path '%s' as it does not exist.", path)
        elif path not in kept:
            kept.append(path)
    return kept, os.path.abspath(settings_file) if settings_file else None


class SiteWatch:
    """The watchers for one set of settings: the folders, recursively, and the settings
    file's own folder, for the settings file only."""

    def __init__(self, settings_file, settings, changes: queue.Queue):
        self.folders, self.settings_file = watched(settings_file, settings)
        ignore = set(settings.get("IGNORE_FILES", []))
        skip = (settings.get("OUTPUT_PATH"), settings.get("CACHE_PATH"))
        self.key = (tuple(self.folders), self.settings_file, tuple(sorted(ignore)), skip)
        self.watchers = []
        if self.folders:
            self.watchers.append(Watcher(self.folders, changes, Filter(ignore, skip)))
        if self.settings_file:
            folder = os.path.dirname(self.settings_file)
            only = Filter(ignore, only=self.settings_file)
            self.watchers.append(Watcher([folder], changes, only, recursive=False))

    def start(self):
        started = []
        try:
            for watcher in self.watchers:
                watcher.start()
                started.append(watcher)
        except BaseException:
            for watcher in started:
                watcher.stop()
            raise

    def stop(self):
        for watcher in self.watchers:
            watcher.stop()
