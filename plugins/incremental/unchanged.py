"""A build with nothing to do stops before reading anything.

After each local build, a small record is kept beside the manifest: a fingerprint of
everything the build read (the site key: settings, theme, plugins, packages, static
files; and every file under the content folder, by size, time, change time and inode,
as make and ninja decide), a fingerprint of the output folder as the build left it,
the time until which the output stays right (the next midnight, when a scheduled post
falls due, when an event ends: other plugins say through the `incremental_valid_until`
signal), and the warnings and errors the build reported.

The next build compares. If every input and the output are as recorded, and that time
has not come, nothing could change: it says so, repeats the warnings and errors (so
`make html` run twice tells staff the same things twice), and stops. Anything else, and
it builds as usual. A build that emptied the output first (publishconf.py) never stops
early.
"""

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from blinker import signal

logger = logging.getLogger(__name__)
VERSION = 1
# Receivers take the Pelican object and `generators=` (this build's), and return the
# datetime (aware) at which a page of theirs will need rebuilding, or None.
valid_until = signal("incremental_valid_until")
# Receivers take the settings and return the paths of files outside the content folder
# that the build reads (listen: the replies shown under posts), to fingerprint too.
more_inputs = signal("incremental_inputs")


def record_path(settings) -> str:
    return os.path.join(settings["CACHE_PATH"], "incremental", "last-build.json")


def inputs(settings, site_key: str) -> str:
    h = hashlib.blake2b(site_key.encode(), digest_size=16)
    _walk(settings["PATH"], h, skip=())
    for _, paths in more_inputs.send(settings):
        for path in sorted(paths or ()):
            try:
                st = os.stat(path)
                h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
            except OSError:
                h.update(f"{path}\0missing\n".encode())
    return h.hexdigest()


def output(folder: str, skip=()) -> str:
    h = hashlib.blake2b(digest_size=16)
    _walk(folder, h, skip=skip)
    return h.hexdigest()


def _walk(folder, h, skip):
    """Every file under `folder` (its top folders in `skip` left out), in os.walk's
    order, by relative path, size, times and inode."""
    _walk_folder(os.path.abspath(folder), "", h, set(skip))


def _walk_folder(path, prefix, h, skip):
    try:
        with os.scandir(path) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            if entry.name not in skip and not entry.is_symlink():
                folders.append(entry)
            continue
        try:
            st = entry.stat()
        except OSError:
            continue
        h.update(f"{prefix}{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0"
                 f"{st.st_ino}\n".encode("utf-8", "surrogateescape"))  # fmt: skip
    for entry in folders:
        _walk_folder(entry.path, f"{prefix}{entry.name}/", h, ())


def next_midnight(settings, now: datetime) -> datetime:
    tz = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)


def until(pelican, generators, now: datetime) -> datetime:
    """The earliest time a page of this build will be out of date without any edit."""
    times = [next_midnight(pelican.settings, now)]
    for generator in generators:
        for draft in getattr(generator, "drafts", ()):
            date = getattr(draft, "date", None)
            if date is not None and date.tzinfo is not None and date > now:
                times.append(date)  # a scheduled post falls due
    for _, found in valid_until.send(pelican, generators=generators):
        if found is not None:
            times.append(found)
    return min(times)


class Recorder(logging.Handler):
    """The warnings and errors said during a build, to say again when nothing changed."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.said = []

    def emit(self, record):
        if record.name.startswith("incremental"):
            return
        # A message that cannot be formatted is left out.
        with contextlib.suppress(Exception):
            self.said.append([record.name, record.levelno, record.getMessage()])


@contextlib.contextmanager
def recording():
    """Note the warnings and errors said while the block runs. With Pelican's plain log
    handler (`--log-handler plain`) the root logger has no handler and Python's last
    resort prints them: it must go on doing so once a handler is added."""
    root = logging.getLogger()
    recorder = Recorder()
    added = [recorder] if root.handlers else [recorder, logging.lastResort]
    for handler in added:
        root.addHandler(handler)
    try:
        yield recorder
    finally:
        for handler in added:
            root.removeHandler(handler)


def save(settings, record: dict):
    path = record_path(settings)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"version": VERSION, **record}, f)
    os.replace(tmp, path)


def forget(settings):
    with contextlib.suppress(OSError):
        os.remove(record_path(settings))


def load(settings) -> dict | None:
    try:
        with open(record_path(settings), encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("version") == VERSION else None


def nothing_to_do(record, input_print: str, output_print: str, now: datetime) -> bool:
    if not record:
        return False
    try:
        due = datetime.fromisoformat(record["until"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        record.get("inputs") == input_print and record.get("output") == output_print and now < due
    )


def say_again(record):
    for name, level, message in record.get("said", []):
        logging.getLogger(name).log(level, "%s", message)
