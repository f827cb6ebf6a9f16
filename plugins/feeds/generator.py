"""The feeds generator: Pelican's own extension point for writing extra output."""

import heapq
import logging
import os
import posixpath

from pelican.generators import Generator

from . import render
from .entries import make_entry
from .selection import collect, site_feeds
from .settings import read_settings

logger = logging.getLogger(__name__)

FORMATS = {"atom": render.atom, "rss": render.rss}
TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml",
         "json": "application/feed+json"}  # fmt: skip


def _timestamp(item):
    return item.date.timestamp()


class FeedsGenerator(Generator):
    """Writes every feed, the feed stylesheet and the Subscribe page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = read_settings(self.settings)
        self._entries = {}  # source path -> (post, Entry): each post composed once
        self.feeds = []
        self._written = {}  # output path -> (feed, its entries) as last written

    def feed(self, key, title, description, html_url, paths, content, newest_first=False):
        """A Feed of the newest FEED_MAX_ITEMS items of `content`.

        `newest_first` says `content` is already sorted newest first (Pelican's own
        lists are, with the default ARTICLE_ORDER_BY), which saves a sort per feed.
        """
        if newest_first:
            newest = content[: self.site.max_items]
        else:
            newest = heapq.nlargest(self.site.max_items, content, key=_timestamp)
        return render.Feed(
            key, title, description, html_url, paths, [self.entry(a) for a in newest]
        )

    def entry(self, article):
        known = self._entries.get(article.source_path)
        files = getattr(article, "feed_files", None)
        # Made again for a post read again (the preview), or a brochure's files made again.
        if known is None or known[0] is not article or known[2] != files:
            entry = make_entry(article, self.site)
            known = self._entries[article.source_path] = (article, entry, files)
        return known[1]

    def generate_context(self):
        # The theme's autodiscovery links and Subscribe page read these.
        paths = self.site.paths
        self.context["feed_links"] = [
            {"title": f"{self.site.sitename}: all news ({name})", "type": TYPES[fmt],
             "href": paths[f"all_{fmt}"]}
            for fmt, name in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"))
        ]  # fmt: skip
        self.context["feed_paths"] = paths
        self.context["subscribe_url"] = paths["subscribe_url"]

    def generate_output(self, writer):
        articles = self.context.get("articles", [])  # published only: no drafts, hidden, future
        self.feeds = site_feeds(
            self, articles, self.context.get("categories", []), self.context.get("tags", [])
        )
        for _receiver, extra in collect.send(self):
            self.feeds.extend(extra or [])
        for feed in self.feeds:
            for fmt, path in feed.paths.items():
                if self._as_written(path, feed):
                    continue
                if fmt == "json":
                    data = render.json_feed(feed, self.site)
                else:
                    data = FORMATS[fmt](feed, self.site, self.browser_view(path))
                self._write(path, data)
        self._write_stylesheet(writer)
        self._write_subscribe_page(writer)

    def browser_view(self, feed_path: str) -> render.BrowserView:
        """The addresses a browser needs, from SITEURL, or relative to the feed when
        the site has none (a local build served on any host and port)."""
        paths = self.site.paths
        return render.BrowserView(
            stylesheet=self._href(feed_path, paths["stylesheet"]),
            subscribe=self._href(feed_path, paths["subscribe_url"]),
            home=self._href(feed_path, ""),
            sitename=self.site.sitename,
        )

    def _href(self, feed_path: str, target: str) -> str:
        if self.site.public:
            return self.site.url(target)
        relative = posixpath.relpath(target or ".", posixpath.dirname(feed_path) or ".")
        return relative + "/" if target == "" or target.endswith("/") else relative

    def _as_written(self, path, feed) -> bool:
        """Whether this generator already wrote `path` from the same feed: the preview
        (plugins/preview) runs it again after an edit, and a feed without the edited
        post is left as it is. Entries are compared as objects: a post read again
        gets a new one."""
        before = self._written.get(path)
        self._written[path] = (feed, tuple(feed.entries))
        if before is None or not os.path.exists(os.path.join(self.output_path, path)):
            return False
        old, entries = before
        fields = ("key", "title", "description", "html_url", "paths")
        return (
            all(getattr(old, f) == getattr(feed, f) for f in fields)
            and len(entries) == len(feed.entries)
            and all(a is b for a, b in zip(entries, feed.entries, strict=True))
        )

    def _write(self, path, data: bytes):
        target = os.path.join(self.output_path, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)

    def _write_stylesheet(self, writer):
        css = self.env.get_template("feed.css").render(self.context)
        self._write(self.site.paths["stylesheet"], css.encode("utf-8"))

    def _write_subscribe_page(self, writer):
        paths = self.site.paths
        writer.write_file(
            paths["subscribe_save_as"], self.get_template("subscribe"), self.context,
            relative_urls=self.settings["RELATIVE_URLS"], url=paths["subscribe_url"],
            feeds=self.feeds, page_name="subscribe",
        )  # fmt: skip
