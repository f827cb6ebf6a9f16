"""The newsletter's edition (plugins/newsletter): what goes into it, its archive pages
and its email parts (newsletter.json), built for real from the sample library and from
small sites written here; the email opened in Chromium and checked with axe."""

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from conftest import ROOT, SAMPLE, SAMPLE_CONTENT, build, serve_publish_build
from test_accessibility import WCAG_TAGS
from tiny_site import write_site

sys.path.insert(0, str(ROOT / "plugins"))

from checks.colours import contrast  # noqa: E402
from newsletter.dates import edition_day, past_days  # noqa: E402
from newsletter.edition import Site  # noqa: E402
from newsletter.inline import inline_css  # noqa: E402
from newsletter.intro import sanitise, to_text  # noqa: E402
from newsletter.parts import DARK, HTML_MARK, LIGHT, TEXT_MARK, fill_unsubscribe  # noqa: E402
from newsletter.settings import DEFAULTS, read_settings  # noqa: E402

# Thursday 3 December 2026, 9am: the edition is Monday 7 December; its posts were
# published from Monday 30 November, its events are from 7 to 13 December.
NOW = "2026-12-03T09:00:00+00:00"
EDITION = "2026-12-07"
KEYS = {"edition", "subject", "url", "html", "text", "empty", "posts", "events"}
# The sample's events of that week (the dementia-friendly group: the first Monday).
SAMPLE_EVENTS = {
    "news/2026/a-new-dementia-friendly-reading-group-at-westbrook/",
    "news/2026/free-help-with-phones-and-tablets-every-tuesday/",
    "news/2026/rhyme-time-every-friday-at-northfield/",
    "news/2026/festive-craft-afternoons-in-december/",
}
INTRO_WORDS = "make decorations and paper snowflakes"


def parts(tmp: Path) -> dict:
    return json.loads((tmp / "announce" / "newsletter.json").read_text(encoding="utf-8"))


# -- the sample library, as readers get it ---------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample site built for publishing as of NOW, served: (address, Build, parts)."""
    tmp = tmp_path_factory.mktemp("newsletter-sample")
    with serve_publish_build(tmp, extra={"EVENTS_NOW": NOW}) as (url, site):
        yield url, site, parts(tmp)


def test_sample_edition_has_the_weeks_events_brochure_hours_and_intro(sample):
    url, site, doc = sample
    assert set(doc) == KEYS
    assert doc["edition"] == EDITION and doc["empty"] is False
    assert doc["url"] == f"{url}/newsletters/{EDITION}/"
    assert doc["subject"] == "This week at Riverside Libraries"
    assert doc["posts"] == []  # nothing was published from 30 November (one draft)
    assert set(doc["events"]) == {f"{url}/{path}" for path in SAMPLE_EVENTS}
    text, html = doc["text"], doc["html"]
    for part in (text, html):
        assert INTRO_WORDS in " ".join(part.split())
        assert "Saturday 12 December" in part and "Tuesday 8 December" in part
        assert "Festive craft afternoons in December" in part
        assert "What's on: winter 2026 to 2027" in part  # the current brochure
        assert "Monday to Friday: 9am to 7pm" in part  # the usual hours
        assert "Monday 14 December" not in part  # the week after
    # The intro's {filename} link, absolute in both parts.
    assert f"{url}/brochures/whats-on-winter-2026-to-2027/" in text
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("a", string="winter brochure")["href"] == (
        f"{url}/brochures/whats-on-winter-2026-to-2027/"
    )
    # The brochure's files, with their sizes, made by the brochures plugin.
    for name in (
        "whats-on-winter-2026-to-2027.pdf",
        "whats-on-winter-2026-to-2027.epub",
        "whats-on-winter-2026-to-2027-large-print.pdf",
    ):
        assert f"{url}/brochures/whats-on-winter-2026-to-2027/{name}" in text
        assert soup.find("a", href=f"{url}/brochures/whats-on-winter-2026-to-2027/{name}")


