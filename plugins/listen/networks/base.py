"""What every network's reader gives back: the replies under an announced post, its
counts, and the mentions of the library's account. Readers only read; they reuse the
announce channel's connection (its .env keys, its client, its timeouts)."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

REPLY, MENTION = "reply", "mention"


@dataclass(frozen=True)
class Item:
    """One reply or mention, as the network showed it."""

    network: str  # "mastodon", "bluesky", "facebook", "threads", "instagram"
    channel: str  # the ANNOUNCE_CHANNELS name it was read through
    id: str  # the network's own id for it (unique within the channel)
    kind: str  # REPLY (under an announced post) or MENTION (anywhere else)
    author: str  # the handle as the network shows it: "@ann@example.social", "Ann Smith"
    text: str  # plain text: no markup (sanitise.plain), no pictures
    created: datetime  # aware
    url: str = ""  # the page on the network where staff can answer it
    post: str = ""  # the remote id of the announced post whose thread holds it
    parent: str = ""  # the remote id of what it answers directly
    by_library: bool = False  # written by the library's own account
    public: bool = True  # visible to anyone (Mastodon "public"/"unlisted", not private/direct)
    hidden: bool = False  # hidden or removed by the network, a moderator or the library
    labels: tuple[str, ...] = ()  # moderation labels the network attached (Bluesky)

    def to_json(self) -> dict:
        data = asdict(self)
        data["created"] = self.created.isoformat()
        data["labels"] = list(self.labels)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Item":
        data = dict(data)
        data["created"] = datetime.fromisoformat(data["created"])
        data["labels"] = tuple(data.get("labels", ()))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Counts:
    """What one announced post achieved on one network, when read."""

    replies: int = 0
    reposts: int = 0  # boosts, reposts, shares
    likes: int = 0  # favourites, likes, reactions
    quotes: int | None = None  # None where the network does not give them
    views: int | None = None  # impressions/views where the network gives them (Meta insights)


@dataclass
class Mentions:
    items: list[Item] = field(default_factory=list)
    cursor: str | None = None  # give it back next run: only newer mentions are read


class Reader:
    """One configured announce channel, read. Subclasses set `network` and implement
    the three methods; `channel` is the announce channel object, already connected
    (`channel.client` etc.). Network errors raise the announce errors
    (plugins/announce/errors.py), never a bare library exception."""

    network = ""

    def __init__(self, channel):
        self.channel = channel
        self.name = channel.name

    def account(self) -> str:
        """The library's own handle on the network (to mark its own replies)."""
        raise NotImplementedError

    def replies(self, remote_id: str) -> list[Item]:
        """Every reply in the public conversation under the announced post `remote_id`,
        at any depth, the library's own included (by_library=True), oldest first."""
        raise NotImplementedError

    def counts(self, remote_id: str) -> Counts:
        raise NotImplementedError

    def mentions(self, cursor: str | None) -> Mentions:
        """Mentions of the library's account newer than `cursor` (None: the first run,
        read the last 30 days' worth at most)."""
        raise NotImplementedError
