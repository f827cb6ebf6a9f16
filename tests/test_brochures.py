"""Brochures: the PDF (read back with poppler's tools) and the reading view."""

import contextlib
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import SAMPLE_CONTENT, SITEURL, build
from pdf_tags import findings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from brochures.repeats import rhythm, when  # noqa: E402
from events.model import Event  # noqa: E402

WHATS_ON = "brochures/whats-on-winter-2026-to-2027/"
WELCOME = "brochures/welcome-to-your-library/"
NOW = "2026-11-23T12:00:00+00:00"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is not installed: run `apt-get install poppler-utils`")
    built = build(tmp_path_factory.mktemp("brochures"), publish=True, extra={"EVENTS_NOW": NOW})
    assert built.returncode == 0, built.log
    return built


def pdf_of(site, folder):
    return site.output / folder / (folder.rstrip("/").rsplit("/", 1)[1] + ".pdf")


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout


def page_count(pdf):
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))


def pages_text(pdf):
    """Each page's text, no-break spaces as spaces."""
    return [
        run("pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-").replace("\xa0", " ")
        for n in range(1, page_count(pdf) + 1)
    ]


def words(text):
    return " ".join(text.split())


def test_pdf_has_every_section_and_the_contents_page_numbers_are_right(site):
    for folder in (WHATS_ON, WELCOME):
        pages = pages_text(pdf_of(site, folder))
        contents = next(
            i for i, p in enumerate(pages) if "Contents" in [ln.strip() for ln in p.splitlines()]
        )
        entries = re.findall(r"^(\S.*?)\s?\.{3,}\s*(\d+)\s*$", pages[contents], re.M)
        assert len(entries) >= 3, pages[contents]
        for title, number in entries:
            page = pages[int(number) - 1]
            body = page.split("\n", 2)[-1]  # below the running header
            assert title.strip() in body, f"{title!r} is not on page {number}"


def test_pdf_is_a5_tagged_titled_with_images_links_and_bookmarks(site):
    pdf = pdf_of(site, WELCOME)
    info = run("pdfinfo", str(pdf))
    assert "Title:           Welcome to your library" in info
    assert re.search(r"Tagged:\s+yes", info)
    assert "419.528 x 595.276 pts" in info  # A5
    assert len(run("pdfimages", "-list", str(pdf)).strip().splitlines()) >= 4  # cover + 1 more
    urls = run("pdfinfo", "-url", str(pdf))
    assert f"{SITEURL}/news/2026/rhyme-time-every-friday-at-northfield/" in urls
    outline = run("pdftohtml", "-xml", "-i", "-stdout", str(pdf))
    for title in ("Joining is free", "What you can borrow", "Events for everyone"):
        assert re.search(rf'<item page="\d+">{title}</item>', outline)
    assert 'pdfuaid:part="1"' in run("pdfinfo", "-meta", str(pdf))  # PDF/UA-1
    assert b"/Lang (en-gb)" in pdf_objects(pdf)


def pdf_objects(pdf) -> bytes:
    """Every object of the PDF, compressed object streams opened."""
    import zlib

    data = pdf.read_bytes()
    found = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(match.group(1)))
    return b"\n".join(found)


def test_whats_on_assembles_the_season_events_by_month(site):
    text = "\n".join(pages_text(pdf_of(site, WHATS_ON)))
    assert "Every week and every month" in text
    assert "January 2027" in text  # the author talk; no other month has a one-off event
    assert "Every Saturday, 2pm to 4pm, 5 December to 19 December 2026" in words(text)
    assert "Author talk: Meera Joshi on The River Remembers" in text
    unwrapped = "".join(text.split())  # long addresses wrap across lines
    assert "https://tickets.riverside-libraries.example/meera-joshi" in unwrapped
    assert "Friday 25 December" not in text  # Rhyme Time's exception
    assert "November 2026" not in text.split("Contents", 1)[1]


