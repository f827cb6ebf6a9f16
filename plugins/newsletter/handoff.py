"""The edition the build handed over: newsletter.json beside the announce plan
(.announce/ by default), read defensively. Its shape (the interface between making the
edition and sending it):

    {"edition": "2026-12-07", "subject": "...", "url": "https://.../newsletters/2026-12-07/",
     "html": "<!doctype html>...", "text": "...", "empty": false,
     "posts": [absolute URLs], "events": [absolute URLs]}

A missing, malformed, stale or locally-built file is an error saying to run
`make newsletter` first; nothing is sent from it.
"""

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .sendconfig import SendError

NAME = "newsletter.json"
# The edition before it, made again by the same build: a run that did not finish it on
# its day (the workflow failed, or stopped half-way) finishes it before the next one.
PREVIOUS = "newsletter-previous.json"
FIX = "Fix: run `make newsletter` first (it writes the current edition), then this again."
MAX_AGE = timedelta(days=7)  # an older edition is last week's news: make a new one
LINKED = {"href", "src", "background", "action", "poster", "srcset"}


@dataclass(frozen=True)
class Edition:
    date: date
    subject: str
    url: str
    html: str
    text: str
    empty: bool
    posts: tuple[str, ...]
    events: tuple[str, ...]


def edition_path(state_dir: str) -> str:
    return os.path.join(state_dir, NAME)


def previous_path(state_dir: str) -> str:
    return os.path.join(state_dir, PREVIOUS)


def read(path: str, siteurl: str, today: date, max_age: timedelta = MAX_AGE) -> Edition:
    """The edition at `path`, checked: every field of the right kind, made for this
    site's address (a publish build, not a local one), every link absolute, and no more
    than `max_age` old."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise SendError(f"{path} is missing: there is no edition to send. {FIX}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SendError(f"{path} cannot be read ({err}). {FIX}") from None
    try:
        data = json.loads(text)
    except ValueError as err:
        raise SendError(f"{path} is not valid JSON ({err}): cut short or not ours. {FIX}") from None
    if not isinstance(data, dict):
        raise SendError(f"{path} does not hold an edition (not a JSON object). {FIX}")

    def field(name, kind, what):
        value = data.get(name)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise SendError(f"{path}: {name!r} is missing or not {what}. {FIX}")
        return value

    raw_date = field("edition", str, "a date (YYYY-MM-DD)")
    try:
        when = date.fromisoformat(raw_date)
    except ValueError:
        raise SendError(
            f"{path}: 'edition' is {raw_date!r}, not a date (YYYY-MM-DD). {FIX}"
        ) from None
    subject = " ".join(field("subject", str, "text").split())
    if not subject:
        raise SendError(f"{path}: the subject is empty. {FIX}")
    edition = Edition(
        date=when,
        subject=subject,
        url=field("url", str, "an address"),
        html=field("html", str, "HTML"),
        text=field("text", str, "text"),
        empty=field("empty", bool, "true or false"),
        posts=tuple(field("posts", list, "a list of addresses")),
        events=tuple(field("events", list, "a list of addresses")),
    )
    site = siteurl.rstrip("/")
    if not edition.url.startswith(site + "/"):
        raise SendError(
            f"{path}: the edition's address {edition.url!r} is not on {site}: it was made "
            f"by another build (a local one, or with another SITEURL). {FIX}"
        )
    for link in (*edition.posts, *edition.events):
        parts = urlsplit(link) if isinstance(link, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
            raise SendError(
                f"{path}: {link!r} in posts or events is not an absolute address. {FIX}"
            )
    if not edition.empty:
        if not edition.html.strip() or not edition.text.strip():
            raise SendError(f"{path}: the edition has no HTML or no text part. {FIX}")
        relative = relative_links(edition.html)
        if relative:
            raise SendError(
                f"{path}: the HTML links to {relative[0]!r}, which is not an absolute "
                "address, so it would not work in a mail client (a local build?). "
                f"{FIX} (with SITEURL set, as `make publish` does)"
            )
    if when < today - max_age:
        raise SendError(
            f"{path} holds the edition of {when.isoformat()}, more than a week ago: it "
            f"is not this week's news. {FIX}"
        )
    return edition


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LINKED and value is not None:
                if name == "srcset":
                    self.links += [part.split()[0] for part in value.split(",") if part.split()]
                else:
                    self.links.append(value.strip())


def relative_links(html: str) -> list[str]:
    """Links and pictures in `html` that a mail client cannot follow: not http(s),
    mailto or tel, and not an anchor in the message."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    bad = []
    for link in parser.links:
        parts = urlsplit(link)
        if link.startswith("#") or parts.scheme in ("mailto", "tel"):
            continue
        if parts.scheme not in ("http", "https") or not parts.netloc:
            bad.append(link)
    return bad
