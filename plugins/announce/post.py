"""A post to announce, as written in the plan: everything a channel needs."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Post:
    id: str  # the feed entry id: stable across edits of title, slug and text
    source: str  # content/posts/x.md, for messages
    url: str  # absolute
    title: str
    summary: str  # plain text
    date: str  # ISO 8601 with offset
    lang: str
    category: str = ""
    tags: tuple[str, ...] = ()
    text: str = ""  # Announce-Text: replaces title and summary
    image_path: str = ""  # local file
    image_url: str = ""
    image_alt: str = ""
    send_before: str = ""  # ISO 8601: after this, too late to send (an event reminder)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Post":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["tags"] = tuple(known.get("tags", ()))
        return cls(**known)
