"""Site search with Pagefind, in a real browser."""

import json
import os
import runpy
import sys

import pytest
from conftest import ROOT, SAMPLE_SETTINGS, serve_publish_build
from test_accessibility import PAGES, open_page

sys.path.insert(0, str(ROOT / "plugins"))
from search.parts import plan, plan_shards  # noqa: E402


@pytest.fixture(scope="module")
def served_in_parts(tmp_path_factory):
    """The publish build with an index in parts of at most 5 pages, served."""
    tmp = tmp_path_factory.mktemp("parts")
    with serve_publish_build(tmp, extra={"SEARCH_SHARD_PAGES": 5}) as (url, site):
        yield url, site.output


def search(browser, served_site, query, expect=None):
    context, page, _, requests = open_page(browser, served_site + PAGES["search"])
    page.fill("#search-q", query)  # the page's own labelled field and its button
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_selector(".pagefind-ui__message", timeout=10_000)
    page.wait_for_function(
        "!document.querySelector('.pagefind-ui__message').textContent.includes('Searching')"
    )
    if expect:  # results fill in as Pagefind loads each one
        page.wait_for_selector(f".pagefind-ui__result-link:has-text({expect!r})", timeout=10_000)
    results = [
        a.text_content().strip() for a in page.query_selector_all(".pagefind-ui__result-link")
    ]
    message = page.text_content(".pagefind-ui__message")
    context.close()
    return results, message, requests


def test_search_finds_posts_events_and_brochures(browser, served_site):
    results, _, requests = search(browser, served_site, "rhyme time", "Rhyme Time returns")
    assert "Rhyme Time every Friday at Northfield" in results
    assert "Rhyme Time returns to Northfield Library" in results
    hosts = {r.split("/")[2] for r in requests}
    assert hosts == {served_site.split("/")[2]}  # Pagefind's files come from the site itself
    results, _, _ = search(browser, served_site, "joining", "Welcome to your library")
    assert "Welcome to your library" in results


def test_navigation_and_footers_are_not_indexed(browser, served_site):
    # Words that are only in the menu ("Subscribe") and the skip link, on every page.
    for word in ("subscribe", "skip"):
        results, message, _ = search(browser, served_site, word)
        assert results == [], (word, results)


def test_search_page_without_javascript_says_what_to_do(dev_site):
    soup = dev_site.html("search/index.html")
    text = soup.find("noscript").get_text(" ")
    assert "Search needs JavaScript" in text and "archives" in text


def test_a_large_index_is_made_in_parts_and_searched_as_one(browser, served_in_parts):
    url, output = served_in_parts
    parts = json.loads((output / "pagefind" / "parts.json").read_text())
    assert len(parts) >= 3 and all((output / "pagefind" / p / "pagefind-entry.json").exists()
                                   for p in parts)  # fmt: skip
    # The same answers as one index: posts from different years' parts, a brochure.
    results, _, _ = search(browser, url, "rhyme time", "Rhyme Time returns")
    assert "Rhyme Time every Friday at Northfield" in results
    assert "Rhyme Time returns to Northfield Library" in results
    results, _, _ = search(browser, url, "joining", "Welcome to your library")
    assert "Welcome to your library" in results


def test_parts_keep_folders_whole_and_in_order():
    counts = {"brochures": 2, "news/2019": 4, "news/2020": 3, "news/2021": 9, "visit-us": 1}
    assert plan_shards(counts, 5) == [
        ["brochures"],
        ["news/2019"],
        ["news/2020"],
        ["news/2021"],  # bigger than a part on its own: a part of its own
        ["visit-us"],
    ]
    assert plan_shards({"news": 16, "events/*": 1}, 1000) == [["news", "events/*"]]


