"""Planning, in the publish build: which posts still need announcing, written to a file.

The plan is the only thing `make announce` reads from the build, so sending can run
later (after deploying) and never needs to rebuild the site. The sender still reads
each planned post's file again before sending it (see recheck.py).
"""

import json
import os
import posixpath
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from feeds.entries import entry_id
from feeds.text import plain

from . import public_image, schedule
from .config import POST_AS
from .ledger import DONE
from .post import Post

OPT_OUT = {"no", "false", "off", "0"}


def wants_announcing(article) -> bool:
    return str(article.metadata.get("announce", "yes")).strip().lower() not in OPT_OUT


def announce_as(article) -> str:
    """`Announce-As:` (link or photo), checked when the post was read (see
    check_announce_as); "" when absent or not understood."""
    value = str(article.metadata.get("announce-as") or "").strip().lower()
    return value if value in POST_AS else ""


def picture(article, content_path: str) -> tuple[str, str, str]:
    """(local file, path in the site, alt text) of the post's picture: its `Image:`, a
    brochure's `Cover:`, or the social card the images plugin drew. Only a file inside
    the content folder is used."""
    for key, alt_key in (("image", "image-alt"), ("cover", "cover-alt")):
        image = str(article.metadata.get(key) or "").replace("{static}", "").lstrip("/")
        if image:
            alt = " ".join(str(article.metadata.get(alt_key) or "").split())
            local = os.path.join(content_path, *posixpath.normpath(image).split("/"))
            root = os.path.realpath(content_path)
            inside = os.path.realpath(local).startswith(root + os.sep)
            return (local if inside and os.path.isfile(local) else ""), image, alt
    if getattr(article, "social_card_file", None):  # the images plugin's card
        return article.social_card_file, article.social_card, article.social_card_alt
    return "", "", ""


@dataclass(frozen=True)
class Site:
    siteurl: str  # no trailing slash
    content_path: str
    output_path: str = ""  # where a picture Meta fetches is written ("": none written)

    def url(self, article) -> str:
        return f"{self.siteurl}/{article.url}"

    def file(self, article) -> str:
        """posts/x.md: the source file inside the content folder."""
        return os.path.relpath(article.source_path, self.content_path).replace(os.sep, "/")


def make_post(article, site: Site, post_id, history=(), urls=()) -> Post:
    """Everything a channel needs about one published post or brochure. Raises
    schedule.ScheduleError for an `Announce-At:` that cannot be read."""
    held = schedule.announce_at(article)
    too_late = schedule.too_late_from(article)
    image_path, image, alt = picture(article, site.content_path)
    url = site.url(article)
    public_url = ""
    if image_path and site.output_path:
        public_url, _ = public_image.publish(image_path, site.output_path, site.siteurl)
    return Post(
        id=post_id,
        source=os.path.relpath(article.source_path),
        file=site.file(article),
        path=urlsplit(url).path,
        url=url,
        kind="brochure" if type(article).__name__ == "Brochure" else "article",
        title=" ".join(str(article.title).split()),
        summary=plain(getattr(article, "summary", "")),
        date=article.date.isoformat(),
        lang=str(getattr(article, "lang", "") or ""),
        category=str(getattr(article, "category", "") or ""),
        tags=tuple(str(t) for t in getattr(article, "tags", None) or ()),
        text=" ".join(str(article.metadata.get("announce-text") or "").split()),
        image_path=image_path,
        image_url=f"{site.siteurl}/{image}" if image else "",
        image_alt=alt,
        public_image_url=public_url,
        announce_as=announce_as(article),
        send_before=too_late.isoformat() if too_late else "",
        announce_at=held.isoformat() if held else "",
        history=tuple(history),
        urls=tuple(urls),
    )


def channel_start(ledger, channel, config, now, first_run) -> tuple[datetime, str | None]:
    """When `channel` (a ChannelConfig) began, and why, if this run begins it: as the
    ledger says, else now (ANNOUNCE_SINCE on the very first run); the channel's own
    `since` overrides both. Posts dated before it are not announced there."""
    recorded = ledger.start(channel.name) if ledger is not None else None
    if channel.since is not None:
        return channel.since, "its since setting" if recorded is None else None
    if recorded is not None:
        return recorded, None
    if first_run:
        return config.since or now, "the first announce run"
    return now, "the channel was added"