def test_sample_email_html_is_made_for_mail_clients(sample):
    url, _, doc = sample
    html = doc["html"]
    assert html.lower().startswith("<!doctype html>")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"].lower() == "en-gb"  # as the site's pages say it
    assert soup.title.get_text() == doc["subject"]
    assert soup.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark"
    tables = soup.find_all("table")
    assert tables and all(t.get("role") == "presentation" for t in tables)
    # Every link absolute, to the site, a booking page or a mail address.
    for a in soup.find_all("a"):
        assert a["href"].startswith((url + "/", "https://", "mailto:")), a
    # Pictures: described, absolute, sized; nothing else loads (no web fonts, no CSS files).
    images = soup.find_all("img")
    assert images
    for img in images:
        assert img["alt"].strip() and img["src"].startswith(url + "/") and img["width"]
    assert not soup.find("link") and not soup.find("script") and "@font-face" not in html
    assert "@import" not in html and "url(" not in html
    # CSS inline: every element that shows text says its colour; explicit backgrounds.
    for el in soup.select("p, h1, h2, h3, td, a"):
        assert "color:" in el.get("style", ""), el
    assert "background-color" in soup.body["style"]
    style = soup.find("style").get_text()
    assert "prefers-color-scheme: dark" in style


def test_the_edition_before_is_written_beside_for_a_send_that_did_not_finish(sample):
    """newsletter-previous.json: the edition a week earlier, in the same shape, made
    again from the site as its archive page is (make newsletter-send finishes it when
    its day's run did not)."""
    url, site, doc = sample
    state = site.output.parent / "announce"
    before = json.loads((state / "newsletter-previous.json").read_text(encoding="utf-8"))
    assert set(before) == KEYS and before["edition"] == "2026-11-30"
    assert before["url"] == f"{url}/newsletters/2026-11-30/"
    assert (site.output / "newsletters" / "2026-11-30" / "index.html").exists()
    assert before["html"] and before["text"] and before["html"] != doc["html"]


def test_sample_text_part_is_plain_text_with_every_link_written_out(sample):
    url, _, doc = sample
    text, html = doc["text"], doc["html"]
    assert not re.search(r"<[a-zA-Z/!]", text), "HTML in the text part"
    assert "&amp;" not in text and "&#" not in text
    # One mark, where each reader's way to unsubscribe goes as their copy is made.
    assert text.count(TEXT_MARK) == 1 and html.count(HTML_MARK) == 1
    assert not any(ord(c) < 32 and c != "\n" for c in text.replace(TEXT_MARK, ""))
    assert max(len(line) for line in text.splitlines() if "://" not in line) <= 72
    assert f"Read it on our website: {url}/newsletters/{EDITION}/" in text
    for path in SAMPLE_EVENTS:
        assert f"{url}/{path}" in text.splitlines()
    # The same content, in the same order, as the HTML part.
    order = ["WHAT'S ON", "OUR BROCHURE", "OPENING HOURS"]
    assert [text.index(h) for h in order] == sorted(text.index(h) for h in order)
    assert text.index(INTRO_WORDS.split()[0]) < text.index("WHAT'S ON")