def test_parts_are_planned_from_the_built_pages(tmp_path):
    pages = ["news/index.html", "news/2019/a/index.html", "news/2019/b/index.html",
             "news/2020/c/index.html", "news/2020/d/index.html", "news/2020/e/index.html",
             "visit-us/index.html", "tag/books/index.html", "pagefind/x.html"]  # fmt: skip
    for page in pages:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("<p>page</p>")
    # Where the kit writes pages (news/2026/..., tag/...): listings are not indexed.
    settings = {**runpy.run_path(str(SAMPLE_SETTINGS)), "SEARCH_SHARD_PAGES": 3}
    found = [(p.subdir, p.globs, p.pages) for p in plan(settings, str(tmp_path))]
    assert found == [
        # news has more pages than a part: split by year, packed in order
        ("pagefind", ["news/*.html", "news/2019/**/*.html"],
         ["news/2019/a/index.html", "news/2019/b/index.html", "news/index.html"]),
        ("pagefind/part-1", ["news/2020/**/*.html"],
         ["news/2020/c/index.html", "news/2020/d/index.html", "news/2020/e/index.html"]),
        ("pagefind/part-2", ["visit-us/**/*.html"], ["visit-us/index.html"]),
    ]  # fmt: skip
    # A part's key changes when one of its pages is written again, and only its key.
    keys = [p.key(str(tmp_path), "pagefind 1") for p in plan(settings, str(tmp_path))]
    (tmp_path / "news/2020/d/index.html").write_text("<p>edited</p>")
    again = [p.key(str(tmp_path), "pagefind 1") for p in plan(settings, str(tmp_path))]
    assert [a != b for a, b in zip(keys, again, strict=True)] == [False, True, False]


def test_a_kept_index_is_keyed_by_the_pages_bytes_never_the_output_folder(tmp_path, monkeypatch):
    from search import index_cache
    from search.parts import Part

    def site(name, text):
        root = tmp_path / name
        for page in ("news/a/index.html", "news/b/index.html"):
            (root / page).parent.mkdir(parents=True, exist_ok=True)
            (root / page).write_text(text)
        return str(root)

    part = Part(1, ["news/**/*.html"], ["news/a/index.html", "news/b/index.html"])
    salt = index_cache.tool_salt("1.5.2", cwd=str(tmp_path))
    one, two = site("one", "<p>same</p>"), site("two", "<p>same</p>")
    key = index_cache.content_key(part, one, salt)
    assert index_cache.content_key(part, two, salt) == key  # another output folder
    assert index_cache.content_key(part, site("three", "<p>else</p>"), salt) != key
    assert index_cache.content_key(part, one, index_cache.tool_salt("1.6.0")) != key
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: [nav]")
    assert index_cache.tool_salt("1.5.2", cwd=str(tmp_path)) != salt
    plain = index_cache.tool_salt("1.5.2", cwd="/")
    monkeypatch.setenv("PAGEFIND_KEEP_INDEX_URL", "true")
    assert index_cache.tool_salt("1.5.2", cwd="/") != plain
    # Kept from one output, copied into another; the first part's folder keeps only
    # its own files (the other parts and their list are theirs).
    cache = str(tmp_path / "cache")
    index = tmp_path / "one" / "pagefind"
    (index / "part-1").mkdir(parents=True)
    (index / "part-1" / "pagefind-entry.json").write_text("{}")
    (index / "parts.json").write_text("[]")
    (index / "pagefind-entry.json").write_text('{"v": 1}')
    (index / "index").mkdir()
    (index / "index" / "en.pf_index").write_bytes(b"\x00index")
    assert not index_cache.restore(cache, key, two, "pagefind")
    index_cache.store(cache, key, one, "pagefind")
    assert index_cache.restore(cache, key, two, "pagefind")
    copied = sorted(p.relative_to(tmp_path / "two").as_posix()
                    for p in (tmp_path / "two").rglob("*") if p.is_file())  # fmt: skip
    assert copied == ["news/a/index.html", "news/b/index.html", "pagefind/index/en.pf_index",
                      "pagefind/pagefind-entry.json"]  # fmt: skip
    # Each part keeps its few newest indexes.
    for n in range(index_cache.KEEP + 2):
        index_cache.store(cache, f"key{n}", one, "pagefind")
    kept = os.listdir(os.path.join(cache, index_cache.FOLDER, "pagefind"))
    assert len(kept) == index_cache.KEEP and f"key{index_cache.KEEP + 1}" in kept
