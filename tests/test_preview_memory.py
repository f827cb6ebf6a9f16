"""`make serve` keeps the site in memory: a save that changes only a post's text writes
again just the pages that show it (plugins/preview/hot.py), and the output is byte for
byte what a clean build of the same content gives. Anything else the preview builds in
full, with the same guarantee. Run on a copy of the sample site with the kit's plugins;
each step waits for the preview's "Done:" (generous limits only: nothing is timed).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_SETTINGS, SITEURL, build
from test_build_identity import PARTS, SAMPLE_NOW, assert_same_site, sample_content, serial
from tiny_site import Post, write_site
from tiny_site import settings as tiny_settings

sys.path.insert(0, str(ROOT / "plugins"))
from preview.hot import AFTER  # noqa: E402

LIMIT = 300  # seconds for one build: only so that a broken preview cannot hang the suite
IN_MEMORY = "(the site held in memory)"


class Serve:
    def __init__(self, tmp: Path, content: Path, extra: dict, cwd: Path = ROOT):
        self.log = tmp / "serve.log"
        self.output = tmp / "live" / "output"
        overrides = {"CACHE_PATH": str(tmp / "live" / "cache"), **extra}
        cmd = [sys.executable, "-m", "preview", str(content), "-o", str(self.output),
               "-s", str(SAMPLE_SETTINGS), "--log-handler", "plain",
               "-e", *(f"{key}={json.dumps(v)}" for key, v in overrides.items())]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SITEURL": SITEURL,
               "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}  # fmt: skip
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                            env=env)  # fmt: skip
        self.seen = self.afters = 0
        self.done()

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def dones(self) -> list[str]:
        return [line for line in self.text().splitlines() if line.startswith("Done:")]

    def done(self, after=True) -> str:
        """Waits for the next "Done:" and (`after`) the work that follows it (search,
        sitemap, manifest)."""
        deadline = time.monotonic() + LIMIT
        while len(self.dones()) <= self.seen:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the preview stopped or never finished a build:\n{self.text()}")
            time.sleep(0.2 if after else 0.01)
        self.seen = len(self.dones())
        line = self.dones()[-1]
        if not after:
            return line
        # After an edit in memory, the search index, the sitemap and the manifest are
        # brought up to date once no save comes for a moment: the preview says so.
        while IN_MEMORY in line and self.text().count(AFTER) <= self.afters:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the preview never finished after an edit:\n{self.text()}")
            time.sleep(0.2)
        self.afters = self.text().count(AFTER)
        # After a full build's "Done:" the search index and the manifest are brought up
        # to date; the preview then waits for changes, its CPU time still.
        still = 0
        last = None
        while still < 5:
            now = _cpu(self.process.pid)
            still = still + 1 if now == last else 0
            last = now
            time.sleep(0.2)
        return line

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _cpu(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def save(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_the_preview_writes_only_what_a_text_edit_changed_and_matches_a_clean_build(tmp_path):
    content, theme = sample_content(tmp_path), tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    extra = {"THEME": str(theme), **PARTS, **SAMPLE_NOW}
    serve = Serve(tmp_path, content, extra)
    try:
        post = content / "posts" / "2026-03-28-world-book-night.md"
        page = serve.output / "news/2026/world-book-night-an-evening-of-readings/index.html"
        other = serve.output / "news/2026/large-print-and-audiobooks/index.html"
        other_time = other.stat().st_mtime_ns
        # A line of text: the site in memory, only the pages that show the post.
        save(post, "free books to take home", "free books for everyone")
        line = serve.done()
        assert IN_MEMORY in line, line
        assert "free books for everyone" in page.read_text()
        assert other.stat().st_mtime_ns == other_time
        assert_same_site(serve.output, serial(tmp_path, content, "clean-text"))
        # Twice in a row (the second edit works on what the first left in memory).
        save(post, "free books for everyone", "free books for all")
        assert IN_MEMORY in serve.done()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-text-2"))
        # A page lost from the output (deleted by hand): the next save builds the whole
        # site, as a build would, so the preview never serves a site with a hole in it.
        other.unlink()
        save(post, "free books for all", "free books for all ages")
        line = serve.done()
        assert IN_MEMORY not in line, line
        assert other.exists()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-lost"))
        # A new title, so a new address: the lists, feeds, card, calendar file and
        # sitemap follow; the old page and its files are gone, as from a clean build.
        save(post, "Title: World Book Night", "Title: World Book Night at the library")
        line = serve.done()
        assert IN_MEMORY in line, line
        assert not page.exists()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-title"))
        # An event's text, a page's text (in every page's menu), a post with a link to
        # another post: the same site as a clean build, whichever way it was made.
        event = content / "posts" / "2026-11-20-author-talk-meera-joshi.md"
        save(event, "\n\n", "\n\nBring a friend.\n\n")
        serve.done()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-event"))
        contact = next(p for p in (content / "pages").glob("*.md") if "contact" in p.name)
        contact.write_text(contact.read_text() + "\nAsk at any desk.\n")
        assert IN_MEMORY in serve.done()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-page"))
        # A post that fails its checks now: the preview says so as a build would.
        post.write_text(post.read_text() + "\n![The choir](images/choir.jpg)\n")
        line = serve.done()
        assert IN_MEMORY in line, line
        said = serve.text().split("re-generating...")[-1]
        assert "posts/2026-03-28-world-book-night.md:" in said and "choir.jpg" in said, said
        assert_same_site(serve.output, serial(tmp_path, content, "clean-broken"))
        # A new post (in memory), then the same post deleted (a full build).
        new = content / "posts" / "2026-11-30-new.md"
        new.write_text(post.read_text().replace("World Book Night at the library", "Brand new"))
        assert IN_MEMORY in serve.done()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-new"))
        new.unlink()
        serve.done()
        assert_same_site(serve.output, serial(tmp_path, content, "clean-deleted"))
    finally:
        serve.stop()


def test_text_edits_in_memory_on_every_page_of_the_lists_match_clean_builds(tmp_path):
    """Two posts a page: an edit to the newest, a middle and the oldest post reaches the
    right page of each list (and its neighbours), and no other."""
    posts = {
        f"post-{i:02d}.md": Post(f"Post number {i}", i + 1, (f"topic {i % 3}",), body=f"News {i}.")
        for i in range(11)
    }
    posts["post-03.md"] = replace(posts["post-03.md"], body="See [this]({filename}post-04.md).")
    # Two posts of one date: Pelican lists them in the order of their addresses.
    posts["tie-a.md"] = Post("Apple tie", 20, ("topic 1",))
    posts["tie-b.md"] = Post("Banana tie", 20, ("topic 1",))
    content = write_site(tmp_path, posts)
    extra = tiny_settings(tmp_path)
    serve = Serve(tmp_path, content, extra)

    def same_as_clean(step: str):
        clean = build(tmp_path / f"clean-{step}", content=content, extra=extra)
        assert clean.returncode == 0, clean.log
        assert_same_site(serve.output, clean.output)

    def edit(name: str, in_memory: bool, **changes):
        post = posts[name] = replace(posts[name], **changes)
        # The summary too: the lists show it.
        (content / "posts" / name).write_text(post.text().replace("in short.", "told again."))
        line = serve.done()
        assert (IN_MEMORY in line) == in_memory, line
        same_as_clean(name)

    try:
        for i in (10, 5, 0):
            edit(f"post-{i:02d}.md", True, body=f"News {i}, told again.")
        # A new title moves the post (its lists stay in date order) ...
        edit("post-06.md", True, title="Post number six")
        # ... unless another post links to it by its file name, or its new address is
        # another post's (the checks say which): the whole site is built ...
        edit("post-04.md", False, title="Post number four")
        edit("post-07.md", False, title="Post number 8")
        # ... or it would come after a post of the same date it came before.
        edit("tie-a.md", False, title="Zebra tie")
        # A second save just after the first's "Done:": it is shown first, and the
        # search index and the sitemap follow once, after both.
        afters = serve.text().count(AFTER)
        for text, after in (("First of two quick saves.", False), ("The second.", True)):
            posts["post-02.md"] = replace(posts["post-02.md"], body=text)
            (content / "posts" / "post-02.md").write_text(posts["post-02.md"].text())
            assert IN_MEMORY in serve.done(after=after)
        assert serve.text().count(AFTER) == afters + 1, serve.text()
        same_as_clean("two-quick-saves")
        # A page's new title: in every page's menu.
        (content / "pages" / "about.md").write_text("Title: About the library\n\nWho we are.\n")
        assert IN_MEMORY in serve.done()
        same_as_clean("about")

        def add(name: str, in_memory: bool, post: Post):
            posts[name] = post
            (content / "posts" / name).write_text(post.text())
            line = serve.done()
            assert (IN_MEMORY in line) == in_memory, line
            same_as_clean(name)

        # New posts: the newest (every page of its lists moves on by one, and the
        # lists gain a page), one in the middle, the oldest, an event; in memory.
        add("newest.md", True, Post("The newest post", 28, ("topic 1",)))
        add("middle.md", True, Post("A post in the middle", 6, ("topic 0", "topic 2")))
        add("oldest.md", True, Post("The oldest post", 1, ("topic 2",)))
        add("event.md", True, Post("A new event", 15, ("topic 0",), event_day=12))
        # A new post, and a save just after its "Done:", before the other pages of its
        # lists are written: both shown, and then the site is a clean build's.
        posts["quick.md"] = Post("A quick new post", 22, ("topic 1",))
        (content / "posts" / "quick.md").write_text(posts["quick.md"].text())
        assert IN_MEMORY in serve.done(after=False)
        posts["post-02.md"] = replace(posts["post-02.md"], body="Saved just after.")
        (content / "posts" / "post-02.md").write_text(posts["post-02.md"].text())
        assert IN_MEMORY in serve.done()
        same_as_clean("quick")
        # A post saved before it could be read (no title yet), then finished.
        (content / "posts" / "unfinished.md").write_text("Date: 2026-03-23 10:00 +00:00\n\nSo")
        assert IN_MEMORY not in serve.done()
        add("unfinished.md", True, Post("Finished at last", 23, ("topic 2",)))
        # A new tag, category or author, another post linking to it by its file name (written
        # before it existed), a post at another's address, a draft: the whole site.
        add("new-tag.md", False, Post("A post with a new tag", 12, ("topic 9",)))
        add("new-category.md", False, Post("A new category", 13, category="Notices"))
        add("new-author.md", False, Post("A new author", 13, ("topic 1",), author="Tom Okafor"))
        posts["post-05.md"] = replace(posts["post-05.md"], body="See [it]({filename}linked.md).")
        (content / "posts" / "post-05.md").write_text(posts["post-05.md"].text())
        serve.done()
        add("linked.md", False, Post("Linked before it was written", 14, ("topic 1",)))
        add("taken.md", False, Post("Post number 1", 16, ("topic 1",)))
        add("draft.md", False, Post("A draft", 17, ("topic 1",), status="draft"))
    finally:
        serve.stop()


def test_replies_shown_under_posts_stay_through_an_edit_and_a_new_post_in_memory(tmp_path):
    """LISTEN_SHOW_REPLIES: the preview sets a post's replies again when it reads it
    again or adds it, as the build does (plugins/listen, `for_one_post`)."""
    posts = {f"post-{i:02d}.md": Post(f"Post number {i}", i + 1, ("topic 1",)) for i in range(4)}
    content = write_site(tmp_path, posts)
    state = tmp_path / ".announce"
    state.mkdir()
    reply = {"id": "1", "author": "Ann", "text": "Is it on in half term?", "url": "",
             "created": "2026-03-02T10:00:00+00:00", "depth": 0, "by_library": False}  # fmt: skip
    thread = {"network": "mastodon", "url": "https://example.social/@library/1"}
    replies = {f"/{slug}/": {"mastodon": {**thread, "replies": [reply]}}
               for slug in ("news/2026/post-number-2", "news/2026/the-newest-post")}  # fmt: skip
    (state / "replies.json").write_text(json.dumps({"version": 1, "posts": replies}))
    extra = tiny_settings(tmp_path, LISTEN_SHOW_REPLIES=True, ANNOUNCE_STATE_DIR=str(state))
    serve = Serve(tmp_path, content, extra, cwd=tmp_path)

    def page(output: Path, slug: str) -> str:
        return (output / slug / "index.html").read_text()

    def same_as_clean(step: str):
        clean = build(tmp_path / f"clean-{step}", content=content, extra=extra, cwd=tmp_path)
        assert clean.returncode == 0, clean.log
        assert "half term" in page(clean.output, "news/2026/post-number-2")
        assert_same_site(serve.output, clean.output)

    try:
        assert "half term" in page(serve.output, "news/2026/post-number-2")
        posts["post-02.md"] = replace(posts["post-02.md"], body="Told again.")
        (content / "posts" / "post-02.md").write_text(posts["post-02.md"].text())
        assert IN_MEMORY in serve.done()
        same_as_clean("edit")
        new = Post("The newest post", 28, ("topic 1",))
        (content / "posts" / "newest.md").write_text(new.text())
        assert IN_MEMORY in serve.done()
        assert "half term" in page(serve.output, "news/2026/the-newest-post")
        same_as_clean("new")
    finally:
        serve.stop()
