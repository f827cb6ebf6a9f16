"""Feeds as subscribers' readers see them: parsed with feedparser and read by newsboat."""

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import feedparser
import pytest
from conftest import SAMPLE_CONTENT, SITEURL, build
from lxml import etree

FEED_FILES = ("*.atom.xml", "*.rss.xml")


def feeds_in(site):
    return sorted(p for pattern in FEED_FILES for p in (site.output / "feeds").rglob(pattern))


def parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def published_count(site):
    # Posts are at news/<year>/<slug>/; news/ and news/page/2/ are the News list.
    return len([p for p in site.pages() if re.match(r"news/\d{4}/", p)])


def test_every_feed_is_valid_with_absolute_urls_and_aware_dates(publish_site):
    feeds = feeds_in(publish_site)
    assert len(feeds) >= 2 + 2 * 5  # all (Atom, RSS) and each category (Atom, RSS)
    for path in feeds:
        parsed = parse(path)
        assert parsed.entries, f"{path} is empty"
        assert parsed.feed.link.startswith(SITEURL + "/")
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [SITEURL + "/" + path.relative_to(publish_site.output).as_posix()]
        for entry in parsed.entries:
            assert entry.link.startswith((SITEURL + "/news/", SITEURL + "/brochures/")), entry.link
            raw_date = entry.get("published") or entry.get("updated")
            assert raw_date[-6:] in ("+00:00", "+01:00") or raw_date.endswith(("+0000", "+0100"))
            html = entry.content[0].value if "content" in entry else entry.summary
            for attr in ("src=", "href="):
                for chunk in html.split(attr)[1:]:
                    url = chunk[1:].split(chunk[0], 1)[0]
                    assert url.startswith((SITEURL, "mailto:", "tel:", "https://")), (path, url)
            for enclosure in entry.get("enclosures", []):  # a picture, or a brochure's file
                kind = "/brochures/" if enclosure.type.startswith("application/") else "/images/"
                assert enclosure.href.startswith(SITEURL + kind)
                assert int(enclosure.length) > 0 and enclosure.type in (
                    "image/jpeg",
                    "application/pdf",
                    "application/epub+zip",
                )


def test_all_feeds_hold_every_post_newest_first(publish_site):
    for name in ("all.atom.xml", "all.rss.xml"):
        parsed = parse(publish_site.output / "feeds" / name)
        assert len(parsed.entries) == min(20, published_count(publish_site))
        dates = [e.published_parsed for e in parsed.entries]
        assert dates == sorted(dates, reverse=True)


def test_feed_updated_is_the_newest_entry(publish_site):
    parsed = parse(publish_site.output / "feeds" / "all.atom.xml")
    assert parsed.feed.updated_parsed == max(e.updated_parsed for e in parsed.entries)


def test_post_image_is_an_enclosure_not_a_second_link(publish_site):
    parsed = parse(publish_site.output / "feeds" / "all.atom.xml")
    entry = next(e for e in parsed.entries if "World Book Night" in e.title)
    alternates = [link for link in entry.links if link.rel == "alternate"]
    assert [link.href for link in alternates] == [entry.link]
    [enclosure] = entry.enclosures
    assert enclosure.href == SITEURL + "/images/reading-group.jpg"
    assert int(enclosure.length) == (SAMPLE_CONTENT / "images/reading-group.jpg").stat().st_size
    media = entry.media_content[0]
    assert media["url"] == enclosure.href and media["medium"] == "image"
    raw = (publish_site.output / "feeds" / "all.atom.xml").read_text()
    assert '<media:description type="plain">Books and mugs of tea' in raw
    assert 'type="CDATA"' not in raw


def test_rss_channel_link_is_the_site_not_the_feed(publish_site):
    root = etree.parse(str(publish_site.output / "feeds" / "all.rss.xml")).getroot()
    assert root.findtext("channel/link") == SITEURL + "/"


