"""Sitemaps: sitemap.xml, the pages search engines may index and when each last changed.

The list is made from the pages this build wrote, and the pages an incremental build
kept as they were (plugins/incremental), so it is the same however the site was built,
and no date in it is the time of the build:
- a post, page or brochure: its own Modified:, or else its Date: (none if it has neither);
- a list (a tag, category or author, the home page and its later pages, events): the
  newest of what it lists;
- any other page (archives, search, the brochures page): the newest date in the sitemap.

Left out: anything that is not an HTML page (robots.txt, feeds, calendars), hidden
pages, pages whose HTML asks search engines not to index them (`<meta name="robots"
content="noindex">`, as 404.html and search/ do), and addresses matching SITEMAP's
"exclude" patterns. Addresses are absolute in the publish build (SITEURL).

Settings: SITEMAP = {"exclude": ["^regular expression on the address"]}.
"""

import json
import logging
import os
import re

from blinker import signal
from checks.findings import Finding
from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page, Paginator

from .entries import address, dated, lastmod, listed, location, newest, noindex, render

logger = logging.getLogger(__name__)
SAVE_AS = "sitemap.xml"  # robots.txt points search engines here
DEFAULTS = {"exclude": []}
# Keys pelican-sitemap read: its sitemap had them, this one has no use for them.
OLD_KEYS = ("format", "priorities", "changefreqs")
_build = {}  # the sitemap of the build now running (`make serve` rebuilds in one process)


class Sitemap:
    """The pages of one build, noted as each is written or kept."""

    def __init__(self, settings, output_path):
        self.output = os.path.abspath(output_path)
        self.siteurl = (settings.get("SITEURL") or "").rstrip("/")
        self.exclude = read_settings(settings)
        self.site = set()  # ids of the values in the context the generators share
        self.shared = {}  # that context itself: a value a generator puts in it later (the
        # preview makes plugin generators' values again after an edit) is the site's too
        self.pages = {}  # file -> (address, date, whether the date is the page's own)
        self._lists = {}  # id(list) -> (list, its newest date): the long lists, once
        # Whether each page is noindex, by its size and time as last read: a page an
        # incremental build kept need not be read again.
        self._cache = os.path.join(settings["CACHE_PATH"], "sitemaps.json")
        self._known = _load(self._cache)
        self._seen = {}

    def note(self, path: str, context: dict):
        if not path.endswith(".html"):
            return
        inside = self.output + os.sep
        name = (
            path[len(inside) :] if path.startswith(inside) else os.path.relpath(path, self.output)
        )
        name = name.replace(os.sep, "/")
        # Its own values: not the site's (a tag's page is given the list of every post too).
        own = [
            v for k, v in context.items() if id(v) not in self.site and self.shared.get(k) is not v
        ]
        subject = next((v for v in own if isinstance(v, Content) and v.save_as == name), None)
        if subject is not None:
            if getattr(subject, "status", "published") != "published":
                self.pages.pop(name, None)
                return
            self.pages[name] = (subject.url, dated(subject), True)
        else:
            self.pages[name] = (address(name), newest(map(self._newest, own)), False)

    def _newest(self, value):
        if isinstance(value, Page):
            value = value.paginator.object_list
        elif isinstance(value, Paginator):
            value = value.object_list
        if not isinstance(value, (list, tuple)) or len(value) <= 16:
            return newest(dated(c) for c in listed(value))
        known = self._lists.get(id(value))
        if known is None or known[0] is not value:
            known = self._lists[id(value)] = (value, newest(dated(c) for c in listed(value)))
        return known[1]

    def entries(self) -> dict[str, str | None]:
        """{absolute address: lastmod}, for the pages that may be indexed."""
        kept = {
            name: page
            for name, page in self.pages.items()
            if not any(p.search(page[0]) for p in self.exclude) and not self._noindex(name)
        }
        everything = newest(date for _, date, _ in kept.values())
        return {
            location(self.siteurl, url): lastmod(date if date or own else everything)
            for url, date, own in kept.values()
        }

    def _noindex(self, name) -> bool:
        path = os.path.join(self.output, name)
        try:
            st = os.stat(path)
            stamp = [st.st_size, st.st_mtime_ns]
            known = self._known.get(name)
            if known and known[:2] == stamp:
                self._seen[name] = known
                return known[2]
            with open(path, "rb") as f:
                head = f.read(8192)
                while b"</head" not in head.lower() and len(head) < 65536:
                    chunk = f.read(8192)
                    if not chunk:
                        break
                    head += chunk
        except OSError:
            return True  # not in the output: nothing to list
        self._seen[name] = [*stamp, noindex(head.decode("utf-8", "replace"))]
        return self._seen[name][2]

    def write(self):
        text = render(self.entries())
        if self._seen != self._known:
            os.makedirs(os.path.dirname(self._cache), exist_ok=True)
            _save(self._cache, json.dumps(self._seen))
        target = os.path.join(self.output, SAVE_AS)
        try:
            with open(target, encoding="utf-8") as f:
                if f.read() == text:
                    return
        except OSError:
            pass
        _save(target, text)
        logger.info("sitemaps: %d pages in %s", len(self.pages), target)


