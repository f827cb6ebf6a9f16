"""A post to announce, as written in the plan: everything a channel needs."""

from dataclasses import asdict, dataclass, fields
from datetime import datetime


@dataclass(frozen=True)
class Post:
    id: str  # the feed entry id: stable across edits of title, slug and text
    source: str  # content/posts/x.md, for messages and for reading the file again
    url: str  # absolute
    title: str
    summary: str  # plain text
    date: str  # ISO 8601 with offset
    lang: str
    file: str = ""  # posts/x.md, inside the content folder: the ledger knows posts by it
    path: str = ""  # /news/2026/x/, the address without the site: the ledger knows it too
    kind: str = "article"  # or "brochure", "reminder"
    category: str = ""
    tags: tuple[str, ...] = ()
    text: str = ""  # Announce-Text: replaces title and summary
    image_path: str = ""  # local file
    image_url: str = ""
    image_alt: str = ""
    public_image_url: str = ""  # the copy Meta fetches (see public_image.py)
    announce_as: str = ""  # Announce-As: link or photo (Facebook), "" for the channel's own
    send_before: str = ""  # ISO 8601: after this, too late to send (an event has begun)
    announce_at: str = ""  # ISO 8601 with offset: Announce-At:, held until then; "" if none
    history: tuple[str, ...] = ()  # the ids the ledger knew it by before (a corrected date)
    urls: tuple[str, ...] = ()  # the addresses it was announced with before (a new SITEURL)

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.history)

    @property
    def announce_from(self) -> datetime:
        """When it may first go out: its date, or its Announce-At if that is later.
        ANNOUNCE_MAX_AGE and a channel's start count from this: a post held for three
        weeks is news when it is announced."""
        date = datetime.fromisoformat(self.date)
        held = datetime.fromisoformat(self.announce_at) if self.announce_at else None
        return max(date, held) if held else date

    def held(self, now: datetime) -> bool:
        """Whether its Announce-At is still to come."""
        return bool(self.announce_at) and now < datetime.fromisoformat(self.announce_at)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Post":
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        for key in ("tags", "history", "urls"):
            known[key] = tuple(known.get(key, ()))
        return cls(**known)
