"""The newsletter as a Pelican generator: reads the editor's intros, writes the archive
pages, and (in a build with a public SITEURL) the current edition's email parts.

It runs after the events and brochures generators (PLUGINS order), so every post,
event and brochure file is known when it writes.
"""

import contextlib
import json
import logging
import os
import re
import tempfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from brochures.pdf import human_size
from checks.findings import Finding
from markdown import Markdown
from pelican.contents import Content
from pelican.generators import Generator
from pelican.utils import get_relative_path

from .dates import edition_day, past_days
from .edition import (
    Brochure,
    Download,
    EventSource,
    Intro,
    Post,
    Site,
    gather,
    is_news_day,
    one_line,
    plain_line,
)
from .intro import sanitise, to_text
from .parts import html_part, text_part
from .settings import read_settings

logger = logging.getLogger(__name__)

DEV_SITEURL = "http://127.0.0.1:8000"  # as the feeds and brochures plugins: `make serve`
DATE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})$")
PAGE_SIZE = re.compile(r"\s*\([^()]*\)$")  # "Printable PDF (A5)"


def _is_meta(extension) -> bool:
    name = extension if isinstance(extension, str) else type(extension).__module__
    return name.endswith("meta")


def _unused(source, why, fix):
    logger.warning("%s", Finding(source, None, f"This intro is not used: {why}", fix, False))


class IntroText(Content):
    """An editor's intro, content/newsletters/YYYY-MM-DD.md: Markdown, with an optional
    `Subject:` line. Neither a post nor a page: nothing else lists it."""

    mandatory_properties = ()


def state_dir(settings) -> str:
    """Where the announce plan is written (plugins/announce): the email parts go beside it."""
    return settings.get("ANNOUNCE_STATE_DIR") or ".announce"


def parts_path(settings) -> str:
    return os.path.join(state_dir(settings), "newsletter.json")


def previous_parts_path(settings) -> str:
    """The edition before the current one, for a send that did not finish on its day."""
    return os.path.join(state_dir(settings), "newsletter-previous.json")


