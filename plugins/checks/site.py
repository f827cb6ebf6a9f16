"""Checks across the whole site, after Pelican has read everything. Pure functions."""

import difflib
from datetime import datetime
from urllib.parse import urlsplit

from .findings import Finding, display_path
from .source import metadata_line, read_text


def duplicate_addresses(contents, taken=None) -> tuple[list, list[Finding]]:
    """(the contents to keep, findings): of two posts with the same address, the first
    is kept and the other reported (Pelican would stop the whole build). `taken` maps
    the output files already used to their sources, and is updated."""
    seen, keep, findings = {} if taken is None else taken, [], []
    for item in contents:
        save_as = getattr(item, "save_as", "")
        if save_as and save_as in seen:
            text = read_text(item.source_path)
            findings.append(
                Finding(
                    item.source_path,
                    metadata_line(text, "slug") or metadata_line(text, "title"),
                    f"This has the same address ({item.url}) as {seen[save_as]}, so it was "
                    "left out of the site.",
                    "Give one of them a different title, or a Slug: line.",
                )
            )
            continue
        seen[save_as] = display_path(getattr(item, "source_path", "?"))
        keep.append(item)
    return keep, findings


def addresses_taken(settings) -> dict[str, str]:
    """The files the site writes itself at fixed addresses (tag/index.html, events/,
    search/...), from the *_SAVE_AS, *_URL and TEMPLATE_PAGES settings: a page written
    there would overwrite them or stop the build."""
    names = set((settings.get("TEMPLATE_PAGES") or {}).values())
    for key, value in settings.items():
        if not isinstance(value, str) or not value or "{" in value or "://" in value:
            continue
        if key.endswith("_SAVE_AS"):
            names.add(value)
        elif key.endswith("_URL") and value.endswith("/"):
            names.add(value + "index.html")
    return {name: f"a page the site makes itself ({name})" for name in names}


def announced_changes(posts, ledger, post_id, site) -> list[Finding]:
    """Published posts whose address or date changed since they were announced: every
    link that followers and subscribers have would break, or feed readers would see a
    new post. `ledger` is the announce ledger (None when there is none)."""
    if ledger is None:
        return []
    ids = {id(p): post_id(p) for p in posts}
    taken = set(ids.values())
    findings = []
    for post in posts:
        own = ids[id(post)]
        url = site.url(post)
        path = urlsplit(url).path
        for known in ledger.same_post(own, site.file(post), path, post.date, taken - {own}):
            details, channels = ledger.details(known), ledger.sent_on(known)
            if not details or not channels:
                continue
            was = details.get("path") or urlsplit(details.get("url", "")).path
            # Without SITEURL (a local check) only the end of the address is known.
            if was and was != path and not (not site.siteurl and was.endswith(path)):
                findings.append(
                    Finding(
                        post.source_path, None,
                        f"The post's address changed since it was published (was "
                        f"{details.get('url') or was}, now {url}): links people already "
                        "have would break.",
                        "Put the old Slug: back (or the old title), or keep the old Date:.",
                    )
                )  # fmt: skip
            date = details.get("date")
            if date and datetime.fromisoformat(date) != post.date:
                findings.append(
                    Finding(
                        post.source_path, metadata_line(read_text(post.source_path), "date"),
                        f"The Date: changed since the post was announced on "
                        f"{', '.join(channels)} (was {date[:16].replace('T', ' ')}). It is not "
                        "announced again, but feed readers will show it as a new post.",
                        f"Put the old date back, or add the line `Feed-ID: {known}` to keep "
                        "its place in feeds.", error=False,
                    )
                )  # fmt: skip
    return findings


def scheduled(drafts, now: datetime) -> list[tuple[datetime, str, str]]:
    """(date, title, source) of posts that go live on a later date."""
    return sorted(
        (d.date, d.title, d.source_path)
        for d in drafts
        if getattr(d, "date", None) and d.date > now and d.metadata.get("status") != "draft"
    )


def near_names(posts) -> list[Finding]:
    """Warnings for a category or tag that only one post uses and that is close to one
    other posts use: the same but for capitals, a plural, or a small slip of the keys."""
    findings = []
    for key, names_of in (("category", _category), ("tags", _tags)):
        users = {}
        for post in posts:
            for name in set(names_of(post)):
                users.setdefault(name, []).append(post)
        for name, (post, *others) in sorted(users.items()):
            if others:
                continue
            near = _nearest(name, {n: len(p) for n, p in users.items() if n != name})
            if near is None:
                continue
            used = len(users[near])
            word = "category" if key == "category" else "tag"
            line = metadata_line(read_text(post.source_path), key)
            findings.append(
                Finding(
                    post.source_path, line,
                    f"The {word} '{name}' is new (only this post has it) and close to "
                    f"'{near}', which {used} other post{'s' if used != 1 else ''} "
                    f"{'have' if used != 1 else 'has'}.",
                    f"Write '{near}' if you meant that {word}. If '{name}' is meant to be a "
                    f"new {word}, leave it: this is only a warning, and it stops once another "
                    f"post has the {word} too.",
                    error=False,
                )
            )  # fmt: skip
    return findings


def _category(post):
    category = getattr(post, "category", None)
    return [str(category)] if category is not None else []


def _tags(post):
    return [str(tag) for tag in getattr(post, "tags", None) or []]


def _nearest(name: str, others: dict) -> str | None:
    """The most used of `others` that `name` is probably a slip for, or None."""
    found = [other for other in others if _close(name, other)]
    return max(found, key=lambda other: (others[other], other)) if found else None


def _close(a: str, b: str) -> bool:
    """Capitals, a plural, a slip of one or two keys, or mostly the same words."""
    a, b = _singular(a), _singular(b)
    slips = 0 if min(len(a), len(b)) <= 4 else 1 if min(len(a), len(b)) < 10 else 2
    return a == b or _typos(a, b) <= slips or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _typos(a: str, b: str) -> int:
    """Keys to press to turn a into b: insert, delete, change, or swap two neighbours."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, start=1):
        row = [i]
        for j, y in enumerate(b, start=1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _singular(name: str) -> str:
    """Roughly the singular, in lower case: 'Events' -> 'event', 'Libraries' -> 'library'."""
    name = " ".join(name.casefold().split())
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("ches", "shes", "sses", "xes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name
