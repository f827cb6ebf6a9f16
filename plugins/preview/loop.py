"""The build loop: build, wait for changes, build again, for as long as the preview runs.

Changes come from the watchers (watch.py) through a queue, so none is lost whenever it
is made: while a build runs, while the search index is made, just after "Done:". The
loop takes everything queued at once (and whatever arrives within DEBOUNCE_S after
it, as one save often comes as several changes), then builds once. A build that fails
is reported and the loop waits for the next change, as Pelican's autoreload does;
the last good build stays served.

After an edit applied in memory (hot.py) the pages are served at once; the search
index, the sitemap and the manifest on disk follow once no save has come for IDLE_S,
so a save made just after "Done:" is shown first.
"""

import contextlib
import logging
import os
import queue

from pelican import get_instance
from pelican.log import LimitFilter, console

from . import hot
from .watch import SiteWatch, WatcherFailed

logger = logging.getLogger(__name__)
DEBOUNCE_S = 0.1  # a change arriving this soon after the last one joins the same build
GATHER_S = 2.0  # ...but the build starts after this long whatever keeps arriving
LOOK_S = 1.0  # how often the loop looks whether the web server still runs while it waits
IDLE_S = 0.5  # no save for this long after an edit in memory: the work it left is done


def take(changes: queue.Queue, server=None, idle=None) -> set[str]:
    """Every changed path queued: waits for one change, then gathers what follows.
    `idle` is called once if no change comes within IDLE_S."""
    paths = set()
    item = None
    while item is None:
        try:
            item = changes.get(timeout=IDLE_S if idle is not None else LOOK_S)
        except queue.Empty:
            if idle is not None:
                idle()
                idle = None
            if server is not None:
                server.check()
    paths |= _paths(item)
    waited = 0.0
    while waited < GATHER_S:
        try:
            paths |= _paths(changes.get(timeout=DEBOUNCE_S))
        except queue.Empty:
            break
        waited += DEBOUNCE_S
    return paths


def _paths(item) -> set[str]:
    if isinstance(item, WatcherFailed):
        raise item
    return item


class Preview:
    """The Pelican instance, its settings and the watchers that go with them."""

    def __init__(self, args, server=None):
        self.args = args
        self.server = server
        self.changes = queue.Queue()
        self.pelican, self.settings = get_instance(args)
        self.pelican.in_memory = True  # plugins/incremental: the first build is a real one
        # get_instance fills in args.settings when it falls back to pelicanconf.py.
        self.settings_file = os.path.abspath(args.settings) if args.settings else None
        self.watch = None
        self.settings_broken = False
        self.held = False  # the last build succeeded: the site it made is in memory

    def start_watching(self):
        """Watch what these settings name; a new watcher takes over before the old one
        stops, so nothing is missed in between."""
        watch = SiteWatch(self.settings_file, self.settings, self.changes)
        if self.watch is not None and watch.key == self.watch.key:
            return
        try:
            watch.start()
        except WatcherFailed as err:
            if self.watch is None:
                raise
            logger.warning("The preview keeps watching what it watched before: %s", err)
            return
        old, self.watch = self.watch, watch
        if old is not None:
            old.stop()

    def stop(self):
        if self.watch is not None:
            self.watch.stop()
        # An edit in memory's manifest, so the next build knows the pages it wrote.
        with contextlib.suppress(Exception):
            hot.before_build(self.pelican)

    def build(self):
        """One build; a failure is reported, never raised (the preview goes on)."""
        self._say_again()
        self.held = False
        try:
            hot.before_build(self.pelican)
            self.pelican.run()
            hot.remember_output(self.pelican)
            self.held = True
        except Exception as err:  # noqa: BLE001 - any failure of a build: say it, go on
            logger.warning(
                "Caught exception:\n\"%s\".\nThe build failed (%s); the preview still serves "
                "the last build. Fix: correct what the message names and save: the preview "
                "builds again then (run with -D to see where it failed).",
                err, type(err).__name__, exc_info=self.settings.get("DEBUG", False),
            )  # fmt: skip

    @staticmethod
    def _say_again():
        # Pelican says each warning once per process; each build says its own, as
        # `make html` would (a problem fixed, then made again, is shown again).
        LimitFilter._raised_messages.clear()
        LimitFilter._group_count.clear()

    def edit_in_memory(self, changed: set[str]) -> bool:
        """Apply a save that changed only posts' text to the site in memory (hot.py);
        False when it needs a full build."""
        if not self.held:
            return False
        self._say_again()
        self.held = False
        try:
            hot.apply(self.pelican, changed)
        except hot.NotHot as err:
            logger.debug("preview: a full build: %s", err)
            return False
        except Exception as err:  # noqa: BLE001 - a fault of the kit: say it, build in full
            logger.warning("The preview could not apply this save to the site in memory "
                           "(%s: %s), so it builds the whole site.", type(err).__name__, err,
                           exc_info=self.settings.get("DEBUG", False))  # fmt: skip
            return False
        self.held = True
        return True

    def after_edit(self):
        """The search index, the sitemap and the manifest after edits in memory; a
        failure is reported, and the next save builds the whole site."""
        try:
            hot.after_edit(self.pelican)
        except Exception as err:  # noqa: BLE001 - any failure: say it, build in full next
            self.held = False
            logger.warning("The preview could not update the search index and the sitemap "
                           "after this save (%s: %s); the next save builds the whole site.",
                           type(err).__name__, err,
                           exc_info=self.settings.get("DEBUG", False))  # fmt: skip

    def reload_settings(self):
        """Read the settings again, as Pelican does when the settings file changes."""
        try:
            self.pelican, self.settings = get_instance(self.args)
            self.pelican.in_memory = True
        except Exception as err:  # noqa: BLE001 - a settings file being edited
            self.settings_broken = True
            logger.warning(
                "Cannot read the settings in %s (%s: %s). Fix: correct the file and save "
                "it: the preview reads it again then, and builds.",
                self.settings_file, type(err).__name__, err,
                exc_info=self.settings.get("DEBUG", False),
            )  # fmt: skip
            return False
        self.settings_broken = False
        self.start_watching()
        return True

    def run(self):
        """Build, then build again after every change, until interrupted."""
        console.print(
            "  --- Preview: watching the content, the theme and the settings for changes;"
            " every save is built. ---"
        )
        self.start_watching()
        ready = True
        while True:
            if ready:
                self.build()
            if self.server is not None:
                self.server.check()
            try:
                changed = take(self.changes, self.server, self.after_edit)
            except WatcherFailed as err:
                # Changes may have gone unseen while it failed: watch again, then build.
                logger.warning("The preview's file watcher stopped: %s Watching again.", err)
                self.watch.stop()
                self.watch = None
                self.start_watching()
                changed = {"(every file: the watcher stopped)"}
            settings_changed = self.settings_file in changed or self.settings_broken
            if settings_changed:
                self.held = False
                ready = self.reload_settings()
                if not ready:
                    continue
            console.print(f"\n-> Modified: {', '.join(sorted(changed))}. re-generating...")
            ready = settings_changed or not self.edit_in_memory(changed)
