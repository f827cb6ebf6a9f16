"""The newsletter ledger: which edition went to whom, kept beside the announce ledger
(content/newsletter-ledger.jsonl), committed to git, with the same rules.

JSON Lines, only ever appended (one write and an fsync each; a torn last line is
ignored); a header, then one line per event:

    {"ledger": "noticeboard-newsletter", "version": 1, "t": "2026-12-07T06:15:02+00:00"}
    {"t": ..., "edition": "2026-12-07", "to": "5be1...", "key": "a3f9...",
     "via": "smtp", "state": "claimed", "claim": "9f3a0c1d2e4b"}
    {"t": ..., "edition": "2026-12-07", "to": "5be1...", "key": "a3f9...",
     "via": "smtp", "state": "sent", "claim": "9f3a0c1d2e4b"}

`to` is never an address: it is a keyed hash of it (HMAC-SHA256 with NEWSLETTER_KEY,
sendconfig.recipient_id), and `key` a fingerprint of that key, so a run with another key
is stopped before it sends an edition again to everyone. For listmonk, `to` is
"listmonk" and the line names the campaign.

A reader's state for an edition comes from all of their lines in any order (the
announce ledger's `reduce`: sent wins, then unknown, then an open claim...), and conflict
markers are skipped, so git's union merge (.gitattributes) never loses an entry. This
computer also journals every line it writes in the state folder (.announce/): lines an
older copy lost are put back, and a missing ledger is never taken for a first run.
"""

import logging
import os

from announce.appendonly import AppendOnlyLedger, last_commit, now, read_lines
from announce.ledger import (
    CLAIMED,
    FAILED,
    PENDING,
    RETRY,
    SENT,
    SKIPPED,
    UNKNOWN,
    Status,
    reduce,
)

from .sendconfig import SendError

logger = logging.getLogger(__name__)

KIND, VERSION = "noticeboard-newsletter", 1
NAME = "newsletter-ledger.jsonl"
JOURNAL = "newsletter-journal.jsonl"
__all__ = ["CLAIMED", "FAILED", "PENDING", "SENT", "SKIPPED", "UNKNOWN", "Ledger", "Status"]
RESTORE = (
    "restore it from git (`git log -- {path}` shows its history, then `git checkout "
    "<commit> -- {path}`). Never edit it by hand: `make newsletter-retry` sends again "
    "where a send was interrupted or refused."
)


def ledger_path(announce_ledger: str) -> str:
    """Beside the announce ledger (content/ by default), committed the same way."""
    return os.path.join(os.path.dirname(os.path.abspath(announce_ledger)), NAME)


class Ledger(AppendOnlyLedger):
    KIND, VERSION, WHAT, UPDATE = KIND, VERSION, "newsletter", "sending"
    ERROR = SendError

    def __init__(self, path: str, lines=(), journal: str | None = None):
        self._lines = {}  # (edition, to) -> [lines]
        self._keys = {}  # edition -> {key fingerprints}
        super().__init__(path, lines, journal)

    @classmethod
    def load(cls, path: str, state_dir: str | None, write=True) -> "Ledger":
        """The ledger at `path`; a missing one only where nothing shows this site sent a
        newsletter before. Raises SendError saying how to fix anything else.
        `write=False` (a dry run) changes no file."""
        journal = os.path.join(state_dir, JOURNAL) if state_dir else None
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            _never_sent(path, journal)
            return cls(path, journal=journal)
        lines = parse(text, path)
        ledger = cls(path, lines, journal)
        if ledger.header is None:
            raise SendError(
                f"{path}:1: the newsletter ledger has no header line, so it cannot be "
                f"trusted and nothing is sent. Fix: {RESTORE.format(path=path)}"
            )
        if write:
            ledger._restore_from_journal(lines, parse)
        return ledger

    # -- reading -------------------------------------------------------------------------
    def status(self, edition: str, to: str) -> Status:
        return reduce(self._lines.get((edition, to), []))

    def keys(self, edition: str) -> set[str]:
        """Fingerprints of the keys the edition was sent with so far."""
        return self._keys.get(edition, set())

    def readers(self, edition: str) -> dict[str, str]:
        """{to: state} for every reader the ledger knows for `edition`."""
        return {
            to: self.status(edition, to).state
            for (e, to) in self._lines
            if e == edition and self.status(edition, to).state
        }

    # -- writing (the caller holds the run lock) -----------------------------------------
    def record(self, edition: str, to: str, state: str, **details):
        if self.header is None:
            self._append({"ledger": KIND, "version": VERSION, "t": now()})
        line = {"t": now(), "edition": edition, "to": to, "state": state}
        line.update({k: v for k, v in details.items() if v not in (None, "")})
        self._append(line)

    def retry(self, edition: str, to: str):
        """Forget what happened to this reader's copy: it is sent again."""
        self.record(edition, to, RETRY)

    def _index_line(self, line: dict):
        edition, to = line.get("edition"), line.get("to")
        if not edition or not to:
            return
        self._lines.setdefault((edition, to), []).append(line)
        if line.get("key") and line.get("state") != RETRY:
            self._keys.setdefault(edition, set()).add(line["key"])


def parse(text: str, path: str) -> list[dict]:
    """The ledger's lines. Conflict markers and a torn last line are skipped; anything
    else that is not a ledger line is an error naming the line."""
    if not text.strip():
        raise SendError(
            f"{path}: the newsletter ledger is empty, so nothing is sent (an empty ledger is "
            f"not a first run). Fix: {RESTORE.format(path=path)} If this site has truly "
            "never sent a newsletter, delete the file."
        )
    return read_lines(text, path, "newsletter", lambda number: SendError(
        f"{path}:{number}: this line is not a newsletter ledger entry, so nothing is "
        f"sent. Fix: {RESTORE.format(path=path)}"
    ))  # fmt: skip


def _never_sent(path: str, journal: str | None):
    """Raise SendError if anything shows this site sent a newsletter before."""
    if journal and os.path.exists(journal):
        raise SendError(
            f"{path} is missing, but this computer has sent newsletters for this site "
            f"before ({journal}). Nothing is sent until it is back: a missing ledger is not "
            f"a first run. Fix: {RESTORE.format(path=path)} (Only if you mean to start "
            f"again and send the current edition to everyone anew, delete {journal}.)"
        )
    commit = last_commit(path)
    if commit:
        raise SendError(
            f"{path} is missing, but git shows it was committed (last in {commit}). Nothing "
            "is sent until it is back: a missing ledger is not a first run. Fix: "
            f"`git checkout {commit} -- {path}` (or {commit}^ if that commit deleted it)."
        )


DONE = {SENT, SKIPPED}  # never sent again automatically
STUCK = {UNKNOWN, FAILED}  # never sent again until `make newsletter-retry`
RESEND = {None, PENDING}  # sent by the next run