def test_archive_page_and_list_of_editions(sample):
    url, site, doc = sample
    page = site.html(f"newsletters/{EDITION}/index.html")
    assert page.h1.get_text() == doc["subject"]
    main = " ".join(page.find("main").get_text(" ").split())
    assert INTRO_WORDS in main and "Saturday 12 December" in main
    assert page.find("link", rel="canonical")["href"] == doc["url"]
    assert not page.find("script")
    listing = site.html("newsletters/index.html")
    links = [a["href"] for a in listing.select("main .post-list a")]
    assert links[0] == doc["url"]
    # Past editions with news are kept (23 November: two posts and the new brochure).
    assert f"{url}/newsletters/2026-11-23/" in links
    past = site.html("newsletters/2026-11-23/index.html").find("main").get_text(" ")
    assert "Author talk: Meera Joshi on The River Remembers" in past
    assert "Our new brochure" in past
    # The archive page is linked from the edition and from the Subscribe page.
    assert page.find("a", href=f"{url}/newsletters/")
    assert site.html("subscribe/index.html").find("a", href=f"{url}/newsletters/")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_email_passes_axe_in_chromium(browser, sample, scheme):
    url, _, doc = sample
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.set_content(doc["html"], wait_until="load")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["passes"], "axe ran no checks"
        assert not results.response["violations"], results.generate_report()
        # The colours the reader gets are the scheme's own, not the browser's defaults.
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert body == ("rgb(18, 18, 18)" if scheme == "dark" else "rgb(255, 255, 255)")
        hosts = {urlsplit(u).netloc for u in requests if u.startswith("http")}
        assert hosts <= {urlsplit(url).netloc}, hosts  # the cover, from the site
        # With pictures off, the cover's description is there to read.
        alts = page.evaluate("[...document.images].map(i => i.alt)")
        assert alts and all(alts)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_archive_pages_pass_axe(browser, sample, scheme):
    url, _, doc = sample
    context = browser.new_context(color_scheme=scheme)
    try:
        for address in (doc["url"], f"{url}/newsletters/"):
            page = context.new_page()
            assert page.goto(address).status == 200
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            assert not results.response["violations"], results.generate_report()
            page.close()
    finally:
        context.close()


