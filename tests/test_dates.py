"""Dates are read the way the site's locale writes them, or refused with both readings.

The rule is checks.dates.read_date; these tests build tiny sites of their own."""

import sys
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT, build, run_check
from PIL import Image

sys.path.insert(0, str(ROOT / "plugins"))
from checks.dates import DAY_FIRST, MONTH_FIRST, DateError, date_order, read_date  # noqa: E402


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("01/12/2026", DAY_FIRST, datetime(2026, 12, 1)),
        ("09/01/2027 10:30", DAY_FIRST, datetime(2027, 1, 9, 10, 30)),
        ("9.1.2027 10:30", DAY_FIRST, datetime(2027, 1, 9, 10, 30)),
        ("13/01/2027", DAY_FIRST, datetime(2027, 1, 13)),
        ("13/01/2027", None, datetime(2027, 1, 13)),
        ("01/12/2026", MONTH_FIRST, datetime(2026, 1, 12)),
        ("2026-12-01 09:00", None, datetime(2026, 12, 1, 9)),
        ("2026-12-01T09:00:00Z", DAY_FIRST, datetime(2026, 12, 1, 9, tzinfo=UTC)),
        ("2026/12/01", MONTH_FIRST, datetime(2026, 12, 1)),
        ("1 December 2026 10:30", MONTH_FIRST, datetime(2026, 12, 1, 10, 30)),
        ("December 1, 2026", DAY_FIRST, datetime(2026, 12, 1)),
    ],
)
def test_a_date_is_read_in_the_sites_order_or_as_written(text, order, expected):
    assert read_date(text, order) == expected


def test_an_offset_is_kept():
    moment = read_date("01/12/2026 09:00 +01:00", DAY_FIRST)
    assert moment.utcoffset() == timedelta(hours=1) and moment.day == 1 and moment.month == 12


@pytest.mark.parametrize(
    ("text", "order", "said", "fix"),
    [
        # Two readings and no locale to choose: both shown, both written year first.
        ("01/12/2026 10:30", None, "1 December 2026 (day first) or 12 January 2026 (month first)",
         "2026-12-01 10:30 for 1 December 2026 or 2026-01-12 10:30 for 12 January 2026"),
        # Written month first on a day-first site.
        ("12/25/2026", DAY_FIRST, "is written month first, but this site writes dates day first",
         "If you meant 25 December 2026, write 2026-12-25"),
        ("25/12/2026", MONTH_FIRST, "is written day first", "write 2026-12-25"),
        ("01/12/26", DAY_FIRST, "two-digit year", "If you meant 1 December 2026, write 2026-12-01"),
        ("2026-02-30 10:00", DAY_FIRST, "there is no 30 February 2026", "YYYY-MM-DD"),
        ("31/02/2026", DAY_FIRST, "no such day", "YYYY-MM-DD"),
        ("December 2026", DAY_FIRST, "needs the day, the month and the year", "YYYY-MM-DD"),
        ("next Tuesday", DAY_FIRST, "cannot be understood", "YYYY-MM-DD HH:MM"),
        ("01/12/2026 25:00", DAY_FIRST, "'25:00' is not a time", "2026-12-01 14:00"),
    ],
)  # fmt: skip
def test_a_date_that_can_be_misread_is_refused_with_the_fix(text, order, said, fix):
    with pytest.raises(DateError) as caught:
        read_date(text, order)
    assert said in caught.value.problem
    assert fix in caught.value.fix


@pytest.mark.parametrize(
    ("lang", "locales", "order"),
    [
        ("en-GB", ("en_GB.UTF-8", "C.UTF-8", ""), DAY_FIRST),
        ("en", ("en_GB.UTF-8",), DAY_FIRST),  # the region from LOCALE
        ("en-US", (), MONTH_FIRST),
        ("cy", (), DAY_FIRST),
        ("fr-CA", (), None),
        ("en", ("",), None),  # Pelican's defaults: English, no region
        (None, ("C.UTF-8",), None),
    ],
)
def test_the_order_comes_from_default_lang_and_locale(lang, locales, order):
    assert date_order(lang, locales) == order