def test_json_feed_matches_the_atom_feed(publish_site):
    document = json.loads((publish_site.output / "feeds" / "all.json").read_text())
    atom = parse(publish_site.output / "feeds" / "all.atom.xml")
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == SITEURL + "/feeds/all.json"
    assert [i["id"] for i in document["items"]] == [e.id for e in atom.entries]
    item = next(i for i in document["items"] if i["title"].startswith("World Book Night"))
    assert item["image"].startswith(SITEURL) and item["attachments"][0]["size_in_bytes"] > 0
    assert item["date_published"].endswith("+00:00")


def test_autodiscovery_on_every_page(publish_site):
    for page in publish_site.pages():
        links = publish_site.html(page).find_all("link", rel="alternate")
        types = {link["type"] for link in links}
        assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= types
        for link in links:
            target = link["href"].removeprefix(SITEURL + "/")
            assert (publish_site.output / target).exists(), f"{page}: {link['href']}"


def test_subscribe_page_lists_feeds_and_social_accounts(publish_site):
    soup = publish_site.html("subscribe/index.html")
    hrefs = [a["href"] for a in soup.select("main a")]
    assert SITEURL + "/feeds/all.rss.xml" in hrefs
    assert SITEURL + "/feeds/category/events.rss.xml" in hrefs
    assert any("mastodon" in h for h in hrefs)
    assert "feed reader" in soup.main.get_text()


XHTML = "{http://www.w3.org/1999/xhtml}"


def stylesheet_pis(path: Path):
    """The feed's xml-stylesheet processing instructions, as (type, href) pairs."""
    tree = etree.parse(str(path))
    found, node = [], tree.getroot().getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            found.append((node.get("type"), node.get("href")))
        node = node.getprevious()
    return found


def notice_links(path: Path) -> dict:
    links = etree.parse(str(path)).getroot().iter(f"{XHTML}a")
    return {a.text: a.get("href") for a in links}


def test_feeds_in_a_browser_use_css_not_xslt(publish_site):
    """Browsers are dropping XSLT: a feed names only a CSS stylesheet, from SITEURL."""
    assert not list(publish_site.output.rglob("*.xsl"))
    css = (publish_site.output / "feeds" / "feed.css").read_text()
    assert "@namespace atom url(http://www.w3.org/2005/Atom);" in css
    assert "{{" not in css and "{%" not in css
    for path in feeds_in(publish_site):
        assert stylesheet_pis(path) == [("text/css", f"{SITEURL}/feeds/feed.css")], path
        assert "xsl" not in path.read_text().split("\n", 2)[1].lower()
        assert notice_links(path) == {
            "How to subscribe": f"{SITEURL}/subscribe/",
            "Visit the Riverside Libraries website": f"{SITEURL}/",
        }, path


def test_local_feeds_point_to_the_stylesheet_relatively(dev_site):
    """A local build has no SITEURL: the stylesheet and the notice's links are relative
    to the feed, so the feed reads the same on any host and port."""
    output = dev_site.output
    for path in feeds_in(dev_site):
        [(kind, href)] = stylesheet_pis(path)
        assert kind == "text/css" and "://" not in href and not href.startswith("/")
        assert (path.parent / href).resolve() == (output / "feeds" / "feed.css").resolve()
        links = notice_links(path)
        assert (path.parent / links["How to subscribe"] / "index.html").resolve() == (
            output / "subscribe" / "index.html"
        ).resolve()
        assert (path.parent / links["Visit the Riverside Libraries website"]).resolve() == (
            output.resolve()
        )


def test_no_local_address_in_a_publish_build(publish_site):
    for path in publish_site.output.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"127.0.0.1" not in data and b"localhost" not in data, path


def test_feed_stylesheet_must_be_css(tmp_path):
    site = build(tmp_path, extra={"FEEDS": {"stylesheet": "feeds/feed.xsl", "colour": "red"}})
    assert site.returncode == 0, site.log
    assert site.log.count("FEEDS['stylesheet'] = 'feeds/feed.xsl' is not a .css file") == 1
    assert site.log.count("unknown FEEDS key 'colour'") == 1
    assert not (site.output / "feeds" / "feed.xsl").exists()
    assert stylesheet_pis(site.output / "feeds" / "all.atom.xml") == [("text/css", "feed.css")]


