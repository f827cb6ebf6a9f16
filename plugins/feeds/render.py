"""Feeds as bytes, from a feed description and its entries. No I/O."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from .image_extension import ImageEntryExtension, ImageExtension
from .text import clean

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ATOM = "http://www.w3.org/2005/Atom"


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
        fe.image.set(entry.image, entry.files)
    return fg


@dataclass(frozen=True)
class BrowserView:
    """What a feed opened in a browser shows: no XSLT (browsers are dropping it), a CSS
    stylesheet and a short notice pointing to the Subscribe page, the human entry.
    Addresses are as the generator gives them: relative to the feed, or from SITEURL."""

    stylesheet: str
    subscribe: str
    home: str
    sitename: str


XHTML = "http://www.w3.org/1999/xhtml"


def _notice(view: BrowserView):
    """An XHTML block: readers skip foreign markup; a browser shows it, links working."""
    div = etree.Element(f"{{{XHTML}}}div", nsmap={None: XHTML})
    div.set("class", "feed-notice")
    first = etree.SubElement(div, f"{{{XHTML}}}p")
    strong = etree.SubElement(first, f"{{{XHTML}}}strong")
    strong.text = "This is a feed"
    strong.tail = (
        ": the newest posts, for a feed reader app. To follow them, copy this page's "
        "address from your browser's address bar into your feed reader. "
    )
    link = etree.SubElement(first, f"{{{XHTML}}}a", href=view.subscribe)
    link.text = "How to subscribe"
    second = etree.SubElement(div, f"{{{XHTML}}}p")
    home = etree.SubElement(second, f"{{{XHTML}}}a", href=view.home)
    home.text = f"Visit the {view.sitename} website"
    return div


def for_browsers(xml: bytes, view: BrowserView | None) -> bytes:
    if view is None:
        return xml
    root = etree.fromstring(xml)
    parent = root if root.tag == f"{{{ATOM}}}feed" else root.find("channel")
    notice = _notice(view)
    notice.tail = parent.text  # the same indentation as the element it goes before
    parent.insert(0, notice)
    href = view.stylesheet.replace("&", "&amp;").replace('"', "&quot;")
    pi = f'<?xml-stylesheet type="text/css" href="{href}"?>\n'.encode()
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + pi + body + b"\n"


def atom(feed: Feed, site, view: BrowserView | None = None) -> bytes:
    xml = _generator(feed, "atom", site).atom_str(pretty=True, encoding="UTF-8")
    return for_browsers(xml, view)


def rss(feed: Feed, site, view: BrowserView | None = None) -> bytes:
    xml = _generator(feed, "rss", site).rss_str(pretty=True, encoding="UTF-8")
    return for_browsers(xml, view)


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
                {"url": a.url, "mime_type": a.type, "size_in_bytes": a.length}
                | ({"title": title} if title else {})
                for a, title in ([(e.image, e.image.alt)] if e.image else [])
                + [(f, f.title) for f in e.files]
            ],
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
