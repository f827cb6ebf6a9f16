"""Parallel and cached (incremental) builds give exactly the site a clean serial build
gives, byte for byte: every file, the sitemap, the search index and the PDFs included,
after any sequence of edits."""

import difflib
import filecmp
import gzip
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_CONTENT, SAMPLE_SETTINGS, Build, build
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PIL import Image
from tiny_site import POSTS, Post, write_brochure, write_page, write_site
from tiny_site import settings as tiny_settings

# Search in parts of a few pages, so that an edit leaves most parts as they were.
PARTS = {"SEARCH_SHARD_PAGES": 6}
PARTS_LIST = "pagefind/parts.json"  # written every build
# The sample's events are listed as of this moment, whenever the test runs.
SAMPLE_NOW = {"EVENTS_NOW": "2026-11-23T12:00:00+00:00"}


def sample_content(tmp: Path) -> Path:
    """A copy of the sample site's content, to edit: tmp/content."""
    return Path(shutil.copytree(SAMPLE_CONTENT, tmp / "content"))


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def assert_same_site(a: Path, b: Path):
    assert files(a) == files(b), sorted(files(a) ^ files(b))
    _, mismatch, errors = filecmp.cmpfiles(a, b, sorted(files(a)), shallow=False)
    assert not mismatch and not errors, (
        mismatch[:10] + errors[:10],
        first_difference(a, b, mismatch),
    )


def first_difference(a: Path, b: Path, mismatch: list[str]) -> str:
    for name in mismatch:
        try:
            old, new = (x.read_text(encoding="utf-8").splitlines() for x in (a / name, b / name))
        except UnicodeDecodeError:
            continue
        return "\n".join(difflib.unified_diff(old, new, f"incremental/{name}", f"clean/{name}",
                                              n=1, lineterm=""))[:3000]  # fmt: skip
    return ""


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


