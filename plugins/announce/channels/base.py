"""What every channel has: its settings, its limits, composing and describing a message."""

import os
from dataclasses import dataclass, field

from ..config import DEFAULT_TEMPLATE
from ..errors import NotConfigured
from ..text import Parts, compose, graphemes, hashtags


@dataclass
class Message:
    channel: str
    post_id: str
    text: str
    length: int  # as the network counts it
    limit: int | None
    url: str
    card: dict = field(default_factory=dict)  # title, description, uri, thumb (local path)
    image: tuple[str, str] | None = None  # (local path, alt text)
    notes: list[str] = field(default_factory=list)  # e.g. why the image was left out
    extra: dict = field(default_factory=dict)  # channel-specific (email subject, payload)


@dataclass(frozen=True)
class Receipt:
    remote_id: str
    remote_url: str = ""


class Channel:
    """One account on one network. Subclasses set `kind`, `keys` and implement
    `connect`, `send` and (where the network allows) `find`."""

    kind = ""
    keys: tuple[str, ...] = ()  # required .env keys (after the prefix)
    optional_keys: tuple[str, ...] = ()
    secret_keys: tuple[str, ...] = ()  # never logged, never written
    limit: int | None = None  # default character limit (before connect)
    can_find = False  # can look for a post already made (unknown outcomes, retries)

    def __init__(self, config, settings, environ, dry_run=False):
        self.config = config
        self.settings = settings  # the announce Config
        self.environ = environ
        self.name = config.name
        self.dry_run = dry_run
        self.limit_note = ""

    @classmethod
    def env_keys(cls, config) -> list[str]:
        return [f"{config.env_prefix}_{k}" for k in (*cls.keys, *cls.optional_keys)]

    @classmethod
    def configured(cls, config, environ) -> bool:
        return all(config.env(environ, k) for k in cls.keys)

    @classmethod
    def secrets(cls, config, environ) -> list[str]:
        return [config.env(environ, k) for k in cls.secret_keys if config.env(environ, k)]

    def require(self, key):
        value = self.config.env(self.environ, key)
        if not value:
            raise NotConfigured(
                f"{self.name}: {self.config.env_prefix}_{key} is not set. Fix: add it to .env "
                "(see .env.example)."
            )
        return value

    # -- composing: pure, given the limits ------------------------------------------
    def count(self, text: str) -> int:
        return graphemes(text)

    def template(self) -> str:
        return self.config.template or DEFAULT_TEMPLATE

    def compose(self, post) -> Message:
        tags = tuple(hashtags(post.tags, self.settings.hashtags))
        parts = Parts(post.text or post.title, "" if post.text else post.summary, post.url, tags)
        text = compose(self.template(), parts, self.limit, self.count)
        message = Message(self.name, post.id, text, self.count(text), self.limit, post.url)
        message.card = {"uri": post.url, "title": post.title, "description": post.summary}
        if post.image_path and post.image_alt:
            message.image = (post.image_path, post.image_alt)
            message.card["thumb"] = post.image_path
        elif post.image_path:
            message.notes.append(
                f"{post.source}: the image is left out because it has no Image-Alt: text, "
                "which people using screen readers need. Fix: add an Image-Alt: line."
            )
        return message

    def describe(self, message) -> list[str]:
        limit = f" of {message.limit}" if message.limit else ""
        lines = [f"text, {message.length}{limit} characters{self.limit_note}:"]
        lines += ["    " + line for line in message.text.split("\n")]
        if message.card:
            lines.append(f"card: {message.card.get('title')} -> {message.card.get('uri')}")
        if message.image:
            lines.append(f"image: {os.path.basename(message.image[0])}, alt: {message.image[1]}")
        return lines + [f"note: {n}" for n in message.notes]

    # -- the network: I/O -------------------------------------------------------------
    def connect(self):
        """Log in and read the network's limits. Called once per run, before sending."""

    def send(self, message, post) -> Receipt:
        raise NotImplementedError

    def find(self, post) -> Receipt | None:
        """The post already made for `post` (its URL among the account's recent posts)."""
        raise NotImplementedError
