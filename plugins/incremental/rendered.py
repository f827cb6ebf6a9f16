"""The pages as last rendered, kept in the cache folder, so a build into an empty output
folder (a fresh clone with `.cache/` restored, or `make publish`, which empties
`output/`) writes an unchanged page from here instead of rendering it again.

One SQLite file (`CACHE_PATH/incremental/rendered.sqlite`): for each output page, the
signature it was rendered with (writer.py) and the text the templates produced, before
any post-processing (image-process rewrites the written file; a page written from here
goes through the same `content_written` steps, so it ends up byte for byte the same).
A page is taken from here only when its signature is the one stored with it. Rows for
pages the site no longer has are removed when the build's manifest is saved; a build
that fails leaves the file as it was (one transaction per build).
"""

import contextlib
import logging
import os
import sqlite3
import zlib

logger = logging.getLogger(__name__)
SCHEMA = "CREATE TABLE IF NOT EXISTS pages (name TEXT PRIMARY KEY, key TEXT, html BLOB)"


class RenderedPages:
    def __init__(self, path: str):
        self.path = path
        self.db = None
        try:
            self._open()
        except sqlite3.OperationalError as err:  # locked by another build, a full disk
            logger.warning("incremental: not using the page cache %s this build (%s)",
                           path, err)  # fmt: skip
            self.close()  # every page is rendered
        except sqlite3.DatabaseError as err:
            # A damaged file only costs time: remove it and start again.
            logger.warning("incremental: the page cache %s could not be read (%s); "
                           "starting it again", path, err)  # fmt: skip
            self.close()
            with contextlib.suppress(OSError):
                os.remove(path)
            try:
                self._open()
            except sqlite3.Error:
                self.close()

    def _open(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute(SCHEMA)
        self.db.execute("BEGIN")

    def get(self, name: str, key: str) -> str | None:
        """The text `name` was rendered to with signature `key`, if kept."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT key, html FROM pages WHERE name = ?", (name,)).fetchone()
            if row is None or row[0] != key:
                return None
            return zlib.decompress(row[1]).decode("utf-8", "surrogatepass")
        except (sqlite3.Error, zlib.error, UnicodeDecodeError):
            return None

    def put(self, name: str, key: str, text: str):
        if self.db is None:
            return
        data = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        try:
            self.db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)", (name, key, data))
        except sqlite3.Error as err:
            # Another build with the same cache folder holding it, a full disk: this
            # build goes on without keeping pages (the next one renders them again).
            logger.warning("incremental: not keeping pages in %s this build (%s)", self.path, err)
            self.close()

    def save(self, names):
        """Keep the rows of `names` (the site's pages now) and commit."""
        if self.db is None:
            return
        try:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS site (name TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM site")
            self.db.executemany("INSERT OR IGNORE INTO site VALUES (?)", ((n,) for n in names))
            self.db.execute("DELETE FROM pages WHERE name NOT IN (SELECT name FROM site)")
            self.db.execute("COMMIT")
        except sqlite3.Error as err:
            logger.warning("incremental: could not save the page cache (%s)", err)
        finally:
            self.close()

    def close(self):
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()  # an open transaction is rolled back
            self.db = None
