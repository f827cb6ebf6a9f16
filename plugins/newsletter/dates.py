"""Which days editions go out, and the time each one covers. Pure: no Pelican, no I/O.

An edition is named by its day D (a date in the site's time zone). It holds the posts
published in the period before D (from the previous edition day at midnight up to D
at midnight) and the events of the period from D. So every post is in exactly one
edition, and an edition made again later (the archive) holds the same posts.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def edition_day(today: date, weekday: int, period_days: int, first: date | None) -> date:
    """The next edition day on or after `today`."""
    if first is not None:
        if today <= first:
            return first
        periods = -(-(today - first).days // period_days)  # rounded up
        return first + timedelta(days=periods * period_days)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def past_days(current: date, period_days: int, count: int, earliest: date | None) -> list[date]:
    """Up to `count` edition days before `current`, newest first, none before `earliest`."""
    days = []
    for n in range(1, count + 1):
        day = current - timedelta(days=n * period_days)
        if earliest is not None and day < earliest:
            break
        days.append(day)
    return days


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def posts_window(day: date, period_days: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end): the posts of the edition of `day` were published in it."""
    return midnight(day - timedelta(days=period_days), tz), midnight(day, tz)


def events_window(day: date, period_days: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end): the events of the edition of `day` start in it."""
    return midnight(day, tz), midnight(day + timedelta(days=period_days), tz)