def test_reading_view_pages_contents_and_download(site):
    soup = site.html(WHATS_ON + "index.html")
    sections = soup.select("section.brochure-page")
    toc = [a["href"] for a in soup.select("nav.brochure-toc a")]
    assert len(sections) == len(toc) >= 4
    total = len(sections)
    for number, section in enumerate(sections, start=1):
        assert section.select_one(".page-count").get_text() == f"Page {number} of {total}"
        for link in section.select(".page-nav a"):
            assert soup.find(id=link["href"][1:]), link  # every anchor lands somewhere
    assert soup.find(id=toc[0][1:]).name == "h2"
    download = soup.select_one(".brochure-cover a.button")
    assert download["href"] == f"{SITEURL}/{WHATS_ON}whats-on-winter-2026-to-2027.pdf"
    size = pdf_of(site, WHATS_ON).stat().st_size
    assert f"{size / 1024:.0f} KB" in download.parent.get_text()
    index = site.html("brochures/index.html")
    titles = [a.get_text() for a in index.select("h2 a")]
    assert titles == ["What's on: winter 2026 to 2027", "Welcome to your library"]
    covers = index.select(".brochure-list > li > img")
    assert [c["src"].rsplit("/", 1)[1] for c in covers] == [
        "story-time.webp", "riverside-central.webp",
    ]  # fmt: skip
    for cover in covers:  # described (Cover-Alt), as on the home page; a size, lazy, srcset
        assert cover["alt"].startswith(("Illustration of a librarian", "The front of Riverside"))
        assert cover["loading"] == "lazy"
        assert cover["width"] and cover["height"] and cover["srcset"]


def test_a_repeating_event_is_one_entry_with_its_dates_and_exceptions(site):
    text = words("\n".join(pages_text(pdf_of(site, WHATS_ON))))
    assert text.count("Rhyme Time every Friday at Northfield") == 1  # was 11 times
    assert (
        "Every Friday, 10am to 10.30am, 4 December 2026 to 9 April 2027, "
        "not 25 December or 1 January" in text
    )
    assert "Every Tuesday, 10am to 12 noon, from 1 December 2026, not 29 December" in text
    assert "The first Monday of the month, 2pm to 3pm, from 7 December 2026" in text
    assert text.count("Author talk: Meera Joshi") == 1  # a one-off, in its month


UTC = ZoneInfo("Europe/London")


def event(start, rule, exceptions=()):
    begin = datetime.fromisoformat(start).replace(tzinfo=UTC)
    return Event(begin, begin.replace(hour=begin.hour + 1), "Library", "Library", UTC,
                 rule=rule, exceptions=exceptions)  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ("FREQ=WEEKLY;BYDAY=FR", "Every Friday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "Every other Tuesday and Thursday"),
        ("FREQ=MONTHLY;BYDAY=-1SA", "The last Saturday of the month"),
        ("FREQ=DAILY;COUNT=5", "Every day"),
        ("FREQ=MONTHLY;BYMONTHDAY=3", None),
    ],
)
def test_a_repeat_rule_said_plainly(rule, said):
    assert rhythm(rule) == said


def test_only_exceptions_the_rule_would_have_made_are_said():
    weekly = event("2027-01-01 10:00", "FREQ=WEEKLY;BYDAY=FR;COUNT=4", exceptions=(
        datetime(2027, 1, 8).date(), datetime(2027, 1, 9).date()))  # fmt: skip
    shown = weekly.occurrences(weekly.start.replace(day=1), weekly.start.replace(month=3))
    assert when(weekly, shown).replace("\xa0", " ") == (
        "Every Friday, 10am to 11am, 1 January to 22 January 2027, not 8 January"
    )


def test_a_rule_not_said_plainly_lists_its_dates():
    monthly = event("2027-01-03 10:00", "FREQ=MONTHLY;BYMONTHDAY=3;COUNT=2")
    shown = monthly.occurrences(monthly.start.replace(day=1), monthly.start.replace(month=3))
    assert when(monthly, shown).replace("\xa0", " ") == (
        "Sunday 3 January and Wednesday 3 February, 10am to 11am"
    )


def test_pdf_pages_are_full_and_end_with_a_back_cover(site):
    pages = pages_text(pdf_of(site, WHATS_ON))
    assert len(pages) <= 6  # was 14: every section on a new page, Rhyme Time 11 times
    assert page_count(pdf_of(site, WELCOME)) <= 5  # was 8
    for page in pages[1:-2]:  # the cover, and the page before the back cover, aside
        assert len([ln for ln in page.splitlines() if ln.strip()]) >= 18, page
    back = words(pages[-1])
    for expected in (
        "Riverside Central Library", "1 Mill Lane", "RV1 2AB",
        "Monday to Friday 9am to 7pm", "Saturday 9am to 5pm", "Sunday Closed",
        "Phone 01234 567890", "libraries@riverside.example", "Accessibility",
    ):  # fmt: skip
        assert expected in back, expected
    assert f"{SITEURL}/{WHATS_ON}" in "".join(back.split())  # long addresses wrap