def test_pelican_built_in_feeds_stay_off(tmp_path):
    extra = {"FEED_ALL_RSS": "feeds/pelican.rss.xml", "AUTHOR_FEED_ATOM": "feeds/{slug}.author.xml"}
    site = build(tmp_path, extra=extra)
    assert site.returncode == 0, site.log
    assert not (site.output / "feeds" / "pelican.rss.xml").exists()
    assert not list(site.output.rglob("*.author.xml"))
    assert (site.output / "feeds" / "all.rss.xml").exists()


def test_feed_max_items(tmp_path):
    site = build(tmp_path, extra={"FEED_MAX_ITEMS": 3}, publish=True)
    assert site.returncode == 0, site.log
    for path in feeds_in(site):
        assert 1 <= len(parse(path).entries) <= 3
    assert len(json.loads((site.output / "feeds" / "all.json").read_text())["items"]) == 3


def copy_content(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    return content


def ids_by_file(site):
    return {e.id: e for e in parse(site.output / "feeds" / "all.atom.xml").entries}


def test_entry_ids_survive_editing_title_slug_category_and_body(tmp_path):
    content = copy_content(tmp_path)
    before = build(tmp_path / "before", content=content, publish=True)
    assert before.returncode == 0, before.log
    post = content / "posts" / "2026-03-28-world-book-night.md"
    text = post.read_text()
    text = text.replace(
        "Title: World Book Night: an evening of readings", "Title: World Book Night 2026"
    )
    text = text.replace("Category: Events", "Category: News\nSlug: wbn-2026")
    text = text.replace("from 7pm to 9pm", "from 6.30pm to 9pm")
    post.write_text(text)
    after = build(tmp_path / "after", content=content, publish=True)
    assert after.returncode == 0, after.log
    old, new = ids_by_file(before), ids_by_file(after)
    assert set(old) == set(new)
    [edited] = [i for i in new if new[i].title == "World Book Night 2026"]
    assert old[edited].title == "World Book Night: an evening of readings"
    assert new[edited].link.endswith("/news/2026/wbn-2026/")
    assert edited.startswith("tag:www.riverside-libraries.example,2026-03-28:")


def test_feed_id_metadata_pins_the_id(tmp_path):
    content = copy_content(tmp_path)
    post = content / "posts" / "2026-03-28-world-book-night.md"
    post.rename(content / "posts" / "renamed.md")
    text = (content / "posts" / "renamed.md").read_text()
    pinned = "tag:www.riverside-libraries.example,2026-03-28:2026-03-28-world-book-night"
    (content / "posts" / "renamed.md").write_text(
        text.replace("Title:", f"Feed-ID: {pinned}\nTitle:", 1)
    )
    site = build(tmp_path, content=content, publish=True)
    assert site.returncode == 0, site.log
    assert pinned in ids_by_file(site)


def test_unchanged_content_gives_byte_identical_feeds(tmp_path):
    first = build(tmp_path / "one", publish=True)
    second = build(tmp_path / "two", publish=True)
    assert first.returncode == second.returncode == 0
    names = sorted(p.relative_to(first.output) for p in (first.output / "feeds").rglob("*.*"))
    assert names
    for name in names:
        assert (first.output / name).read_bytes() == (second.output / name).read_bytes(), name


HOSTILE = (
    "Title: Fish & chips <b>night</b> \u0007\u000b\u001f \U0001f4da\U0001f41f "
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 " + "very long title " * 30 + "\n"
    "Date: 2026-05-01 10:00 +01:00\n"
    "Category: News & Views\n"
    "Tags: R&D, <script>, \U0001f389\n"
    "Summary: Bits & <pieces> \u0008pasted\u000c from Word \U0001f600 \u202eRTL\u202c\n"
    "\n"
    "Text with a control character: \u0001 and an ampersand & a < sign.\n\n"
    '[Relative link](../../../visit-us/) and <img src="/images/logo.svg" alt="Logo" '
    'srcset="/images/logo.svg 1x, ../images/logo.svg 2x">\n\n'
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd (right to left) \U0001f44b\n"
)


def test_hostile_post_gives_valid_feeds(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/logo.svg", content / "images")
    (content / "posts" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    site = build(tmp_path, content=content, cwd=tmp_path, publish=True)
    assert site.returncode == 0, site.log
    feeds = feeds_in(site)
    assert len(feeds) >= 4
    for path in feeds:
        [entry] = parse(path).entries
        assert entry.title.startswith("Fish & chips <b>night</b>")
        assert "\U0001f4da" in entry.title and "\u05e9\u05dc\u05d5\u05dd" in entry.title
        assert not any(ord(c) < 32 for c in entry.title)
        html = entry.content[0].value if "content" in entry else ""
        if html:
            assert 'href="' + SITEURL + '/visit-us/"' in html
            assert 'src="' + SITEURL + '/images/logo.svg"' in html
        if path.name.endswith(".atom.xml"):  # feedparser's sanitizer drops srcset: read it raw
            srcset = f"{SITEURL}/images/logo.svg 1x, {SITEURL}/news/2026/images/logo.svg 2x"
            assert srcset in path.read_text()
    document = json.loads((site.output / "feeds" / "all.json").read_text())
    assert document["items"][0]["title"] == parse(feeds[0]).entries[0].title
    page = next(p for p in site.pages() if p.startswith("news/"))
    assert "<b>night</b>" not in (site.output / page).read_text(), "title must be escaped in HTML"


def test_drafts_hidden_and_future_posts_never_appear(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for name, extra in [
        ("visible", ""),
        ("draft", "Status: draft\n"),
        ("hidden", "Status: hidden\n"),
    ]:
        (content / "posts" / f"{name}.md").write_text(
            f"Title: Post {name}\nDate: 2026-01-01 10:00 +00:00\nCategory: News\n{extra}\nText.\n"
        )
    (content / "posts" / "future.md").write_text(
        "Title: Post future\nDate: 2099-01-01 10:00 +00:00\nCategory: News\n\nText.\n"
    )
    site = build(tmp_path, content=content, cwd=tmp_path, publish=True)
    assert site.returncode == 0, site.log
    for path in feeds_in(site):
        assert [e.title for e in parse(path).entries] == ["Post visible"]


def newsboat_items(feed_url, tmp_path):
    """Run the real newsboat against `feed_url`; return its (title, url, guid) rows."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (tmp_path / "urls").write_text(feed_url + "\n")
    (tmp_path / "config").write_text("")
    cache, log = tmp_path / "cache.db", tmp_path / "nb.log"
    proc = subprocess.run(
        ["newsboat", "-u", str(tmp_path / "urls"), "-c", str(cache), "-C", str(tmp_path / "config"),
         "-l", "3", "-d", str(log), "-x", "reload", "print-unread"],
        env={"LANG": "C.UTF-8", "HOME": str(home), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    errors = [line for line in log.read_text().splitlines() if "ERROR" in line]
    assert not errors, errors
    assert "unread articles" in proc.stdout, proc.stdout + proc.stderr
    with sqlite3.connect(cache) as db:
        rows = db.execute(
            "select title, url, guid from rss_item where feedurl = ? order by pubDate desc",
            (feed_url,),
        ).fetchall()
    return rows, proc.stdout


@pytest.mark.parametrize("name", ["all.atom.xml", "all.rss.xml", "category/events.rss.xml"])
def test_newsboat_reads_the_feeds(served_site, name, tmp_path):
    if not shutil.which("newsboat"):
        pytest.fail("newsboat is not installed: run `apt-get install newsboat`")
    url = f"{served_site}/feeds/{name}"
    rows, out = newsboat_items(url, tmp_path)
    parsed = feedparser.parse(url)
    assert parsed.bozo == 0
    expected = [(e.title, e.link, e.id) for e in parsed.entries]
    assert len(rows) == len(expected) > 0
    assert sorted(rows) == sorted(expected)
    assert f"{len(expected)} unread articles" in out
    for _title, link, _guid in rows:
        assert link.startswith(served_site + "/news/")
