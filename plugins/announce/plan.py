"""Planning, in the publish build: which posts still need announcing, written to a file.

The plan is the only thing `make announce` reads from the build, so sending can run
later (after deploying) and never needs to rebuild the site.
"""

import json
import os
import posixpath
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from feeds.entries import entry_id
from feeds.text import plain

from .ledger import DONE
from .post import Post

OPT_OUT = {"no", "false", "off", "0"}


def wants_announcing(article) -> bool:
    return str(article.metadata.get("announce", "yes")).strip().lower() not in OPT_OUT


def make_post(article, siteurl: str, content_path: str, authority: str) -> Post:
    """Everything a channel needs about one published article."""
    image = str(article.metadata.get("image") or "").replace("{static}", "").lstrip("/")
    image_path = os.path.join(content_path, *posixpath.normpath(image).split("/")) if image else ""
    alt = " ".join(str(article.metadata.get("image-alt") or "").split())
    if not image and getattr(article, "social_card_file", None):  # the images plugin's card
        image, image_path, alt = (
            article.social_card,
            article.social_card_file,
            article.social_card_alt,
        )
    return Post(
        id=entry_id(article, authority),
        source=os.path.relpath(article.source_path),
        url=f"{siteurl}/{article.url}",
        title=" ".join(str(article.title).split()),
        summary=plain(getattr(article, "summary", "")),
        date=article.date.isoformat(),
        lang=str(getattr(article, "lang", "") or ""),
        category=str(getattr(article, "category", "") or ""),
        tags=tuple(str(t) for t in getattr(article, "tags", None) or ()),
        text=" ".join(str(article.metadata.get("announce-text") or "").split()),
        image_path=image_path if image_path and os.path.isfile(image_path) else "",
        image_url=f"{siteurl}/{image}" if image else "",
        image_alt=alt,
    )


def select(articles, ledger, channel_names, authority, make, now=None) -> list[Post]:
    """Posts (oldest first) not yet done on every channel, and event reminders now due.
    `make(article)` -> Post is only called for those, so planning stays fast with a
    long ledger."""
    now = now or datetime.now(UTC)
    posts = []
    for article in sorted(articles, key=lambda a: a.date):
        if not wants_announcing(article):
            continue
        post_id = entry_id(article, authority)
        if not all(ledger.state(post_id, name) in DONE for name in channel_names):
            posts.append(make(article))
        start = reminder_due(article, now)
        if start and not all(ledger.state(f"{post_id}#reminder", n) in DONE for n in channel_names):
            posts.append(reminder(make(article), article, start))
    return sorted(posts, key=lambda p: p.date)


def reminder_due(article, now):
    """The next occurrence's start, if its `Announce-Reminder:` is due now."""
    event = getattr(article, "event", None)  # set by the events plugin
    if event is None or event.reminder is None:
        return None
    window = now + event.reminder + timedelta(days=1)
    upcoming = [start for start, _ in event.occurrences(now, window)]
    start = upcoming[0] if upcoming else event.start
    return start if start - event.reminder <= now < start else None


def reminder(post: Post, article, start) -> Post:
    """The reminder for an event, sent once (its own ledger entry: id#reminder)."""
    from events.display import clock, day  # the events plugin made article.event

    text = f"Reminder: {post.title}, {day(start)} at {clock(start)}, {article.event.location}."
    due = start - article.event.reminder
    return replace(
        post,
        id=f"{post.id}#reminder",
        text=text,
        date=due.isoformat(),
        send_before=start.isoformat(),
    )


def write_plan(path: str, posts: list[Post], siteurl: str):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    document = {"siteurl": siteurl, "posts": [p.to_dict() for p in posts]}
    fd, tmp = tempfile.mkstemp(prefix=".plan-", dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
    os.replace(tmp, path)


def read_plan(path: str) -> list[Post]:
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: there is no announcement plan yet. Fix: run `make publish`, which "
            "builds the site and plans the announcements."
        ) from None
    return [Post.from_dict(p) for p in document["posts"]]
