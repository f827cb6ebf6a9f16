"""`Announce-At:`: hold a post's announcement until a moment the library chooses.

The value is read by the site's own date rule (checks.dates: year first, or day and
month in the order the site's locale writes them) and needs a time of day. Without an
offset it is the site's TIMEZONE, as event times are. A value that cannot be read is
an error at its line, and the post is not planned: it is never announced early.
"""

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

KEY = "announce-at"
# A time of day written in the value: 09:00, 9:30, 9am, 9 p.m., or ISO 8601's T0900.
TIME_OF_DAY = re.compile(r"\d:\d\d|\d\s*[ap]\.?m\b\.?|T\d{4}", re.IGNORECASE)
# A repeating event announced this long after its first start is past any series we show.
SERIES_HORIZON = timedelta(days=3660)


class ScheduleError(ValueError):
    """An `Announce-At:` value that cannot be read: what is wrong and how to fix it."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def read_announce_at(value, settings) -> datetime | None:
    """The moment `value` means (aware), None when there is none. Raises ScheduleError."""
    if value is None or not str(value).strip():
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        # The checks plugin's rule, imported only when a post has a value to read: the
        # kit loads checks first, and a site without Announce-At never needs it.
        from checks.dates import UNAMBIGUOUS, DateError, read_date, site_date_order

        text = " ".join(str(value).split())
        try:
            moment = read_date(text, site_date_order(settings))
        except DateError as err:
            raise ScheduleError(f"Announce-At: {err.problem}", err.fix) from None
        if not TIME_OF_DAY.search(text):
            raise ScheduleError(
                f"Announce-At: '{text}' has no time of day, so it would go out at midnight.",
                f"Write the day and the time ({UNAMBIGUOUS}), e.g. {moment:%Y-%m-%d} 09:00.",
            )
    tz = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def announce_at(content) -> datetime | None:
    """The post's `Announce-At:`, or None. Raises ScheduleError."""
    return read_announce_at(content.metadata.get(KEY), getattr(content, "settings", {}) or {})


def check_announce_at(instance):
    """On `content_object_init`: an unreadable `Announce-At:` is an error at its line
    (`--fatal errors` stops the publish build there)."""
    try:
        announce_at(instance)
    except ScheduleError as err:
        from checks.findings import Finding
        from checks.source import metadata_line, read_text

        line = metadata_line(read_text(instance.source_path), KEY)
        logger.error("%s", Finding(instance.source_path, line, err.problem, err.fix))


def too_late_from(content) -> datetime | None:
    """For an event (the events plugin's `content.event`): when announcing it is too
    late, because the event began: its start, or a finite series' last start. None for
    other posts and for a series with no end."""
    event = getattr(content, "event", None)
    if event is None:
        return None
    if not event.rule:
        return event.start
    if not re.search(r"\b(UNTIL|COUNT)=", event.rule, re.IGNORECASE):
        return None
    after = event.start - timedelta(seconds=1)
    starts = [start for start, _ in event.occurrences(after, event.start + SERIES_HORIZON)]
    return starts[-1] if starts else event.start
