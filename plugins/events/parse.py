"""An event from a post's front matter, with located, fixable errors."""

import difflib
import re
from datetime import datetime

from checks.dates import DateError, read_date
from dateutil.rrule import rrulestr

from .model import STATUSES, Event, dateutil_rule, parse_duration, parse_reminder

EVENT_KEYS = (
    "event-start",
    "event-end",
    "event-duration",
    "location",
    "booking-url",
    "price",
    "audience",
    "accessibility",
    "performer",
    "event-repeat",
    "event-except",
    "event-status",
    "announce-reminder",
)


class EventError(ValueError):
    def __init__(self, key, problem, fix):
        super().__init__(problem)
        self.key, self.problem, self.fix = key, problem, fix


def is_event(metadata) -> bool:
    return "event-start" in metadata


def parse_event(metadata, tz, audiences, date_order=None) -> Event:
    """The post's event. Raises EventError naming the key to fix. Dates are read by the
    site's rule (checks.dates): `date_order` is the site's (site_date_order)."""
    start = _moment(metadata, "event-start", tz, date_order)
    if metadata.get("event-end") and metadata.get("event-duration"):
        raise EventError(
            "event-duration", "Event-End and Event-Duration are both set.", "Keep one of them."
        )
    if metadata.get("event-end"):
        end = _moment(metadata, "event-end", tz, date_order)
    elif metadata.get("event-duration"):
        try:
            end = start + parse_duration(str(metadata["event-duration"]))
        except ValueError:
            raise EventError(
                "event-duration",
                f"Event-Duration {metadata['event-duration']!r} is not a length of time.",
                "Write it as 1h30m or 90 minutes.",
            ) from None
    else:
        raise EventError(
            "event-start",
            "The event has no end.",
            "Add Event-End: (a time) or Event-Duration: (for example 1h).",
        )
    if end <= start:
        raise EventError(
            "event-end",
            f"The event ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M}).",
            "Check the dates and times.",
        )
    location = " ".join(str(metadata.get("location") or "").split())
    if not location:
        raise EventError(
            "event-start",
            "The event has no Location.",
            "Add Location: the branch and room, e.g. Northfield Library, Children's area.",
        )
    found = []
    for name in _list(metadata.get("audience")):
        if name.lower() not in audiences:
            guess = difflib.get_close_matches(name.lower(), audiences, n=1)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            raise EventError(
                "audience",
                f"Unknown audience '{name}'.",
                f"{hint}Use one of: {', '.join(audiences)} (EVENTS_AUDIENCES).",
            )
        found.append(name.lower())
    rule = " ".join(str(metadata.get("event-repeat") or "").split())
    if rule:
        try:
            rrulestr(dateutil_rule(rule, tz), dtstart=start.replace(tzinfo=None))
        except (ValueError, TypeError) as err:
            raise EventError(
                "event-repeat",
                f"Event-Repeat {rule!r} is not a repeat rule ({err}).",
                "Write an RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=FR;UNTIL=20270326.",
            ) from None
    exceptions = []
    for value in _list(metadata.get("event-except")):
        try:
            exceptions.append(read_date(value, date_order).date())
        except DateError as err:
            raise EventError(
                "event-except",
                f"Event-Except: {err.problem}",
                f"{err.fix} List the dates separated by commas.",
            ) from None
    status = str(metadata.get("event-status") or "scheduled").strip().lower()
    if status not in STATUSES:
        raise EventError(
            "event-status",
            f"Event-Status {status!r} is not known.",
            f"Use one of: {', '.join(STATUSES)}.",
        )
    reminder = None
    if metadata.get("announce-reminder"):
        try:
            reminder = parse_reminder(str(metadata["announce-reminder"]))
        except ValueError:
            raise EventError(
                "announce-reminder",
                f"Announce-Reminder {metadata['announce-reminder']!r} is not a time before "
                "the event.",
                "Write it as 1d (a day before) or 3h (three hours before).",
            ) from None
    return Event(
        start=start,
        end=end,
        location=location,
        branch=location.split(",")[0].strip(),
        tz=tz,
        audiences=tuple(found),
        booking_url=str(metadata.get("booking-url") or "").strip(),
        price=str(metadata.get("price") or "").strip(),
        accessibility=" ".join(str(metadata.get("accessibility") or "").split()),
        performer=" ".join(str(metadata.get("performer") or "").split()),
        rule=rule,
        exceptions=tuple(exceptions),
        status=status,
        reminder=reminder,
    )


def _moment(metadata, key, tz, date_order) -> datetime:
    value = metadata.get(key)
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = read_date(str(value), date_order)
        except DateError as err:
            raise EventError(key, f"{key.title()}: {err.problem}", err.fix) from None
    # An explicit offset wins; otherwise the site's time zone.
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[,;]", str(value)) if v.strip()]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
