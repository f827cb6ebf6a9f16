"""What a build keeps for the next one (plugins/incremental): the pages as last rendered,
so a build into an empty output folder (a fresh clone with `.cache/` restored, every
publish build) writes unchanged pages without rendering them; and a record of the last
build, so a build with nothing to do stops at once and says the same things again."""

import os
import shutil
import sqlite3
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from conftest import build
from test_build_identity import assert_same_site
from tiny_site import Post, write_site
from tiny_site import settings as tiny_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))
from incremental import unchanged  # noqa: E402

MARK = "<!-- from the page cache -->"
PAGE = "news/2026/borrow-ebooks/index.html"
NOTHING = "Done: nothing changed since the last build"


def mark_cached_pages(cache: Path) -> int:
    """Add MARK to every page the page cache holds: a page written from it shows it."""
    db = sqlite3.connect(cache / "incremental" / "rendered.sqlite")
    rows = db.execute("SELECT name, html FROM pages").fetchall()
    for name, html in rows:
        text = zlib.decompress(html).decode().replace("</body>", MARK + "</body>")
        db.execute("UPDATE pages SET html = ? WHERE name = ?", (zlib.compress(text.encode()), name))
    db.commit()
    db.close()
    return len(rows)


def fresh_clone(content: Path, output: Path):
    """An empty output folder and every source file's time new, the cache kept."""
    shutil.rmtree(output)
    for path in content.rglob("*"):
        if path.is_file():
            os.utime(path)


def test_an_empty_output_is_filled_from_the_page_cache_byte_for_byte(tmp_path):
    content = write_site(tmp_path)
    extra = tiny_settings(tmp_path)
    live, clean = tmp_path / "live", tmp_path / "clean"
    first = build(live, content=content, extra=extra)
    assert first.returncode == 0, first.log
    # A fresh clone with the cache restored: the same site, byte for byte.
    fresh_clone(content, first.output)
    again = build(live, content=content, extra=extra)
    assert again.returncode == 0, again.log
    reference = build(clean, content=content, extra=extra)
    assert_same_site(again.output, reference.output)
    # ...and its pages came from the cache, not the templates: every page but the ones
    # an edit changed (the edited post, and the lists and neighbours showing its title).
    assert mark_cached_pages(live / "cache") > 20
    post = content / "posts" / "ebooks.md"
    post.write_text(post.read_text().replace("Borrow eBooks", "Borrow eBooks and eAudiobooks"))
    fresh_clone(content, again.output)
    edited = build(live, content=content, extra=extra)
    assert edited.returncode == 0, edited.log
    pages = {p.relative_to(edited.output).as_posix(): p.read_text() for p in
             edited.output.rglob("*.html")}  # fmt: skip
    assert MARK in pages["about-us/index.html"]
    assert MARK in pages["news/2026/story-time/index.html"]
    changed = pages["news/2026/borrow-ebooks-and-eaudiobooks/index.html"]
    assert MARK not in changed and "Borrow eBooks and eAudiobooks" in changed
    assert MARK not in pages["index.html"]  # it lists the new title
    # Without the marks, the same as a clean build.
    shutil.rmtree(live / "cache" / "incremental")
    fresh_clone(content, edited.output)
    assert build(live, content=content, extra=extra).returncode == 0
    assert_same_site(live / "output", build(tmp_path / "clean-2", content=content,
                                            extra=extra).output)  # fmt: skip


def test_a_publish_build_empties_the_output_and_reuses_the_pages(tmp_path):
    content = write_site(tmp_path)
    extra = {**tiny_settings(tmp_path), "SEARCH_ENABLED": False}
    first = build(tmp_path / "live", content=content, extra=extra, publish=True)
    assert first.returncode == 0, first.log
    (first.output / "stray.html").write_text("left by hand")
    mark_cached_pages(tmp_path / "live" / "cache")
    second = build(tmp_path / "live", content=content, extra=extra, publish=True)
    assert second.returncode == 0, second.log
    assert not (second.output / "stray.html").exists()  # emptied first, as Pelican does
    assert MARK in (second.output / PAGE).read_text()
    assert NOTHING not in second.log  # a publish build never stops early


