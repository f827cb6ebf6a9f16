"""Checks across the whole site, after Pelican has read everything. Pure functions."""

import json
from datetime import datetime
from urllib.parse import urlsplit

from .findings import Finding, display_path


def duplicate_addresses(contents) -> tuple[list, list[Finding]]:
    """(the contents to keep, findings): of two posts with the same address, the first
    is kept and the other reported (Pelican would stop the whole build)."""
    seen, keep, findings = {}, [], []
    for item in contents:
        save_as = getattr(item, "save_as", "")
        if save_as and save_as in seen:
            findings.append(
                Finding(
                    item.source_path,
                    None,
                    f"This has the same address ({item.url}) as "
                    f"{display_path(seen[save_as])}, so it was left out of the site.",
                    "Give one of them a different title, or a Slug: line.",
                )
            )
            continue
        seen[save_as] = getattr(item, "source_path", "?")
        keep.append(item)
    return keep, findings


def moved_addresses(posts, ledger_path, post_id, siteurl) -> list[Finding]:
    """Published posts whose address changed since they were announced: every link that
    followers and subscribers have would now be broken."""
    try:
        with open(ledger_path, encoding="utf-8") as f:
            announced = json.load(f).get("posts", {})
    except (OSError, ValueError):
        return []
    findings = []
    for post in posts:
        entry = announced.get(post_id(post))
        if not entry or not entry.get("url"):
            continue
        old = urlsplit(entry["url"]).path.removeprefix(urlsplit(siteurl).path).strip("/")
        now = post.url
        if old != now.strip("/"):
            findings.append(
                Finding(
                    post.source_path,
                    None,
                    f"The post's address changed since it was published (was {entry['url']}, "
                    f"now {now}): links people already have would break.",
                    "Put the old Slug: back (or the old title), or keep the old Date:.",
                )
            )
    return findings


def scheduled(drafts, now: datetime) -> list[tuple[datetime, str, str]]:
    """(date, title, source) of posts that go live on a later date."""
    return sorted(
        (d.date, d.title, d.source_path)
        for d in drafts
        if getattr(d, "date", None) and d.date > now and d.metadata.get("status") != "draft"
    )
