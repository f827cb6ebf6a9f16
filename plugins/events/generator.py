"""The events pages and calendar files, as a Pelican generator."""

import itertools
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pelican.generators import Generator

from .handlers import event_json
from .parse import slug

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Occurrence:
    article: object
    event: object
    start: datetime
    end: datetime


class EventsGenerator(Generator):
    # Set on posts by generate_context (the preview runs it again after an edit).
    sets_on_posts = ("event_next", "event_jsonld")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        s = self.settings
        self.tz = ZoneInfo(s.get("TIMEZONE") or "UTC")
        now = s.get("EVENTS_NOW")
        self.now = datetime.fromisoformat(now).astimezone(self.tz) if now else datetime.now(self.tz)
        self.horizon = self.now + timedelta(days=int(s.get("EVENTS_HORIZON_DAYS", 92)))
        self.url = s.get("EVENTS_URL", "events/")
        self.siteurl_abs = (s.get("SITEURL") or "").rstrip("/")

    def generate_context(self):
        pairs = [
            (a, a.event) for a in self.context.get("articles", []) if getattr(a, "event", None)
        ]
        upcoming, past = [], []
        for article, event in pairs:
            if event.rule:
                found = event.occurrences(self.now, self.horizon)
            else:
                found = [(event.start, event.end)] if event.end > self.now else []
            upcoming += [Occurrence(article, event, s, e) for s, e in found]
            if not found and event.last_end(self.horizon) <= self.now:
                past.append(Occurrence(article, event, event.start, event.end))
            article.event_next = found[:4]  # the next dates, for the event page
            article.event_jsonld = event_json(article, self._site(), self.settings)
        upcoming.sort(key=lambda o: (o.start, o.article.title))
        past.sort(key=lambda o: o.start, reverse=True)
        self.pairs, self.upcoming, self.past = pairs, upcoming, past
        audiences = sorted({a for _, e in pairs for a in e.audiences})
        branches = sorted({e.branch for _, e in pairs})
        self.context.update(
            {
                "events_url": self.url,
                "events_audiences": [(a, f"{self.url}audience/{slug(a)}/") for a in audiences],
                "events_branches": [(b, f"{self.url}branch/{slug(b)}/") for b in branches],
                "events_calendar": self.settings.get("EVENTS_CALENDAR", "events.ics"),
                # Every upcoming occurrence, soonest first (the home page's What's on).
                "events_upcoming": upcoming,
            }
        )

    def files_of(self, post) -> list[str]:
        """The files in the output made for one post (the preview removes them when
        the post moves to a new address)."""
        if not getattr(post, "event", None):
            return []
        return [os.path.join(os.path.dirname(post.save_as), "event.ics")]

    def next_change(self):
        """When these pages will be out of date with no edit: an upcoming occurrence
        ends (it leaves What's on), or the next occurrence of a series comes within the
        horizon (it joins it). None when no event will change them, or when the pages
        are made as of a fixed moment (EVENTS_NOW)."""
        if self.settings.get("EVENTS_NOW"):
            return None
        times = [o.end for o in self.upcoming if o.end > self.now]
        window = self.horizon - self.now
        for _, event in self.pairs:
            if not event.rule:
                continue  # a one-off event is listed until it ends, however far off
            later = event.occurrences(self.horizon, self.horizon + timedelta(days=2))
            times += [start - window for start, _ in later if start >= self.horizon]
        return min(times, default=None)

    def generate_output(self, writer):
        if not self.pairs:
            return
        template, past_template = self.get_template("events"), self.get_template("events_past")
        lists = [("What's on", self.url, self.upcoming, self.pairs, "events")]
        for name, url in self.context["events_audiences"]:
            keep = [o for o in self.upcoming if name in o.event.audiences]
            pairs = [(a, e) for a, e in self.pairs if name in e.audiences]
            lists.append((f"What's on for {name}", url, keep, pairs, f"events-{slug(name)}"))
        for name, url in self.context["events_branches"]:
            keep = [o for o in self.upcoming if o.event.branch == name]
            pairs = [(a, e) for a, e in self.pairs if e.branch == name]
            lists.append((f"What's on at {name}", url, keep, pairs, f"events-{slug(name)}"))
        for title, url, occurrences, pairs, ics_name in lists:
            calendar = (
                url.rstrip("/") + ".ics" if url != self.url else self.context["events_calendar"]
            )
            writer.write_file(
                os.path.join(url, "index.html"),
                template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                url=url,
                events_title=title,
                events_months=months(occurrences),
                events_this_calendar=calendar,
                events_filter_url=url,
                page_name=ics_name,
            )
            self._write_ics(calendar, pairs, f"{self.settings['SITENAME']}: {title}")
        writer.write_file(
            os.path.join(self.url, "past", "index.html"),
            past_template,
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=f"{self.url}past/",
            events_past=self.past,
        )
        for article, event in self.pairs:
            path = os.path.join(os.path.dirname(article.save_as), "event.ics")
            self._write_ics(path, [(article, event)], article.title)

    def _write_ics(self, path, pairs, name):
        items = [
            (
                article.event_uid,
                event,
                article.title,
                f"{self._site()}/{article.url}",
                article.event_summary,
                article.metadata.get("modified") or article.date,
            )
            for article, event in pairs
        ]
        from . import ics  # icalendar: imported when a site has events, not on every start

        data = ics.calendar(items, name, f"Events from {self.settings['SITENAME']}")
        target = os.path.join(self.output_path, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)

    def _site(self):
        return self.siteurl_abs or "http://127.0.0.1:8000"


def months(occurrences):
    """[(\"December 2026\", [occurrence, ...]), ...] in date order."""
    grouped = itertools.groupby(occurrences, key=lambda o: (o.start.year, o.start.month))
    return [(f"{items[0].start:%B %Y}", items) for _, group in grouped for items in [list(group)]]