def searchable_text(output: Path, url: str) -> str:
    """What the search index holds for the page at `url`."""
    for fragment in output.glob("pagefind/**/*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        if data["url"].strip("/") == url.strip("/"):
            return data["content"]
    raise AssertionError(f"{url} is not in the search index")


def sitemap_urls(output: Path) -> list[str]:
    return re.findall(r"<loc>([^<]*)</loc>", (output / "sitemap.xml").read_text())


def serial(tmp: Path, content: Path, name: str):
    extra = {"READ_WORKERS": 1, "THEME": str(tmp / "theme"), **PARTS, **SAMPLE_NOW}
    site = build(tmp / name, content=content, extra=extra)
    assert site.returncode == 0, site.log
    return site.output


def test_parallel_and_incremental_builds_match_clean_serial_builds(tmp_path):
    content, theme = sample_content(tmp_path), tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    parallel = {"READ_WORKERS": 2, "READ_PARALLEL_MIN": 1, "THEME": str(theme), **PARTS,
                **SAMPLE_NOW}  # fmt: skip
    live = tmp_path / "live"  # one output folder and cache, built again and again

    def incremental():
        site = build(live, content=content, extra=parallel)
        assert site.returncode == 0, site.log
        return site.output

    clean = serial(tmp_path, content, "clean-1")
    assert_same_site(incremental(), clean)
    # Built again with nothing changed: no page is written, and the sitemap still lists
    # every page (it once listed only the pages written, so none).
    before = written(live / "output")
    assert_same_site(incremental(), clean)
    assert len(sitemap_urls(live / "output")) == len(sitemap_urls(clean)) > 40
    after = written(live / "output")
    assert not [p for p in before if p.endswith(".html") and after[p] != before[p]]
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
    # An event's new title reaches the "What's on" brochure's reading page and the
    # search index (the brochure's page was once left as it was).
    event = content / "posts" / "2026-11-20-author-talk-meera-joshi.md"
    event.write_text(event.read_text().replace("Title: Author talk:", "Title: An evening with"))
    whats_on = "brochures/whats-on-winter-2026-to-2027/"
    out = incremental()
    assert "An evening with Meera Joshi" in (out / whats_on / "index.html").read_text()
    assert "An evening with Meera Joshi" in searchable_text(out, whats_on)
    assert_same_site(out, serial(tmp_path, content, "clean-2"))
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


# A build into an empty folder, with the cache of an earlier one ------------------------
# (a fresh clone with .cache/pelican restored, or a publish build, which empties output/)


def kept(cache: Path) -> dict[str, tuple[int, int]]:
    """What the cache keeps that a build would make again: each file's inode and, for
    the files never touched when reused (cards, PDFs), its time. A picture size or a
    search index made again is a new file (written beside, then renamed); a card
    drawn again is the same file written at a new time."""
    found = {}
    for folder in ("images", "search", "cards", "brochures"):
        for p in (cache / folder).rglob("*"):
            if p.is_file():
                st = p.stat()
                timed = folder in ("cards", "brochures")
                found[p.relative_to(cache).as_posix()] = (st.st_ino, st.st_mtime_ns * timed)
    return found


def indexes(found) -> set[str]:
    """search/pagefind-part-2/KEY/... -> pagefind-part-2/KEY: the indexes kept."""
    return {"/".join(p.split("/")[1:3]) for p in found if p.startswith("search/")}


def fresh_clone(content: Path):
    """Every file of `content` written now, as by `git clone` in the same place (the
    publish workflow's checkout: the brochure PDFs name their pictures by address)."""
    for p in content.rglob("*"):
        os.utime(p)


def test_a_build_into_an_empty_folder_makes_nothing_the_cache_keeps(tmp_path):
    content, cache = sample_content(tmp_path), tmp_path / "cache"
    extra = {"CACHE_PATH": str(cache), **PARTS, **SAMPLE_NOW}

    def into_empty(name: str, source: Path):
        site = build(tmp_path / name, content=source, extra=extra)
        assert site.returncode == 0, site.log
        return site.output

    first = into_empty("one", content)
    before = kept(cache)
    for folder in ("images", "search", "cards", "brochures"):
        assert any(p.startswith(folder + "/") for p in before), folder
    # A fresh clone, another empty output folder, the same cache: no picture is resized,
    # no part indexed by Pagefind, no card drawn, no PDF made; the same site, byte for byte.
    fresh_clone(content)
    second = into_empty("two", content)
    assert kept(cache) == before
    assert_same_site(first, second)
    # A picture replaced under the same name gets new sizes (the old picture's sizes
    # are not reused because the name and folder are the same); an edited post's
    # search part is indexed again, the parts of pages unchanged are copied; a
    # post's new title gets a new card, and its old one leaves the cache.
    shutil.copy(content / "images" / "digital-help.jpg", content / "images" / "story-time.jpg")
    post = content / "posts" / "2026-04-15-eastgate-refurbishment.md"
    post.write_text(post.read_text().replace("Title: Eastgate Library closes",
                                             "Title: Eastgate Library shuts"))  # fmt: skip
    third = into_empty("three", content)
    clean = build(tmp_path / "clean", content=content, extra={**PARTS, **SAMPLE_NOW})  # own cache
    assert clean.returncode == 0, clean.log
    assert_same_site(third, clean.output)
    sizes = [p for p in files(first) if "/derivatives/" in p and p.endswith("/story-time.webp")]
    assert len(sizes) == 3, sizes
    for path in sizes:
        new = (third / path).read_bytes()
        assert new != (first / path).read_bytes(), path
        assert new == (third / path.replace("story-time", "digital-help")).read_bytes()
    after = kept(cache)
    assert indexes(after) - indexes(before), "no part was indexed again"
    unchanged = {p for p in before if p.startswith("search/") and after.get(p) == before[p]}
    assert unchanged, "every part was indexed again"
    assert "Eastgate Library shuts" in searchable_text(
        third, "news/2026/eastgate-library-shuts-for-refurbishment/"
    )
    cards = sorted(p.name.rsplit("-", 1)[1] for p in (third / "images" / "cards").iterdir())
    assert sorted(p.name[:8] + ".jpg" for p in (cache / "cards").iterdir()) == cards


def test_a_picture_size_is_made_once_by_its_bytes_and_never_opened_again(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "plugins"))
    from images import derivatives
    from pelican.plugins.image_process import image_process

    made = []

    def original(image, settings):  # image-process's own, counted
        made.append(image[1])
        return getattr(image_process.process_image, "__wrapped__", image_process.process_image)(
            image, settings
        )

    source = tmp_path / "content" / "photo.jpg"
    source.parent.mkdir()
    Image.new("RGB", (400, 200), "red").save(source)
    target = tmp_path / "output" / "derivatives" / "100w" / "photo.webp"
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "IMAGE_PROCESS_FORCE": False}
    job = (str(source), str(target), ["scale_in 100 1000 False"])
    assert derivatives.cached(original, job, settings) == (100, 50)
    assert len(made) == 1 and target.read_bytes()[8:12] == b"WEBP"
    # Every other page showing it: no encoding, and the file is never opened.
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("opened again"))
    for _ in range(3):
        assert derivatives.cached(original, job, settings) == (100, 50)
    target.unlink()  # an empty output folder: copied from the cache
    assert derivatives.cached(original, job, settings) == (100, 50)
    assert target.exists() and len(made) == 1
    monkeypatch.undo()
    # Another picture under the same name (even with the same file time): made again.
    stat = source.stat()
    Image.new("RGB", (400, 100), "blue").save(source)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert derivatives.cached(original, job, settings) == (100, 25)
    assert len(made) == 2


