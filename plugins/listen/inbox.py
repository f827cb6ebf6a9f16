"""The staff inbox: one page outside output/ (never deployed), questions first, then
the other replies and mentions, then those the library has answered; newest first in
each. Everything a reader wrote is escaped: no markup, no pictures, no remote requests."""

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jinja2

from .sanitise import web_address

NETWORKS = {"mastodon": "Mastodon", "bluesky": "Bluesky", "facebook": "Facebook",
            "threads": "Threads", "instagram": "Instagram"}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    key: str
    network: str  # as people say it: "Mastodon"
    author: str  # "" when this computer no longer has it (read on another computer)
    text: str
    created: datetime
    url: str
    about: str  # the title of the announced post it answers ("" for a mention)
    about_url: str
    question: bool
    answered: bool
    new: bool
    public: bool


def entries(state, texts: dict, ledger, new: set, now: datetime, days: int) -> list[Entry]:
    """Every reply and mention of the last `days`, not the library's own, not gone."""
    horizon = now - timedelta(days=days)
    found = []
    for item_key, line in state.items.items():
        created = datetime.fromisoformat(line["created"])
        if line.get("by_library") or state.is_gone(item_key) or created < horizon:
            continue
        item = texts.get(item_key)
        details = ledger.details(line["post"]) if line.get("post") else {}
        # Without its words on this computer: the announced post's thread, to open it.
        thread = ledger.status([line["post"]], line["channel"]).line if line.get("post") else {}
        found.append(Entry(
            key=item_key,
            network=NETWORKS.get(line.get("network"), line.get("network", "")),
            author=item.author if item else "",
            text=item.text if item else "",
            created=created,
            url=web_address(item.url if item else thread.get("remote_url", "")),
            about=details.get("title", ""),
            about_url=web_address(details.get("url", "")),
            question=bool(line.get("question")),
            answered=item_key in state.answered,
            new=item_key in new,
            public=line.get("public", True),
        ))  # fmt: skip
    return sorted(found, key=lambda entry: entry.created, reverse=True)


def groups(found: list[Entry]) -> list[tuple[str, list[Entry]]]:
    waiting = [e for e in found if not e.answered]
    return [
        ("Questions waiting for an answer", [e for e in waiting if e.question]),
        ("Other replies and mentions", [e for e in waiting if not e.question]),
        ("Answered by the library", [e for e in found if e.answered]),
    ]


def summary(found: list[Entry], problems: list[str]) -> str:
    new = [e for e in found if e.new]
    asks = [e for e in new if e.question and not e.answered]
    waiting = [e for e in found if e.question and not e.answered]
    text = (
        f"{len(new)} new since the last run ({_questions(len(asks))}); "
        f"{_questions(len(waiting))} waiting for an answer in all"
    )
    if problems:
        text += f"; {len(problems)} part{'s' * (len(problems) != 1)} could not be read"
    return text


def _questions(n: int) -> str:
    return f"{n} question" + "s" * (n != 1)


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(os.path.join(os.path.dirname(__file__), "templates")),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(found, problems, site_name: str, now: datetime, zone: str = "UTC") -> str:
    """The page, times in the site's TIMEZONE (`zone`)."""
    tz = ZoneInfo(zone or "UTC")
    return _ENV.get_template("inbox.html").render(
        groups=groups(found), problems=problems, site_name=site_name, now=now.astimezone(tz),
        summary=summary(found, problems), local=lambda moment: moment.astimezone(tz),
    )  # fmt: skip