def write(content, files):
    for name, text in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


POST = "Title: {title}\nDate: {date}\nCategory: News\nSummary: About {title}.\n{extra}\nText.\n"
EVENT = (
    "Location: Riverside Central Library, Event Room\nAudience: everyone\n"
    "Event-Start: {start}\n{more}"
)
UK_SITE = {
    "posts/day-first.md": POST.format(title="Day first", date="01/12/2026", extra=""),
    "posts/day-thirteen.md": POST.format(title="Day thirteen", date="13/11/2026 09:00", extra=""),
    "posts/iso.md": POST.format(title="Year first", date="2026-11-20 09:00 +00:00", extra=""),
    "posts/event.md": POST.format(
        title="Story time",
        date="2026-11-02 09:00",
        extra=EVENT.format(start="09/01/2027 10:30", more="Event-End: 09/01/2027 11:30\n"),
    ),
    "posts/weekly.md": POST.format(
        title="Weekly club",
        date="2026-11-03 09:00",
        extra=EVENT.format(
            start="05/01/2027 16:00",
            more="Event-Duration: 1h\nEvent-Repeat: FREQ=WEEKLY;COUNT=3\n"
            "Event-Except: 12/01/2027\n",
        ),
    ),
    "brochures/january.md": "Title: January\nDate: 2026-11-04 09:00\nSummary: What's on.\n"
    "Cover: images/cover.jpg\nCover-Alt: A poster.\nEvents-From: 01/01/2027\n"
    "Events-To: 31/01/2027\n\nOur month.\n",
}


def uk_site(tmp_path, files=UK_SITE):
    content = tmp_path / "content"
    write(content, files)
    (content / "images").mkdir(exist_ok=True)
    Image.new("RGB", (40, 60), "teal").save(content / "images" / "cover.jpg")
    return content


def test_a_uk_site_reads_every_date_field_day_first(tmp_path):
    site = build(tmp_path, content=uk_site(tmp_path), cwd=tmp_path)
    assert site.returncode == 0, site.log
    assert " error" not in site.log.lower(), site.log
    # Date and Modified (Pelican's own fields), published under their own year.
    page = site.html("news/2026/day-first/index.html")
    assert page.select_one("header time")["datetime"] == "2026-12-01T00:00:00+00:00"
    day13 = site.html("news/2026/day-thirteen/index.html").select_one("header time")
    assert day13["datetime"].startswith("2026-11-13T09:00")
    iso = site.html("news/2026/year-first/index.html").select_one("header time")
    assert iso["datetime"].startswith("2026-11-20T09:00")
    # Event-Start and Event-End: 9 January 2027, not 1 September.
    box = site.html("news/2026/story-time/index.html").select_one(".event-box time")
    assert box is not None and box["datetime"] == "2027-01-09T10:30:00+00:00", box
    calendar = (site.output / "events.ics").read_text()
    assert "DTSTART;TZID=Europe/London:20270109T103000" in calendar
    assert "DTEND;TZID=Europe/London:20270109T113000" in calendar
    # Event-Except: 12 January is skipped, not 1 December.
    assert "EXDATE;TZID=Europe/London:20270112T160000" in calendar
    # Events-From and Events-To: the "What's on" lists January 2027 and its events.
    reading = (site.output / "brochures" / "january" / "index.html").read_text()
    assert "January 2027" in reading and "Story time" in reading and "Weekly club" in reading


def test_modified_is_read_day_first(tmp_path):
    files = {
        "posts/changed.md": POST.format(
            title="Changed", date="13/11/2026 09:00", extra="Modified: 01/12/2026 08:00\n"
        )
    }
    site = build(tmp_path, content=uk_site(tmp_path, files), cwd=tmp_path)
    assert site.returncode == 0, site.log
    times = site.html("news/2026/changed/index.html").select("header time")
    assert [t["datetime"][:16] for t in times] == ["2026-11-13T09:00", "2026-12-01T08:00"]