def test_the_picture_cache_is_used_only_with_the_image_process_it_was_checked_with(
    monkeypatch,
):
    sys.path.insert(0, str(ROOT / "plugins"))
    from types import SimpleNamespace

    from images import derivatives

    pins = (ROOT / "requirements.txt").read_text().split()
    assert f"pelican-image-process=={derivatives.CHECKED}" in pins

    def process_image(image, settings):
        return None

    module = SimpleNamespace(process_image=process_image)
    monkeypatch.setattr(derivatives.metadata, "version", lambda name: "9.9.9")
    assert derivatives.install(module) is False
    assert module.process_image is process_image
    monkeypatch.setattr(derivatives.metadata, "version", lambda name: derivatives.CHECKED)
    assert derivatives.install(module) is True
    assert module.process_image.__wrapped__ is process_image


# Any sequence of edits -----------------------------------------------------------------
# A small site, edited at random and built after each edit twice: again in the same
# output folder (incremental), and from nothing (clean). The two must be the same.

TITLES = ("Story time", "New opening hours", "Rhyme time", "Café & crafts", "Borrow eBooks")
TAGS = ("children", "opening hours", "authors", "digital", "crafts")
BODIES = (
    "Some news from the library.",
    "Free *coffee* on Fridays.",
    "More [about us]({filename}/pages/about.md).",
    "See also [the eBooks post]({filename}/posts/ebooks.md).",
)
# Template changes: a template every page uses, and one only tag pages use.
TEMPLATES = (
    ("partials/footer.html", '<h2 id="footer-visit">Visit</h2>', ("Find us", "Come in")),
    ("tag.html", "{% block content %}", ("Tagged", "Topic")),
)
index = st.integers(0, 99)  # of a post, among those there are then


def fork_builds(*jobs: tuple[Path, Path, dict, Path]) -> list[Build]:
    """Builds side by side, each in a fork of this process running Pelican's own
    command (as `pelican content -o output -s pelicanconf.py` does), without the
    seconds a new Python spends importing Pelican and the plugins every time.
    Each job: (folder for output/, cache/ and the log, content, settings, cwd)."""
    children = []
    for folder, content, extra, cwd in jobs:
        folder.mkdir(parents=True, exist_ok=True)
        overrides = {"CACHE_PATH": str(folder / "cache"), **extra}
        argv = [str(content), "-o", str(folder / "output"), "-s", str(SAMPLE_SETTINGS),
                "--log-handler", "plain", "-e", *(f"{k}={json.dumps(v)}" for k, v in
                overrides.items())]  # fmt: skip
        log = folder / "build.log"
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _run_pelican(argv, log, cwd)
        children.append((pid, folder, log))
    builds = []
    for pid, folder, log in children:
        _, status = os.waitpid(pid, 0)
        builds.append(Build(os.waitstatus_to_exitcode(status), folder / "output", log.read_text()))
    return builds


