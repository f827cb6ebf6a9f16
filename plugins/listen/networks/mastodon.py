"""Mastodon (and servers speaking its API): the replies under a status
(GET /api/v1/statuses/:id/context), its counts (GET /api/v1/statuses/:id) and mentions
(GET /api/v1/notifications?types[]=mention).
https://docs.joinmastodon.org/methods/statuses/#context
https://docs.joinmastodon.org/methods/notifications/#get
"""

from datetime import UTC, datetime, timedelta

from announce.channels.base import moment
from announce.channels.mastodon import _get

from ..sanitise import plain
from .base import MENTION, REPLY, Counts, Item, Mentions, Reader

PUBLIC = ("public", "unlisted")  # private and direct replies are never shown on the site
MAX_PAGES = 10  # 40 notifications a page: 400 mentions since the last run at most
FIRST_RUN = timedelta(days=30)


class MastodonReader(Reader):
    network = "mastodon"

    def account(self) -> str:
        return "@" + str(_get(self.channel.me, "acct"))

    def replies(self, remote_id):
        call = self.channel._call
        context = call(self.channel.client.status_context, remote_id)
        found = [self._item(s, REPLY, remote_id) for s in _get(context, "descendants") or []]
        return sorted(found, key=lambda item: item.created)

    def counts(self, remote_id):
        status = self.channel._call(self.channel.client.status, remote_id)
        quotes = _get(status, "quotes_count")  # Mastodon 4.5 and later
        return Counts(
            replies=int(_get(status, "replies_count") or 0),
            reposts=int(_get(status, "reblogs_count") or 0),
            likes=int(_get(status, "favourites_count") or 0),
            quotes=None if quotes is None else int(quotes),
        )

    def mentions(self, cursor):
        client, call = self.channel.client, self.channel._call
        oldest = datetime.now(UTC) - FIRST_RUN
        items, newest, max_id = [], cursor, None
        for _ in range(MAX_PAGES):
            page = call(client.notifications, types=["mention"], since_id=cursor, max_id=max_id,
                        limit=40)  # fmt: skip
            if not page:
                break
            for notification in page:
                status = _get(notification, "status")
                when = moment(_get(notification, "created_at"))
                if newest is None or _newer(_get(notification, "id"), newest):
                    newest = str(_get(notification, "id"))
                if status is not None and (cursor is not None or when is None or when >= oldest):
                    items.append(self._item(status, MENTION, ""))
            max_id = _get(page[-1], "id")
            last = moment(_get(page[-1], "created_at"))
            if cursor is None and last is not None and last < oldest:
                break
        return Mentions(items, newest)

    def _item(self, status, kind, post) -> Item:
        account = _get(status, "account") or {}
        mine = str(_get(account, "id")) == str(self.channel.account_id)
        text, warning = plain(_get(status, "content")), plain(_get(status, "spoiler_text"))
        if warning:  # a content warning: staff see it first; the site never shows it
            text = f"Content warning: {warning}\n{text}"
        return Item(
            network=self.network,
            channel=self.name,
            id=str(_get(status, "id")),
            kind=kind,
            author="@" + str(_get(account, "acct") or "?"),
            text=text,
            created=moment(_get(status, "created_at")) or datetime.now(UTC),
            url=str(_get(status, "url") or _get(status, "uri") or ""),
            post=post,
            parent=str(_get(status, "in_reply_to_id") or ""),
            by_library=mine,
            public=_get(status, "visibility") in PUBLIC,
            labels=_labels(status, account, warning),
        )


def _labels(status, account, warning) -> tuple[str, ...]:
    """What keeps a reply off the site (not from staff): a content warning, media
    marked sensitive, and an author who asked not to be indexed by search engines."""
    found = [("content-warning", bool(warning)), ("sensitive", bool(_get(status, "sensitive"))),
             ("noindex", bool(_get(account, "noindex")))]  # fmt: skip
    return tuple(name for name, present in found if present)


def _newer(a, b) -> bool:
    """Mastodon ids are numbers as text (snowflakes); compare them as numbers."""
    try:
        return int(a) > int(b)
    except (TypeError, ValueError):
        return str(a) > str(b)
