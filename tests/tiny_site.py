"""A tiny site written by the tests themselves (never the sample): posts, two of them
events in a "What's on" brochure, a page, the 404 page, one picture. The incremental,
sitemap and build-lock tests edit it and build it again and again."""

import shutil
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT
from PIL import Image

# Events are listed as of this moment, so that a build's output never depends on the
# time it runs; posts are dated before it, events after it, in the brochure's window.
NOW = "2026-04-01T09:00:00+01:00"
# Two posts a page: a few posts exercise the later pages of every list.
SETTINGS = {"EVENTS_NOW": NOW, "DEFAULT_PAGINATION": 2, "READ_WORKERS": 1}


@dataclass(frozen=True)
class Post:
    title: str
    day: int  # of March 2026
    tags: tuple[str, ...] = ()
    category: str = "News"
    body: str = "Some news from the library."
    event_day: int | None = None  # of June 2026: the brochure lists 1 to 20 June
    author: str = "Priya Shah"
    modified_day: int | None = None  # of March 2026
    picture: bool = False
    status: str = "published"  # or draft, hidden
    slug: str | None = None

    def text(self) -> str:
        lines = [
            f"Title: {self.title}",
            f"Date: 2026-03-{self.day:02d} 10:00 +00:00",
            f"Category: {self.category}",
            f"Authors: {self.author}",
            f"Summary: {self.title}, in short.",
        ]
        if self.status != "published":
            lines.append(f"Status: {self.status}")
        if self.slug:
            lines.append(f"Slug: {self.slug}")
        if self.tags:
            lines.append(f"Tags: {', '.join(self.tags)}")
        if self.modified_day:
            lines.append(f"Modified: 2026-03-{self.modified_day:02d} 12:00 +00:00")
        if self.event_day:
            lines += [
                f"Event-Start: 2026-06-{self.event_day:02d} 14:00",
                f"Event-End: 2026-06-{self.event_day:02d} 15:00",
                "Location: Riverside Central Library",
                "Audience: everyone",
            ]
        body = self.body
        if self.picture:
            body += "\n\n![A reading corner]({static}/images/corner.jpg)"
        return "\n".join(lines) + "\n\n" + body + "\n"


POSTS = {
    "story-time.md": Post("Story time", 2, ("children",), "Events", event_day=10),
    "new-hours.md": Post("New opening hours", 4, ("opening hours",), picture=True),
    "author-talk.md": Post("An author talk", 6, ("authors", "children"), "Events", event_day=20),
    "ebooks.md": Post("Borrow eBooks", 8, ("digital",), author="Tom Okafor", modified_day=9),
}
PAGES = {
    "about.md": "Title: About us\n\nWho we are.\n",
    "404.md": (
        "Title: Page not found\nStatus: hidden\nTemplate: 404\nSave_as: 404.html\n"
        "URL: 404.html\n\nSorry, that page is not here.\n"
    ),
}
BROCHURE = """Title: What's on this summer
Date: 2026-03-05 09:00 +00:00
Summary: Everything on at the library this summer.
Cover: images/cover.jpg
Cover-Alt: A drawing of a library.
Events-From: 2026-06-01
Events-To: 2026-06-20

## Welcome

{text}
"""


def write_site(folder: Path, posts=None, brochure_text="Come in, it is free.") -> Path:
    """content/ and a copy of the theme in `folder`; returns the content folder."""
    content = folder / "content"
    for sub in ("posts", "pages", "brochures", "images"):
        (content / sub).mkdir(parents=True, exist_ok=True)
    for name, post in (POSTS if posts is None else posts).items():
        (content / "posts" / name).write_text(post.text(), encoding="utf-8")
    for name, text in PAGES.items():
        (content / "pages" / name).write_text(text, encoding="utf-8")
    write_brochure(content, brochure_text)
    for name, colour in (("cover.jpg", (200, 120, 40)), ("corner.jpg", (40, 120, 200))):
        Image.new("RGB", (64, 48), colour).save(content / "images" / name, quality=80)
    if not (folder / "theme").exists():
        shutil.copytree(ROOT / "theme", folder / "theme")
    return content


def write_page(content: Path, text: str):
    (content / "pages" / "about.md").write_text(f"Title: About us\n\n{text}\n", encoding="utf-8")


def write_brochure(content: Path, text: str):
    (content / "brochures" / "whats-on.md").write_text(BROCHURE.format(text=text), encoding="utf-8")


def settings(folder: Path, **extra) -> dict:
    return {**SETTINGS, "THEME": str(folder / "theme"), **extra}