def _run_pelican(argv, log, cwd):
    code = 70
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        os.chdir(cwd)
        os.environ["COLUMNS"] = "200"
        sys.argv = ["pelican", *argv]
        import pelican

        try:
            pelican.main(argv)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - the parent reads the log
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Editing(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="incremental-"))
        self.posts = dict(POSTS)
        self.content = write_site(self.tmp, self.posts)
        self.settings = tiny_settings(self.tmp, SEARCH_SHARD_PAGES=3)
        self.made = 0
        # PDFs are made once for all the clean builds: a PDF is cached by a hash of
        # exactly what goes into it, and WeasyPrint's output is the same every time
        # (the sample test above makes each clean build's PDF itself).
        self.pdfs = self.tmp / "pdf-cache"
        self.pdfs.mkdir()

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _name(self, i: int) -> str:
        return sorted(self.posts)[i % len(self.posts)]

    def _write(self, name: str, post: Post):
        self.posts[name] = post
        (self.content / "posts" / name).write_text(post.text(), encoding="utf-8")

    def _edit(self, i, **changes):
        name = self._name(i)
        note(f"edit posts/{name}: {changes}")
        self._write(name, replace(self.posts[name], **changes))

    @rule(i=index, title=st.sampled_from(TITLES))
    def edit_title(self, i, title):
        self._edit(i, title=title)

    @rule(i=index, body=st.sampled_from(BODIES))
    def edit_body(self, i, body):
        self._edit(i, body=body)

    @rule(i=index, tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True))
    def edit_tags(self, i, tags):
        self._edit(i, tags=tuple(tags))

    @rule(i=index, day=st.integers(1, 28), modified=st.none() | st.integers(1, 28))
    def edit_dates(self, i, day, modified):
        self._edit(i, day=day, modified_day=modified)

    @rule(i=index, event_day=st.none() | st.integers(1, 30))
    def edit_event(self, i, event_day):
        self._edit(i, event_day=event_day)

    @rule(i=index, status=st.sampled_from(("published", "draft", "hidden")),
          slug=st.none() | st.sampled_from(("renamed", "story-time")))  # fmt: skip
    def edit_status_slug(self, i, status, slug):
        self._edit(i, status=status, slug=slug)

    @rule(i=index, category=st.sampled_from(("News", "Events")),
          author=st.sampled_from(("Priya Shah", "Tom Okafor")), picture=st.booleans())  # fmt: skip
    def edit_category_author_picture(self, i, category, author, picture):
        self._edit(i, category=category, author=author, picture=picture)

    @rule(title=st.sampled_from(TITLES), day=st.integers(1, 28),
          tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
          event_day=st.none() | st.integers(1, 30))  # fmt: skip
    def add_post(self, title, day, tags, event_day):
        self.made += 1
        name = f"added-{self.made}.md"
        note(f"add posts/{name}")
        self._write(name, Post(title, day, tuple(tags), event_day=event_day))

    @precondition(lambda self: len(self.posts) > 1)
    @rule(i=index)
    def delete_post(self, i):
        name = self._name(i)
        note(f"delete posts/{name}")
        del self.posts[name]
        (self.content / "posts" / name).unlink()

    @rule(i=index)
    def rename_post(self, i):
        name = self._name(i)
        self.made += 1
        new = f"renamed-{self.made}.md"
        note(f"rename posts/{name} to posts/{new}")
        self.posts[new] = self.posts.pop(name)
        (self.content / "posts" / name).rename(self.content / "posts" / new)

    @rule(which=st.sampled_from(range(len(TEMPLATES))), variant=st.integers(0, 1))
    def change_template(self, which, variant):
        template, anchor, words = TEMPLATES[which]
        path = self.tmp / "theme" / "templates" / template
        original = (ROOT / "theme" / "templates" / template).read_text(encoding="utf-8")
        note(f"template {template}: {words[variant]!r}")
        path.write_text(original.replace(anchor, f"{anchor}<!-- {words[variant]} -->", 1))

    @rule(text=st.sampled_from(("Come in, it is free.", "Open *every* day.", "## More\n\nYes.")))
    def edit_brochure(self, text):
        note(f"brochure: {text!r}")
        write_brochure(self.content, text)

    @rule(text=st.sampled_from(("Who we are.", "Read [our news]({filename}/posts/story-time.md).")))
    def edit_page(self, text):
        note(f"page pages/about.md: {text!r}")
        write_page(self.content, text)

    @rule(colour=st.sampled_from(((40, 120, 200), (200, 40, 40))))
    def replace_picture(self, colour):
        note(f"picture images/corner.jpg: {colour}")
        Image.new("RGB", (64, 48), colour).save(self.content / "images" / "corner.jpg")

    @rule()
    def nothing(self):
        note("no change")

    @invariant()
    def incremental_build_is_the_clean_build(self):
        clean = self.tmp / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        (clean / "cache").mkdir(parents=True)
        (clean / "cache" / "brochures").symlink_to(self.pdfs)
        live, fresh = fork_builds(
            (self.tmp / "live", self.content, self.settings, self.tmp),
            (clean, self.content, self.settings, self.tmp),
        )
        assert live.returncode == 0, live.log[-3000:]
        assert fresh.returncode == 0, fresh.log[-3000:]
        assert len(sitemap_urls(fresh.output)) > 10
        assert_same_site(live.output, fresh.output)


def test_any_sequence_of_edits_builds_the_site_a_clean_build_does():
    # Imported once here, not again in every build's fork.
    import feedgen.feed  # noqa: F401
    import pelican  # noqa: F401
    import weasyprint  # noqa: F401

    run_state_machine_as_test(
        Editing,
        settings=settings(
            max_examples=5,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,  # the same sequences every run, so CI is reproducible
            database=None,
            suppress_health_check=list(HealthCheck),
            # Each step is two real builds: report the failing steps as found, rather
            # than spend many minutes shrinking them. Hypothesis prints them, and each
            # edit they made.
            phases=[Phase.explicit, Phase.generate],
        ),
    )
