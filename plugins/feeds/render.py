"""Feeds as bytes, from a feed description and its entries. No I/O."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from .image_extension import ImageEntryExtension, ImageExtension
from .text import clean

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Feed:
    """A feed is a selection of content: a title, a page it belongs to, and entries."""

    key: str  # e.g. "all", "category:events"
    title: str
    description: str
    html_url: str  # the page these entries are listed on
    paths: dict  # format ("atom", "rss", "json") -> output path
    entries: list = field(default_factory=list)  # entries.Entry, newest first

    @property
    def kind(self) -> str:
        """ "all", "category", "tag", or another plugin's own kind ("events")."""
        return self.key.split(":", 1)[0]

    @property
    def updated(self) -> datetime:
        """The newest entry's date: unchanged content gives byte-identical feeds."""
        return max((e.updated for e in self.entries), default=EPOCH)


def _generator(feed: Feed, fmt: str, site) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("image", ImageExtension, ImageEntryExtension)
    fg.id(site.url(feed.paths[fmt]))
    fg.title(clean(feed.title))
    fg.subtitle(clean(feed.description) or clean(feed.title))
    fg.language(site.language)
    fg.author({"name": clean(site.author), "uri": site.siteurl + "/"})
    if site.logo:
        fg.logo(site.url(site.logo))
    if site.icon:
        fg.icon(site.url(site.icon))
    # The self link first: feedgen uses the last "alternate" link as RSS <link>.
    fg.link(href=site.url(feed.paths[fmt]), rel="self")
    fg.link(href=feed.html_url, rel="alternate")
    fg.updated(feed.updated)
    fg.lastBuildDate(feed.updated)
    # Oldest first: feedgen prepends, so the newest ends up at the top.
    for entry in reversed(feed.entries):
        fe = fg.add_entry()
        fe.id(entry.id)
        fe.title(entry.title or entry.url)
        fe.link(href=entry.url, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.updated)
        for person in entry.authors:
            fe.author({"name": person.name, "uri": person.url})
        for term in entry.terms:
            fe.category(term=term.name, label=term.name, scheme=term.scheme)
        if entry.summary:
            fe.summary(entry.summary)
        if entry.content:
            fe.content(entry.content, type="html")
        elif not entry.summary:
            fe.description(entry.title)
        fe.image.set(entry.image)
    return fg


def with_stylesheet(xml: bytes, stylesheet_url: str | None) -> bytes:
    if not stylesheet_url:
        return xml
    declaration, _, rest = xml.partition(b"?>")
    pi = f'\n<?xml-stylesheet type="text/xsl" href="{stylesheet_url}"?>'.encode()
    return declaration + b"?>" + pi + rest


def atom(feed: Feed, site, stylesheet_url=None) -> bytes:
    xml = _generator(feed, "atom", site).atom_str(pretty=True, encoding="UTF-8")
    return with_stylesheet(xml, stylesheet_url)


def rss(feed: Feed, site, stylesheet_url=None) -> bytes:
    xml = _generator(feed, "rss", site).rss_str(pretty=True, encoding="UTF-8")
    return with_stylesheet(xml, stylesheet_url)


def json_feed(feed: Feed, site) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for e in feed.entries:
        item = {
            "id": e.id,
            "url": e.url,
            "title": e.title,
            "content_html": e.content,
            "summary": e.summary or None,
            "image": e.image.url if e.image else None,
            "date_published": e.published.isoformat(),
            "date_modified": e.updated.isoformat(),
            "authors": [{"name": p.name, "url": p.url} for p in e.authors],
            "tags": [t.name for t in e.terms],
            "attachments": [
                {"url": e.image.url, "mime_type": e.image.type, "size_in_bytes": e.image.length}
                | ({"title": e.image.alt} if e.image.alt else {})
            ]
            if e.image
            else None,
        }
        items.append({k: v for k, v in item.items() if v not in (None, [], "")})
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(feed.title),
        "home_page_url": feed.html_url,
        "feed_url": site.url(feed.paths["json"]),
        "description": clean(feed.description),
        "language": site.language,
        "authors": [{"name": clean(site.author), "url": site.siteurl + "/"}],
        "items": items,
    }
    if site.logo:
        document["icon"] = site.url(site.logo)
    if site.icon:
        document["favicon"] = site.url(site.icon)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
