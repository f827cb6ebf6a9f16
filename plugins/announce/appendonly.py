"""The machinery every append-only ledger of the kit shares: the announce ledger (what
was announced where), the newsletter's (which edition went to whom) and, in part,
listen's state (what `make listen` has seen).

Each is a JSON Lines file, committed to git and merged with git's union driver
(`.gitattributes`), so:
- a line is only ever appended, with one write and an fsync (`append_line`), and a torn
  last line left by a crash is ignored (`read_lines`);
- conflict markers left by a tool that ignores the driver are skipped, never an error;
- a ledger starts with a header naming its kind and format version; a newer version
  stops an older kit, and of two headers (two branches that each began one) the older
  wins;
- this computer keeps a journal of every line it wrote (in the git-ignored state
  folder): lines an older copy of the ledger lost are put back from it, and a missing
  ledger is never taken for a first run while the journal or git shows there was one
  (`last_commit`).

What the lines mean, the messages and the error type stay with each ledger.
"""

import json
import logging
import os
import subprocess
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

logger = logging.getLogger(__name__)

CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def dumps(line: dict) -> str:
    """One ledger line, as it is written (keys sorted, so a line reads the same twice)."""
    return json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"


def append_line(path: str, text: str):
    """Append one line with one write, then fsync. A torn line left by a crash is ended
    first, so it can never swallow this one."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        data = text.encode("utf-8")
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_lines(text: str, path: str, what: str, bad_line: Callable[[int], Exception]) -> list:
    """The JSON objects of a ledger's text. Blank lines and conflict markers are skipped,
    and so is a torn last line (said, as `what`); any other line that is not a JSON
    object raises `bad_line(its number)`."""
    raw = text.split("\n")
    rows = [row for row in raw if row.strip()]
    if text.endswith("\n") and not any(r.lstrip().startswith(CONFLICT_MARKERS) for r in rows):
        try:  # the usual case, in one call: a long ledger loads quickly
            lines = json.loads("[" + ",".join(rows) + "]")
            if all(isinstance(line, dict) for line in lines):
                return lines
        except ValueError:
            pass  # find the bad line below
    lines = []
    for number, row in enumerate(raw, start=1):
        row = row.strip()
        if not row or row.startswith(CONFLICT_MARKERS):
            continue
        try:
            line = json.loads(row)
        except ValueError:
            line = None
        if isinstance(line, dict):
            lines.append(line)
        elif number == len(raw):  # no newline after it: a write cut short by a crash
            logger.warning("%s: %s:%d: ignoring an unfinished last line", what, path, number)
        else:
            raise bad_line(number)
    return lines


def last_commit(path: str) -> str | None:
    """The short hash of the last commit that touched `path`, if git knows it."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    try:
        found = subprocess.run(
            ["git", "log", "-1", "--format=%h", "--", os.path.abspath(path)],
            cwd=folder, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None  # no git here: nothing to go on
    return found.stdout.strip() or None if found.returncode == 0 else None


class AppendOnlyLedger:
    """A ledger file and this computer's journal of it. A subclass sets KIND, VERSION,
    WHAT (the name its messages use: "announce"), ERROR (the exception a ledger that
    cannot be trusted raises) and UPDATE (what a newer version stops), and indexes its
    own lines in `_index_line`."""

    KIND: str
    VERSION: int
    WHAT: str
    ERROR: type[Exception]
    UPDATE: str

    def __init__(self, path: str, lines=(), journal: str | None = None):
        self.path = path
        self.journal = journal
        self.header = None
        self._journal_begun = False  # this ledger's header written to the journal
        for line in lines:
            self._index(line)

    def _index_line(self, line: dict):
        raise NotImplementedError

    def _index(self, line: dict):
        if line.get("ledger") != self.KIND:
            self._index_line(line)
        elif line.get("version", 0) > self.VERSION:
            raise self.ERROR(
                f"{self.path}: this ledger was written by a newer Noticeboard (version "
                f"{line.get('version')}). Fix: update the kit (git pull) before {self.UPDATE}."
            )
        elif self.header is None or line.get("t", "") < self.header.get("t", ""):
            self.header = line  # two branches that each began one: the older wins

    def _append(self, line: dict):
        text = dumps(line)
        append_line(self.path, text)
        self._index(line)
        if self.journal:
            if not self._journal_begun and line is not self.header:
                # The journal's lines belong to the header before them.
                append_line(self.journal, json.dumps(self.header, sort_keys=True) + "\n")
            self._journal_begun = True
            append_line(self.journal, text)

    def _restore_from_journal(self, lines: Iterable[dict], parse: Callable[[str, str], list]):
        """Put back lines this computer wrote that the ledger (read as `lines`) lost.
        `parse` reads the journal as the ledger is read."""
        if not self.journal or not os.path.exists(self.journal):
            return
        try:
            with open(self.journal, encoding="utf-8") as f:
                journal = parse(f.read(), self.journal)
        except self.ERROR as err:  # only a help: the ledger itself is sound
            logger.warning("%s: not using this computer's journal: %s", self.WHAT, err)
            return
        mine, header = [], None
        for line in journal:
            if line.get("ledger") == self.KIND:
                header = line
            elif header == self.header:  # not lines of another ledger it once kept
                mine.append(line)
        have = {json.dumps(line, sort_keys=True) for line in lines}
        lost = [line for line in mine if json.dumps(line, sort_keys=True) not in have]
        if lost:
            logger.warning(
                "%s: %d line(s) this computer wrote were missing from %s (an older "
                "copy restored over it?); they are added back from %s.",
                self.WHAT,
                len(lost),
                self.path,
                self.journal,
            )
            for line in lost:
                append_line(self.path, dumps(line))
                self._index(line)
