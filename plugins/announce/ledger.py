"""The announce ledger: what was announced where, kept with the site's content.

`content/announce-ledger.jsonl`, committed to git, so a fresh checkout (or the
scheduled workflow) knows what was sent. JSON Lines: a header, then one line per
event, only ever appended (one write and an fsync each: a crash leaves at most a torn
last line, which is ignored):

    {"ledger": "noticeboard-announce", "version": 2, "authority": "www.example", "t": ...}
    {"t": ..., "channel": "mastodon", "start": "2026-12-01T06:15:00+00:00", "why": ...}
    {"t": ..., "post": "tag:...", "file": "posts/x.md", "path": "/news/2026/x/", "date": ...,
     "url": ..., "title": ..., "channel": "mastodon", "state": "claimed", "claim": "9f3a..."}
    {"t": ..., "post": "tag:...", ..., "state": "sent", "claim": "9f3a...", "remote_id": ...}

Merging: `.gitattributes` gives the file git's union merge driver, which keeps the
lines of both sides. The state of a post on a channel is worked out from all of its
lines in any order (`reduce`), and conflict markers left by a tool that ignores the
driver are skipped, so a merge never loses an entry.

This computer also keeps every line it wrote in a journal in the state folder: lines
missing from the ledger (an older copy restored over it) are put back, and a missing
ledger is never mistaken for a first run.
"""

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from .appendonly import (
    AppendOnlyLedger,
    append_line,
    dumps,
    last_commit,
    now,
    read_lines,
)

logger = logging.getLogger(__name__)

KIND, VERSION = "noticeboard-announce", 2
CLAIMED, SENT, FAILED, PENDING, SKIPPED, UNKNOWN = (
    "claimed",
    "sent",
    "failed",
    "pending",
    "skipped",
    "unknown",
)
RETRY = "retry"  # `make announce-retry`: forget what happened before, send again
DONE = {SENT, SKIPPED, UNKNOWN}  # never sent again automatically
# A post in another file or at another address is the same post when its date is this
# close: a corrected Date:, a renamed file, a changed slug.
SAME_POST_WINDOW = timedelta(days=31)


class LedgerError(ValueError):
    """The ledger cannot be trusted: nothing is announced until it is fixed."""


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Status:
    """Where a post stands on a channel, and the line that decided it."""

    state: str | None = None
    line: dict = field(default_factory=dict)
    media: dict | None = None  # what was uploaded for it (reused, never uploaded twice)


def reduce(lines: list[dict]) -> Status:
    """The state of one post on one channel from its lines, whatever their order.

    `sent` anywhere wins (it went out); then `unknown` (it may have); then a claim with
    no result (a run stopped while sending: look before sending again); then `skipped`;
    then the latest of `failed` and `pending`. `retry` forgets everything before it.
    """
    states = [line.get("state") for line in lines]
    if SENT in states and RETRY not in states:  # the usual case, quickly
        first = min((line for line in lines if line.get("state") == SENT), key=_time)
        return Status(SENT, first)
    lines = sorted(lines, key=_time)
    retries = [i for i, line in enumerate(lines) if line.get("state") == RETRY]
    if retries:
        lines = lines[retries[-1] + 1 :]
    media = next((line["media"] for line in reversed(lines) if line.get("media")), None)
    states = [line for line in lines if line.get("state")]

    def last(*wanted):
        found = [line for line in states if line["state"] in wanted]
        return found[-1] if found else None

    sent = [line for line in states if line["state"] == SENT]
    if sent:
        return Status(SENT, sent[0], media)
    if unknown := last(UNKNOWN):
        return Status(UNKNOWN, unknown, media)
    closed = {line.get("claim") for line in states if line["state"] != CLAIMED}
    open_claims = [s for s in states if s["state"] == CLAIMED and s.get("claim") not in closed]
    if open_claims:
        return Status(CLAIMED, open_claims[-1], media)
    if skipped := last(SKIPPED):
        return Status(SKIPPED, skipped, media)
    if result := last(FAILED, PENDING):
        return Status(result["state"], result, media)
    return Status(None, {}, media)


def _time(line):
    return line.get("t", "")


