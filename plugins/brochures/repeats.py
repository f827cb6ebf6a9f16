"""A repeating event said once, as people say it: "Every Friday, 10am to 10.30am,
4 December 2026 to 9 April 2027, not 25 December or 1 January"."""

import re
from dataclasses import replace
from datetime import timedelta

from events.display import times

DAYS = {
    "MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
    "FR": "Friday", "SA": "Saturday", "SU": "Sunday",
}  # fmt: skip
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
HORIZON = timedelta(days=400)  # how far a series is followed to find its last date


def rule_parts(rule: str) -> dict[str, str]:
    rule = re.sub(r"^RRULE:", "", rule.strip(), flags=re.IGNORECASE)
    return {
        key.upper(): value.upper()
        for key, _, value in (part.partition("=") for part in rule.split(";"))
    }


def and_list(words: list[str], last="and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def rhythm(rule: str) -> str | None:
    """The rule as people say it: "Every Friday", "Every other Tuesday", "The first
    Monday of the month", "Every day"; None for one not said simply (its dates are
    listed instead)."""
    parts = rule_parts(rule)
    freq, interval = parts.get("FREQ"), parts.get("INTERVAL", "1")
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}:
        return None
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "DAILY" and not days:
        return {"1": "Every day", "2": "Every other day"}.get(interval)
    if freq == "WEEKLY" and days and all(d in DAYS for d in days):
        every = {"1": "Every", "2": "Every other"}.get(interval)
        return every and f"{every} {and_list([DAYS[d] for d in days])}"
    if freq == "MONTHLY" and interval == "1" and len(days) == 1:
        match = re.fullmatch(r"([+-]?\d)(MO|TU|WE|TH|FR|SA|SU)", days[0])
        ordinal = match and ORDINALS.get(int(match.group(1)))
        if ordinal:
            return f"The {ordinal} {DAYS[match.group(2)]} of the month"
    return None


def day_month(moment, with_year: bool) -> str:
    """4 December, or 4 December 2026: never broken across lines."""
    return f"{moment.day}\u00a0{moment:%B}" + (f"\u00a0{moment.year}" if with_year else "")


def when(event, shown: list) -> str:
    """The whole series in one line, from `shown` (its (start, end) in the brochure's
    dates) and the series itself (its last date, its exceptions)."""
    first_start, first_end = shown[0]
    series = event.occurrences(first_start - timedelta(seconds=1), first_start + HORIZON)
    last, last_end = series[-1]
    open_ended = bool(event.occurrences(last_end, last + HORIZON))
    years = first_start.year != last.year
    how = rhythm(event.rule)
    if how is None:
        dates = and_list([f"{s:%A} {day_month(s, years)}" for s, _ in shown])
        return f"{dates}, {times(first_start, first_end)}"
    span = (
        f"from {day_month(first_start, True)}"
        if open_ended
        else f"{day_month(first_start, years)} to {day_month(last, True)}"
    )
    # Only the exceptions the rule would have made (an Event-Except on another day says nothing).
    every = replace(event, exceptions=()).occurrences(first_start, last_end)
    skipped = sorted({s.date() for s, _ in every} & set(event.exceptions))
    text = f"{how}, {times(first_start, first_end)}, {span}"
    if skipped:
        text += ", not " + and_list([day_month(d, False) for d in skipped], "or")
    return text
