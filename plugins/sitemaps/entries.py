"""What goes into sitemap.xml: each page's address and date, and the file itself.
Pure functions, but for `noindex`, which reads the start of a written page."""

import re
from datetime import UTC, datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
ROBOTS = re.compile(r"""\bname\s*=\s*["']?robots\b""", re.IGNORECASE)
NOINDEX = re.compile(r"""\bcontent\s*=\s*["'][^"']*\b(noindex|none)\b""", re.IGNORECASE)
HEAD_END = re.compile(r"</head\s*>|<body\b", re.IGNORECASE)
SAFE = "/%~:@!$&'()*+,;=-._"  # left as they are in an address: only the rest is encoded


def address(save_as: str) -> str:
    """The address a web server gives a file: `news/x/index.html` -> `news/x/`."""
    return re.sub(r"(^|/)index\.html$", r"\1", save_as)


def location(siteurl: str, url: str) -> str:
    """The absolute address (SITEURL in the publish build), percent-encoded."""
    return f"{siteurl}/{quote(url.lstrip('/'), safe=SAFE)}"


def dated(content) -> datetime | None:
    """A post's, page's or brochure's own date: Modified: if it has one, else Date:."""
    dates = [d for d in (getattr(content, "modified", None), getattr(content, "date", None)) if d]
    return max(dates, key=aware) if dates else None


def aware(moment: datetime) -> datetime:
    """Pelican dates carry the site's TIMEZONE; one without a zone is taken as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def newest(moments) -> datetime | None:
    found = [m for m in moments if m]
    return max(found, key=aware) if found else None


def listed(value, depth=0):
    """The posts, pages and brochures a page's own values list: a list of them, a page
    of a paginated list (the whole list: an addition moves every page), or values of
    plugins' own (an event listing holds occurrences, each with its post)."""
    if isinstance(value, Content):
        yield value
    elif isinstance(value, Page):
        yield from listed(value.paginator.object_list, depth)
    elif isinstance(value, Paginator):
        yield from listed(value.object_list, depth)
    elif isinstance(value, (str, bytes, int, float, datetime, URLWrapper)) or value is None:
        return  # a tag, category or author is the list's name, not something it lists
    elif depth > 3:
        return
    elif isinstance(value, dict):
        for item in value.values():
            yield from listed(item, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from listed(item, depth + 1)
    elif hasattr(value, "__dict__"):
        for item in vars(value).values():
            yield from listed(item, depth + 1)


def noindex(head: str) -> bool:
    """Whether a page's HTML asks search engines not to index it."""
    head = head[: m.start()] if (m := HEAD_END.search(head)) else head
    return any(ROBOTS.search(tag) and NOINDEX.search(tag) for tag in META.findall(head))


def lastmod(moment: datetime | None) -> str | None:
    return aware(moment).isoformat(timespec="seconds") if moment else None


def render(entries: dict[str, str | None]) -> str:
    """sitemap.xml for {absolute address: lastmod or None}, in address order."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for loc in sorted(entries):
        date = f"<lastmod>{entries[loc]}</lastmod>" if entries[loc] else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{date}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
