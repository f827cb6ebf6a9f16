"""The NEWSLETTER setting: one dict, merged over DEFAULTS and checked once a build.

Pure: `read_settings` takes the settings and returns the values to use and the
problems found. A key it does not know, or a value it cannot use, is a problem that
says what is wrong, where (pelicanconf.py, NEWSLETTER["key"]) and how to fix it; the
default is used for that key, so a local build goes on and a publish build
(`--fatal errors`) stops. The user's dict is never changed.
"""

import difflib
import string
from dataclasses import dataclass
from datetime import date, datetime

from checks.findings import Finding

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIODS = {"weekly": 7, "fortnightly": 14}
SECTIONS = ("intro", "posts", "events", "brochure", "hours")
SUBJECT_FIELDS = {"sitename", "date"}

# Every key of NEWSLETTER, with its default. All are documented in docs/reference.md.
DEFAULTS = {
    "day": "monday",  # the day of the week an edition goes out
    "period": "weekly",  # or "fortnightly" (then set "first")
    "first": None,  # the date of the first edition, "YYYY-MM-DD": none before it
    "sections": list(SECTIONS),  # in this order; leave one out to hide it
    "intro": "",  # Markdown shown when an edition has no content/newsletters/<date>.md
    "subject": "This week at {sitename}",  # {sitename}, {date}: "7 December 2026"
    "empty_text": None,  # None: an edition with no news is not sent; text: sent instead
    "archive": 12,  # past editions kept on the site, besides the current one
    "url": "newsletters/",  # where the editions are on the site
    "path": "newsletters",  # the editor's intros: content/newsletters/YYYY-MM-DD.md
    "hours_tag": "opening hours",  # posts with this tag are changes to opening hours
}


@dataclass(frozen=True)
class NewsletterSettings:
    weekday: int  # 0 is Monday
    period_days: int
    first: date | None
    sections: tuple[str, ...]
    intro: str
    subject: str
    empty_text: str | None
    archive: int
    url: str
    path: str
    hours_tag: str

    @property
    def day_name(self) -> str:
        return DAYS[self.weekday].capitalize()


def _problem(key, problem, fix) -> Finding:
    where = f"NEWSLETTER[{key!r}]" if key else "NEWSLETTER"
    return Finding("pelicanconf.py", None, f"newsletter: {where} {problem}", fix)