def test_a_build_with_nothing_to_do_stops_and_says_the_same_again(tmp_path):
    content = write_site(tmp_path)
    # A category one letter from another: the checks warn it is probably a typo.
    (content / "posts" / "odd.md").write_text(Post("Odd", 9, category="Event").text())
    extra = tiny_settings(tmp_path)
    live = tmp_path / "live"
    first = build(live, content=content, extra=extra)
    assert first.returncode == 0, first.log
    assert NOTHING not in first.log
    warning = next(line for line in first.log.splitlines() if "odd.md" in line)
    before = {p: p.stat().st_mtime_ns for p in first.output.rglob("*")}
    second = build(live, content=content, extra=extra)
    assert NOTHING in second.log, second.log
    assert warning in second.log  # staff see the same warnings every time
    assert {p: p.stat().st_mtime_ns for p in second.output.rglob("*")} == before
    # Any edit, even one that only touches a file, builds.
    os.utime(content / "pages" / "about.md")
    assert NOTHING not in build(live, content=content, extra=extra).log
    assert NOTHING in build(live, content=content, extra=extra).log
    # So does a file changed or removed in the output by hand, or another setting.
    (live / "output" / PAGE).write_text("oops")
    third = build(live, content=content, extra=extra)
    assert NOTHING not in third.log and "Borrow eBooks" in (third.output / PAGE).read_text()
    (third.output / PAGE).unlink()
    assert NOTHING not in build(live, content=content, extra=extra).log
    assert (third.output / PAGE).exists()
    assert NOTHING not in build(live, content=content, extra={**extra, "SITENAME": "X"}).log
    # A build that failed leaves nothing to stop the next one.
    record = unchanged.record_path({"CACHE_PATH": str(live / "cache")})
    assert os.path.exists(record)
    broken = build(live, content=content, extra={**extra, "THEME": str(tmp_path / "missing")})
    assert broken.returncode != 0
    assert NOTHING not in build(live, content=content, extra=extra).log


def test_the_record_is_good_until_a_scheduled_post_falls_due_or_midnight():
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    pelican = SimpleNamespace(settings={"TIMEZONE": "Europe/London"})
    due = now + timedelta(hours=2)
    drafts = [SimpleNamespace(date=due), SimpleNamespace(date=now - timedelta(days=3))]
    generators = [SimpleNamespace(drafts=drafts)]
    assert unchanged.until(pelican, generators, now) == due
    midnight = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # London is on UTC in December
    assert unchanged.until(pelican, [SimpleNamespace(drafts=[])], now) == midnight
    record = {"inputs": "a", "output": "b", "until": due.isoformat()}
    assert unchanged.nothing_to_do(record, "a", "b", now)
    assert not unchanged.nothing_to_do(record, "a", "b", due)
    assert not unchanged.nothing_to_do(record, "a", "c", now)
    assert not unchanged.nothing_to_do(record, "x", "b", now)
    assert not unchanged.nothing_to_do(None, "a", "b", now)
    assert not unchanged.nothing_to_do({**record, "until": "garbage"}, "a", "b", now)


def test_events_say_when_their_pages_change():
    from zoneinfo import ZoneInfo

    from events.generator import EventsGenerator, Occurrence
    from events.model import Event

    tz = ZoneInfo("Europe/London")
    now = datetime(2026, 12, 2, 15, 0, tzinfo=tz)
    place = {"location": "Northfield Library", "branch": "Northfield Library", "tz": tz}
    talk = Event(start=datetime(2026, 12, 2, 18, 0, tzinfo=tz),
                 end=datetime(2026, 12, 2, 19, 0, tzinfo=tz), **place)  # fmt: skip
    weekly = Event(start=datetime(2026, 1, 9, 10, 0, tzinfo=tz),
                   end=datetime(2026, 1, 9, 11, 0, tzinfo=tz), rule="FREQ=WEEKLY;BYDAY=FR",
                   **place)  # fmt: skip
    generator = EventsGenerator.__new__(EventsGenerator)
    generator.settings = {}
    generator.now, generator.horizon = now, now + timedelta(days=92)
    generator.pairs = [(None, talk)]
    generator.upcoming = [Occurrence(None, talk, talk.start, talk.end)]
    assert generator.next_change() == talk.end  # it leaves What's on when it ends
    generator.pairs = [(None, weekly)]
    generator.upcoming = []
    found = generator.next_change()
    # The next Friday beyond the horizon joins the list 92 days before it starts.
    assert found is not None and now < found <= now + timedelta(days=7)
    assert (found + timedelta(days=92)).weekday() == 4
    generator.settings = {"EVENTS_NOW": "2026-12-02T15:00:00+00:00"}
    assert generator.next_change() is None  # the pages are as of that moment, always


SAME_PROCESS = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
from pelican import Pelican
from pelican.settings import read_settings
import incremental
settings = read_settings(sys.argv[2], override=json.loads(sys.argv[3]))
pelican = Pelican(settings)
counts = []
for touched in (None, sys.argv[4]):
    if touched:
        os.utime(touched)  # a save with nothing changed: a build, not an early stop
    pelican.run()
    writer = incremental._build["writer"]
    counts.append([writer.rendered, writer.skipped])
