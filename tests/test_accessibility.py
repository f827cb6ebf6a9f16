"""Accessibility and privacy in a real browser: axe-core in Debian's headless Chromium."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PAGES = {
    "index": "/",
    "news": "/news/",
    "article": "/news/2026/februarys-reading-group-pick-the-remains-of-the-day/",
    "page": "/visit-us/",
    "category": "/category/digital-help/",
    "archives": "/archives/",
    "tag": "/tag/children/",
    "subscribe": "/subscribe/",
    "events": "/events/",
    "events-audience": "/events/audience/families/",
    "events-past": "/events/past/",
    "event": "/news/2026/author-talk-meera-joshi-on-the-river-remembers/",
    "brochure": "/brochures/whats-on-winter-2026-to-2027/",
    "brochures": "/brochures/",
    "search": "/search/",
    "404": "/no-such-page/",
}


def open_page(browser, url, **context_options):
    """A fresh page; every request it makes is recorded."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url)
    page.wait_for_load_state("load")
    return context, page, response, requests


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_violations(browser, served_site, name, scheme):
    context, page, response, requests = open_page(
        browser, served_site + PAGES[name], color_scheme=scheme
    )
    try:
        assert response.status == (404 if name == "404" else 200)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = results.response["violations"]
        assert results.response["passes"], "axe ran no checks"
        assert not violations, results.generate_report()
        hosts = {urlsplit(u).netloc for u in requests if not u.startswith("data:")}
        assert hosts == {urlsplit(served_site).netloc}, f"requests to other hosts: {hosts}"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations_on_any_other_page(browser, served_build, scheme):
    """Every page the build writes, not only one of each kind above: each tag, category,
    author, branch and audience page, every post, page and brochure."""
    url, site = served_build
    named = {path.strip("/") + "/index.html" for path in PAGES.values()} | {"/index.html"}
    pages = [p for p in site.pages() if "/" + p not in named and p not in named]
    assert len(pages) > 40, pages
    context = browser.new_context(color_scheme=scheme)
    found = {}
    try:
        for path in pages:
            page = context.new_page()
            response = page.goto(f"{url}/{path.removesuffix('index.html')}")
            assert response.status == 200, path
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            if results.response["violations"]:
                found[path] = results.generate_report()
            page.close()
    finally:
        context.close()
    assert not found, "\n".join(f"{path}:\n{report}" for path, report in found.items())


@pytest.mark.parametrize("name", ["index", "article", "page"])
def test_reflows_at_320_css_pixels(browser, served_site, name):
    context, page, _, _ = open_page(
        browser, served_site + PAGES[name], viewport={"width": 320, "height": 640}
    )
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px wide"
    finally:
        context.close()


def test_skip_link_is_first_and_visible_on_focus(browser, served_site):
    context, page, _, _ = open_page(browser, served_site + PAGES["article"])
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip-link"
        box = page.locator("a.skip-link").bounding_box()
        assert box["y"] >= 0, "skip link stays off screen when focused"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()


def test_focus_is_visible(browser, served_site):
    context, page, _, _ = open_page(browser, served_site + PAGES["news"])
    try:
        link = page.locator(".post-list h2 a").first
        link.focus()
        style = link.evaluate(
            "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
        )
        assert style.startswith("solid") and not style.endswith(" 0px")
    finally:
        context.close()


def test_works_without_javascript(browser, served_site):
    context, page, _, _ = open_page(browser, served_site + PAGES["news"], java_script_enabled=False)
    try:
        page.locator(".post-list h2 a").first.click()
        page.wait_for_load_state("load")
        assert page.locator("h1").count() == 1
        assert "/news/" in page.url
    finally:
        context.close()
