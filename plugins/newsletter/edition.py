"""An edition: what goes into the newsletter of one day. Pure: no Pelican, no I/O.

The generator turns the site's posts, events and brochures into the plain records
below; `gather` chooses what the edition of a day holds. The archive page, the email's
HTML part and its text part are all made from the one Edition it returns.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from events.display import clock, times
from feeds.text import clean, plain

from .dates import events_window, midnight, posts_window
from .settings import NewsletterSettings

# Controls that survive feeds.text.clean (C1, and the bidirectional embeddings,
# overrides and isolates that can make text read backwards, "Trojan Source"). Each
# piece of text is one paragraph in the email, which takes its own direction from its
# first letter (dir="auto" in the HTML part).
RTL_LANGUAGES = {"ar", "arc", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
_CONTROLS = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def one_line(text: str | None) -> str:
    """`text` as one line of plain text: no control characters, whitespace folded."""
    text = _CONTROLS.sub("", clean(text or ""))
    text = "".join(c for c in text if unicodedata.category(c) != "Cc" or c in "\t\n\r")
    return " ".join(text.split())


def plain_line(html: str | None) -> str:
    """The text of an HTML fragment (a title, a summary) as one line: tags dropped."""
    return one_line(plain(one_line(html)))


@dataclass(frozen=True)
class Post:
    title: str  # plain text
    path: str  # the site address, "news/2026/x/"
    date: datetime
    summary: str  # plain text
    tags: tuple[str, ...] = ()  # lower case


@dataclass(frozen=True)
class EventSource:
    title: str
    path: str
    event: object  # events.model.Event


@dataclass(frozen=True)
class EventDate:
    title: str
    path: str
    start: datetime
    end: datetime
    location: str
    price: str
    booking_url: str
    status: str = "scheduled"

    @property
    def day(self) -> str:
        """Tuesday 8 December."""
        return f"{self.start:%A} {self.start.day} {self.start:%B}"

    @property
    def times(self) -> str:
        return times(self.start, self.end)

    @property
    def clock(self) -> str:
        return clock(self.start)


@dataclass(frozen=True)
class Download:
    label: str  # "Printable PDF"
    path: str
    size: str  # "1.2 MB"


@dataclass(frozen=True)
class Brochure:
    title: str
    path: str
    summary: str
    season: str
    cover: str  # the picture's site address, "images/x.jpg"; "" for none
    cover_alt: str
    date: datetime | None
    downloads: tuple[Download, ...] = ()
    cover_size: tuple[int, int] | None = None


@dataclass(frozen=True)
class Intro:
    html: str  # links absolute: for the email
    page_html: str  # links as the site's pages have them
    text: str  # for the text part
    subject: str = ""  # a Subject: line in the intro's file
    own: bool = True  # written for this edition (content/newsletters/<date>.md)


@dataclass(frozen=True)
class Site:
    name: str
    siteurl: str  # absolute, no trailing slash
    lang: str = "en"
    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    brand: str = "#0b5a6b"
    brand_dark_mode: str = "#7fd3e3"
    events_path: str = "events/"
    brochures_path: str = "brochures/"
    hours: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (branch, (days, hours))
    hours_path: str = ""  # the page with the opening hours ("visit-us/"), if any

    def url(self, path: str) -> str:
        return path if re.match(r"^[a-z][a-z0-9+.-]*:", path) else f"{self.siteurl}/{path}"

    @property
    def dir(self) -> str:
        """The direction of the site's language: "rtl" for Arabic, Hebrew, Persian..."""
        return "rtl" if self.lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True)
class Edition:
    day: date
    subject: str
    path: str  # "newsletters/2026-12-07/"
    site: Site
    sections: tuple[str, ...]
    period_days: int
    intro: Intro | None = None
    posts: tuple[Post, ...] = ()
    events: tuple[EventDate, ...] = ()
    brochure: Brochure | None = None
    brochure_new: bool = False
    hours_changes: tuple[Post, ...] = ()
    empty: bool = False

    @property
    def url(self) -> str:
        return self.site.url(self.path)

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def long_date(self) -> str:
        """Monday 7 December 2026."""
        return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"

    @property
    def period_word(self) -> str:
        return "week" if self.period_days == 7 else "fortnight"

    @property
    def event_days(self) -> list[tuple[str, list[EventDate]]]:
        """[("Tuesday 8 December", [event, ...]), ...] in date order."""
        days = []
        for event in self.events:
            if not days or days[-1][0] != event.day:
                days.append((event.day, []))
            days[-1][1].append(event)
        return days

    @property
    def order(self) -> tuple[str, ...]:
        """The sections, in order; a week's "no news" text first when the intro is not
        one of them."""
        if self.intro and "intro" not in self.sections:
            return ("intro", *self.sections)
        return self.sections

    def shows(self, section: str) -> bool:
        """Whether `section` is in this edition and has something to show."""
        if section not in self.order:
            return False
        return bool(
            {
                "intro": self.intro,
                "posts": self.posts,
                "events": self.events,
                "brochure": self.brochure,
                "hours": self.hours_changes or self.site.hours,
            }[section]
        )

    @property
    def summary(self) -> str:
        """One line saying what is in it: "2 new posts, 4 events and our new brochure"."""
        parts = []
        if self.shows("posts"):
            parts.append(_count(len(self.posts), "news story", "news stories"))
        if self.shows("events"):
            parts.append(_count(len(self.events), "event"))
        if self.hours_changes and self.shows("hours"):
            parts.append("changes to opening hours")
        if self.brochure_new and self.shows("brochure"):
            parts.append("our new brochure")
        if not parts:
            return ""
        said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{said[0].upper()}{said[1:]} this {self.period_word}."

    @property
    def post_urls(self) -> list[str]:
        return [self.site.url(p.path) for p in (*self.posts, *self.hours_changes)]

    @property
    def event_urls(self) -> list[str]:
        return list(dict.fromkeys(self.site.url(e.path) for e in self.events))


