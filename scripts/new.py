"""`make newpost`, `make newevent`, `make newbrochure`: a correctly named file with
every front-matter field, explained, and today's date in the site's TIMEZONE.

    python scripts/new.py [--settings pelicanconf.py] post "Summer Reading Challenge" [Category]
"""

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pelican.settings import DEFAULT_CONFIG, get_settings_from_file
from pelican.utils import slugify

ROOT = Path(__file__).resolve().parent.parent

# Front-matter values the templates write for staff to replace: (what is written, what
# to write instead). Every line of example text below the front matter is a placeholder
# too. `make check` reports any of it left in a file (plugins/checks/scaffold.py reads
# this file), so a change here keeps the check right.
PLACEHOLDERS = {
    "summary": (
        "One or two sentences for the news list, search results, feeds and social media.",
        "one or two sentences about this post",
    ),
    "tags": (
        "comma, separated, tags",
        "this post's own tags, e.g. children, Northfield, or delete the line",
    ),
    "authors": (
        "Your name",
        "the writer's name, or delete the line (the post is then by the library)",
    ),
    "accessibility": (
        "Step-free access and a hearing loop.",
        "the access the venue really has, e.g. step-free entrance, hearing loop",
    ),
    "season": (
        "The dates or season it covers",
        "the dates it covers, e.g. Winter 2026 to 2027, or delete the line",
    ),
    "cover": ("images/your-cover.jpg", "the cover picture under content/, e.g. images/cover.jpg"),
    "cover-alt": ("Describe the cover picture.", "what the cover picture shows"),
}

COMMON = """Title: {title}
Date: {now:%Y-%m-%d %H:%M} {offset}
Summary: {summary}
"""
POST = (
    COMMON
    + """Category: {category}
Tags: {tags}
Authors: {authors}

Write your post here, then run `make check` and look at it with `make serve`.
Nothing goes live until `make publish`. A post dated in the future goes live on
that date.

## A subheading

- a list
- of points

<!--
A picture: put the file in content/images/ and write
  ![What the picture shows]({{static}}/images/name.jpg)
A link to another post: [its title]({{filename}}/posts/2026-01-12-file-name.md)

More front matter you can add (delete what you don't use):
  Image: images/name.jpg             the post's picture, also used on social media
  Image-Alt: What the picture shows  for people who cannot see it
  Modified: {now:%Y-%m-%d %H:%M}     when you last changed it meaningfully
  Status: draft                      keep it off the site (and out of the preview) for now
  Slug: a-short-address              the end of the post's address; never change it once published
  Announce: no                       keep this post off social media
  Announce-Text: Text for social media instead of the title and summary
  Feed-ID: (only to keep a feed id after changing Date: or the file name)
-->
"""
)
EVENT = POST.replace(
    "Authors: {authors}\n",
    """Authors: {authors}
Event-Start: {now:%Y-%m-%d} 14:00
Event-Duration: 1h
Location: Riverside Central Library, Event Room
Price: Free
Audience: everyone
Accessibility: {accessibility}
""",
).replace(
    "<!--",
    """<!--
Event fields you can add:
  Event-End: {now:%Y-%m-%d} 15:00       instead of Event-Duration
  Booking-URL: https://...              shows a "Book a place" button
  Event-Repeat: FREQ=WEEKLY;BYDAY=FR;UNTIL=20270409   a repeating event
  Event-Except: 2026-12-25, 2027-01-01  dates a repeat skips
  Event-Status: cancelled               (or postponed, rescheduled)
  Announce-Reminder: 1d                 also remind followers a day before
""",
)
BROCHURE = (
    COMMON
    + """Season: {season}
Cover: {cover}
Cover-Alt: {cover_alt}

## First section

Each second-level heading starts a new section (a new page in the PDF).

## Second section

<!--
For a "What's on", add the dates whose events it should list:
  Events-From: {now:%Y-%m-%d}
  Events-To: {now:%Y-%m-%d}
-->
"""
)
KINDS = {
    "post": ("posts", POST, "News"),
    "event": ("posts", EVENT, "Events"),
    "brochure": ("brochures", BROCHURE, ""),
}


def render(kind, title, now, category=""):
    """The new file's text: `now` is an aware datetime."""
    _, template, default_category = KINDS[kind]
    offset = now.strftime("%z")
    return template.format(
        title=title,
        now=now,
        offset=f"{offset[:3]}:{offset[3:]}",
        category=category or default_category,
        **{key.replace("-", "_"): text for key, (text, _) in PLACEHOLDERS.items()},
    )


def site_zone(settings_file) -> ZoneInfo:
    """The site's TIMEZONE (UTC when it sets none, as the plugins take it)."""
    if not Path(settings_file).is_file():
        sys.exit(
            f"{settings_file} does not exist: the new file is dated in the site's TIMEZONE, "
            "read from its settings. Fix: name the site's settings file, e.g. "
            'make newpost TITLE="..." SETTINGS=pelicanconf.py.'
        )
    # The file as Pelican reads it, not checked: a new file needs no content folder yet.
    zone = get_settings_from_file(str(settings_file)).get("TIMEZONE") or "UTC"
    try:
        return ZoneInfo(zone)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        sys.exit(
            f"{settings_file}: TIMEZONE = {zone!r} is not a time zone. "
            'Fix: write the library\'s zone as a name such as "Europe/London".'
        )


def main(kind, title, category="", settings_file=ROOT / "pelicanconf.py"):
    folder = KINDS[kind][0]
    now = datetime.now(site_zone(settings_file))
    name = f"{now:%Y-%m-%d}-{slugify(title, DEFAULT_CONFIG['SLUG_REGEX_SUBSTITUTIONS'])}.md"
    path = ROOT / "content" / folder / name
    if path.exists():
        sys.exit(
            f"{path.relative_to(ROOT)} already exists: choose another title, or edit that file."
        )
    text = render(kind, title, now, category)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Created {path.relative_to(ROOT)}: open it, write, then `make check` and `make serve`.")


if __name__ == "__main__":
    args = sys.argv[1:]
    settings_file = ROOT / "pelicanconf.py"
    if args[:1] == ["--settings"] and len(args) > 1:
        settings_file, args = Path(args[1]), args[2:]
    if len(args) < 2 or args[0] not in KINDS or not args[1].strip():
        sys.exit('Usage: make newpost TITLE="Summer Reading Challenge" [CATEGORY=Events]')
    main(args[0], args[1].strip(), *(args[2:3]), settings_file=settings_file)