class Ledger(AppendOnlyLedger):
    KIND, VERSION, WHAT, UPDATE = KIND, VERSION, "announce", "announcing"
    ERROR = LedgerError

    def __init__(self, path: str, lines=(), journal: str | None = None):
        self._posts = {}  # post id -> channel -> [lines]
        self._starts = {}  # channel -> its start line
        self._by_file, self._by_path = {}, {}  # -> post ids
        self._details = {}  # post id -> the last line describing it
        super().__init__(path, lines, journal)

    # -- reading -------------------------------------------------------------------------
    @property
    def exists(self) -> bool:
        return self.header is not None

    @property
    def authority(self) -> str | None:
        return self.header["authority"] if self.header else None

    @classmethod
    def load(cls, path: str, state_dir: str | None = None, write=True) -> "Ledger":
        """The ledger at `path`. A missing one is a first run only where this site has
        never announced; anything unreadable raises LedgerError saying how to fix it.
        `write=False` (a check) never changes a file."""
        journal = os.path.join(state_dir, "journal.jsonl") if state_dir else None
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            old = os.path.splitext(path)[0] + ".json"
            if old != path and os.path.exists(old):
                return migrate(old, path, journal, write)
            _never_announced(path, journal)
            return cls(path, journal=journal)
        if _first_format(text):
            if write:
                raise LedgerError(
                    f"{path} is in the first ledger format. Fix: remove ANNOUNCE_LEDGER from "
                    "your settings (the new default is content/announce-ledger.jsonl), and the "
                    "next `make announce` converts it."
                )
            return migrate(path, path, journal, write=False)  # a check reads it as it is
        lines = parse(text, path)
        ledger = cls(path, lines, journal)
        if ledger.header is None:
            raise LedgerError(
                f"{path}:1: the announce ledger has no header line, so it cannot be trusted "
                f"and nothing is announced. Fix: {RESTORE.format(path=path)}"
            )
        if write:
            ledger._restore_from_journal(lines, parse)
        return ledger

    def status(self, ids, channel: str) -> Status:
        """The post known by any of `ids` (its id and its earlier ones), on `channel`."""
        lines = [line for i in ids for line in self._posts.get(i, {}).get(channel, ())]
        return reduce(lines)

    def sent(self, ids, channel: str) -> bool:
        """Whether the post known by any of `ids` went out on `channel`, and was not put
        back for a retry: reduce()'s first rule, the answer for nearly every post
        planning looks at, without making a Status."""
        states = {
            line.get("state") for i in ids for line in self._posts.get(i, {}).get(channel, ())
        }
        return SENT in states and RETRY not in states

    def start(self, channel: str) -> datetime | None:
        """Posts dated before this are not announced on `channel` (it began then)."""
        line = self._starts.get(channel)
        return parse_time(line["start"]) if line else None

    def same_post(self, post_id, file, path, date: datetime, taken=frozenset()) -> list[str]:
        """Ledger ids that are this post: its own, and any other announced post in the
        same file or at the same address, dated within SAME_POST_WINDOW of it, that no
        current post (`taken`) still has. So a corrected Date:, a renamed file or a new
        SITEURL keep the post's history."""
        found = [post_id]
        for other in sorted(self._by_file.get(file, set()) | self._by_path.get(path, set())):
            if other == post_id or other in taken or "date" not in self._details[other]:
                continue
            if abs(parse_time(self._details[other]["date"]) - date) <= SAME_POST_WINDOW:
                found.append(other)
        return found

    def sent_on(self, post_id) -> list[str]:
        """The channels the post was announced on."""
        channels = self._posts.get(post_id, {})
        return sorted(c for c in channels if self.status([post_id], c).state == SENT)

    def details(self, post_id) -> dict:
        """The last line recording the post: its title, url, date, file and path then."""
        return self._details.get(post_id, {})

    def posts(self):
        return list(self._posts)

    # -- writing (the caller holds the run lock) -----------------------------------------
    def begin(self, authority: str):
        """Write the header of a new ledger."""
        if self.header is None:
            self._append(header(authority))

    def start_channel(self, channel: str, start: datetime, why: str):
        self._append({"t": now(), "channel": channel, "start": start.isoformat(), "why": why})

    def record(self, post, channel: str, state: str, **details):
        self._append(event(post, channel, state, **details))

    def retry(self, ids, channel: str):
        """Forget what happened to the post on `channel` so far: it is sent again."""
        for post_id in ids:
            self._append({"t": now(), "post": post_id, "channel": channel, "state": RETRY})

    def remember_media(self, post, channel: str, media: dict):
        self._append({"t": now(), "post": post.id, "channel": channel, "media": media})

    def add(self, line: dict):
        """Add a line as it is (one kept elsewhere: this computer's journal)."""
        self._append(line)

    def _append(self, line: dict):
        if self.header is None and line.get("ledger") != KIND:
            raise LedgerError(f"{self.path}: write the header first (Ledger.begin)")
        super()._append(line)

    def _index_line(self, line: dict):
        channel = line.get("channel")
        if "start" in line:  # the latest start wins: a channel only ever starts later
            known = self._starts.get(channel)
            if known is None or parse_time(line["start"]) > parse_time(known["start"]):
                self._starts[channel] = line
            return
        post = line.get("post")
        if not post or not channel:
            return
        self._posts.setdefault(post, {}).setdefault(channel, []).append(line)
        if "url" in line:  # every line a run writes about a post says what it was
            self._details[post] = line
            path = line.get("path") or urlsplit(line["url"]).path  # (the first format: url only)
            for index, key in ((self._by_file, line.get("file")), (self._by_path, path)):
                if key:
                    index.setdefault(key, set()).add(post)