def _count(n, one, many=None) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many or one + 's'}"


def subject_for(config: NewsletterSettings, site: Site, day: date, intro: Intro | None) -> str:
    """The subject line: the intro's own Subject:, or NEWSLETTER["subject"] filled in;
    always one line (it becomes an email header)."""
    when = f"{day.day} {day:%B %Y}"
    if intro is not None and intro.subject:  # the editor's own text: no format() on it
        return one_line(intro.subject.replace("{sitename}", site.name).replace("{date}", when))
    return one_line(config.subject.format(sitename=site.name, date=when))


def current_brochure(brochures, before: datetime) -> Brochure | None:
    """The newest brochure published before `before` (an undated one counts as oldest)."""
    earliest = datetime.min.replace(tzinfo=before.tzinfo)
    found = [b for b in brochures if b.date is None or b.date < before]
    return max(found, key=lambda b: b.date or earliest, default=None)


def gather(
    day: date,
    config: NewsletterSettings,
    site: Site,
    tz: ZoneInfo,
    posts=(),
    events=(),
    brochures=(),
    intro: Intro | None = None,
    default_intro: Intro | None = None,
    empty_intro: Intro | None = None,
) -> Edition:
    """The edition of `day`.

    - posts: published in the period before `day` (posts_window), oldest first; a post
      tagged NEWSLETTER["hours_tag"] goes under opening hours instead (when that section
      is shown), and an event's post is left out of the news when the event itself is
      listed under What's on;
    - events: every occurrence starting in the period from `day` (events_window);
    - brochure: the newest published before `day` ("new" if within the posts' period);
    - empty: no news, no events, no changed hours, no new brochure and no intro written
      for this edition, among the sections shown. An empty edition is sent with
      `empty_intro` (NEWSLETTER["empty_text"]) or not at all.
    """
    sections = config.sections
    start, end = posts_window(day, config.period_days, tz)
    published = sorted((p for p in posts if start <= p.date < end), key=lambda p: (p.date, p.title))
    after, before = events_window(day, config.period_days, tz)
    dates = []
    for source in events:
        event = source.event
        for s, e in event.occurrences(after, before):
            if s < after:
                continue  # began before this period: in the last edition
            dates.append(
                EventDate(
                    title=source.title,
                    path=source.path,
                    start=s,
                    end=e,
                    location=one_line(event.location),
                    price="Free" if event.free else one_line(event.price),
                    booking_url=_web_address(event.booking_url),
                    status=event.status,
                )
            )
    dates.sort(key=lambda d: (d.start, d.title))
    if "events" not in sections:
        dates = []
    listed = {d.path for d in dates}
    changes = [p for p in published if config.hours_tag and config.hours_tag in p.tags]
    if "hours" not in sections:
        changes = []
    news = [p for p in published if p not in changes and p.path not in listed]
    if "posts" not in sections:
        news = []
    brochure = current_brochure(brochures, midnight(day, tz)) if "brochure" in sections else None
    brochure_new = bool(brochure and brochure.date and start <= brochure.date < end)
    own_intro = intro if "intro" in sections else None
    empty = not (news or dates or changes or brochure_new or own_intro)
    if empty:
        shown_intro = empty_intro  # None: nothing is sent
    elif "intro" in sections:
        shown_intro = own_intro or default_intro
    else:
        shown_intro = None
    return Edition(
        day=day,
        subject=subject_for(config, site, day, own_intro),
        path=f"{config.url}{day.isoformat()}/",
        site=site if "hours" in sections else _without_hours(site),
        sections=sections,
        period_days=config.period_days,
        intro=shown_intro,
        posts=tuple(news),
        events=tuple(dates),
        brochure=brochure,
        brochure_new=brochure_new,
        hours_changes=tuple(changes),
        empty=empty,
    )


def _without_hours(site: Site) -> Site:
    return replace(site, hours=())


def _web_address(url: str) -> str:
    """A booking link, only if it is a web address (never javascript: or data:)."""
    url = one_line(url)
    return url if re.match(r"^https?://\S+$", url, re.IGNORECASE) else ""


def is_news_day(day: date, config: NewsletterSettings) -> bool:
    """Whether an edition goes out on `day`."""
    if config.first is not None:
        return day >= config.first and (day - config.first).days % config.period_days == 0
    return day.weekday() == config.weekday