def write_parts(path: str, document: dict):
    """Write the JSON atomically: the sender never reads half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".newsletter-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def document(edition, send: bool) -> dict:
    """The JSON the sending step reads (`make newsletter-send`)."""
    return {
        "edition": edition.iso,
        "subject": edition.subject,
        "url": edition.url,
        "html": html_part(edition) if send else "",
        "text": text_part(edition) if send else "",
        "empty": edition.empty,
        "posts": edition.post_urls,
        "events": edition.event_urls,
    }


class NewsletterGenerator(Generator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        s = self.settings
        self.config, problems = read_settings(s)
        for problem in problems:
            logger.error("%s", problem)
        self.tz = ZoneInfo(s.get("TIMEZONE") or "UTC")
        now = s.get("EVENTS_NOW")  # the moment the events pages are made as of
        now = datetime.fromisoformat(now).astimezone(self.tz) if now else datetime.now(self.tz)
        self.today = now.date()
        site = (s.get("SITEURL") or "").rstrip("/")
        self.public = site.startswith(("https://", "http://"))
        self.siteurl = site if self.public else DEV_SITEURL
        self.intros = {}  # date -> IntroText
        self.current = None

    def generate_context(self):
        c = self.config
        self.current = edition_day(self.today, c.weekday, c.period_days, c.first)
        self._read_intros()
        self.context["newsletters_url"] = c.url

    def _read_intros(self):
        c = self.config
        if not os.path.isdir(os.path.join(self.path, c.path)):
            return
        for path in sorted(self.get_files([c.path])):
            name = os.path.splitext(os.path.basename(path))[0]
            source = os.path.join(self.path, path)
            day = None
            if DATE_NAME.match(name):
                with contextlib.suppress(ValueError):  # 2026-02-30
                    day = date.fromisoformat(name)
            if day is None:
                _unused(source, "its name is not the date of an edition.",
                        f"Name it after the edition it introduces, YYYY-MM-DD.md: "
                        f"{self.current}.md is the next.")  # fmt: skip
                continue
            if not is_news_day(day, c):
                every = ", every two weeks" if c.period_days == 14 else ""
                _unused(source, f"{day:%A} {day} is not an edition day (editions go out on "
                        f"{c.day_name}s{every}).",
                        f"Rename it to the date of the edition it introduces: "
                        f"{self.current}.md is the next.")  # fmt: skip
                continue
            try:
                intro = self.readers.read_file(
                    base_path=self.path, path=path, content_class=IntroText, context=self.context
                )
            except Exception as err:
                logger.error(
                    "%s",
                    Finding(
                        source,
                        None,
                        f"The intro could not be read: {err}",
                        "Check it is Markdown text saved as UTF-8.",
                    ),
                    exc_info=self.settings.get("DEBUG"),
                )
                continue
            self.add_static_links(intro)  # its pictures are copied into the site
            self.intros[day] = intro

    # -- the records an edition is made from ------------------------------------

    def _site(self) -> Site:
        s = self.settings
        library = s.get("LIBRARY") or {}
        colours = library.get("colours") or {}
        branch_hours = library.get("branch_hours") or {}
        if branch_hours:
            hours = [(name, pairs) for name, pairs in branch_hours.items()]
        elif library.get("opening_hours"):
            hours = [("", library["opening_hours"])]
        else:
            hours = []
        visit = next(
            (
                p.url
                for p in self.context.get("pages", [])
                if (p.metadata.get("template") or "") == "visit"
            ),
            "",
        )
        return Site(
            name=one_line(s.get("SITENAME")),
            siteurl=self.siteurl,
            lang=s.get("DEFAULT_LANG") or "en",
            address=tuple(one_line(str(line)) for line in library.get("address") or ()),
            phone=one_line(str(library.get("phone") or "")),
            email=one_line(str(library.get("email") or "")),
            brand=colours.get("brand") or "#0b5a6b",
            brand_dark_mode=colours.get("brand_dark_mode") or "#7fd3e3",
            events_path=s.get("EVENTS_URL", "events/"),
            brochures_path=s.get("BROCHURES_URL", "brochures/"),
            hours=tuple(
                (one_line(str(name)), tuple((one_line(str(d)), one_line(str(h))) for d, h in pairs))
                for name, pairs in hours
            ),
            hours_path=visit,
        )

    def _posts(self):
        posts, events = [], []
        for article in self.context.get("articles", []):
            title = plain_line(article.title)
            posts.append(
                Post(
                    title=title,
                    path=article.url,
                    date=article.date,
                    summary=plain_line(article.summary),
                    tags=tuple(str(t).lower() for t in getattr(article, "tags", None) or ()),
                )
            )
            if getattr(article, "event", None):
                events.append(EventSource(title, article.url, article.event))
        return posts, events

    def _brochures(self):
        found = []
        for b in self.context.get("brochures") or []:
            # The files the brochures plugin made of it, just before (its PDF, large
            # print and EPUB, as its feed offers them): (address, type, bytes, title).
            # The email names each without its page size: "Printable PDF (A5)" is
            # "Printable PDF".
            downloads = [
                Download(PAGE_SIZE.sub("", title), url.replace(os.sep, "/"), human_size(length))
                for url, _, length, title in getattr(b, "feed_files", None) or ()
            ]
            cover = (b.metadata.get("cover") or "").replace("{static}", "").lstrip("/")
            size = (getattr(b, "picture_sizes", None) or {}).get("cover")
            found.append(
                Brochure(
                    title=plain_line(b.title),
                    path=b.url,
                    summary=plain_line(b.summary),
                    season=one_line(str(b.metadata.get("season") or "")),
                    cover=cover,
                    cover_alt=one_line(str(b.metadata.get("cover-alt") or "")),
                    date=getattr(b, "date", None),
                    downloads=tuple(downloads),
                    cover_size=tuple(size) if size else None,
                )
            )
        return found

    def _page_siteurl(self, path: str) -> str:
        if self.settings["RELATIVE_URLS"]:
            return get_relative_path(path + "index.html").rstrip("/") or "."
        return self.settings.get("SITEURL", "")

    def _intro(self, day: date, page_path: str) -> Intro | None:
        intro = self.intros.get(day)
        if intro is None:
            return None
        html = sanitise(intro.get_content(self.siteurl), self.siteurl + "/")
        page = sanitise(intro.get_content(self._page_siteurl(page_path)), None)
        subject = one_line(str(intro.metadata.get("subject") or ""))
        return Intro(html=html, page_html=page, text=to_text(html), subject=subject)

    def _text_intro(self, text: str) -> Intro | None:
        """NEWSLETTER["intro"] or ["empty_text"], Markdown, as an Intro."""
        if not text or not text.strip():
            return None
        # The site's Markdown, without the metadata extension: a first line such as
        # "Note: ..." is text here, not a field.
        options = dict(self.settings.get("MARKDOWN") or {})
        names = [*options.get("extensions", []), *options.get("extension_configs", {})]
        options["extensions"] = list(dict.fromkeys(n for n in names if not _is_meta(n)))
        md = Markdown(**options)
        filled = text.replace("{sitename}", self.settings.get("SITENAME", ""))
        html = sanitise(md.convert(filled), self.siteurl + "/")
        return Intro(html=html, page_html=html, text=to_text(html), own=False)

    # -- writing ------------------------------------------------------------------

    def editions(self):
        """The current edition and the past ones the archive keeps, newest first."""
        c = self.config
        site = self._site()
        posts, events = self._posts()
        brochures = self._brochures()
        dates = [p.date.date() for p in posts]
        earliest = c.first or (min(dates) if dates else None)
        days = [self.current, *past_days(self.current, c.period_days, c.archive, earliest)]
        default_intro = self._text_intro(c.intro)
        empty_intro = self._text_intro(c.empty_text or "")
        return [
            gather(
                day,
                c,
                site,
                self.tz,
                posts,
                events,
                brochures,
                intro=self._intro(day, f"{c.url}{day.isoformat()}/"),
                default_intro=default_intro,
                empty_intro=empty_intro,
            )
            for day in days
        ]

    def generate_output(self, writer):
        if self.current is None:
            return
        editions = self.editions()
        current = editions[0]
        # An edition that is sent has a page: one with news, or the "no news" text.
        archived = [e for e in editions if not e.empty or e.intro is not None]
        relative = self.settings["RELATIVE_URLS"]
        template = self.get_template("newsletter")
        for n, edition in enumerate(archived):
            writer.write_file(
                os.path.join(edition.path, "index.html"),
                template,
                self.context,
                relative_urls=relative,
                url=edition.path,
                edition=edition,
                newer=archived[n - 1] if n > 0 else None,
                older=archived[n + 1] if n + 1 < len(archived) else None,
            )
        url = self.config.url
        writer.write_file(
            os.path.join(url, "index.html"),
            self.get_template("newsletters"),
            self.context,
            relative_urls=relative,
            url=url,
            editions=archived,
            current_edition=current,
        )
        sent = not current.empty or current.intro is not None
        summary = (
            f"edition {current.iso}: {len(current.post_urls)} post(s), "
            f"{len(current.events)} event(s)" + ("" if sent else "; nothing to send")
        )
        if not self.public:
            # Links in an email must be the site's public ones: `make newsletter`
            # builds with publishconf.py (SITEURL) and writes them.
            logger.info("newsletter: %s; email parts not written (no public SITEURL)", summary)
            return
        path = parts_path(self.settings)
        write_parts(path, document(current, sent))
        logger.info("newsletter: %s; email parts in %s", summary, path)
        # The edition before (its day has passed), made again from the site as its archive
        # page is: `make newsletter-send` finishes it if its day's run did not.
        previous = previous_parts_path(self.settings)
        gap = timedelta(days=self.config.period_days)
        before = [e for e in editions[1:2] if e.day == current.day - gap]
        if before:
            write_parts(
                previous, document(before[0], not before[0].empty or before[0].intro is not None)
            )
        elif os.path.exists(previous):
            os.remove(previous)
