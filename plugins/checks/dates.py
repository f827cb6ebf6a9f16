"""How the kit reads a date someone typed. Pure: text and the site's date order in, a
datetime or a DateError out.

The rule, for every date field (Date, Modified, Event-Start, Event-End, Event-Except,
Events-From, Events-To, Announce-At):

- Year first (`2026-12-01 10:30`, `2026/12/01`, with `T`, seconds or an offset) is read
  as written, everywhere.
- Day and month as numbers (`01/12/2026`, `1.12.2026`, `01-12-2026`) are read in the
  order the site's locale writes them: day first for `en-GB` and almost everywhere,
  month first for `en-US`. A date that only makes sense the other way round
  (`12/25/2026` on a day-first site) is refused, as is one that can be read two ways
  when the locale does not settle the order (`DEFAULT_LANG = "en"` with no region).
- A two-digit year (`01/12/26`) is refused: it could be any of three orders.
- A month written as a word (`1 December 2026`, `Dec 1, 2026`) is read as written, but
  it must name the day, the month and the year.
Anything else is refused. A refusal says what was read, both readings where there are
two, and the form that cannot be misread: YYYY-MM-DD HH:MM.
"""

import calendar
import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

DAY_FIRST, MONTH_FIRST = "day first", "month first"

# Regions that write the month first (the United States and the places that follow it).
MONTH_FIRST_REGIONS = {"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"}
# Regions and languages where a numeric day/month order is not settled: Canada mixes
# both; these write the year first, so a date ending in the year is foreign there.
UNSETTLED_REGIONS = {"CA", "CN", "TW", "HK", "JP", "KR", "KP", "HU", "LT", "MN"}
UNSETTLED_LANGUAGES = {"en", "zh", "ja", "ko", "hu", "lt", "mn"}  # without a region

UNAMBIGUOUS = "YYYY-MM-DD HH:MM"
YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?=$|[\sT])(.*)", re.S)
DAY_MONTH = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?=$|[\sT])(.*)", re.S)
MONTH_NAME = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
# Two different defaults: a part missing from the text shows up as a difference.
_DEFAULTS = (datetime(2004, 1, 1), datetime(2008, 2, 2))


class DateError(ValueError):
    """A date that cannot be read, or can be read more than one way."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


def date_order(lang: str | None, locales=()) -> str | None:
    """DAY_FIRST, MONTH_FIRST, or None (not settled) for the site's DEFAULT_LANG
    (`en-GB`) and LOCALE (`en_GB.UTF-8`, ...)."""
    if isinstance(locales, str):
        locales = (locales,)
    tags = [t for t in (_tag(x) for x in (lang, *locales)) if t]
    if not tags:
        return None
    region = next((r for _, r in tags if r), "")
    if region in MONTH_FIRST_REGIONS:
        return MONTH_FIRST
    if region in UNSETTLED_REGIONS:
        return None
    if region:
        return DAY_FIRST
    return None if tags[0][0] in UNSETTLED_LANGUAGES else DAY_FIRST


def site_date_order(settings) -> str | None:
    """The date order of a site's Pelican settings."""
    return date_order(settings.get("DEFAULT_LANG"), settings.get("LOCALE") or ())


