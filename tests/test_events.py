"""Library events: pages, calendar files, JSON-LD and checks, built for real."""

import json
import runpy
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from conftest import SAMPLE_CONTENT, SITEURL, build
from dateutil.rrule import rrulestr

LONDON = ZoneInfo("Europe/London")
NOW = "2026-11-23T12:00:00+00:00"
RHYME = "news/2026/rhyme-time-every-friday-at-northfield/"
TALK = "news/2026/author-talk-meera-joshi-on-the-river-remembers/"
HISTORY = "news/2026/local-history-talk-the-mills-of-riverside/"


@pytest.fixture(scope="module")
def as_of(tmp_path_factory):
    """The sample site built as of a given moment (EVENTS_NOW), each moment once."""
    builds = {}

    def build_as_of(now):
        if now not in builds:
            builds[now] = build(
                tmp_path_factory.mktemp("as-of"), publish=True, extra={"EVENTS_NOW": now}
            )
            assert builds[now].returncode == 0, builds[now].log
        return builds[now]

    return build_as_of


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = build(tmp_path_factory.mktemp("events"), publish=True, extra={"EVENTS_NOW": NOW})
    assert built.returncode == 0, built.log
    return built


def calendar(site, path):
    return icalendar.Calendar.from_ical((site.output / path).read_bytes())


def events_of(cal):
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_site_calendar_has_every_event_with_the_fields_calendars_need(site):
    cal = calendar(site, "events.ics")
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
    events = events_of(cal)
    assert len(events) == 7
    rhyme = events["Rhyme Time every Friday at Northfield"]
    assert str(rhyme["UID"]).startswith("tag:www.riverside-libraries.example,2026-09-20:")
    assert rhyme["DTSTART"].dt == datetime(2026, 10, 2, 10, 0, tzinfo=LONDON)
    assert rhyme["DTSTART"].params["TZID"] == "Europe/London"
    assert rhyme["DTSTAMP"].dt.tzinfo is not None
    assert rhyme["RRULE"]["FREQ"] == ["WEEKLY"] and rhyme["RRULE"]["BYDAY"] == ["FR"]
    until = rhyme["RRULE"]["UNTIL"][0]
    assert until.utcoffset().total_seconds() == 0  # RFC 5545: UTC beside a zoned DTSTART
    exdates = [d.dt for ex in _list(rhyme["EXDATE"]) for d in ex.dts]
    assert datetime(2026, 12, 25, 10, 0, tzinfo=LONDON) in exdates
    assert str(rhyme["URL"]) == f"{SITEURL}/{RHYME}"
    assert str(rhyme["LOCATION"]) == "Northfield Library, Children's library"
    description = str(rhyme["DESCRIPTION"])
    assert "Songs, rhymes and stories" in description and "<" not in description
    talk = events["Author talk: Meera Joshi on The River Remembers"]
    assert "Price: £5" in str(talk["DESCRIPTION"])
    assert "Booking: https://tickets.riverside-libraries.example/meera-joshi" in str(
        talk["DESCRIPTION"]
    )


def _list(value):
    return value if isinstance(value, list) else [value]


def test_audience_branch_and_single_event_calendars(site):
    under_fives = events_of(calendar(site, "events/audience/under-fives.ics"))
    assert set(under_fives) == {"Rhyme Time every Friday at Northfield"}
    westbrook = events_of(calendar(site, "events/branch/westbrook-library.ics"))
    assert set(westbrook) == {"A new dementia-friendly reading group at Westbrook"}
    single = events_of(calendar(site, TALK + "event.ics"))
    assert list(single) == ["Author talk: Meera Joshi on The River Remembers"]
    page = site.html(TALK + "index.html")
    assert (
        page.select_one(".event-box a[href$='event.ics']")["href"] == f"{SITEURL}/{TALK}event.ics"
    )


def test_weekly_event_keeps_its_local_time_across_the_clock_change(site, as_of):
    rhyme = events_of(calendar(site, "events.ics"))["Rhyme Time every Friday at Northfield"]
    start = rhyme["DTSTART"].dt
    rule = rrulestr(rhyme["RRULE"].to_ical().decode(), dtstart=start)
    dates = [
        d
        for d in rule.between(
            datetime(2026, 10, 20, tzinfo=LONDON), datetime(2026, 11, 3, tzinfo=LONDON)
        )
    ]
    assert [d.isoformat() for d in dates] == [
        "2026-10-23T10:00:00+01:00",
        "2026-10-30T10:00:00+00:00",
    ]
    # And on the site itself, built as of 20 October: the same local time both sides.
    early = as_of("2026-10-20T12:00:00+01:00")
    times = [
        t["datetime"]
        for t in early.html("events/index.html").select("time")
        if "rhyme-time-every-friday" in t.find_parent("li").a["href"]
    ]
    assert times[:2] == ["2026-10-23T10:00:00+01:00", "2026-10-30T10:00:00+00:00"]


