"""The pages of the previous build (the manifest): for each output file, the template,
the names it looked up, their signature, the resized pictures it shows, and the
file's size and time as written."""

import hashlib
import json
import os
import sys
import tempfile

VERSION = 2  # 2: the pictures each page shows


class PageStore:
    def __init__(self, path: str, site_key: str, output_path: str):
        self.path = path
        self.header = {"version": VERSION, "site": site_key, "output": output_path}
        self.old = {}
        self.new = {}
        self.claimed = set()  # files this build wrote or kept
        self.saved = None  # the pages as saved, with their files' size and time
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f, object_hook=_shared())
            if data.get("header") == self.header:
                self.old = data["pages"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no manifest, or another site's/version's: every page is rendered

    def get(self, name):
        """The previous build's record of `name`, unless this build already wrote it
        (a second write of one file always goes through Pelican's own checks)."""
        return None if name in self.new else self.old.get(name)

    @staticmethod
    def unchanged_file(path: str, entry: dict) -> bool:
        try:
            st = os.stat(path)
        except OSError:
            return False
        return [st.st_size, st.st_mtime_ns] == entry["stat"]

    def keep(self, name: str, path: str):
        self.new[name] = self.old[name]
        self.claimed.add(path)

    def record(self, name, path, template, names, key):
        self.new[name] = {"template": template, "names": names, "key": key, "path": path}
        self.claimed.add(path)

    def save(self):
        """After every post-processing step: note each file as it now is."""
        self.settle()
        self.write()

    def settle(self):
        """Each page's file as it now is, in memory (`saved`); `write` keeps it. The
        entries are this build's own (or the last build's, kept): noted in place."""
        pages = {}
        for name, entry in self.new.items():
            try:
                st = os.stat(entry["path"])
            except OSError:
                continue
            entry["stat"] = [st.st_size, st.st_mtime_ns]
            pages[name] = entry
        self.saved = pages

    def write(self):
        """The pages as settled, on disk: whole or not at all."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"header": self.header, "pages": self.saved}, f)
        os.replace(tmp, self.path)

    def reopen(self):
        """After save: the pages just saved become the previous build's, for a preview
        that writes again only what an edit reached (plugins/preview/hot.py)."""
        self.old, self.new, self.claimed = self.saved, {}, set()

    def merge(self):
        """Every page of the site: the ones written again, and the others as they were."""
        self.new = {**self.old, **self.new}


def _shared():
    """For reading the manifest: each page's repeated strings and list of names held
    once, as they are read (read as plain JSON, each page holds its own copies: 23 MB
    instead of 8 for 8,000 pages)."""
    lists = {}

    def entry(obj: dict) -> dict:
        if "names" in obj and "template" in obj and "key" in obj:
            names = tuple(sys.intern(name) for name in obj["names"])
            obj["names"] = lists.setdefault(names, names)
            obj["template"] = sys.intern(obj["template"])
            if "shows" in obj:
                obj["shows"] = [sys.intern(picture) for picture in obj["shows"]]
        return obj

    return entry


class FileHashes:
    """Files' content hashes, remembered by size, times and inode: a file is read again
    only when one of them changed (a fresh clone reads each once)."""

    def __init__(self, path: str):
        self.path = path
        self.changed = False
        try:
            with open(path, encoding="utf-8") as f:
                self.known = json.load(f)
            if not isinstance(self.known, dict):
                self.known = {}
        except (OSError, ValueError):
            self.known = {}
        self.seen = {}

    def digest(self, path: str) -> str:
        st = os.stat(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        known = self.known.get(path)
        if not (isinstance(known, list) and known[:4] == stamp):
            h = hashlib.blake2b(digest_size=16)
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            known = [*stamp, h.hexdigest()]
            self.changed = True
        self.seen[path] = known
        return known[4]

    def save(self):
        """Keep the files looked at this time (a deleted file is forgotten)."""
        if not self.changed and len(self.seen) == len(self.known):
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.seen, f)
        os.replace(tmp, self.path)
