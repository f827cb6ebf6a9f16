"""An event: when, where, for whom, and its occurrences. Pure: no Pelican, no I/O."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

STATUSES = {
    "scheduled": "EventScheduled",
    "cancelled": "EventCancelled",
    "postponed": "EventPostponed",
    "rescheduled": "EventRescheduled",
}


@dataclass(frozen=True)
class Event:
    start: datetime  # aware, in the site's time zone
    end: datetime
    location: str  # as written: "Northfield Library, Children's area"
    branch: str  # the part before the first comma: "Northfield Library"
    tz: ZoneInfo
    audiences: tuple[str, ...] = ()
    booking_url: str = ""
    price: str = ""  # as written; "" or "Free" means free
    accessibility: str = ""
    performer: str = ""  # Performer: who leads it, as written ("Meera Joshi")
    rule: str = ""  # RRULE as written (UNTIL made explicit by normalise_rule)
    exceptions: tuple[date, ...] = ()
    status: str = "scheduled"
    reminder: timedelta | None = None  # Announce-Reminder: how long before to remind

    @property
    def free(self) -> bool:
        return self.price.strip().lower() in ("", "free", "0", "£0", "0.00")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def online(self) -> bool:
        return self.branch.strip().lower() == "online"

    def occurrences(self, after: datetime, before: datetime) -> list[tuple[datetime, datetime]]:
        """(start, end) of every occurrence ending after `after` and starting before
        `before`. Repeats keep their local clock time across daylight-saving changes."""
        if not self.rule:
            starts = [self.start]
        else:
            naive = self.start.replace(tzinfo=None)
            rule = rrulestr(dateutil_rule(self.rule, self.tz), dtstart=naive)
            limit = before.astimezone(self.tz).replace(tzinfo=None)
            starts = []
            for local in rule:
                if local >= limit:
                    break
                if local.date() in self.exceptions:
                    continue
                starts.append(local.replace(tzinfo=self.tz))
        return [(s, s + self.duration) for s in starts if s + self.duration > after and s < before]

    def last_end(self, horizon: datetime) -> datetime:
        """When the event (or its series, up to `horizon`) is over."""
        if not self.rule:
            return self.end
        occurrences = self.occurrences(self.start - timedelta(seconds=1), horizon)
        return occurrences[-1][1] if occurrences else self.end


DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hours?|hrs?))?\s*(?:(?P<m>\d+)\s*(?:m|mins?|minutes?))?\s*$",
    re.IGNORECASE,
)
ISO_DURATION = re.compile(r"^P(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?)$", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """`1h30m`, `90 minutes`, `2 hours`, or ISO 8601 `PT1H30M`."""
    match = ISO_DURATION.match(text.strip()) or DURATION.match(text)
    if not match or not (match.group("h") or match.group("m")):
        raise ValueError(f"{text!r} is not a duration")
    return timedelta(hours=float(match.group("h") or 0), minutes=int(match.group("m") or 0))


REMINDER = re.compile(r"^\s*(\d+)\s*(d|days?|h|hours?)\s*$", re.IGNORECASE)


def parse_reminder(text: str) -> timedelta:
    """`1d`, `2 days`, `3h`: how long before an event to send a reminder."""
    match = REMINDER.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time before the event")
    unit = timedelta(days=1) if match.group(2)[0].lower() == "d" else timedelta(hours=1)
    return int(match.group(1)) * unit


def until_local(rule: str, tz: ZoneInfo) -> datetime | None:
    """The rule's UNTIL as a naive local date-time (a date means the end of that day)."""
    match = re.search(r"UNTIL=(\d{8})(T(\d{6})(Z?))?", rule, re.IGNORECASE)
    if not match:
        return None
    day = datetime.strptime(match.group(1), "%Y%m%d")
    if not match.group(2):
        return datetime.combine(day.date(), time(23, 59, 59))
    moment = datetime.strptime(match.group(1) + match.group(3), "%Y%m%d%H%M%S")
    if match.group(4):  # UTC
        return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
    return moment


def dateutil_rule(rule: str, tz: ZoneInfo) -> str:
    """The rule with UNTIL as a naive local time, as dateutil wants beside a naive start."""
    until = until_local(rule, tz)
    rule = re.sub(r"^RRULE:", "", rule.strip(), flags=re.IGNORECASE)
    if until is None:
        return rule
    return re.sub(r"UNTIL=[0-9TZ]+", f"UNTIL={until:%Y%m%dT%H%M%S}", rule, flags=re.IGNORECASE)
