"""What every channel has: its settings, its limits, composing, checking and
describing a message. Everything that can fail without the network fails here,
before a post is claimed."""

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from ..config import DEFAULT_TEMPLATE
from ..errors import LookedTooFar, NotConfigured, NotSendable
from ..smtp import loopback
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
    # extra["fetched"]: the address of a picture the network fetches itself (Meta):
    # it must answer before the post is claimed. extra["page_picture"]: the post's
    # picture file, which the page's card shows (an approval covers it).


@dataclass
class Account:
    """What `make announce-check` found for one channel, without posting anything."""

    who: str  # the account that posts: "@riverside@libraries.social", "Riverside (Page 123)"
    facts: list[str] = field(default_factory=list)  # the token's expiry, limits read
    missing: list[str] = field(default_factory=list)  # each: what is missing, and the fix


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
    can_find = False  # can look for a post already made (before every send, and retries)
    choices: dict[str, tuple[str, ...]] = {}  # .env keys with a fixed set of values

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

    def choice(self, key, default):
        """A .env key with a fixed set of values: anything else is an error, never a
        silent default."""
        value = self.config.env(self.environ, key).lower() or default
        allowed = self.choices[key]
        if value not in allowed:
            raise NotConfigured(
                f"{self.name}: {self.config.env_prefix}_{key}={value!r} is not one of "
                f"{', '.join(allowed)}. Fix: correct it in .env."
            )
        return value

    def address(self, key, default=""):
        """A .env key holding a web address: http(s) with a host, and https unless the
        host is this computer, so no token or secret address crosses the network in clear."""
        value = self.config.env(self.environ, key) or default
        if not value:
            return self.require(key)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotConfigured(
                f"{self.name}: {self.config.env_prefix}_{key} is not a web address (it must "
                "start with https://). Fix: copy the whole address into .env."
            )
        if parts.scheme == "http" and not loopback(parts.hostname):
            raise NotConfigured(
                f"{self.name}: {self.config.env_prefix}_{key} starts with http://, so the "
                "token would cross the internet unencrypted. Fix: use the https:// address."
            )
        return value

    def validate(self):
        """Check this channel's .env keys before connecting (fixed values, addresses)."""

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
        message.extra["page_picture"] = post.image_path  # what the page's own card shows
        if post.image_path and post.image_alt:
            message.image = (post.image_path, post.image_alt)
            message.card["thumb"] = post.image_path
        elif post.image_path:
            message.notes.append(
                f"{post.source}: the image is left out because it has no Image-Alt: text, "
                "which people using screen readers need. Fix: add an Image-Alt: line."
            )
        return message

    def prepare(self, message, post):
        """Local checks and work before the claim (length, image type and size). Raises
        NotSendable, which says how to fix the post."""
        if message.limit is not None and message.length > message.limit:
            raise NotSendable(
                f"{post.source}: the {self.name} message is {message.length} characters, over "
                f"the limit of {message.limit}, even with the summary and hashtags left out. "
                "Fix: shorten the title or the Announce-Text:."
            )

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

    def check(self) -> Account:
        """Log in and look at the account and its permissions without posting
        (`make announce-check`). Raises AnnounceError when the channel cannot be used;
        a permission it lacks goes in `missing`, with how to add it."""
        raise NotImplementedError

    def send(self, message, post, media: dict) -> Receipt:
        """Post `message`. `media` holds what was uploaded for it by an earlier attempt
        (reuse it) and takes what this one uploads (see Media)."""
        raise NotImplementedError

    def find(self, post) -> Receipt | None:
        """The post already made for `post`: a status linking to its address (or an
        address it had before) on the account, looking back to the post's date."""
        raise NotImplementedError


class Media(dict):
    """What was uploaded for one post on one channel, kept in the ledger so that an
    image is uploaded once, not again on every retry."""

    def __init__(self, saved=None, remember=None):
        super().__init__(saved or {})
        self._remember = remember
        self.fresh = False  # uploaded by this run: a refusal is not about its age

    def reusable(self, image: str, kept_for: timedelta) -> bool:
        """Whether the upload kept for this post is of `image` (a digest) and recent
        enough that the network still has it."""
        time = self.get("time")
        return (
            self.get("image") == image
            and bool(time)
            and datetime.now(UTC) - datetime.fromisoformat(time) < kept_for
        )

    def keep(self, image: str, **values):
        """Remember an upload of `image` at once, in the ledger."""
        self.clear()
        self.update(values, image=image, time=datetime.now(UTC).isoformat())
        self.fresh = True
        if self._remember:
            self._remember(dict(self))


def links_to(text: str, post) -> bool:
    """Whether `text` (a status, its card) links to the post, at any address it had."""
    return any(
        re.search(re.escape(url) + r"(?=[\"'<>\s]|$)", text) for url in {post.url, *post.urls}
    )


def moment(value) -> datetime | None:
    """A network's time as an aware datetime: ISO 8601 with Z, +00:00 or Graph's +0000,
    or a datetime (Mastodon.py). None for anything else."""
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        if re.search(r"[+-]\d{4}$", text):
            text = f"{text[:-2]}:{text[-2:]}"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


CLOCK_SKEW = timedelta(minutes=5)  # between the site's clock and the network's


class AccountPosts:
    """The account's own posts, newest first, read page by page only as far back as
    needed: a post is looked for back to its own date, never in a fixed number of
    recent posts. `fetch(cursor)` returns ([(when, text, Receipt)], next cursor)."""

    def __init__(self, fetch, max_pages=50):
        self.fetch, self.max_pages = fetch, max_pages
        self.items, self.ids = [], set()
        self.cursor, self.oldest, self.pages, self.started = None, None, 0, False

    def find(self, post, since) -> Receipt | None:
        """The account's post linking to `post`, made on or after `since` (the post's
        date: an event's earlier announcement is not its reminder)."""
        self._read(None)  # the newest page, every time: another computer may just have posted
        while self.cursor and (self.oldest is None or self.oldest >= since):
            if self.pages >= self.max_pages:
                raise LookedTooFar(
                    f"looked through {self.pages} pages of the account's posts without "
                    f"reaching {since:%Y-%m-%d}"
                )
            self._read(self.cursor)
        for when, text, receipt in self.items:
            if links_to(text, post) and (when is None or when >= since - CLOCK_SKEW):
                return receipt
        return None

    def _read(self, cursor):
        items, following = self.fetch(cursor)
        self.pages += cursor is not None
        for when, text, receipt in items:
            if receipt.remote_id not in self.ids:
                self.ids.add(receipt.remote_id)
                self.items.append((when, text, receipt))
            if when is not None and (self.oldest is None or when < self.oldest):
                self.oldest = when
        if cursor is not None or not self.started:
            self.cursor = following if items else None
            self.started = True
