"""`make listen`: read every configured channel's replies, mentions and counts, note
what is new in the state file, and write the staff inbox. Each channel is read on its
own: one that fails is named in the inbox and the summary, and the others go on."""

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from announce.channels import TYPES
from announce.errors import AnnounceError, Rejected
from announce.ledger import SENT, parse_time

from . import question
from .config import READABLE
from .networks import reader_for
from .networks.base import MENTION, Counts, Item
from .state import State, key


@dataclass
class Thread:
    """One announced post on one channel, as read this run."""

    post_id: str
    channel: str
    title: str
    url: str
    path: str
    announced: datetime
    remote_id: str
    remote_url: str = ""
    items: list[Item] | None = None  # None: it could not be read this run
    counts: Counts | None = None


@dataclass
class Heard:
    threads: list[Thread] = field(default_factory=list)
    mentions: list[Item] = field(default_factory=list)  # read this run
    problems: list[str] = field(default_factory=list)  # "facebook: ..." each
    new: set[str] = field(default_factory=set)  # keys seen for the first time


def announced(ledger, channel: str, since: datetime) -> list[Thread]:
    """The posts sent on `channel` at or after `since`, from the ledger."""
    threads = []
    for post_id in ledger.posts():
        status = ledger.status([post_id], channel)
        line = status.line
        if status.state != SENT or not line.get("remote_id"):
            continue
        when = parse_time(line["t"])
        if when < since:
            continue
        details = ledger.details(post_id)
        threads.append(Thread(post_id, channel, details.get("title", ""), details.get("url", ""),
                              details.get("path", ""), when, str(line["remote_id"]),
                              str(line.get("remote_url") or "")))  # fmt: skip
    return sorted(threads, key=lambda thread: thread.announced)


def readable_channels(config, environ):
    """(ChannelConfig, error or None) for each channel whose network can be read and
    whose keys are in .env."""
    for channel in config.channels:
        if channel.type in READABLE and TYPES[channel.type].configured(channel, environ):
            yield channel


def listen(config, listen_config, ledger, environ, now: datetime, state: State, texts=None):
    """Read every readable channel into `state` (held in memory until state.save()).
    `texts`: the items kept on this computer (load_texts), to look at open mentions."""
    heard = Heard()
    words = question.pattern(listen_config.question_words)
    since = now - timedelta(days=listen_config.days)
    for channel_config in readable_channels(config, environ):
        name = channel_config.name
        threads = announced(ledger, name, since)
        heard.threads.extend(threads)
        try:
            channel = TYPES[channel_config.type](channel_config, config, environ)
            channel.validate()
            channel.connect()
            reader = reader_for(channel)
        except Exception as err:  # noqa: BLE001 - one network never stops the others
            heard.problems.append(f"{name}: not read this time: {describe(err)}")
            continue
        for thread in threads:
            try:
                _read_thread(reader, thread, state, words, heard)
            except Exception as err:  # noqa: BLE001
                thread.items = None
                heard.problems.append(f"{name}: replies to “{thread.title}” not read: "
                                      f"{describe(err)}")  # fmt: skip
        try:
            _read_mentions(reader, name, threads, state, words, heard)
            _answered_mentions(reader, name, state, texts or {}, since)
        except Exception as err:  # noqa: BLE001
            heard.problems.append(f"{name}: mentions not read this time: {describe(err)}")
    return heard


def describe(err: Exception) -> str:
    """What went wrong, for staff and the workflow's log: the announce errors say it
    and how to fix it; anything else is named by its kind only (its message could
    quote what a reader wrote)."""
    if isinstance(err, AnnounceError):
        return str(err)
    return (f"the network sent an answer this kit could not read ({type(err).__name__}); "
            "it is read again on the next run")  # fmt: skip


def _read_thread(reader, thread, state, words, heard):
    items = reader.replies(thread.remote_id)
    counts = reader.counts(thread.remote_id)
    thread.items, thread.counts = [item for item in items if not item.hidden], counts
    live = {key(item) for item in thread.items}
    for item in thread.items:
        _note(state, item, thread.post_id, words, heard)
    answers = {item.parent for item in thread.items if item.by_library}
    for item in thread.items:
        if item.id in answers and not item.by_library:
            state.mark_answered(key(item))
    # Deleted or hidden on the network since the last run.
    for item_key, line in list(state.items.items()):
        ours = line.get("post") == thread.post_id and line.get("channel") == thread.channel
        if ours and item_key not in live:
            state.mark_gone(item_key)
    state.record_counts(thread.post_id, thread.channel, _counts(thread.counts))


def _read_mentions(reader, name, threads, state, words, heard):
    mentions = reader.mentions(state.cursor(name))
    in_threads = {item.id for t in threads for item in t.items or ()}
    for item in mentions.items:
        if item.id in in_threads:
            continue  # a reply that also names the library: it is in its thread
        heard.mentions.append(item)
        _note(state, item, "", words, heard)
    state.move_cursor(name, mentions.cursor)


def _answered_mentions(reader, channel, state, texts, since):
    """A mention the library has replied to (on the network, under the mention) drops
    to answered, and one deleted on the network goes: each one still open from the last
    LISTEN_DAYS, whose id this computer knows, is looked at once a run."""
    for item_key, line in list(state.items.items()):
        open_mention = (line.get("channel") == channel and line.get("kind") == MENTION
                        and not line.get("by_library") and item_key not in state.answered
                        and not state.is_gone(item_key) and item_key in texts)  # fmt: skip
        if not open_mention or datetime.fromisoformat(line["created"]) < since:
            continue
        try:
            under = reader.replies(texts[item_key]["id"])
        except Rejected:
            if reader.network in ("mastodon", "bluesky"):  # not found: deleted
                state.mark_gone(item_key)
            continue
        except AnnounceError:
            continue  # not readable now: looked at again next run
        if any(reply.by_library for reply in under):
            state.mark_answered(item_key)


def _note(state, item, post_id, words, heard):
    item_key = key(item)
    if not state.known(item_key):
        asks = not item.by_library and question.is_question(item.text, words)
        state.seen(item, post_id, asks)
        if not item.by_library:
            heard.new.add(item_key)


def _counts(counts: Counts) -> dict:
    return {k: v for k, v in vars(counts).items() if v is not None}


# -- the texts of recent items, on this computer only (git-ignored) --------------------
def remember(path: str, heard: Heard, state: State, now: datetime, days: int):
    """Keep the text of each item read (mentions are read once: the next run needs
    their words for the inbox), for `days`; never committed."""
    kept = load_texts(path)
    for item in [*heard.mentions, *(i for t in heard.threads for i in t.items or ())]:
        kept[key(item)] = item.to_json()
    horizon = now - timedelta(days=days)
    kept = {
        k: v
        for k, v in kept.items()
        if not state.is_gone(k) and datetime.fromisoformat(v["created"]) >= horizon
    }
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(kept, f, ensure_ascii=False)
    os.replace(tmp, path)
    return {k: Item.from_json(v) for k, v in kept.items()}


def load_texts(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            kept = json.load(f)
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}
