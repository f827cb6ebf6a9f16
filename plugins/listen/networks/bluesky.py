"""Bluesky, read through the announce channel's own client: the thread under an
announced post (app.bsky.feed.getPostThread), its counts, and the mentions and quotes
of the library's account (app.bsky.notification.listNotifications). The PDS passes
these app.bsky.* calls on to the AppView, which is where threads and notifications live."""

import hashlib
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from announce.channels.bluesky import tid_time
from atproto import models

from ..sanitise import plain
from .base import MENTION, REPLY, Counts, Item, Mentions, Reader

logger = logging.getLogger(__name__)

THREAD_DEPTH = 1000  # the most getPostThread gives: every reply, at any depth
PAGE_SIZE = 100  # notifications per page (the most the AppView gives)
MAX_PAGES = 10  # pages of notifications read in one run; older ones are skipped, logged
FIRST_RUN = timedelta(days=30)  # how far back the first run reads mentions
OVERLAP = timedelta(hours=1)  # how far before the last run's newest each run reads again
HIDING_LABELS = {"!hide", "!takedown", "!suspend"}  # labels that hide a post from everyone
MENTION_REASONS = ("mention", "quote")  # a reply is read from its thread, by replies()
NOT_SHOWN = {
    "app.bsky.feed.defs#blockedPost": "blocked",
    "app.bsky.feed.defs#notFoundPost": "not found",
}


class BlueskyReader(Reader):
    network = "bluesky"

    @property
    def client(self):
        return self.channel.client

    @property
    def did(self):
        return self.channel.did

    def account(self) -> str:
        return "@" + self.client._session.handle

    # -- replies ---------------------------------------------------------------------------

    def replies(self, remote_id: str) -> list[Item]:
        thread = self._call(
            self.client.app.bsky.feed.get_post_thread,
            models.AppBskyFeedGetPostThread.Params(
                uri=remote_id, depth=THREAD_DEPTH, parent_height=0
            ),
        ).thread
        if thread.py_type != "app.bsky.feed.defs#threadViewPost":
            return []  # the announced post itself is blocked or gone: nothing under it
        hidden = _hidden_by_threadgate(thread.post)
        items = []
        for node, parent in _walk(thread):
            items.append(self._reply(node, parent, remote_id, hidden))
        return sorted(items, key=lambda item: (item.created, item.id))

    def _reply(self, node, parent: str, root: str, hidden: set[str]) -> Item:
        if node.py_type in NOT_SHOWN:
            return self._not_shown(node, parent, root)
        item = self._item(node.post, REPLY, post=root, parent=parent)
        if node.post.uri in hidden:
            item = replace(item, hidden=True)
        return item

    def _not_shown(self, node, parent: str, root: str) -> Item:
        """A reply the AppView will not show (blocked, or deleted while still linked):
        kept, hidden, so that staff's copy of it can be hidden too."""
        author = getattr(getattr(node, "author", None), "did", "") or node.uri.split("/")[2]
        rkey = node.uri.rsplit("/", 1)[-1]
        return Item(
            network=self.network,
            channel=self.name,
            id=node.uri,
            kind=REPLY,
            author=author,
            text="",
            created=tid_time(rkey) or datetime.fromtimestamp(0, UTC),
            post=root,
            parent=parent,
            hidden=True,
            labels=(NOT_SHOWN[node.py_type],),
        )

    # -- counts ----------------------------------------------------------------------------

    def counts(self, remote_id: str) -> Counts:
        posts = self._call(
            self.client.app.bsky.feed.get_posts,
            models.AppBskyFeedGetPosts.Params(uris=[remote_id]),
        ).posts
        if not posts:
            return Counts()
        post = posts[0]
        return Counts(
            replies=post.reply_count or 0,
            reposts=post.repost_count or 0,
            likes=post.like_count or 0,
            quotes=post.quote_count or 0,
        )

    # -- mentions --------------------------------------------------------------------------

    def mentions(self, cursor: str | None) -> Mentions:
        """Mentions and quotes of the library's account that the last run (`cursor`) did
        not give, newest pages first, at most MAX_PAGES pages. A mention inside a thread
        the library started is left to replies().

        The AppView dates a notification by the earlier of when it saw the post and the
        post's own createdAt, so a post from a device whose clock is slow can arrive dated
        before the last run: each run reads OVERLAP further back than the newest date it
        saw and skips what the cursor says it already gave."""
        after, seen = _decode(cursor, self.name)
        since = after - OVERLAP if after else datetime.now(UTC) - FIRST_RUN
        found = {}
        for note in self._recent(since):
            if _token(note.uri) in seen or note.reason not in MENTION_REASONS:
                continue
            if note.uri not in found or note.reason == "quote":  # a quote that also mentions
                found[note.uri] = note
        for note in found.values():
            seen[_token(note.uri)] = note.indexed_at
        items = [self._mention(n) for n in found.values() if not self._in_own_thread(n.record)]
        items.sort(key=lambda item: (item.created, item.id))
        return Mentions(items=items, cursor=_encode(after, seen))

    def _recent(self, since: datetime):
        """The notifications dated after `since`, newest first, at most MAX_PAGES pages."""
        page = None
        for _ in range(MAX_PAGES):
            notes, page = self._notifications(page)
            fresh = [n for n in notes if _parse_time(n.indexed_at) > since]
            yield from fresh
            if not page or len(fresh) < len(notes):
                return
        logger.warning(
            "%s: more than %d mentions since the last run: the older ones were not read",
            self.name,
            MAX_PAGES * PAGE_SIZE,
        )

    def _notifications(self, page):
        answer = self._call(
            self.client.app.bsky.notification.list_notifications,
            models.AppBskyNotificationListNotifications.Params(
                limit=PAGE_SIZE, cursor=page, reasons=list(MENTION_REASONS)
            ),
        )
        return answer.notifications, answer.cursor

    def _in_own_thread(self, record) -> bool:
        reply = getattr(record, "reply", None)
        return reply is not None and reply.root.uri.split("/")[2] == self.did

    def _mention(self, note) -> Item:
        reply = getattr(note.record, "reply", None)
        quoted = note.reason_subject if note.reason == "quote" else ""
        parent = reply.parent.uri if reply is not None else quoted or ""
        return self._item(note, MENTION, post=quoted or "", parent=parent)

    # -- shared ----------------------------------------------------------------------------

    def _item(self, view, kind: str, post: str, parent: str) -> Item:
        """An Item from a post view or a notification (both have uri, author, record,
        indexed_at and labels)."""
        labels = _labels(view)
        return Item(
            network=self.network,
            channel=self.name,
            id=view.uri,
            kind=kind,
            author="@" + view.author.handle,
            text=plain(getattr(view.record, "text", ""), markup=False),
            created=_created(view),
            url=post_url(view.author, view.uri),
            post=post,
            parent=parent,
            by_library=view.author.did == self.did,
            hidden=bool(HIDING_LABELS.intersection(labels)),
            labels=labels,
        )

    def _call(self, fn, *args, **kwargs):
        return self.channel._call(fn, *args, **kwargs)