def read_settings(settings) -> tuple[NewsletterSettings, list[Finding]]:
    """(the values to use, the problems found) for the site's NEWSLETTER setting."""
    given = settings.get("NEWSLETTER")
    problems = []
    if given is None:
        given = {}
    elif not isinstance(given, dict):
        problems.append(
            _problem(
                None,
                f"must be a dict, not {given!r}.",
                'Write NEWSLETTER = {"day": "monday"} (or leave it out).',
            )
        )
        given = {}
    for key in given:
        if key not in DEFAULTS:
            close = difflib.get_close_matches(str(key), DEFAULTS, n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            problems.append(
                _problem(
                    key,
                    "is not a newsletter setting.",
                    f"{hint}The keys are: {', '.join(DEFAULTS)}.",
                )
            )
    values = {**DEFAULTS, **{k: v for k, v in given.items() if k in DEFAULTS}}

    def use_default(key, problem, fix):
        problems.append(_problem(key, problem, fix))
        values[key] = DEFAULTS[key]

    day = values["day"]
    if not isinstance(day, str) or day.strip().lower() not in DAYS:
        use_default(
            "day",
            f"must be a day of the week, not {day!r}.",
            'Write a day in full, e.g. "day": "monday".',
        )
    weekday = DAYS.index(values["day"].strip().lower())

    period = values["period"]
    if not isinstance(period, str) or period.strip().lower() not in PERIODS:
        use_default(
            "period",
            f"must be 'weekly' or 'fortnightly', not {period!r}.",
            'Write "period": "weekly" (or leave it out).',
        )
    period_days = PERIODS[values["period"].strip().lower()]

    first = values["first"]
    if first is not None:
        try:
            first = first if isinstance(first, date) else date.fromisoformat(str(first).strip())
            if isinstance(first, datetime):
                first = first.date()
        except ValueError:
            problems.append(
                _problem(
                    "first",
                    f"must be a date written YYYY-MM-DD, not {first!r}.",
                    'Write the date of the first edition, e.g. "first": '
                    '"2026-12-07", or leave it out.',
                )
            )
            first = None
    if first is not None:
        if "day" in given and first.weekday() != weekday:
            problems.append(
                _problem(
                    "first",
                    f'is a {first:%A} ({first}), but "day" is {DAYS[weekday]}.',
                    "Make them agree: the first edition goes out on the "
                    'edition day (or leave "day" out: it is then '
                    "the first edition's day).",
                )
            )
        weekday = first.weekday()
    if period_days == 14 and first is None:
        problems.append(
            _problem(
                "period",
                "is 'fortnightly', but no \"first\" date says which "
                "weeks; the newsletter is weekly until it does.",
                'Add the date of one edition, e.g. "first": "2026-12-07".',
            )
        )
        period_days = 7

    sections = values["sections"]
    if isinstance(sections, str) or not isinstance(sections, (list, tuple)):
        use_default(
            "sections",
            f"must be a list of names, not {sections!r}.",
            f'Write a list, e.g. "sections": {list(SECTIONS)!r}.',
        )
        sections = values["sections"]
    kept = []
    for name in sections:
        if name not in SECTIONS:
            problems.append(
                _problem(
                    "sections",
                    f"names {name!r}, which is not a section.",
                    f"Use some of: {', '.join(SECTIONS)}.",
                )
            )
        elif name in kept:
            problems.append(
                _problem("sections", f"names {name!r} twice.", "Name each section once.")
            )
        else:
            kept.append(name)

    for key in ("intro", "subject", "hours_tag"):
        if not isinstance(values[key], str):
            use_default(
                key,
                f"must be text, not {values[key]!r}.",
                f"Write text in quotes, e.g. {DEFAULTS[key]!r}.",
            )
    subject = values["subject"]
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(subject) if f is not None}
    except ValueError:
        fields = {"{"}
    if fields - SUBJECT_FIELDS or not subject.strip():
        use_default(
            "subject",
            f"cannot be used: {subject!r}.",
            "Write a line of text; {sitename} and {date} are filled in, e.g. "
            '"This week at {sitename}". Write {{ and }} for a brace.',
        )

    empty_text = values["empty_text"]
    if empty_text is not None and (not isinstance(empty_text, str) or not empty_text.strip()):
        use_default(
            "empty_text",
            f"must be text or None, not {empty_text!r}.",
            'Write the text to send in a week with no news, e.g. "No news this week: '
            'see you next Monday.", or None to send nothing.',
        )

    archive = values["archive"]
    if isinstance(archive, bool) or not isinstance(archive, int) or not 0 <= archive <= 520:
        use_default(
            "archive",
            f"must be a whole number from 0 to 520, not {archive!r}.",
            'Write how many past editions to keep on the site, e.g. "archive": 12.',
        )

    for key in ("url", "path"):
        value = values[key]
        if not isinstance(value, str) or not value.strip("/ ") or ".." in value.split("/"):
            use_default(
                key,
                f"must be a folder name, not {value!r}.",
                f"Write, e.g., {DEFAULTS[key]!r} (or leave it out).",
            )

    return (
        NewsletterSettings(
            weekday=weekday,
            period_days=period_days,
            first=first,
            sections=tuple(kept),
            intro=values["intro"],
            subject=values["subject"],
            empty_text=values["empty_text"],
            archive=values["archive"],
            url=values["url"].strip("/ ") + "/",
            path=values["path"].strip("/ "),
            hours_tag=values["hours_tag"].strip().lower(),
        ),
        problems,
    )