def test_pdf_cover_title_keeps_its_dates_together(site):
    cover = pages_text(pdf_of(site, WHATS_ON))[0]
    assert "2026 to 2027" in cover  # not "2026" at the end of one line, "to 2027" below


def test_pdf_tagging_header_footer_artifacts_table_scope_printed_links_mailto(site):
    for folder in (WHATS_ON, WELCOME):
        found = findings(pdf_of(site, folder))
        # The running header and "Page N of M" were marked content no structure
        # element owned (2 on every page); now they are Artifacts.
        assert found["orphans"] == [], found["orphans"][:4]
        assert all(count >= 1 for _, count in found["artifacts"])
        assert found["th"] >= 3 and found["th_without_scope"] == 0
        assert found["uris"] and found["links_not_printed"] == []
        assert "mailto:libraries@riverside.example" in found["uris"]


SENTENCE = "Words to fill the page and push the next heading down."
# Sections of 1 to 11 sentences in a scrambled order, some with a smaller heading: over
# 40 sections, headings fall at every height of a page.
HEADINGS = "\n\n".join(
    f"## Section {n}\n\n"
    + " ".join([SENTENCE] * (n * 7 % 11 + 1))
    + (f"\n\n### A smaller heading {n}\n\n{SENTENCE}" if n % 3 == 0 else "")
    for n in range(1, 41)
)


def test_headings_stay_with_what_follows_and_pages_are_filled(tmp_path):
    content = tmp_path / "content"
    (content / "brochures").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/story-time.jpg", content / "images")
    (content / "brochures" / "many.md").write_text(f"Title: Many sections\n{COVER}\n{HEADINGS}\n")
    built = build(tmp_path, content=content, cwd=tmp_path)
    assert built.returncode == 0, built.log
    pdf = built.output / "brochures" / "many-sections" / "many-sections.pdf"
    pages = pages_text(pdf)
    assert len(pages) <= 16, len(pages)  # 40 short sections flow: not a page each
    titles = [f"Section {n}" for n in range(1, 41)] + [
        f"A smaller heading {n}" for n in range(3, 41, 3)
    ]
    assert_no_page_ends_with_a_heading(pages, titles)


def assert_no_page_ends_with_a_heading(pages, titles):
    for number, page in enumerate(pages[1:-1], start=2):
        body = [ln.strip() for ln in page.splitlines() if ln.strip()]
        last = body[-2] if re.fullmatch(r"Page \d+ of \d+", body[-1]) else body[-1]
        assert last not in titles, f"page {number} ends with the heading {last!r}"


def test_no_page_of_the_sample_brochures_ends_with_a_heading(site):
    for folder in (WHATS_ON, WELCOME):
        soup = site.html(folder + "index.html")
        titles = {h.get_text(" ", strip=True) for h in soup.select(".brochure-page :is(h2, h3)")}
        assert_no_page_ends_with_a_heading(pages_text(pdf_of(site, folder)), titles)


