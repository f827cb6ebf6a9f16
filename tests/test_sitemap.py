"""sitemap.xml (plugins/sitemaps): every page search engines may index, at its absolute
address, dated by its content (never the time of the build), the same every build."""

import re
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, SITEURL, build
from tiny_site import settings, write_site

sys.path.insert(0, str(ROOT / "plugins"))
from sitemaps.entries import address, noindex, render  # noqa: E402

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap(output) -> dict[str, str | None]:
    """{address relative to the site: lastmod or None}."""
    root = ET.parse(output / "sitemap.xml").getroot()
    return {
        url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
        for url in root.findall("s:url", NS)
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sitemap")
    content = write_site(tmp)
    sites = [build(tmp / f"publish-{n}", content=content, publish=True, extra=settings(tmp),
                   cwd=tmp) for n in (1, 2)]  # fmt: skip
    for site in sites:
        assert site.returncode == 0, site.log
    return sites


def test_every_indexable_page_is_listed_at_its_absolute_address(published):
    site = published[0]
    listed = sitemap(site.output)
    assert all(loc.startswith(f"{SITEURL}/") for loc in listed), listed
    pages = {address(p) for p in site.pages() if not p.startswith("pagefind/")}
    shown = {loc.removeprefix(f"{SITEURL}/") for loc in listed}
    # Every HTML page but the two that ask not to be indexed: nothing else (robots.txt,
    # feeds, calendars, PDFs), nothing that is not in the output.
    assert pages - shown == {"404.html", "search/"}, pages - shown
    assert shown <= pages, shown - pages
    for page in ("404.html", "search/index.html"):
        assert '<meta name="robots" content="noindex">' in (site.output / page).read_text()
    for kind in ("tag/children/", "author/tom-okafor/", "category/events/", "news/page/2/",
                 "tag/", "brochures/whats-on-this-summer/", "events/"):  # fmt: skip
        assert kind in shown, kind


def test_dates_are_the_contents_own(published):
    listed = {loc.removeprefix(f"{SITEURL}/"): d for loc, d in sitemap(published[0].output).items()}
    # A post: its Modified: if it has one, else its Date:.
    assert listed["news/2026/borrow-ebooks/"] == "2026-03-09T12:00:00+00:00"
    assert listed["news/2026/story-time/"] == "2026-03-02T10:00:00+00:00"
    # A page without a date has none: a made-up one would mislead.
    assert listed["about-us/"] is None
    # A list: the newest of what it lists (every page of it, as an addition moves them).
    assert listed["tag/children/"] == "2026-03-06T10:00:00+00:00"
    assert listed["author/priya-shah/page/2/"] == "2026-03-06T10:00:00+00:00"
    assert listed["events/"] == "2026-03-06T10:00:00+00:00"
    # Anything else: the newest date in the sitemap.
    assert listed["archives/"] == listed[""] == "2026-03-09T12:00:00+00:00"


def test_two_builds_give_the_same_sitemap(published):
    first, second = (s.output / "sitemap.xml" for s in published)
    assert first.read_bytes() == second.read_bytes()


def test_sitemap_settings_are_checked(tmp_path):
    content = write_site(tmp_path)
    extra = settings(tmp_path, SITEMAP={"exclude": ["^tag/", "(unclosed"], "format": "xml",
                                        "exlcude": []})  # fmt: skip
    site = build(tmp_path, content=content, extra=extra, cwd=tmp_path)
    assert site.returncode == 0, site.log
    listed = sitemap(site.output)
    assert listed and not [loc for loc in listed if "/tag/" in loc]
    log = site.log
    assert "pelicanconf.py: warning: sitemaps: SITEMAP key 'format' is not used" in log, log
    assert "pelicanconf.py: error: sitemaps: SITEMAP key 'exlcude' is not known." in log
    assert "Fix: Use one of: exclude." in log
    assert re.search(r"error: .*'\(unclosed' is not a regular expression.*Fix: Correct it", log)


@pytest.mark.parametrize(
    ("head", "hidden"),
    [
        ('<meta name="robots" content="noindex">', True),
        ("<meta content='noindex, follow' name='robots'>", True),
        ('<META NAME="robots" CONTENT="none">', True),
        ('<meta name="robots" content="index, follow">', False),
        ('<meta name="description" content="noindex is a word">', False),
        ('</head><body><meta name="robots" content="noindex">', False),
    ],
)
def test_noindex_is_read_from_the_page_head(head, hidden):
    assert noindex(f"<html><head><title>x</title>{head}") is hidden


def test_addresses_are_escaped():
    text = render({"https://x.example/a&b/": None, "https://x.example/": "2026-01-01T00:00:00Z"})
    root = ET.fromstring(text)
    assert [u.find("s:loc", NS).text for u in root] == [
        "https://x.example/",
        "https://x.example/a&b/",
    ]