def upcoming_titles(site):
    return [a.get_text() for a in site.html("events/index.html").select(".event-list h3 a")]


def test_exceptions_are_skipped(site):
    dates = [t["datetime"][:10] for t in site.html("events/index.html").select("time")]
    assert "2026-12-25" not in dates and "2026-12-29" not in dates
    assert "2026-12-18" in dates and "2026-12-22" in dates


def test_past_events_move_to_the_archive_at_the_next_build(as_of):
    before = as_of("2026-09-01T12:00:00+01:00")
    after = as_of(NOW)
    talk = "Local history talk: the mills of Riverside"
    assert talk in upcoming_titles(before)
    assert talk not in upcoming_titles(after)
    past = [a.get_text() for a in after.html("events/past/index.html").select("h2 a")]
    assert talk in past and "World Book Night: an evening of readings" in past
    assert "Rhyme Time every Friday at Northfield" not in past  # still running


def test_audience_and_branch_pages_filter_without_javascript(site):
    kids = [a.get_text() for a in site.html("events/audience/children/index.html").select("h3 a")]
    assert set(kids) == {"Festive craft afternoons in December"}
    north = [
        a.get_text()
        for a in site.html("events/branch/northfield-library/index.html").select("h3 a")
    ]
    assert set(north) == {"Rhyme Time every Friday at Northfield"}
    nav = site.html("events/index.html").select_one("nav.event-filters")
    assert nav.select_one("a[aria-current=page]").get_text() == "All events"
    assert not site.html("events/index.html").find("script", src=True)


def test_event_page_json_ld(site):
    scripts = site.html(TALK + "index.html").find_all("script", type="application/ld+json")
    data = next(json.loads(s.string) for s in scripts if '"Event"' in s.string)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2027-01-21T19:00:00+00:00"
    assert data["endDate"] == "2027-01-21T20:30:00+00:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["name"] == "Riverside Central Library, Event Room"
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "1 Mill Lane",
        "addressLocality": "Riverside",
        "postalCode": "RV1 2AB",
        "addressCountry": "GB",
    }
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "Riverside Libraries",
        "url": SITEURL + "/",
    }
    assert data["performer"] == {"@type": "Person", "name": "Meera Joshi"}
    assert data["offers"]["price"] == "5" and data["offers"]["priceCurrency"] == "GBP"
    assert data["offers"]["url"] == "https://tickets.riverside-libraries.example/meera-joshi"
    assert data["offers"]["validFrom"] == "2026-11-20T12:00:00+00:00"  # the post's date
    assert data["image"] == [SITEURL + "/images/reading-group.jpg"]  # its own Image:
    rhyme = site.html(RHYME + "index.html").find_all("script", type="application/ld+json")
    rhyme_data = next(json.loads(s.string) for s in rhyme if '"Event"' in s.string)
    assert rhyme_data["startDate"] == "2026-11-27T10:00:00+00:00"  # the next Friday
    assert rhyme_data["offers"]["price"] == "0"
    history = site.html(HISTORY + "index.html").find_all("script", type="application/ld+json")
    history_data = next(json.loads(s.string) for s in history if '"Event"' in s.string)
    assert history_data["image"] == [SITEURL + "/images/riverside-central.jpg"]  # the default
    assert rhyme_data["location"]["address"]["postalCode"] == "RV3 4CD"
    assert "performer" not in rhyme_data
    assert "performer" not in site.log.lower(), "Performer: is known front matter"


def test_branch_addresses_are_checked_once(tmp_path):
    """A branch given as one line still builds (street only, with a warning); an
    unknown or missing part is an error, each said once, not once per event."""
    sample = runpy.run_path(str(SAMPLE_CONTENT.parent / "sample_library.py"))
    library = {
        **sample["LIBRARY"],
        "branches": {
            "Northfield Library": "14 North Road, Riverside RV3 4CD",
            "Eastgate Library": {"street": "2 Gate Street", "locality": "Riverside",
                                 "postocde": "RV2 8GH"},
        },
    }  # fmt: skip
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for n, branch in enumerate(("Northfield Library", "Northfield Library", "Eastgate Library")):
        (content / "posts" / f"e{n}.md").write_text(
            f"Title: Event {n}\nDate: 2026-11-01 10:00 +00:00\nCategory: Events\n"
            f"Event-Start: 2027-01-1{n} 14:00\nEvent-Duration: 1h\nLocation: {branch}\n\nText.\n"
        )
    dev = build(tmp_path / "dev", content=content, cwd=tmp_path,
                extra={"LIBRARY": library, "EVENTS_NOW": NOW})  # fmt: skip
    assert dev.returncode == 0, dev.log
    assert dev.log.count("LIBRARY['branches']['Northfield Library'] is a single line") == 1
    assert dev.log.count("['Eastgate Library']: unknown key 'postocde'") == 1
    assert dev.log.count("['Eastgate Library'] has no 'postcode'") == 1
    page = dev.html("news/2026/event-0/index.html").find_all("script", type="application/ld+json")
    data = next(json.loads(s.string) for s in page if '"Event"' in s.string)
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "14 North Road, Riverside RV3 4CD",
        "addressCountry": "GB",
    }
    published = build(tmp_path / "pub", content=content, cwd=tmp_path, publish=True,
                      extra={"LIBRARY": library, "EVENTS_NOW": NOW})  # fmt: skip
    assert published.returncode != 0