def test_make_newsletter_summary_and_preview(sample, tmp_path):
    """`python -m newsletter summary` and `preview`, as the Makefile runs them."""
    url, site, doc = sample
    state = site.output.parent / "announce"
    conf = tmp_path / "conf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(SAMPLE)!r})\n"
        f"from samplepublish import *\nANNOUNCE_STATE_DIR = {str(state)!r}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SITEURL": url}
    run = [sys.executable, "-m", "newsletter"]
    said = subprocess.run(
        [*run, "summary", "--settings", str(conf), "--output", "output"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith(f"Edition {EDITION}: 0 post(s), 4 event(s); archive page ")
    assert f"output/newsletters/{EDITION}/index.html" in said.stdout
    assert str(state / "newsletter.json") in said.stdout
    shown = subprocess.run(
        [*run, "preview", "--settings", str(conf)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    path = Path(shown.stdout.strip())
    # The email as a reader gets it: with no sending keys set, the footer's way to
    # unsubscribe is the library's own address.
    html, text = fill_unsubscribe(
        doc["html"], doc["text"], "mailto:libraries@riverside.example?subject=unsubscribe"
    )
    assert path.is_absolute() and path.read_text(encoding="utf-8") == html
    assert not path.is_relative_to(site.output)
    assert path.with_suffix(".txt").read_text(encoding="utf-8") == text
    assert "email libraries@riverside.example with the subject Unsubscribe" in " ".join(
        text.split()
    )


def test_sample_text_part_for_the_record(sample, tmp_path_factory):
    """The sample's text part, kept beside the test run for reading."""
    _, site, doc = sample
    (site.output.parent / "sample-edition.txt").write_text(doc["text"], encoding="utf-8")
    assert doc["text"].startswith("This week at Riverside Libraries\nMonday 7 December 2026\n")


# -- a week of our own: posts, events, an intro, hostile text -----------------------------

HOSTILE_TITLE = "Knit <script>alert(1)</script> night \u0007 \u202eevil\u202c"
RTL_TITLE = "\u0623\u0645\u0633\u064a\u0629 \u0634\u0639\u0631\u064a\u0629 \u0641\u064a"
WEEK = {
    "hostile.md": (
        f"Title: {HOSTILE_TITLE}\nDate: 2026-12-01 10:00 +00:00\nCategory: News\n"
        "Summary: Bring <b>your</b> needles \u0008and\u000c a friend & a <script>x()</script>.\n\n"
        "Text.\n"
    ),
    "rtl.md": f"Title: {RTL_TITLE}\nDate: 2026-12-02 10:00 +00:00\nCategory: News\n"
    "Summary: \u0634\u0639\u0631 (poetry) at the library.\n\nText.\n",
    "hours.md": "Title: Christmas opening hours\nDate: 2026-12-02 12:00 +00:00\nCategory: News\n"
    "Tags: opening hours\nSummary: We close from 24 December to 1 January.\n\nText.\n",
    "older.md": "Title: An older story\nDate: 2026-11-20 10:00 +00:00\nCategory: News\n"
    "Summary: From the week before.\n\nText.\n",
    "today.md": "Title: Published on the edition day\nDate: 2026-12-07 08:00 +00:00\n"
    "Category: News\nSummary: For the next edition.\n\nText.\n",
    "carols.md": (
        "Title: Carols by candlelight\nDate: 2026-11-01 10:00 +00:00\nCategory: Events\n"
        "Summary: Sing along.\nEvent-Start: 2026-12-09 18:00\nEvent-End: 2026-12-09 19:30\n"
        "Location: Riverside Central Library, Event Room\nPrice: £3\n"
        "Booking-URL: https://tickets.riverside.example/carols\nAudience: everyone\n\nCome.\n"
    ),
    "later.md": (
        "Title: A talk after the week\nDate: 2026-11-01 10:00 +00:00\nCategory: Events\n"
        "Summary: Later.\nEvent-Start: 2026-12-15 18:00\nEvent-End: 2026-12-15 19:00\n"
        "Location: Riverside Central Library\nAudience: everyone\n\nCome.\n"
    ),
}
INTRO = (
    "Subject: Carols & crafts at {sitename}\n\n"
    "Hello! This week is **festive**.\n\n"
    "- Read [an older story]({filename}/posts/older.md)\n"
    "- Mind the <script>stealCookies()</script>gap\n\n"
    '<a href="javascript:alert(1)">a bad link</a> and <img src="x.png" alt="x" onerror="y()">\n'
)


def write_week(folder: Path, posts=WEEK, intros=None) -> Path:
    content = write_site(folder, posts={})
    for name, text in posts.items():
        (content / "posts" / name).write_text(text, encoding="utf-8")
    for name, text in (intros or {}).items():
        (content / "newsletters").mkdir(exist_ok=True)
        (content / "newsletters" / name).write_text(text, encoding="utf-8")
    return content


def build_week(tmp: Path, content: Path, publish=True, **newsletter):
    extra = {"EVENTS_NOW": NOW, "READ_WORKERS": 1, "SEARCH_ENABLED": False}
    if newsletter:
        extra["NEWSLETTER"] = newsletter
    return build(tmp, content=content, publish=publish, cwd=tmp, extra=extra)


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("newsletter-week")
    intros = {f"{EDITION}.md": INTRO, "notes.md": "Hello.\n", "2026-12-08.md": "Hello.\n"}
    site = build_week(tmp, write_week(tmp, intros=intros))
    assert site.returncode == 0, site.log
    return site, parts(tmp)


def test_posts_and_events_of_the_week_with_absolute_links(week):
    site, doc = week
    news = "https://www.riverside-libraries.example/news/2026/"
    assert doc["empty"] is False
    assert len(doc["posts"]) == 3, doc["posts"]  # two news posts and the change to opening hours
    assert f"{news}christmas-opening-hours/" in doc["posts"]
    assert not any("older-story" in u or "edition-day" in u for u in doc["posts"])
    assert doc["events"] == [f"{news}carols-by-candlelight/"]
    text, html = doc["text"], doc["html"]
    for part in (text, html):
        assert "Wednesday 9 December" in part and "6pm to 7.30pm" in part
        assert "Riverside Central Library, Event Room" in part and "£3" in part
        assert "https://tickets.riverside.example/carols" in part
        assert "A talk after the week" not in part and "An older story" not in part
    # Changes to opening hours are under Opening hours, not News.
    assert text.index("Christmas opening hours") > text.index("OPENING HOURS")
    assert text.index("OPENING HOURS") > text.index("NEWS")


def test_intro_in_both_parts_with_its_subject_and_nothing_that_runs(week):
    site, doc = week
    assert doc["subject"] == "Carols & crafts at Riverside Libraries"
    text, html = doc["text"], doc["html"]
    assert "Hello! This week is festive." in text and "<strong>festive</strong>" in html
    older = "https://www.riverside-libraries.example/news/2026/an-older-story/"
    assert f"an older story ({older})" in " ".join(text.split())
    assert f'href="{older}"' in html
    for part in (text, html):
        assert "stealCookies" not in part and "javascript:" not in part
        assert "onerror" not in part and "<script" not in part
    assert "Mind the gap" in text and "a bad link" in text
    page = (site.output / "newsletters" / EDITION / "index.html").read_text(encoding="utf-8")
    assert "festive" in page and "javascript:" not in page and "stealCookies" not in page
    # Intro files that are not an edition's date are reported and left out.
    assert "notes.md: warning: This intro is not used: its name is not the date" in site.log
    assert "2026-12-08.md: warning: This intro is not used: Tuesday 2026-12-08" in site.log


def test_hostile_and_right_to_left_titles_are_cleaned_and_escaped(week):
    site, doc = week
    text, html = doc["text"], doc["html"]
    assert not re.search(r"<[a-zA-Z/!]", text)
    # One mark, where each reader's way to unsubscribe goes as their copy is made.
    assert text.count(TEXT_MARK) == 1 and html.count(HTML_MARK) == 1
    assert not any(ord(c) < 32 and c != "\n" for c in text.replace(TEXT_MARK, ""))
    for part in (text, html):
        assert "\u202e" not in part and "\u0007" not in part and "\u0008" not in part
        assert "<script" not in part.lower()
        assert RTL_TITLE in part
    assert "Knit alert(1) night evil" in text
    soup = BeautifulSoup(html, "html.parser")
    title = soup.find("a", string=re.compile("^Knit"))
    assert title.get_text() == "Knit alert(1) night evil"
    assert title.find_parent("h3")["dir"] == "auto"  # RTL titles take their own direction
    assert "Bring your needles and a friend & a x()." in " ".join(text.split())
    assert "friend &amp; a" in html


def test_archive_keeps_past_editions_with_news(week):
    site, doc = week
    listing = site.html("newsletters/index.html")
    dates = [a.get_text() for a in listing.select("main .post-list h2 a")]
    # 23 November holds "An older story" (20 November); 2 November the two events'
    # posts (1 November). The editions between had no news: they were not sent.
    assert dates == ["Monday 7 December 2026", "Monday 23 November 2026", "Monday 2 November 2026"]
    assert not (site.output / "newsletters" / "2026-11-30").exists()
    older = site.html("newsletters/2026-11-23/index.html")
    assert "An older story" in older.find("main").get_text()
    assert older.find("a", rel="next")["href"].endswith(f"newsletters/{EDITION}/")
    assert not (site.output / "newsletters" / "2026-10-26").exists()  # before the first post


def test_an_empty_week_sends_nothing_or_the_no_news_text(tmp_path):
    quiet = {"older.md": WEEK["older.md"]}  # nothing since 30 November, no events
    content = write_week(tmp_path / "one", posts=quiet)
    site = build_week(tmp_path / "one", content)
    assert site.returncode == 0, site.log
    doc = parts(tmp_path / "one")
    assert doc["empty"] is True and doc["html"] == "" and doc["text"] == ""
    assert doc["posts"] == [] and doc["events"] == []
    assert not (site.output / "newsletters" / EDITION).exists()
    content = write_week(tmp_path / "two", posts=quiet)
    site = build_week(tmp_path / "two", content, empty_text="No news this week: see you soon.")
    assert site.returncode == 0, site.log
    doc = parts(tmp_path / "two")
    assert doc["empty"] is True
    for part in (doc["text"], doc["html"]):
        assert "No news this week: see you soon." in part
        assert "OPENING HOURS" in part.upper()
    assert (site.output / "newsletters" / EDITION / "index.html").exists()


def test_settings_are_checked_with_what_to_fix(tmp_path):
    content = write_week(tmp_path, posts={"older.md": WEEK["older.md"]})
    site = build_week(
        tmp_path,
        content,
        publish=False,
        day="mondya",
        period="monthly",
        sections=["intro", "news"],
        archive=-1,
        colour="blue",
    )
    assert site.returncode == 0, site.log
    log = " ".join(site.log.split())
    said = [
        "pelicanconf.py: error: newsletter: NEWSLETTER['day'] must be a day of the week, "
        "not 'mondya'.",
        "NEWSLETTER['period'] must be 'weekly' or 'fortnightly', not 'monthly'.",
        "NEWSLETTER['sections'] names 'news', which is not a section. Fix: Use some of: intro, "
        "posts, events, brochure, hours.",
        "NEWSLETTER['archive'] must be a whole number from 0 to 520, not -1.",
        "NEWSLETTER['colour'] is not a newsletter setting.",
    ]
    for line in said:
        assert line in log, log
    # A local build writes the archive pages, never the email parts (no public address).
    assert (site.output / "newsletters" / "index.html").exists()
    assert not (tmp_path / ".announce" / "newsletter.json").exists()


def test_a_bad_setting_stops_a_publish_build(tmp_path):
    content = write_week(tmp_path, posts={"older.md": WEEK["older.md"]})
    site = build_week(tmp_path, content, period="fortnightly")  # no "first" date
    assert site.returncode != 0
    assert "NEWSLETTER['period'] is 'fortnightly', but no \"first\" date" in site.log


# -- pure parts, no build -------------------------------------------------------------------


def test_edition_days():
    monday, thursday = date(2026, 12, 7), date(2026, 12, 3)
    assert edition_day(thursday, 0, 7, None) == monday
    assert edition_day(monday, 0, 7, None) == monday  # on the day itself: today's
    assert edition_day(date(2026, 12, 8), 0, 7, None) == date(2026, 12, 14)
    first = date(2026, 11, 30)
    assert edition_day(thursday, 0, 14, first) == date(2026, 12, 14)
    assert edition_day(date(2026, 11, 1), 0, 14, first) == first
    assert past_days(monday, 7, 3, None) == [
        date(2026, 11, 30),
        date(2026, 11, 23),
        date(2026, 11, 16),
    ]
    assert past_days(monday, 7, 12, date(2026, 11, 20)) == [date(2026, 11, 30), date(2026, 11, 23)]


def test_settings_defaults_and_fortnightly():
    config, problems = read_settings({})
    assert not problems and config.weekday == 0 and config.period_days == 7
    assert config.sections == ("intro", "posts", "events", "brochure", "hours")
    config, problems = read_settings(
        {"NEWSLETTER": {"period": "fortnightly", "first": "2026-12-10"}}
    )
    assert not problems and config.weekday == 3 and config.period_days == 14
    _, problems = read_settings({"NEWSLETTER": {"day": "monday", "first": "2026-12-10"}})
    assert 'is a Thursday (2026-12-10), but "day" is monday' in str(problems[0])
    _, problems = read_settings({"NEWSLETTER": {"subject": "Hi {name}", "empty_text": 3}})
    assert [p.problem.split(" ", 2)[1] for p in problems] == [
        "NEWSLETTER['subject']",
        "NEWSLETTER['empty_text']",
    ]
    _, problems = read_settings({"NEWSLETTER": {"sectoins": []}})
    assert "Did you mean 'sections'?" in str(problems[0])
    _, problems = read_settings({"NEWSLETTER": ["monday"]})
    assert "NEWSLETTER must be a dict" in str(problems[0])


def test_intro_html_is_sanitised_and_written_as_text():
    html = (
        '<p>Hi <a href="/news/">our news</a> <a href="javascript:x()">bad</a></p>'
        '<script>x()</script><ul><li>One</li><li>Two <a href="mailto:a@b.example">'
        'a@b.example</a></li></ul><p onclick="x()">Bye<br>now</p>'
    )
    clean = sanitise(html, "https://lib.example/")
    assert '<a href="https://lib.example/news/">our news</a>' in clean
    assert "javascript" not in clean and "<script" not in clean and "onclick" not in clean
    assert to_text(clean) == (
        "Hi our news (https://lib.example/news/) bad\n\n- One\n- Two a@b.example\n\nBye\nnow"
    )


def test_inline_css_applies_rules_by_specificity_and_keeps_own_styles():
    html = '<!DOCTYPE html><html><body><p class="a" style="margin: 0">x</p><p>y</p></body></html>'
    out = inline_css(html, [(".a", "color: red"), ("p", "color: blue; font-size: 16px")])
    assert out.startswith("<!DOCTYPE html>")
    assert '<p class="a" style="font-size: 16px; color: red; margin: 0">x</p>' in out
    assert '<p style="color: blue; font-size: 16px">y</p>' in out


def test_a_brochures_downloads_are_the_files_the_brochures_plugin_made(tmp_path):
    """Its `feed_files`, as the feeds offer them: never a file left in output/ by an
    earlier build (this build's EPUB could not be made, say)."""
    from types import SimpleNamespace

    from newsletter.edition import Download
    from newsletter.generator import NewsletterGenerator

    folder = tmp_path / "brochures" / "winter"
    folder.mkdir(parents=True)
    (folder / "winter.epub").write_bytes(b"an old EPUB")
    brochure = SimpleNamespace(
        title="Winter", url="brochures/winter/", summary="<p>All winter.</p>",
        metadata={"season": "Winter"}, date=None, slug="winter",
        save_as=os.path.join("brochures", "winter", "index.html"),
        feed_files=(
            (os.path.join("brochures", "winter", "winter.pdf"), "application/pdf", 70_000,
             "Printable PDF (A5)"),
            (os.path.join("brochures", "winter", "winter-large-print.pdf"), "application/pdf",
             2_500_000, "Large print PDF (A4)"),
        ),
    )  # fmt: skip
    generator = SimpleNamespace(context={"brochures": [brochure]}, output_path=str(tmp_path))
    (found,) = NewsletterGenerator._brochures(generator)
    assert found.downloads == (
        Download("Printable PDF", "brochures/winter/winter.pdf", "68 KB"),
        Download("Large print PDF", "brochures/winter/winter-large-print.pdf", "2.4 MB"),
    )


def test_email_direction_follows_the_sites_language():
    assert Site("Riverside", "https://x.example", lang="en-gb").dir == "ltr"
    assert Site("Bibliotheque", "https://x.example", lang="ar-EG").dir == "rtl"


def test_email_palettes_keep_text_contrast():
    for palette in (LIGHT, DARK):
        assert contrast(palette.text, palette.background) >= 7
        assert contrast(palette.muted, palette.background) >= 4.5


def test_every_newsletter_setting_and_target_is_documented():
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for key in DEFAULTS:
        assert f'`NEWSLETTER["{key}"]`' in reference, key
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    for target in ("newsletter", "newsletter-preview"):
        assert target in phony and re.search(rf"^{target}:.*## \S", makefile, re.M), target
        assert f"`make {target}`" in reference
    assert (SAMPLE_CONTENT / "newsletters" / f"{EDITION}.md").exists()
