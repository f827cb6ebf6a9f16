"""The home page: the library's front door (theme/templates/home.html).

Blocks, in the order HOME_BLOCKS names them (any left out is not shown):

- whats_on: events starting in the next HOME_WHATS_ON_DAYS days (from the events
  plugin's `events_upcoming`); no events, no block;
- hours: today's opening hours, from LIBRARY["opening_hours"] (or, per branch,
  LIBRARY["branch_hours"]), the day taken at build time in the site's TIMEZONE
  (a build with nothing changed is only trusted until midnight: plugins/incremental);
- search: a plain GET form to the search page;
- brochure: the current brochure and its cover (the brochures plugin's `brochures`);
- news: the latest HOME_NEWS posts, with their pictures, then "More news".

Settings are read and checked once a build, as the home page's values are made; an
unknown block or a number out of range is an error that names the fix, and is left out.
"""

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from checks.findings import Finding
from pelican import signals
from pelican.generators import Generator

logger = logging.getLogger(__name__)

BLOCKS = ("whats_on", "hours", "search", "brochure", "news")
DEFAULTS = {"HOME_BLOCKS": list(BLOCKS), "HOME_WHATS_ON_DAYS": 7, "HOME_NEWS": 4}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY = {"daily", "every day", "monday to sunday", "all week"}


def _report(message, fix):
    logger.error("%s", Finding("pelicanconf.py", None, f"home: {message}", fix, True))


def blocks(settings) -> list[str]:
    """HOME_BLOCKS, checked: the known names, in their order, each once."""
    configured = settings.get("HOME_BLOCKS", DEFAULTS["HOME_BLOCKS"])
    if isinstance(configured, str) or not isinstance(configured, (list, tuple)):
        _report(f"HOME_BLOCKS must be a list of names, not {configured!r}.",
                f'Write a list, e.g. HOME_BLOCKS = {list(BLOCKS)!r}.')  # fmt: skip
        return list(BLOCKS)
    kept = []
    for name in configured:
        if name not in BLOCKS:
            _report(f"HOME_BLOCKS name {name!r} is not known.",
                    f"Use some of: {', '.join(BLOCKS)} (or leave it out).")  # fmt: skip
        elif name in kept:
            _report(f"HOME_BLOCKS names {name!r} twice.", "Name each block once.")
        else:
            kept.append(name)
    return kept


def count(settings, name) -> int:
    """HOME_WHATS_ON_DAYS or HOME_NEWS, checked: a whole number from 1 to 60."""
    value = settings.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60:
        _report(f"{name} must be a whole number from 1 to 60, not {value!r}.",
                f"Write, e.g., {name} = {DEFAULTS[name]} (or leave it out).")  # fmt: skip
        return DEFAULTS[name]
    return value


def _day(word):
    word = word.strip().lower()
    for index, name in enumerate(DAYS):
        if word in (name, name[:3], name + "s"):
            return index
    return None


def days_of(text) -> set[int] | None:
    """The weekdays (0 Monday) that "Monday to Friday", "Saturday and Sunday",
    "Mon-Fri", "Daily" name; None when it cannot be read."""
    text = text.strip().lower()
    if text in EVERY_DAY:
        return set(range(7))
    found = set()
    for part in re.split(r",|\band\b|&", text):
        part = part.strip()
        if not part:
            continue
        ends = re.split(r"\s+to\s+|\s*[-\u2013\u2014]\s*", part)
        if len(ends) == 1 and _day(part) is not None:
            found.add(_day(part))
        elif len(ends) == 2 and None not in (first := _day(ends[0]), last := _day(ends[1])):
            found.update((first + i) % 7 for i in range((last - first) % 7 + 1))
        else:
            return None
    return found or None


def today_hours(pairs, weekday, where) -> str | None:
    """Today's line, "Open today 9am to 7pm" or "Closed today"; None if no pair names it."""
    for days, hours in pairs or ():
        named = days_of(str(days))
        if named is None:
            _report(f"{where}: cannot tell which days {days!r} means.",
                    'Name days in full: "Monday to Friday", "Saturday", "Sunday".')  # fmt: skip
            continue
        if weekday in named:
            hours = str(hours).strip()
            return "Closed today" if hours.lower() == "closed" else f"Open today {hours}"
    return None


class HomeGenerator(Generator):
    """Puts the home page's values in the context; Pelican writes the page
    (TEMPLATE_PAGES: home.html)."""

    def generate_context(self):
        s = self.settings
        tz = ZoneInfo(s.get("TIMEZONE") or "UTC")
        now = s.get("EVENTS_NOW")  # the events pages' moment, when fixed, is the home page's
        now = datetime.fromisoformat(now).astimezone(tz) if now else datetime.now(tz)
        days = count(s, "HOME_WHATS_ON_DAYS")
        midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=tz)
        library = s.get("LIBRARY") or {}
        branch_hours = library.get("branch_hours") or {}
        address = library.get("address") or [s.get("SITENAME", "")]
        branches = library.get("branches") or {}
        for name in branch_hours:
            if branches and name not in branches:
                known = ", ".join(branches)
                _report(f"LIBRARY['branch_hours'] names {name!r}, not one of LIBRARY['branches'].",
                        f"Use a branch's name as written there: {known}.")  # fmt: skip
        if branch_hours:
            named = [(name, pairs) for name, pairs in branch_hours.items()]
        else:
            named = [(address[0], library.get("opening_hours"))]
        hours = []
        for name, pairs in named:
            said = today_hours(pairs, now.weekday(), f"LIBRARY hours of {name}")
            hours.append((name, said or "Opening hours today: please call us"))
        self.context.update(
            {
                "home_blocks": blocks(s),
                "home_today": f"{now:%A} {now.day} {now:%B}",
                "home_hours": hours,
                # Events that start before midnight at the end of the last day.
                "home_until": midnight + timedelta(days=days),
                "home_news": count(s, "HOME_NEWS"),
            }
        )

    def generate_output(self, writer):
        """The page itself is a template page (home.html)."""


def get_generators(pelican):
    return HomeGenerator


def register():
    # The home page's values: after every post is read, before any page is written.
    signals.get_generators.connect(get_generators)