def test_event_page_shows_the_facts_first(site):
    box = site.html(TALK + "index.html").select_one(".event-box")
    text = " ".join(box.get_text(" ").split())
    assert (
        "Thursday 21 January 2027 , 7pm to 8.30pm" in text
        or "Thursday 21 January 2027, 7pm to 8.30pm" in text
    )
    assert "Riverside Central Library, Event Room" in text and "£5" in text
    assert (
        box.select_one("a.button")["href"]
        == "https://tickets.riverside-libraries.example/meera-joshi"
    )


def test_events_feed(site):
    parsed = feedparser.parse((site.output / "feeds" / "events.atom.xml").read_bytes())
    assert parsed.bozo == 0
    assert len(parsed.entries) == 7


def test_calendars_are_byte_identical_across_builds(tmp_path, site):
    again = build(tmp_path, publish=True, extra={"EVENTS_NOW": NOW})
    for path in ("events.ics", TALK + "event.ics", "events/audience/adults.ics"):
        assert (site.output / path).read_bytes() == (again.output / path).read_bytes(), path


BAD = {
    "end-before-start": (
        "Event-Start: 2027-01-10 14:00\nEvent-End: 2027-01-10 13:00\n"
        "Location: Northfield Library\n",
        5,
        "ends (2027-01-10 13:00) before",
    ),
    "unknown-audience": (
        "Event-Start: 2027-01-10 14:00\nEvent-Duration: 1h\n"
        "Location: Northfield Library\nAudience: childrens\n",
        7,
        "Did you mean 'children'?",
    ),
    "bad-rrule": (
        "Event-Start: 2027-01-10 14:00\nEvent-Duration: 1h\nEvent-Repeat: EVERY FRIDAY\n"
        "Location: Northfield Library\n",
        6,
        "is not a repeat rule",
    ),
    "missing-location": ("Event-Start: 2027-01-10 14:00\nEvent-Duration: 1h\n", 4, "no Location"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_event_is_reported_with_file_and_line(tmp_path, name):
    fields, line, message = BAD[name]
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / f"{name}.md").write_text(
        f"Title: Broken event\nDate: 2026-11-01 10:00 +00:00\nCategory: Events\n{fields}\nText.\n"
    )
    dev = build(tmp_path / "dev", content=content, cwd=tmp_path)
    assert dev.returncode == 0, dev.log
    assert f"content/posts/{name}.md:{line}: error: " in dev.log, dev.log
    assert message in dev.log and "Fix:" in dev.log
    published = build(tmp_path / "pub", content=content, cwd=tmp_path, publish=True)
    assert published.returncode != 0


def test_sample_events_cover_the_season():
    from conftest import sample_sources

    events = {m["title"]: m for m in sample_sources("posts").values() if "event-start" in m}
    assert any("event-repeat" in m and "WEEKLY" in m["event-repeat"] for m in events.values())
    assert any(m.get("price", "").lower() == "free" for m in events.values())
    assert any(m.get("booking-url") for m in events.values())
    assert any(m["event-start"] < "2026-11" for m in events.values())  # one already past


def test_an_event_without_a_summary_publishes_its_pictures_resolved(tmp_path):
    """The events plugin reads an event's summary as it is read; Pelican remembers a
    summary and text by site address, so one made then, before the site's files are
    known, kept `{static}/...` unresolved in the published page (the publish build
    writes with the site's own address)."""
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images" / "digital-help.jpg", content / "images")
    (content / "posts" / "talk.md").write_text(
        "Title: A talk\nDate: 2026-11-01 10:00 +00:00\nCategory: Events\n"
        "Event-Start: 2027-01-10 14:00\nEvent-Duration: 1h\nLocation: Northfield Library\n\n"
        "Come and listen.\n\n![A desk with a laptop]({static}/images/digital-help.jpg)\n"
    )
    published = build(tmp_path / "pub", content=content, cwd=tmp_path, publish=True,
                      extra={"EVENTS_NOW": NOW})  # fmt: skip
    assert published.returncode == 0, published.log
    assert "Unable to find" not in published.log, published.log
    page = published.html("news/2026/a-talk/index.html")
    sources = [img["src"] for img in page.select("article img")]
    assert sources and not [s for s in sources if "{static}" in s], sources
