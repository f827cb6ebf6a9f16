"""Dates and times as people read them: "Friday 5 December", "2pm", "10.30am". Jinja filters."""


def clock(moment) -> str:
    """2pm, 10.30am, 12 noon."""
    if moment.hour == 12 and moment.minute == 0:
        return "12 noon"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}.{moment.minute:02d}{suffix}"


def day(moment) -> str:
    """Friday 5 December 2026."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def short_day(moment) -> str:
    """Fri 5 Dec."""
    return f"{moment:%a} {moment.day} {moment:%b}"


def times(start, end) -> str:
    """2pm to 4pm (with the end's day when it ends on another day)."""
    if start.date() == end.date():
        return f"{clock(start)} to {clock(end)}"
    return f"{clock(start)} {short_day(start)} to {clock(end)} {short_day(end)}"


def price(event) -> str:
    return "Free" if event.free else event.price


FILTERS = {
    "event_clock": clock,
    "event_day": day,
    "event_short_day": short_day,
    "event_times": times,
    "event_price": price,
}