def _tag(text) -> tuple[str, str] | None:
    """(language, REGION) of `en-GB`, `en_GB.UTF-8`, `fr`; None for C, POSIX or ''."""
    match = re.match(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?(?=$|[.@-])", str(text or ""))
    if not match or match.group(1).lower() in ("c", "posix"):
        return None
    return match.group(1).lower(), (match.group(2) or "").upper()


def read_date(text: str, order: str | None) -> datetime:
    """The moment `text` means, by the rule above. Raises DateError."""
    text = " ".join(str(text).split())
    if not text:
        raise DateError("The date is empty.", f"Write it as {UNAMBIGUOUS}.")
    match = YEAR_FIRST.fullmatch(text)
    if match:
        year, _, month, day, rest = match.groups()
        return _with_time(text, _day(text, int(year), int(month), int(day)), rest)
    match = DAY_MONTH.fullmatch(text)
    if match:
        first, _, second, year, rest = match.groups()
        return _with_time(text, _numeric(text, int(first), int(second), year, order, rest), rest)
    if MONTH_NAME.search(text):
        return _named(text, order)
    try:
        return datetime.fromisoformat(text)  # 20261201, 2026-12-01T10:30:00+00:00
    except ValueError:
        pass
    raise DateError(
        f"'{text}' cannot be understood as a date.",
        f"Write it as {UNAMBIGUOUS}, for example 2026-12-05 14:00.",
    )


def _numeric(text, first, second, year, order, rest) -> date:
    """Day and month as numbers: the site's order, or the only one that makes sense."""
    full = int(year) + (2000 if len(year) == 2 else 0)
    readings = {DAY_FIRST: _valid(full, second, first), MONTH_FIRST: _valid(full, first, second)}
    if len(year) == 2:
        meant = [(o, d) for o, d in readings.items() if d and order in (None, o)]
        raise DateError(
            f"'{text}' has a two-digit year, so it can be read more than one way.",
            _write_as(meant, rest) or f"Write it as {UNAMBIGUOUS}, with the year in full.",
        )
    if order is None:
        found = {d for d in readings.values() if d}
        if len(found) > 1:
            raise DateError(
                f"'{text}' can be read two ways: {_long(readings[DAY_FIRST])} (day first) or "
                f"{_long(readings[MONTH_FIRST])} (month first).",
                _write_as(list(readings.items()), rest),
            )
        if found:
            return found.pop()
    elif readings[order]:
        return readings[order]
    else:
        other = MONTH_FIRST if order == DAY_FIRST else DAY_FIRST
        if readings[other]:
            raise DateError(
                f"'{text}' is written {other}, but this site writes dates {order}, so it "
                "cannot be read as written.",
                _write_as([(other, readings[other])], rest),
            )
    raise DateError(
        f"'{text}' cannot be understood: neither number can be the month, or there is no such day.",
        f"Check the day and month, and write it as {UNAMBIGUOUS}.",
    )


def _write_as(readings, rest) -> str:
    """The fix: each reading written the way that cannot be misread."""
    options = [(_unambiguous(d, rest), d) for _, d in readings]
    if len(options) == 1:
        return f"If you meant {_long(options[0][1])}, write {options[0][0]} ({UNAMBIGUOUS})."
    if options:
        meant = " or ".join(f"{text} for {_long(d)}" for text, d in options)
        return f"Write it year first ({UNAMBIGUOUS}): {meant}."
    return ""


def _unambiguous(day: date, rest: str) -> str:
    if not rest.strip():
        return f"{day:%Y-%m-%d}"
    try:
        moment = _with_time("", day, rest)
    except DateError:
        return f"{day:%Y-%m-%d} {rest.strip()}"
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M}" + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _valid(year, month, day) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day(text, year, month, day) -> date:
    found = _valid(year, month, day)
    if found is None:
        month_name = calendar.month_name[month] if 1 <= month <= 12 else f"month {month}"
        raise DateError(
            f"'{text}' cannot be understood: there is no {day} {month_name} {year}.",
            f"Check the day and month, and write it as {UNAMBIGUOUS}.",
        )
    return found


def _with_time(text, day: date, rest: str) -> datetime:
    """The day with the time (and offset) written after it."""
    if not rest.strip():
        return datetime(day.year, day.month, day.day)
    iso = f"{day:%Y-%m-%d}{rest}"
    try:
        moment = dateutil_parser.parse(iso, default=_DEFAULTS[0])
    except (ValueError, OverflowError):
        moment = None
    if moment is None or moment.date() != day:
        raise DateError(
            f"'{text}' cannot be understood: '{rest.strip()}' is not a time.",
            f"Write it as {UNAMBIGUOUS}, for example {day:%Y-%m-%d} 14:00.",
        )
    return moment


def _named(text, order) -> datetime:
    """A month written as a word: read as written, if the day and year are there too."""
    try:
        readings = [
            dateutil_parser.parse(text, default=d, dayfirst=order != MONTH_FIRST) for d in _DEFAULTS
        ]
    except (ValueError, OverflowError):
        readings = None
    if readings is None or readings[0].date() != readings[1].date():
        raise DateError(
            f"'{text}' cannot be understood: a date needs the day, the month and the year.",
            f"Write it as {UNAMBIGUOUS}, for example 2026-12-05 14:00.",
        )
    return readings[0]
