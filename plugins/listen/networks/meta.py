"""What the three Meta readers (a Facebook Page, Threads, Instagram) share: the announce
channel's Graph client (its token, timeouts and errors), items built the same way,
insights read without failing the counts, and the mentions window."""

from datetime import UTC, datetime, timedelta

from announce.channels.base import moment
from announce.errors import Rejected, Unauthorized

from ..sanitise import plain
from .base import Item, Mentions, Reader

FIRST_RUN = timedelta(days=30)  # mentions read on the first run (base.Reader.mentions)


class MetaReader(Reader):
    """A reader over the connected channel's `graph` (plugins/announce/channels/graph.py)."""

    def __init__(self, channel):
        super().__init__(channel)
        self.graph = channel.graph
        self._handle = None

    def item(self, kind, id, author, text, created, **extra) -> Item:
        return Item(
            network=self.network,
            channel=self.name,
            id=str(id),
            kind=kind,
            author=plain(author, markup=False) or "someone",
            text=plain(text, markup=False),
            created=when(created),
            **extra,
        )

    def insights(self, media_id, metrics) -> dict[str, int]:
        """{metric: value} from GET /{id}/insights, or {} when the token may not read
        insights (a permission the library need not grant) or the network refuses a
        metric: the counts then come from the post's own fields."""
        try:
            found = self.graph.get(f"{media_id}/insights", metric=",".join(metrics))
        except (Unauthorized, Rejected):
            return {}
        return insight_values(found)


def when(value) -> datetime:
    """The network's time, aware; now if it sent none we can read."""
    return moment(value) or datetime.now(UTC)


def oldest_first(items) -> list[Item]:
    return sorted(items, key=lambda i: (i.created, i.id))


def insight_values(found) -> dict[str, int]:
    """Graph insights answers: {"data": [{"name", "period", "values": [{"value"}]}]}
    (https://developers.facebook.com/docs/graph-api/reference/insights,
    https://developers.facebook.com/docs/threads/insights,
    https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights).
    Threads' media insights put the number in `values`, its user insights in
    `total_value`; either is read."""
    values = {}
    for metric in found.get("data") or []:
        value = (metric.get("total_value") or {}).get("value")
        if value is None:
            value = next((v.get("value") for v in metric.get("values") or []), None)
        if isinstance(value, int | float):
            values[str(metric.get("name"))] = int(value)
    return values


def cutoff(cursor) -> datetime:
    """Mentions newer than this: the cursor (the newest mention's time, ISO 8601) or,
    on the first run, FIRST_RUN ago."""
    return moment(cursor) or datetime.now(UTC) - FIRST_RUN


def newer(items, cursor) -> Mentions:
    """The mentions newer than `cursor`, oldest first, and the cursor for next time."""
    since = cutoff(cursor)
    fresh = oldest_first(i for i in items if i.created > since)
    following = fresh[-1].created.isoformat() if fresh else cursor
    return Mentions(fresh, following)


def count(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