def _walk(thread):
    """(reply node, the uri it answers) for every reply under `thread`, at any depth."""
    stack = [(reply, thread.post.uri) for reply in reversed(thread.replies or [])]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        if node.py_type == "app.bsky.feed.defs#threadViewPost":
            stack += [(reply, node.post.uri) for reply in reversed(node.replies or [])]


def _hidden_by_threadgate(root) -> set[str]:
    """The replies the thread's author hid with a threadgate (hiddenReplies)."""
    record = getattr(getattr(root, "threadgate", None), "record", None)
    hidden = getattr(record, "hidden_replies", None)
    if hidden is None and isinstance(record, dict):
        hidden = record.get("hiddenReplies")
    return set(hidden or ())


def _labels(view) -> tuple[str, ...]:
    """The moderation labels on the post and on its author, the author's own included
    (`!no-unauthenticated`: "do not show my posts to people who are not logged in",
    which a public web page is); a negated label is gone. Any label keeps a reply off
    the site; only !hide, !takedown and !suspend keep it from staff too."""
    labels = list(view.labels or ())
    labels += list(view.author.labels or ())
    negated = {x.val for x in labels if x.neg}
    return tuple(dict.fromkeys(x.val for x in labels if not x.neg and x.val not in negated))


def _created(view) -> datetime:
    """When it was written: the record's createdAt, but never later than when the
    AppView first saw it (a createdAt in the future is the author's to make up)."""
    indexed = _parse_time(view.indexed_at)
    try:
        created = _parse_time(view.record.created_at)
    except (AttributeError, TypeError, ValueError):
        return indexed
    return min(created, indexed)


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _token(uri: str) -> str:
    """A mention in the cursor, which is committed (the listen state): a hash of its
    address, not the address, which names its author."""
    return hashlib.blake2b(uri.encode(), digest_size=12).hexdigest()


def _decode(cursor: str | None, name: str) -> tuple[datetime | None, dict[str, str]]:
    """The newest date the last run saw, and the mentions it gave (_token: date)."""
    if not cursor:
        return None, {}
    try:
        data = json.loads(cursor)
        seen = {str(uri): str(date) for uri, date in data["seen"].items()}
        return _parse_time(data["after"]), seen
    except (ValueError, TypeError, KeyError, AttributeError):
        logger.warning(
            "%s: the mentions cursor %r is not one this reader made; reading the last %d days",
            name,
            cursor[:80],
            FIRST_RUN.days,
        )
        return None, {}


def _encode(after: datetime | None, seen: dict[str, str]) -> str | None:
    """The cursor: the newest date seen, and the mentions given within OVERLAP of it."""
    dates = [_parse_time(date) for date in seen.values()]
    newest = max([after, *dates], key=lambda d: d or datetime.min.replace(tzinfo=UTC))
    if newest is None:
        return None
    kept = {u: d for u, d in seen.items() if _parse_time(d) > newest - OVERLAP}
    return json.dumps({"after": newest.isoformat(), "seen": kept}, sort_keys=True)


def post_url(author, uri: str) -> str:
    """The post's page on bsky.app, as the announce channel's web_url makes it, under
    its author's handle (their DID if the handle no longer resolves)."""
    handle = author.handle if author.handle != "handle.invalid" else author.did
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"