def _load(path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return dict(json.load(f))
    except (OSError, ValueError, TypeError):
        return {}  # none yet, or unreadable: every page is read


def _save(path, text):
    """Whole or not at all (a file of another build's may be read meanwhile)."""
    tmp = f"{path}.{os.getpid()}.tmp"  # this process's own (and readable, as any page)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def read_settings(settings) -> list[re.Pattern]:
    """SITEMAP merged over the defaults; a bad key or pattern is reported and left out."""
    configured = settings.get("SITEMAP") or {}
    if not isinstance(configured, dict):
        _report("SITEMAP is not a dict.", 'SITEMAP = {"exclude": []}.')
        configured = {}
    for key in configured:
        if key in OLD_KEYS:
            _report(f"SITEMAP key {key!r} is not used (pelican-sitemap's).", "Remove it.", False)
        elif key not in DEFAULTS:
            _report(f"SITEMAP key {key!r} is not known.", f"Use one of: {', '.join(DEFAULTS)}.")
    patterns = []
    for pattern in configured.get("exclude", DEFAULTS["exclude"]):
        try:
            patterns.append(re.compile(pattern))
        except (re.error, TypeError) as err:
            _report(f"SITEMAP exclude pattern {pattern!r} is not a regular expression ({err}).",
                    'Correct it, e.g. "^tag/" leaves out every tag page.')  # fmt: skip
    return patterns


def _report(problem, fix, error=True):
    finding = Finding("pelicanconf.py", None, f"sitemaps: {problem}", fix, error)
    (logger.error if error else logger.warning)("%s", finding)


def start(pelican):
    _build["sitemap"] = Sitemap(pelican.settings, pelican.output_path)


def note_site(generators):
    if generators and _build.get("sitemap"):
        _build["sitemap"].shared = generators[0].context
        _build["sitemap"].site = {id(v) for v in generators[0].context.values()}


def note_page(path, context=None):
    if _build.get("sitemap") and context is not None:
        _build["sitemap"].note(path, context)


def keep_sitemap(pelican):
    return [SAVE_AS]


def write(pelican):
    # Kept after writing: the preview, after an edit in memory (plugins/preview/hot.py),
    # notes the pages it wrote again and writes the sitemap again. A page no longer in
    # the output is left out of it.
    sitemap = _build.get("sitemap")
    if sitemap is not None:
        sitemap.write()


def register():
    # The first signal of every build (`make serve` rebuilds in one process).
    signals.get_generators.connect(start)
    # The context the generators share: a page's own values are the ones it adds.
    signals.all_generators_finalized.connect(note_site)
    # Every page written, and every page an incremental build kept as it was.
    signals.content_written.connect(note_page)
    signal("incremental_page_kept").connect(note_page)
    # The sitemap is this plugin's to write: the incremental tidy leaves it alone.
    signal("incremental_keep_folders").connect(keep_sitemap)
    # After every page is written.
    signals.finalized.connect(write)