def event(post, channel: str, state: str, **details) -> dict:
    """The ledger line saying what happened to `post` on `channel`."""
    line = {
        "t": now(),
        "post": post.id,
        "file": post.file,
        "path": post.path,
        "date": post.date,
        "url": post.url,
        "title": post.title,
        "channel": channel,
        "state": state,
    }
    line.update({k: v for k, v in details.items() if v not in (None, "")})
    return line


def header(authority: str) -> dict:
    return {"ledger": KIND, "version": VERSION, "authority": authority, "t": now()}


RESTORE = (
    "restore it from git (`git log -- {path}` shows its history, then "
    "`git checkout <commit> -- {path}`), or rebuild it from the networks with "
    "`make announce-reconcile`."
)


def parse(text: str, path: str) -> list[dict]:
    """The ledger's lines. Conflict markers and a torn last line are skipped; anything
    else that is not a ledger line is an error naming the line."""
    stripped = text.strip()
    if not stripped:
        raise LedgerError(
            f"{path}: the announce ledger is empty, so nothing is announced (an empty ledger "
            f"is not a first run). Fix: {RESTORE.format(path=path)} If this site has truly "
            "never announced, delete the file."
        )
    if not stripped.startswith('{"') or _first_format(stripped):
        _whole_document(stripped, path)
    return read_lines(text, path, "announce", lambda number: LedgerError(
        f"{path}:{number}: this line is not an announce ledger entry, so nothing is "
        f"announced. Fix: {RESTORE.format(path=path)} Never edit the ledger by hand: "
        "`make announce-retry` sends a post again."
    ))  # fmt: skip


def _first_format(text: str) -> bool:
    """Whether `text` is the first ledger format: one JSON document with "posts"."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return isinstance(document, dict) and isinstance(document.get("posts"), dict)


def _whole_document(text: str, path: str):
    """A file that is one JSON document but not a ledger."""
    raise LedgerError(
        f"{path}:1: this is not an announce ledger (it holds {text[:40]!r}), so nothing is "
        f"announced: treating it as a first run could announce every post again. "
        f"Fix: {RESTORE.format(path=path)}"
    )


def _never_announced(path: str, journal: str | None):
    """Raise LedgerError if anything shows that this site announced before."""
    if journal and os.path.exists(journal):
        raise LedgerError(
            f"{path} is missing, but this computer has announced this site before "
            f"({journal}). Nothing is announced until it is back: a missing ledger is not a "
            f"first run. Fix: {RESTORE.format(path=path)} (Only if you mean to start again "
            f"and announce every recent post anew, delete {journal}.)"
        )
    commit = last_commit(path)
    if commit:
        raise LedgerError(
            f"{path} is missing, but git shows it was committed (last in {commit}). Nothing "
            "is announced until it is back: a missing ledger is not a first run. Fix: "
            f"`git checkout {commit} -- {path}` (or {commit}^ if that commit deleted it), "
            "or rebuild it from the networks with `make announce-reconcile`."
        )


def migrate(old: str, path: str, journal: str | None, write: bool) -> Ledger:
    """Convert the first ledger format (one JSON document) into lines, written once
    (`write`; a check only reads it)."""
    with open(old, encoding="utf-8") as f:
        try:
            document = json.load(f)
        except ValueError as err:
            raise LedgerError(f"{old}: the old ledger is not valid JSON ({err}).") from None
    posts = document.get("posts") if isinstance(document, dict) else None
    if not isinstance(posts, dict):
        _whole_document(json.dumps(document), old)
    authorities = [i.split(",", 1)[0].removeprefix("tag:") for i in posts if i.startswith("tag:")]
    authority = max(set(authorities), key=authorities.count) if authorities else "localhost"
    lines = [header(authority)]
    first_use = {}
    for item in posts.values():
        for channel, entry in item.get("channels", {}).items():
            time = entry.get("time") or lines[0]["t"]
            first_use[channel] = min(first_use.get(channel, time), time)
    for channel, time in sorted(first_use.items()):
        lines.append({"t": time, "channel": channel, "start": time, "why": "the first format"})
    for post_id, item in posts.items():
        for channel, entry in item.get("channels", {}).items():
            line = {k: v for k, v in entry.items() if k != "time"}
            line.update(t=entry.get("time") or lines[0]["t"], post=post_id, channel=channel)
            line.update(url=item.get("url", ""), title=item.get("title", ""))
            if line.get("state") == CLAIMED:
                line["claim"] = "converted"
            lines.append(line)
    if write:
        text = "".join(dumps(x) for x in lines)
        append_line(path, text)
        os.remove(old)
        logger.warning("announce: converted %s to %s (commit both changes)", old, path)
    return Ledger(path, lines, journal)
