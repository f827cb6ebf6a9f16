"""The home page, the library's front door: its blocks come from real content, in the
order HOME_BLOCKS names them, and it stays light; the menu works without JavaScript."""

import functools
import http.server
import re
import runpy
import threading

import pytest
from conftest import SAMPLE_SETTINGS, QuietHandler, build
from tiny_site import settings, write_site

# tiny_site's moment: Wednesday 1 April 2026, 9am. The sample's hours: Monday to Friday
# 9am to 7pm, Saturday 9am to 5pm, Sunday closed.
EVENTS = {
    "next-week.md": ("Knit and natter next week", "2026-04-06 14:00", "2026-04-06 15:00"),
    "last-week.md": ("Knit and natter last week", "2026-03-25 14:00", "2026-03-25 15:00"),
    "next-month.md": ("Knit and natter next month", "2026-04-20 14:00", "2026-04-20 15:00"),
}


def write_events(content):
    for name, (title, start, end) in EVENTS.items():
        (content / "posts" / name).write_text(
            f"Title: {title}\nDate: 2026-03-01 10:00 +00:00\nCategory: Events\n"
            f"Summary: {title}, in short.\nEvent-Start: {start}\nEvent-End: {end}\n"
            "Location: Riverside Central Library\nAudience: adults\n\nBring your needles.\n",
            encoding="utf-8",
        )
    (content / "posts" / "pictured.md").write_text(
        "Title: A new reading corner\nDate: 2026-03-09 10:00 +00:00\nCategory: News\n"
        "Summary: Come and see it.\nImage: images/corner.jpg\nImage-Alt: A reading corner.\n\n"
        "It has beanbags.\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("home")
    content = write_site(tmp)
    write_events(content)
    site = build(tmp, content=content, extra=settings(tmp), cwd=tmp)
    assert site.returncode == 0, site.log
    return site


def test_blocks_come_from_real_content(home):
    soup = home.html("index.html")
    whats_on = soup.select_one("section.whats-on").get_text(" ", strip=True)
    assert "Knit and natter next week" in whats_on
    assert "Monday 6 April 2026" in whats_on
    assert "last week" not in whats_on  # over
    assert "next month" not in whats_on  # beyond the next 7 days
    assert "Story time" not in whats_on  # in June
    hours = soup.select_one("section.hours-today").get_text(" ", strip=True)
    assert "Wednesday 1 April" in hours
    assert "Open today 9am to 7pm" in hours
    # The search block is a plain form to the search page.
    form = soup.select_one("section.home-search form")
    assert form["method"] == "get" and form["action"].endswith("search/")
    field = form.select_one("input[name=q]")
    assert form.select_one(f"label[for={field['id']}]") and form.select_one("button[type=submit]")
    brochure = soup.select_one("section.home-brochure")
    assert "What's on this summer" in brochure.get_text()
    assert brochure.select_one("img")["src"].endswith(".webp")  # the cover, responsive
    news = soup.select_one("section.home-news")
    picture = news.select_one("img")  # the newest post's Image:
    assert picture["loading"] == "lazy" and picture["width"] and picture["height"]
    assert picture.get("srcset")
    titles = [a.get_text() for a in news.select("h3 a")]
    assert len(titles) == 4 and titles[0] == "A new reading corner"
    assert news.select_one("a.button")["href"].endswith("news/")
    # One name, one place: the menu's News and the News category both go to news/.
    menu = soup.select_one("header nav a")
    assert menu.get_text() == "News" and menu["href"].endswith("news/")
    for link in news.select(".meta a"):
        if link.get_text() == "News":
            assert link["href"].endswith("news/") and "category" not in link["href"]
    # Blocks in the default order.
    order = [s["class"][1] for s in soup.select(".home-grid > section")]
    assert order == ["whats-on", "hours-today", "home-search", "home-brochure", "home-news"]


def test_an_event_page_leads_with_the_event_date(home):
    soup = home.html("news/2026/knit-and-natter-next-week/index.html")
    lead = soup.select_one("h1").find_next_sibling("p")
    assert "event-lead" in lead["class"]
    assert lead.time["datetime"].startswith("2026-04-06T14:00")
    said = " ".join(lead.get_text().split())
    assert said == "Monday 6 April 2026, 2pm to 3pm · Riverside Central Library", said
    assert soup.select_one("header p.meta").get_text(" ", strip=True).startswith("Posted 1 March")


def test_home_page_weighs_at_most_30_kb(home):
    """HTML and CSS a reader fetches for the home page (pictures load lazily, later)."""
    html = (home.output / "index.html").read_bytes()
    css = (home.output / "theme" / "css" / "site.css").read_bytes()
    assert len(html) + len(css) <= 30 * 1024, (len(html), len(css))
    assert "<script" not in html.decode()


def test_block_order_setting_and_its_check(tmp_path):
    content = write_site(tmp_path)  # no events: no What's on block
    sunday = "2026-04-05T12:00:00+01:00"
    extra = settings(tmp_path, EVENTS_NOW=sunday, HOME_BLOCKS=["hours", "whats_on", "news", "nwes"],
                     HOME_NEWS="three")  # fmt: skip
    site = build(tmp_path, content=content, extra=extra, cwd=tmp_path)
    assert site.returncode == 0, site.log
    assert "pelicanconf.py: error: home: HOME_BLOCKS name 'nwes' is not known." in site.log
    assert "Fix: Use some of: whats_on, hours, search, brochure, news" in site.log
    said = "error: home: HOME_NEWS must be a whole number from 1 to 60, not 'three'."
    assert said in site.log and "Fix: Write, e.g., HOME_NEWS = 4" in site.log
    soup = site.html("index.html")
    order = [s["class"][1] for s in soup.select(".home-grid > section")]
    assert order == ["hours-today", "home-news"]
    assert "Closed today" in soup.select_one("section.hours-today").get_text()


def test_unreadable_days_are_an_error(tmp_path):
    content = write_site(tmp_path)
    library = {"branch_hours": {"Northfield Library": [("Mondays-ish", "9am to 1pm")],
                                "Nowhere Library": [("Daily", "9am to 1pm")]}}  # fmt: skip
    sample = runpy.run_path(str(SAMPLE_SETTINGS))["LIBRARY"]
    extra = settings(tmp_path, LIBRARY={**sample, **library}, HOME_BLOCKS=["hours"])
    site = build(tmp_path, content=content, extra=extra, cwd=tmp_path)
    said = r"error: home: LIBRARY hours of Northfield Library: cannot tell which days "
    assert re.search(said + r"'Mondays-ish' means\. Fix: Name days in full", site.log), site.log
    said = "error: home: LIBRARY['branch_hours'] names 'Nowhere Library', not one of"
    assert said in site.log and "Fix: Use a branch's name as written there: Riverside" in site.log


def test_each_branchs_hours_today_and_on_the_visit_page(tmp_path):
    content = write_site(tmp_path)
    (content / "pages" / "visit-us.md").write_text(
        "Title: Visit us\nTemplate: visit\n\nStep-free at every branch.\n", encoding="utf-8"
    )
    sample = runpy.run_path(str(SAMPLE_SETTINGS))["LIBRARY"]
    hours = {"Riverside Central Library": [("Daily", "9am to 7pm")],
             "Northfield Library": [("Monday, Wednesday and Friday", "10am to 5pm"),
                                    ("Tue, Thu, Sat, Sun", "Closed")]}  # fmt: skip
    extra = settings(tmp_path, LIBRARY={**sample, "branch_hours": hours}, HOME_BLOCKS=["hours"])
    site = build(tmp_path, content=content, extra=extra, cwd=tmp_path)
    assert site.returncode == 0, site.log
    today = site.html("index.html").select_one("section.hours-today").get_text(" ", strip=True)
    # Wednesday 1 April 2026 (tiny_site's moment)
    assert "Riverside Central Library : Open today 9am to 7pm" in today
    assert "Northfield Library : Open today 10am to 5pm" in today
    visit = site.html("visit-us/index.html")
    [northfield] = [h for h in visit.find_all("h2") if h.get_text() == "Northfield Library"]
    address = northfield.find_next("address").get_text(" ", strip=True)
    assert address == " ".join(sample["branches"]["Northfield Library"].values())
    rows = [tr.get_text(" ", strip=True) for tr in northfield.find_next("table").find_all("tr")]
    assert rows == ["Monday, Wednesday and Friday 10am to 5pm",
                    "Tue, Thu, Sat, Sun Closed"]  # fmt: skip
    assert [h.get_text() for h in visit.find_all("h2")].count("Riverside Central Library") == 1


@pytest.mark.parametrize(("days", "expected"), [
    ("Monday to Friday", {0, 1, 2, 3, 4}), ("Saturday", {5}), ("Sundays", {6}),
    ("Mon-Wed, Fri", {0, 1, 2, 4}), ("Saturday and Sunday", {5, 6}), ("Daily", set(range(7))),
    ("Friday to Monday", {4, 5, 6, 0}), ("Bank holidays", None),
])  # fmt: skip
def test_days_are_read(days, expected):
    from home import days_of  # noqa: PLC0415 - plugins/ is on the path in builds only

    assert days_of(days) == expected


@pytest.fixture(scope="module")
def served(home, browser):
    """The tiny site over HTTP, and the session's browser (conftest)."""
    handler = functools.partial(QuietHandler, directory=str(home.output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", browser
    finally:
        server.shutdown()
        server.server_close()


def test_menu_is_a_disclosure_without_javascript(served):
    url, browser = served
    size = {"width": 375, "height": 800}
    page = browser.new_context(java_script_enabled=False, viewport=size).new_page()
    page.goto(url)
    link = page.get_by_role("link", name="Archives")
    assert not link.is_visible()
    summary = page.locator("summary", has_text="Menu")
    assert summary.is_visible()
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] < 130, header  # one compact row, not three
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the library's name
    page.keyboard.press("Tab")  # the menu button
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert link.is_visible()
    assert page.locator("details.menu").get_attribute("open") is not None
    page.keyboard.press("Enter")
    assert not link.is_visible()
    page.context.close()
    size = {"width": 1280, "height": 800}
    page = browser.new_context(java_script_enabled=False, viewport=size).new_page()
    page.goto(url)
    assert page.get_by_role("link", name="Archives").is_visible()
    assert not page.locator("summary").is_visible()
    # The footer's hours: "9am to 7pm" is never broken across lines.
    hours = page.locator(".site-footer .hours dd").first
    assert hours.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    page.context.close()


def test_a_query_in_the_address_runs_the_search(served):
    url, browser = served
    page = browser.new_page()
    page.goto(url + "search/?q=eBooks")
    assert page.locator("#search-q").input_value() == "eBooks"
    page.wait_for_selector(".pagefind-ui__result", timeout=20000)
    assert "Borrow eBooks" in page.locator(".pagefind-ui__results").inner_text()
    assert not page.locator(".pagefind-ui__search-input").is_visible()  # one field only
    page.fill("#search-q", "story")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_function("location.search === '?q=story'")
    page.close()
    # Without JavaScript the form still submits to the same address.
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(url)
    page.fill("#home-q", "story")
    page.get_by_role("button", name="Search", exact=True).click()
    assert page.url.endswith("/search/?q=story")
    page.context.close()