def select(articles, ledger, config, site, authority, now=None) -> tuple[list[Post], int]:
    """(posts not yet done on every channel and event reminders now due, oldest first;
    how many posts would be due but are too old to be news). `ledger` is None when it
    cannot be read: then every recent post is planned, and the sender stops until the
    ledger is fixed. Only planned posts are made into Posts, so planning stays fast.
    A post held by `Announce-At:` counts from then (see Post.announce_from); one whose
    `Announce-At:` cannot be read is left out (the build said where)."""
    now = now or datetime.now(UTC)
    dated = sorted((a for a in articles if getattr(a, "date", None)), key=lambda a: a.date)
    ids = {id(a): entry_id(a, authority) for a in dated}
    taken = set(ids.values())
    starts = {}
    if ledger is not None:
        first_run = not ledger.exists
        starts = {
            c.name: channel_start(ledger, c, config, now, first_run)[0] for c in config.channels
        }
    posts, old = [], 0
    for article in dated:
        if not wants_announcing(article):
            continue
        try:
            held = schedule.announce_at(article)
        except schedule.ScheduleError:
            continue  # an error at its line in the build: never announced early
        news = max(article.date, held) if held else article.date
        post_id = ids[id(article)]
        start = reminder_due(article, now)
        if not start and done(ledger, [post_id], starts, news):
            continue  # known by its id: the usual case, and the quick one
        history, urls = [post_id], []
        if ledger is not None:
            path = urlsplit(site.url(article)).path
            history = ledger.same_post(
                post_id, site.file(article), path, article.date, taken - {post_id}
            )
            urls = sorted({ledger.details(i).get("url") for i in history} - {None})
        if not done(ledger, history, starts, news):
            if config.too_old(news, now):
                old += 1
            else:
                posts.append(make_post(article, site, post_id, history[1:], urls))
        reminders = [f"{i}#reminder" for i in history]
        if start and not done(ledger, reminders, starts, start - article.event.reminder):
            post = make_post(article, site, post_id, history[1:], urls)
            posts.append(reminder(post, article, start))
    return sorted(posts, key=lambda p: p.date), old


def done(ledger, ids, starts, date) -> bool:
    """Whether every channel is done with the post: announced (or skipped) there, or
    dated before the channel began (`starts`)."""
    if ledger is None:
        return False
    for channel, start in starts.items():
        if date < start or ledger.sent(ids, channel):
            continue  # the usual case, quickly
        if ledger.status(ids, channel).state not in DONE:
            return False
    return True


NOT_HAPPENING = {"cancelled", "postponed"}  # Event-Status values: no reminder


def reminder_due(article, now):
    """The next occurrence's start, if its `Announce-Reminder:` is due now. A cancelled
    or postponed event (`Event-Status:`) is never reminded of."""
    event = getattr(article, "event", None)  # set by the events plugin
    if event is None or event.reminder is None or event.status in NOT_HAPPENING:
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
        kind="reminder",
        text=text,
        date=due.isoformat(),
        send_before=start.isoformat(),
        history=tuple(f"{i}#reminder" for i in post.history),
    )


@dataclass(frozen=True)
class Plan:
    siteurl: str
    authority: str
    posts: list[Post]
    old: int = 0  # posts too old to be news, left out


def write_plan(path: str, plan: Plan):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    document = {
        "siteurl": plan.siteurl,
        "authority": plan.authority,
        "old": plan.old,
        "posts": [p.to_dict() for p in plan.posts],
    }
    fd, tmp = tempfile.mkstemp(prefix=".plan-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
    os.replace(tmp, path)


def read_plan(path: str) -> Plan:
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: there is no announcement plan yet. Fix: run `make build-publish`, "
            "which builds the site for publishing and plans the announcements."
        ) from None
    if "authority" not in document:
        raise ValueError(
            f"{path}: this plan was made by an older version of the kit. Fix: run "
            "`make build-publish` again."
        )
    return Plan(
        siteurl=document["siteurl"],
        authority=document["authority"],
        posts=[Post.from_dict(p) for p in document["posts"]],
        old=document.get("old", 0),
    )