def test_check_passes_day_first_dates_on_a_uk_site(tmp_path):
    proc = run_check(uk_site(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s)" in proc.stdout and "Ready to publish" in proc.stdout


MISREAD = {
    "posts/us-style.md": POST.format(title="US style", date="12/25/2026", extra=""),
    "posts/short-year.md": POST.format(title="Short year", date="01/12/26 10:00", extra=""),
    "posts/event-us.md": POST.format(
        title="US event",
        date="2026-11-02 09:00",
        extra=EVENT.format(start="01/13/2027 10:30", more="Event-Duration: 1h\n"),
    ),
    "posts/fine.md": POST.format(title="Fine", date="13/11/2026", extra=""),
}


def test_check_refuses_dates_written_the_other_way_with_file_line_and_fix(tmp_path):
    proc = run_check(uk_site(tmp_path, MISREAD), tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    expected = [
        "content/posts/us-style.md:2: error: Date: '12/25/2026' is written month first, but "
        "this site writes dates day first",
        "Fix: If you meant 25 December 2026, write 2026-12-25 (YYYY-MM-DD HH:MM).",
        "content/posts/short-year.md:2: error: Date: '01/12/26 10:00' has a two-digit year",
        "Fix: If you meant 1 December 2026, write 2026-12-01 10:00 (YYYY-MM-DD HH:MM).",
        "content/posts/event-us.md:7: error: Event-Start: '01/13/2027 10:30' is written month "
        "first",
        "write 2027-01-13 10:30",
    ]
    for line in expected:
        assert line in out, f"missing: {line}\n{out}"
    assert "fine.md" not in out
    assert "3 error(s)" in out


def test_a_site_whose_locale_does_not_settle_the_order_refuses_both_readings(tmp_path):
    files = {
        "posts/ambiguous.md": POST.format(title="Ambiguous", date="01/12/2026", extra=""),
        "posts/event.md": POST.format(
            title="Story time",
            date="2026-11-02 09:00",
            extra=EVENT.format(start="09/01/2027 10:30", more="Event-Duration: 1h\n"),
        ),
        "posts/clear.md": POST.format(title="Clear", date="13/11/2026", extra=""),
    }
    content = uk_site(tmp_path, files)
    # Pelican's defaults: English with no region, so 01/12 could be either.
    site = build(tmp_path, content=content, cwd=tmp_path,
                 extra={"DEFAULT_LANG": "en", "LOCALE": ["C.UTF-8"]})  # fmt: skip
    assert site.returncode == 0, site.log
    lines = site.log.splitlines()
    ambiguous = next(ln for ln in lines if "content/posts/ambiguous.md:2: error:" in ln)
    assert "can be read two ways: 1 December 2026 (day first) or 12 January 2026" in ambiguous
    assert "2026-12-01 for 1 December 2026 or 2026-01-12 for 12 January 2026" in ambiguous
    event = next(ln for ln in lines if "content/posts/event.md:7: error:" in ln)
    assert "9 January 2027 (day first) or 1 September 2027 (month first)" in event
    assert "2027-01-09 10:30 for 9 January 2027 or 2027-09-01 10:30" in event
    # The post is left out rather than published on a guessed day; the others build.
    assert not (site.output / "news/2026/ambiguous/index.html").exists()
    assert (site.output / "news/2026/clear/index.html").exists()
    # The publish build stops at the first of them (files are read in folder order).
    published = build(tmp_path / "publish", content=content, cwd=tmp_path, publish=True,
                      extra={"DEFAULT_LANG": "en", "LOCALE": ["C.UTF-8"]})  # fmt: skip
    assert published.returncode != 0
    assert "ambiguous.md:2" in published.log or "event.md:7" in published.log
    assert "can be read two ways" in published.log


def test_the_docs_show_the_message_staff_will_see():
    with pytest.raises(DateError) as caught:
        read_date("12/25/2026", DAY_FIRST)
    shown = f"error: Date: {caught.value.problem} Fix: {caught.value.fix}"
    assert shown in (ROOT / "docs" / "site.md").read_text(encoding="utf-8")
