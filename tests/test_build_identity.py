"""Parallel and cached (incremental) builds give exactly the site a clean serial build gives."""

import filecmp
import shutil
from pathlib import Path

from conftest import ROOT, SAMPLE_CONTENT, build

# Not compared: the sitemap (pelican-sitemap dates undated pages with the build time)
# and brochure PDFs (WeasyPrint stamps the creation time; they are cached by content
# hash, tested in test_brochures). Pagefind's index is compared: it is deterministic.
SKIP = ("sitemap.xml", ".pdf")
# Search in parts of a few pages, so that an edit leaves most parts as they were.
PARTS = {"SEARCH_SHARD_PAGES": 6}
PARTS_LIST = "pagefind/parts.json"  # written every build


def files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(s in p.relative_to(folder).as_posix() for s in SKIP)
    }


def assert_same_site(a: Path, b: Path):
    assert files(a) == files(b), files(a) ^ files(b)
    _, mismatch, errors = filecmp.cmpfiles(a, b, sorted(files(a)), shallow=False)
    assert not mismatch and not errors, mismatch[:10] + errors[:10]


def written(folder: Path) -> dict[str, int]:
    """Every file in the folder and when it was last written."""
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


def search_part(path: str) -> str:
    """pagefind/part-2/index/x.pf_index -> part-2; the first part's files: part-0."""
    folder = path.split("/")[1]
    return folder if folder.startswith("part-") else "part-0"


def serial(tmp: Path, content: Path, name: str):
    extra = {"READ_WORKERS": 1, "THEME": str(tmp / "theme"), **PARTS}
    site = build(tmp / name, content=content, extra=extra)
    assert site.returncode == 0, site.log
    return site.output


def test_parallel_and_incremental_builds_match_clean_serial_builds(tmp_path):
    content, theme = tmp_path / "content", tmp_path / "theme"
    shutil.copytree(SAMPLE_CONTENT, content)
    shutil.copytree(ROOT / "theme", theme)
    parallel = {"READ_WORKERS": 2, "READ_PARALLEL_MIN": 1, "THEME": str(theme), **PARTS}
    live = tmp_path / "live"  # one output folder and cache, built again and again

    def incremental():
        site = build(live, content=content, extra=parallel)
        assert site.returncode == 0, site.log
        return site.output

    assert_same_site(incremental(), serial(tmp_path, content, "clean-1"))
    before = written(live / "output")
    # An edit: the content cache serves every other post, and their pages are not
    # rendered or written again.
    post = content / "posts" / "2026-03-28-world-book-night.md"
    post.write_text(post.read_text().replace("free books to take home", "free books for all"))
    edited = "news/2026/world-book-night-an-evening-of-readings/index.html"
    assert "free books for all" in (incremental() / edited).read_text()
    after = written(live / "output")
    assert after[edited] != before[edited]
    untouched = {p for p in before if p.endswith(".html") and after.get(p) == before[p]}
    assert "news/2026/large-print-and-audiobooks/index.html" in untouched
    assert "category/digital-help/index.html" in untouched
    assert len(untouched) > 40, sorted(set(before) - untouched)
    # Search: the parts whose pages were not written again are not indexed again (the
    # edit re-rendered the post, the past events and Subscribe pages: three parts).
    index = {p: t for p, t in before.items() if p.startswith("pagefind/") and p != PARTS_LIST}
    parts = {search_part(p) for p in index}
    again = {search_part(p) for p, t in index.items() if after.get(p) != t}
    assert again and len(parts - again) >= 2, (again, parts)
    assert_same_site(live / "output", serial(tmp_path, content, "clean-2"))
    # A deletion: the post's page, its tag pages and feed entries go; so does a
    # picture taken down with its post, and every resized copy of it.
    (content / "posts" / "2026-04-15-eastgate-refurbishment.md").unlink()
    (content / "posts" / "2026-06-01-summer-reading-challenge.md").unlink()
    (content / "images" / "summer-reading.jpg").unlink()
    assert any("summer-reading" in p for p in written(live / "output"))
    out = incremental()
    assert not (out / "news/2026/eastgate-library-closes-for-refurbishment").exists()
    assert not [p for p in written(out) if "summer-reading" in p]
    assert_same_site(out, serial(tmp_path, content, "clean-3"))
    # A template change: every page shows it, cached posts included.
    footer = theme / "templates" / "partials" / "footer.html"
    footer.write_text(
        footer.read_text().replace(
            '<h2 id="footer-visit">Visit</h2>', '<h2 id="footer-visit">Find us</h2>'
        )
    )
    out = incremental()
    assert (
        "Find us"
        in (out / "news/2026/world-book-night-an-evening-of-readings/index.html").read_text()
    )
    assert_same_site(out, serial(tmp_path, content, "clean-4"))
    # A photo replaced under the same name: its resized copies are made again.
    old_sizes = {p: t for p, t in written(out).items() if "derivatives" in p and "story-time" in p}
    assert old_sizes
    shutil.copy(content / "images" / "digital-help.jpg", content / "images" / "story-time.jpg")
    out = incremental()
    assert all(written(out)[p] != t for p, t in old_sizes.items())
    assert_same_site(out, serial(tmp_path, content, "clean-photo"))
    # A page changed or removed by hand in the output is written again.
    (out / "news/2026/large-print-and-audiobooks/index.html").write_text("oops")
    (out / "contact/index.html").unlink()
    out = incremental()
    assert_same_site(out, serial(tmp_path, content, "clean-5"))
