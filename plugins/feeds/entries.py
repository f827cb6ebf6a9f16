"""One feed entry per post: everything a feed needs, composed from a Pelican article."""

import mimetypes
import os
import posixpath
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from .settings import FeedSettings
from .text import absolutize, clean, plain


@dataclass(frozen=True)
class Image:
    url: str
    type: str
    length: int
    alt: str


@dataclass(frozen=True)
class File:
    """A file offered with an entry (a brochure's PDF, large print, EPUB): an enclosure."""

    url: str
    type: str
    length: int
    title: str


@dataclass(frozen=True)
class Person:
    name: str
    url: str


@dataclass(frozen=True)
class Term:
    name: str
    url: str
    scheme: str


@dataclass(frozen=True)
class Entry:
    id: str
    url: str
    title: str
    summary: str
    content: str
    published: datetime
    updated: datetime
    authors: tuple[Person, ...]
    terms: tuple[Term, ...]
    image: Image | None
    files: tuple[File, ...] = ()


def entry_id(article, authority: str) -> str:
    """A stable id: `Feed-ID:` if set, else tag:AUTHORITY,FIRST-PUBLISH-DATE:FILE-NAME.

    Editing the title, slug, category, tags or text keeps it. Changing `Date:` or
    renaming the file changes it (set `Feed-ID:` to the old id to keep it).
    """
    pinned = article.metadata.get("feed-id")
    if pinned:
        return clean(str(pinned)).strip()
    name = os.path.splitext(os.path.basename(article.source_path))[0]
    # datetime's own strftime: Pelican's SafeDatetime reformats in Python, 20 times slower
    # (planning announcements asks for every post's id).
    day = datetime.strftime(article.date, "%Y-%m-%d")
    return f"tag:{authority},{day}:{quote(name, safe='-._~')}"


def post_image(article, site: FeedSettings) -> Image | None:
    """The post's `Image:` as an enclosure: absolute URL, MIME type and size in bytes."""
    path = article.metadata.get("image")
    if not path:
        return None
    path = str(path).replace("{static}", "").lstrip("/")
    local = os.path.join(site.content_path, *posixpath.normpath(path).split("/"))
    try:
        length = os.path.getsize(local)
    except OSError:
        return None  # the checks plugin reports the missing file
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    alt = clean(str(article.metadata.get("image-alt") or "")).strip()
    return Image(url=site.url(quote(path)), type=kind, length=length, alt=alt)


def entry_files(article, site: FeedSettings) -> tuple[File, ...]:
    """The files a plugin offers with this content, as `feed_files`: (address in the
    site, MIME type, size in bytes, title) each, set before the feeds are written."""
    return tuple(
        File(site.url(quote(url)), kind, length, clean(title).strip())
        for url, kind, length, title in getattr(article, "feed_files", None) or ()
    )


def make_entry(article, site: FeedSettings) -> Entry:
    url = site.url(article.url)
    summary = plain(getattr(article, "summary", ""))
    terms = []
    if getattr(article, "category", None):
        category = article.category
        terms.append(Term(clean(str(category)), site.url(category.url), site.url("category/")))
    for tag in getattr(article, "tags", None) or ():
        terms.append(Term(clean(str(tag)), site.url(tag.url), site.url("tag/")))
    authors = tuple(
        Person(clean(str(a)), site.url(a.url)) for a in getattr(article, "authors", None) or ()
    )
    return Entry(
        id=entry_id(article, site.id_authority),
        url=url,
        title=" ".join(clean(str(article.title)).split()),
        summary=summary,
        content=absolutize(article.get_content(site.siteurl), url),
        published=article.date,
        updated=getattr(article, "modified", None) or article.date,
        authors=authors or (Person(clean(site.author), site.siteurl + "/"),),
        terms=tuple(terms),
        image=post_image(article, site),
        files=entry_files(article, site),
    )
