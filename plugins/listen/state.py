"""What `make listen` has seen: `content/listen-state.jsonl` (LISTEN_STATE), beside the
announce ledger, committed by the scheduled workflow and merged the same way (git's
union driver keeps both sides' lines; `.gitattributes`).

JSON Lines, only ever appended, one line per fact, so any merge of two copies, in any
order, says the same (`State` reduces the lines; conflict markers and a torn last line
are skipped):

    {"t": ..., "item": "mastodon:3f9a...", "channel": "mastodon", "network": "mastodon",
     "kind": "reply", "post": "tag:...", "created": ..., "question": true, ...}
    {"t": ..., "answered": "mastodon:3f9a..."}
    {"t": ..., "gone": "mastodon:3f9a..."}        # deleted or hidden on the network
    {"t": ..., "counts": {"likes": 4, ...}, "post": "tag:...", "channel": "mastodon"}
    {"t": ..., "cursor": "bluesky", "value": "..."}   # mentions read up to here

No reply's text, no one's handle and no address of a reply is kept in it (it is
committed, and a reply its author deleted must not live on in the site's history): an
item is known by a hash of its network id (a Bluesky id names its author). The words
are read again from the network on every run, for the posts announced in the last
LISTEN_DAYS days, and kept only in the git-ignored state folder.

New lines are held in memory until the run has written the inbox (and emailed it):
a run that stops half-way records nothing, so the next one shows it all as new.
"""

import hashlib
import json
import logging

from announce.appendonly import CONFLICT_MARKERS, append_line, now

logger = logging.getLogger(__name__)
# What an item line keeps (of networks.base.Item): facts, never words, names or a
# link with a name in it.
KEPT = ("channel", "network", "kind", "by_library", "public")
# The fields each kind of line needs, and their types; a line without them is skipped.
SHAPES = {
    "item": {"item": str, "channel": str, "created": str},
    "gone": {"gone": str},
    "answered": {"answered": str},
    "counts": {"counts": dict, "post": str, "channel": str},
    "cursor": {"cursor": str, "value": str},
}


def key(item) -> str:
    """How the state knows an item: its channel and a hash of its id."""
    return f"{item.channel}:{hashlib.blake2b(item.id.encode(), digest_size=12).hexdigest()}"


class State:
    def __init__(self, path: str, lines=()):
        self.path = path
        self.pending: list[dict] = []  # lines of this run, written by save()
        self.items: dict[str, dict] = {}  # key -> the latest item line
        self.gone: dict[str, str] = {}  # key -> when it was found gone
        self.answered: set[str] = set()
        self.counts: dict[tuple[str, str], dict] = {}  # (post, channel) -> latest counts line
        self.cursors: dict[str, dict] = {}  # channel -> latest cursor line
        for line in lines:
            self._index(line)

    @classmethod
    def load(cls, path: str) -> "State":
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return cls(path)
        return cls(path, parse(text, path))

    # -- reading ----------------------------------------------------------------------
    def known(self, item_key: str) -> bool:
        """Seen before and not gone since (a reply gone and then back counts as new)."""
        line = self.items.get(item_key)
        return line is not None and not self.is_gone(item_key)

    def is_gone(self, item_key: str) -> bool:
        line = self.items.get(item_key)
        return item_key in self.gone and (line is None or self.gone[item_key] >= line["t"])

    def cursor(self, channel: str) -> str | None:
        line = self.cursors.get(channel)
        return line["value"] if line else None

    def latest_counts(self, post: str, channel: str) -> dict | None:
        line = self.counts.get((post, channel))
        return line["counts"] if line else None

    # -- writing (the caller holds the listen lock) -----------------------------------
    def seen(self, item, post_id: str, question: bool):
        line = {"t": now(), "item": key(item), "created": item.created.isoformat(),
                "question": question, **{k: getattr(item, k) for k in KEPT}}  # fmt: skip
        line["post"] = post_id
        self._add(line)

    def mark_answered(self, item_key: str):
        if item_key not in self.answered:
            self._add({"t": now(), "answered": item_key})

    def mark_gone(self, item_key: str):
        if not self.is_gone(item_key):
            self._add({"t": now(), "gone": item_key})

    def record_counts(self, post_id: str, channel: str, counts: dict):
        if self.latest_counts(post_id, channel) != counts:
            self._add({"t": now(), "counts": counts, "post": post_id, "channel": channel})

    def move_cursor(self, channel: str, value: str | None):
        if value is not None and value != self.cursor(channel):
            self._add({"t": now(), "cursor": channel, "value": value})

    def _add(self, line: dict):
        self.pending.append(line)
        self._index(line)

    def save(self, only=None):
        """Append this run's lines (one write), once the inbox is written; with `only`
        (kinds of line, e.g. ("counts",)), only those."""
        lines = [line for line in self.pending if only is None or any(k in line for k in only)]
        if lines:
            text = "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
                           for line in lines)  # fmt: skip
            append_line(self.path, text)
        self.pending = []

    def _index(self, line: dict):
        t = line.get("t", "")
        if "item" in line:
            known = self.items.get(line["item"])
            if known is None or t >= known["t"]:
                self.items[line["item"]] = line
        elif "gone" in line:
            self.gone[line["gone"]] = max(t, self.gone.get(line["gone"], ""))
        elif "answered" in line:
            self.answered.add(line["answered"])
        elif "counts" in line:
            where = (line.get("post", ""), line.get("channel", ""))
            if where not in self.counts or t >= self.counts[where]["t"]:
                self.counts[where] = line
        elif "cursor" in line:
            known = self.cursors.get(line["cursor"])
            if known is None or t >= known["t"]:
                self.cursors[line["cursor"]] = line


def _shaped(line: dict) -> bool:
    for kind, fields in SHAPES.items():
        if kind in line:
            return all(isinstance(line.get(k), t) for k, t in fields.items())
    return False


def parse(text: str, path: str) -> list[dict]:
    """Every whole line that is a JSON object with a time; anything else (a conflict
    marker, a torn last line, a hand edit gone wrong) is skipped, and said once."""
    lines, skipped = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            line = None
        if isinstance(line, dict) and isinstance(line.get("t"), str) and _shaped(line):
            lines.append(line)
        elif not raw.startswith(CONFLICT_MARKERS):
            skipped.append(number)
    if skipped:
        logger.warning("listen: %s: skipped %d line(s) that are not whole records (line %s); "
                       "nothing else is lost.", path, len(skipped), skipped[0])  # fmt: skip
    return lines