def test_brochures_feed_and_announce_plan(site):
    parsed = feedparser.parse((site.output / "feeds" / "brochures.atom.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 2
    import json

    plan = json.loads((site.output.parent / "announce" / "plan.json").read_text())
    assert any(p["url"] == f"{SITEURL}/{WELCOME}" for p in plan["posts"])


EDITIONS = {  # each brochure's files, by the end of their names: MIME type and title
    ".pdf": ("application/pdf", "Printable PDF (A5)"),
    "-large-print.pdf": ("application/pdf", "Large print PDF (A4)"),
    ".epub": ("application/epub+zip", "EPUB"),
}


def editions(site, folder):
    slug = folder.rstrip("/").rsplit("/", 1)[1]
    return {f"{SITEURL}/{folder}{slug}{end}": (kind, title, (site.output / folder / f"{slug}{end}"))
            for end, (kind, title) in EDITIONS.items()}  # fmt: skip


def test_brochures_feed_offers_every_edition_as_an_enclosure(site):
    """Atom: a titled enclosure link per file. RSS: one <enclosure> (the RSS profile),
    and each file as a Media RSS <media:content>. Sizes are the files' own."""
    atom = feedparser.parse((site.output / "feeds" / "brochures.atom.xml").read_bytes())
    by_url = {e.link: e for e in atom.entries}
    rss = feedparser.parse((site.output / "feeds" / "brochures.rss.xml").read_bytes())
    rss_by_url = {e.link: e for e in rss.entries}
    raw_rss = (site.output / "feeds" / "brochures.rss.xml").read_text()
    assert raw_rss.count("<enclosure ") == 2  # one per item
    for folder in (WELCOME, WHATS_ON):
        files = editions(site, folder)
        entry = by_url[f"{SITEURL}/{folder}"]
        found = {e.href: (e.type, e.title, int(e.length)) for e in entry.enclosures}
        assert found == {
            url: (kind, title, path.stat().st_size) for url, (kind, title, path) in files.items()
        }
        item = rss_by_url[f"{SITEURL}/{folder}"]
        assert [e.href for e in item.enclosures] == [next(iter(files))]  # the printable PDF
        media = {m["url"]: (m["type"], int(m["filesize"])) for m in item.media_content}
        assert media == {url: (kind, path.stat().st_size) for url, (kind, _, path) in files.items()}


def test_accessibility_statement_offers_the_brochures_formats(site):
    section = site.html("accessibility-statement/index.html").find(id="brochure-formats").parent
    text = " ".join(section.get_text(" ").split())
    assert "an EPUB 3 book" in text and "a large print PDF: A4 pages, 18 point text" in text
    links = sorted(a["href"] for a in section.find_all("a"))
    assert links == sorted(f"{SITEURL}/{b}#downloads" for b in (WHATS_ON, WELCOME))
    for folder in (WELCOME, WHATS_ON):
        downloads = site.html(folder + "index.html").find(id="downloads")
        assert {a["href"] for a in downloads.find_all("a")} == set(editions(site, folder))


def test_unchanged_rebuild_reuses_the_pdf_and_a_change_renders_again(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    first = build(tmp_path, content=content, extra={"EVENTS_NOW": NOW})
    assert first.returncode == 0, first.log
    pdfs = tmp_path / "cache" / "brochures"
    cached = {p.name: p.stat().st_mtime_ns for p in pdfs.glob("*.pdf")}
    assert len(cached) == 4  # each brochure's PDF and large print
    second = build(tmp_path, content=content, extra={"EVENTS_NOW": NOW})
    assert second.returncode == 0
    again = {p.name: p.stat().st_mtime_ns for p in pdfs.glob("*.pdf")}
    assert again == cached, "an unchanged brochure was rendered again"
    source = content / "brochures" / "welcome-to-your-library.md"
    source.write_text(source.read_text().replace("Joining is free", "Joining costs nothing"))
    third = build(tmp_path, content=content, extra={"EVENTS_NOW": NOW})
    assert third.returncode == 0
    after = {p.name for p in pdfs.glob("*.pdf")}
    assert len(after - set(cached)) == 2  # only the changed brochure's PDF and large print
    assert len(after) == 4  # and its old PDFs are no longer kept
    text = run("pdftotext", str(third.output / WELCOME / "welcome-to-your-library.pdf"), "-")
    assert "Joining costs nothing" in text


def test_a4_by_setting(tmp_path):
    content = tmp_path / "content"
    (content / "brochures").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/story-time.jpg", content / "images")
    (content / "brochures" / "a4.md").write_text(f"Title: A4 brochure\n{COVER}\n## One\n\nText.\n")
    site = build(tmp_path, content=content, cwd=tmp_path, extra={"BROCHURES_PAGE_SIZE": "A4"})
    assert site.returncode == 0, site.log
    info = run("pdfinfo", str(site.output / "brochures" / "a4-brochure" / "a4-brochure.pdf"))
    assert "595.276 x 841.89 pts" in info


COVER = "Cover: images/story-time.jpg\nCover-Alt: A cover.\n"
BAD = {
    "no-headings": (
        f"Title: Flat\n{COVER}\nJust text.\n",
        "content/brochures/no-headings.md: error: The brochure has no sections.",
    ),
    "missing-cover": (
        "Title: Gone\nCover: images/nope.jpg\nCover-Alt: A cover.\n\n## One\n\nText.\n",
        "content/brochures/missing-cover.md:2: error: The cover image images/nope.jpg does not",
    ),
    "missing-image": (
        f"Title: Pic\n{COVER}\n## One\n\n![A map]({{static}}/images/map.png)\n",
        "content/brochures/missing-image.md:7: error: The image",
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_brochure_gets_a_clear_error(tmp_path, name):
    source, message = BAD[name]
    content = tmp_path / "content"
    (content / "brochures").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/story-time.jpg", content / "images")
    (content / "brochures" / f"{name}.md").write_text(source)
    dev = build(tmp_path / "dev", content=content, cwd=tmp_path)
    assert message in dev.log and "Fix:" in dev.log, dev.log
    published = build(tmp_path / "pub", content=content, cwd=tmp_path, publish=True)
    assert published.returncode != 0