print(json.dumps(counts))
"""


def test_every_build_of_one_process_signs_the_same_settings(tmp_path):
    """`make serve` builds again in the same process: its first rebuild once rendered
    every page, as Pelican and image-process had filled in settings during the first."""
    import json
    import subprocess

    from conftest import ROOT, SAMPLE_SETTINGS

    content = write_site(tmp_path)
    extra = {**tiny_settings(tmp_path), "PATH": str(content), "CACHE_PATH": str(tmp_path / "c"),
             "OUTPUT_PATH": str(tmp_path / "out"), "SEARCH_ENABLED": False}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", SAME_PROCESS, str(ROOT / "plugins"), str(SAMPLE_SETTINGS),
         json.dumps(extra), str(content / "posts" / "ebooks.md")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (first_rendered, _), (rendered, kept) = json.loads(done.stdout.strip().splitlines()[-1])
    assert first_rendered > 20
    assert rendered == 0 and kept == first_rendered


def test_a_damaged_or_busy_page_cache_costs_time_never_the_build(tmp_path):
    from incremental.rendered import RenderedPages

    path = tmp_path / "rendered.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    pages = RenderedPages(str(path))  # damaged: started again
    assert pages.get("index.html", "k") is None
    pages.put("index.html", "k", "<p>café</p>")
    pages.save(["index.html"])
    again = RenderedPages(str(path))
    assert again.get("index.html", "k") == "<p>café</p>"
    assert again.get("index.html", "other signature") is None
    again.close()
    # Another build holds the file for writing: this one renders and keeps nothing.
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    busy = RenderedPages(str(path))
    assert busy.db is not None  # reading is allowed
    busy.db.execute("PRAGMA busy_timeout = 50")  # not a minute, in a test
    busy.put("about.html", "k", "<p>About</p>")  # gives up, without raising
    busy.save(["about.html"])
    holder.execute("ROLLBACK")
    holder.close()
    later = RenderedPages(str(path))
    assert later.get("index.html", "k") == "<p>café</p>"
    assert later.get("about.html", "k") is None
    later.close()


def test_the_manifest_reads_back_with_each_list_of_names_held_once_and_damage_renders_all(
    tmp_path,
):
    from incremental.store import PageStore

    path, output = tmp_path / "pages.json", tmp_path / "output"
    output.mkdir()
    store = PageStore(str(path), "site key", str(output))
    assert store.old == {}  # no manifest yet: every page is rendered
    names = ["SITENAME", "article", "pages"]
    for page in ("a.html", "b.html"):
        (output / page).write_text(page)
        store.record(page, str(output / page), "article.html", list(names), f"key of {page}")
    store.save()
    again = PageStore(str(path), "site key", str(output))
    assert set(again.old) == {"a.html", "b.html"}
    a, b = again.old["a.html"], again.old["b.html"]
    assert list(a["names"]) == names and a["key"] == "key of a.html"
    assert a["names"] is b["names"]  # one list for the pages that look up the same names
    assert again.unchanged_file(str(output / "a.html"), a)
    # Another site's manifest, or one damaged by hand or cut short: every page rendered.
    assert PageStore(str(path), "another site", str(output)).old == {}
    text = path.read_text()
    for damaged in (text[: len(text) // 2], text.replace('"SITENAME"', "12", 1),
                    text.replace('"template": "article.html"', '"template": null', 1)):  # fmt: skip
        path.write_text(damaged)
        assert PageStore(str(path), "site key", str(output)).old == {}, damaged


def test_the_copies_pelican_keeps_of_the_posts_texts_are_let_go_while_posts_are_written():
    """Pelican memoizes each post's text and summary by the page address it is shown
    with; the kit lets those copies go every few posts (memory.py), and once all the
    posts' pages are written. Made again on demand, the same."""
    from incremental import memory
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    settings = {**DEFAULT_CONFIG, "SUMMARY_MAX_LENGTH": 5}
    posts = [
        Article(
            f"<p>Post {i} [link]({{filename}}nowhere.md) and more words.</p>",
            metadata={"title": f"Post {i}", "date": datetime(2026, 3, 1, tzinfo=UTC)},
            settings=settings,
            context={"generated_content": {}},
        )  # fmt: skip
        for i in range(memory.EVERY)
    ]
    memory._written[0] = 0
    made = [(post.get_content("../.."), post.get_summary("..")) for post in posts]
    caches = list(memory._memoized())
    assert len(caches) == 2 and all(len(cache) >= memory.EVERY for cache in caches)
    for post in posts[:-1]:
        memory.post_written(post)
        assert all(caches), "let go too soon"
    memory.post_written(posts[-1])
    assert not any(caches)
    assert [(post.get_content("../.."), post.get_summary("..")) for post in posts] == made
    memory.let_go()
    assert not any(caches)
