"""Calendar files (RFC 5545) made with icalendar: subscribable in Google, Outlook and
Apple calendars. Pure: events in, bytes out."""

from datetime import UTC, date, datetime

from icalendar import Calendar, Event, vRecur

from .model import until_local

PRODID = "-//Noticeboard//Library events//EN"
ICS_STATUS = {
    "scheduled": "CONFIRMED",
    "cancelled": "CANCELLED",
    "postponed": "TENTATIVE",
    "rescheduled": "CONFIRMED",
}


def calendar(items, name: str, description: str) -> bytes:
    """`items`: (uid, event, title, url, summary, stamp) for each event."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    years = []
    for uid, event, title, url, summary, stamp in items:
        cal.add_component(vevent(uid, event, title, url, summary, stamp))
        years.append(event.start.year)
    if years:
        # Only the years these events need, so the file stays small.
        cal.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 12, 1, 1)
        )
    return cal.to_ical()


def vevent(uid, event, title, url, summary, stamp) -> Event:
    ev = Event()
    ev.add("uid", uid)
    # DTSTAMP from the post, not the build: an unchanged site writes identical files.
    ev.add("dtstamp", stamp.astimezone(UTC))
    ev.add("dtstart", event.start)
    ev.add("dtend", event.end)
    ev.add("summary", title)
    location = event.location if not event.online else "Online"
    ev.add("location", location)
    ev.add("url", url)
    lines = [summary] if summary else []
    if event.price:
        lines.append(f"Price: {event.price}")
    if event.booking_url:
        lines.append(f"Booking: {event.booking_url}")
    if event.accessibility:
        lines.append(f"Access: {event.accessibility}")
    lines.append(url)
    ev.add("description", "\n".join(lines))
    ev.add("status", ICS_STATUS[event.status])
    if event.audiences:
        ev.add("categories", list(event.audiences))
    if event.rule:
        ev.add("rrule", _recur(event))
        for day in event.exceptions:
            ev.add("exdate", datetime.combine(day, event.start.timetz()))
    return ev


def _recur(event) -> vRecur:
    """The rule, with UNTIL in UTC as RFC 5545 requires beside a DTSTART with a zone."""
    rule = event.rule.removeprefix("RRULE:")
    recur = vRecur.from_ical(rule)
    until = until_local(rule, event.tz)
    if until is not None:
        recur["UNTIL"] = [until.replace(tzinfo=event.tz).astimezone(UTC)]
    return recur
