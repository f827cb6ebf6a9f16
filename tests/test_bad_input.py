"""The bad-input corpus: every kind of bad post is reported with its file, line and a fix;
the development build still builds everything else; `make check` reports each one; the
publish build stops. Nothing from outside content/ reaches the site.

To add a kind, add an entry to CORPUS: the files that make it, where the message points
and a fragment of it. Every test below runs over the whole table.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

import pytest
from conftest import (
    NO_DEPLOY,
    ROOT,
    SAMPLE_PUBLISH_SETTINGS,
    SAMPLE_SETTINGS,
    SITEURL,
    build,
    run_check,
)
from PIL import Image

GOOD = """Title: A good post
Date: 2026-03-01 10:00 +00:00
Category: News
Summary: Nothing wrong here.

All fine.
"""
# The environment of every build here holds this "token": it must never reach the site.
SECRET = "nb-secret-token-5f0c2e"


def post(title, *front, body="Text."):
    """A post's text: a title, a date, more front matter, a summary and `body`."""
    lines = [f"Title: {title}", "Date: 2026-03-02 10:00 +00:00", "Category: News", *front]
    return "\n".join([*lines, "Summary: A bad input.", "", body, ""])


def brochure(title, *front, body="Text."):
    lines = [f"Title: {title}", "Date: 2026-03-02 10:00 +00:00", *front]
    lines += ["Summary: A bad brochure.", "", "## The section", "", body, ""]
    return "\n".join(lines)


COVER = ("Cover: images/real.jpg", "Cover-Alt: Shelves of books.")


@dataclass(frozen=True)
class Bad:
    """One kind of bad input."""

    files: dict  # path under content/ -> text (str or bytes)
    where: str  # what the message starts with: `content/posts/x.md:7`
    says: str  # a fragment of the message: the problem or the fix
    links: dict = field(default_factory=dict)  # path under content/ -> symlink target
    error: bool = True  # an error (publish stops); False: a warning
    left_out: str = ""  # a title the development build leaves out
    kept: str = ""  # a title it still builds


CORPUS = {
    "bad-date": Bad(
        {"posts/bad-date.md": "Title: A post with a bad date\nDate: 2026-02-31 25:99\n\nText.\n"},
        "content/posts/bad-date.md:2", "YYYY-MM-DD", left_out="A post with a bad date",
    ),
    "not-utf8": Bad(
        {"posts/not-utf8.md": post("Saved as Windows-1252", body="Caf\u00e9 opening.").encode(
            "cp1252"
        )},
        "content/posts/not-utf8.md:6", "UTF-8", left_out="Saved as Windows-1252",
    ),
    "typo-key": Bad(
        {"posts/typo-key.md": post("A typo", "Catgory: Events")},
        "content/posts/typo-key.md:4", "Did you mean 'Category'?", kept="A typo",
    ),
    "missing-image-static": Bad(
        {"posts/m-static.md": post("Missing static", body="![A cat]({static}/images/cat.jpg)")},
        "content/posts/m-static.md:6", "does not exist", kept="Missing static",
    ),
    "missing-image-relative": Bad(
        {"posts/m-relative.md": post("Missing relative", body="![A cat](images/cat.jpg)")},
        "content/posts/m-relative.md:6", "write {static}/images/cat.jpg",
        kept="Missing relative",
    ),
    "missing-image-root": Bad(
        {"posts/m-root.md": post("Missing root", body="![A cat](/images/posts/x.jpg)")},
        "content/posts/m-root.md:6", "write {static}/images/posts/x.jpg", kept="Missing root",
    ),
    "missing-image-filename": Bad(
        {"posts/m-filename.md": post("Missing filename", body="![A cat]({filename}/cat.png)")},
        "content/posts/m-filename.md:6", "does not exist", kept="Missing filename",
    ),
    "missing-image-front-matter": Bad(
        {"posts/m-front.md": post("Missing Image", "Image: images/cat.jpg", "Image-Alt: A cat")},
        "content/posts/m-front.md:4", "does not exist", kept="Missing Image",
    ),
    "image-without-static": Bad(
        {"posts/no-static.md": post("No static", body="![Shelves](images/real.jpg)")},
        "content/posts/no-static.md:6", "Write {static}/images/real.jpg", kept="No static",
    ),
    "image-root-without-static": Bad(
        {"posts/no-static-root.md": post("No static root", body="![Shelves](/images/real.jpg)")},
        "content/posts/no-static-root.md:6", "Write {static}/images/real.jpg", error=False,
        kept="No static root",
    ),
    "image-traversal": Bad(
        {"posts/traversal.md": post("Traversal", "Image: ../../../../etc/passwd", "Image-Alt: x")},
        "content/posts/traversal.md:4", "outside the content folder", kept="Traversal",
    ),
    "static-link-outside": Bad(
        {"posts/static-out.md": post("Static out", body="[Notes]({static}/../../../etc/hostname)")},
        "content/posts/static-out.md:6", "points outside the content folder", kept="Static out",
    ),
    "file-url-in-post": Bad(
        {"posts/file-url.md": post("File URL", body="[Our notes](file:///etc/passwd)")},
        "content/posts/file-url.md:6", "file:///etc/passwd points to a file", kept="File URL",
    ),
    "embedded-video": Bad(
        {"posts/embed.md": post("Embedded video", body='<iframe src="https://www.youtube.com/embed/x1"></iframe>')},
        "content/posts/embed.md:6", "[See it on www.youtube.com]", kept="Embedded video",
    ),
    "broken-addresses": Bad(
        {"posts/broken.md": post("Broken addresses", body=(
            "![A cat](https://[oops/cat.jpg) and [a link](https://[oops/) and [more](http://x]y)"
        ))},
        "content/posts/broken.md:6", "loads from another website", error=False,
        kept="Broken addresses",
    ),
    "script-in-post": Bad(
        {"posts/script.md": post("A script", body="<script>document.cookie</script>")},
        "content/posts/script.md:6", "without JavaScript", kept="A script",
    ),
    "hostile-slug": Bad(
        {"posts/slug.md": post("Hostile slug", "Slug: ../../tag")},
        "content/posts/slug.md:4", "Write 'Slug: tag'", left_out="Hostile slug",
    ),
    "hostile-save-as": Bad(
        {"pages/save-as.md": "Title: Hostile save\nSave_as: ../../index.html\n\nText.\n"},
        "content/pages/save-as.md:2", "Remove the Save_as: line", left_out="Hostile save",
    ),
    "duplicate-address": Bad(
        {"posts/dup-new.md": post("Twin", "Slug: twin").replace("03-02", "03-05"),
         "posts/dup-old.md": post("Twin", "Slug: twin")},
        "content/posts/dup-old.md:4", "same address (news/2026/twin/) as content/posts/dup-new.md",
    ),
    "page-at-a-site-address": Bad(
        {"pages/tags.md": "Title: Our tags\nSlug: tag\n\nText.\n"},
        "content/pages/tags.md:2", "a page the site makes itself (tag/index.html)",
        left_out="Our tags",
    ),
    "unknown-template": Bad(
        {"pages/template.md": "Title: Odd template\nTemplate: fancy\n\nText.\n"},
        "content/pages/template.md:2", "Template: fancy is not a template",
        left_out="Odd template",
    ),
    "symlink-image": Bad(
        {}, "content/images/secret.jpg", "outside the content folder",
        links={"images/secret.jpg": "/etc/passwd"},
    ),
    "symlink-folder": Bad(
        {}, "content/images/shared", "outside the content folder",
        links={"images/shared": "../../outside"},
    ),
    "symlink-post": Bad(
        {}, "content/posts/linked.md", "outside the content folder",
        links={"posts/linked.md": "../../outside/secret.md"}, left_out="A post from outside",
    ),
    "file-attachment-in-brochure": Bad(
        {"brochures/leak.md": brochure(
            "Leak", *COVER, body='<a rel="attachment" href="file:///proc/self/environ">Env</a>'
        )},
        "content/brochures/leak.md:9", "The PDF was made without file:///proc/self/environ",
    ),
    "relative-attachment-in-brochure": Bad(
        {"brochures/climb.md": brochure(
            "Climb", *COVER, body='<a rel="attachment" href="' + "../" * 12 + 'etc/hostname">H</a>'
        )},
        "content/brochures/climb.md:9", "The PDF was made without file:///etc/hostname",
    ),
    "remote-attachment-in-brochure": Bad(
        {"brochures/remote.md": brochure(
            "Remote", *COVER, body='<a rel="attachment" href="https://example.org/a.pdf">A</a>'
        )},
        "content/brochures/remote.md:9", "The PDF was made without https://example.org/a.pdf",
    ),
    "brochure-cover-outside": Bad(
        {"brochures/cover.md": brochure("Cover out", "Cover: ../../etc/passwd", "Cover-Alt: x")},
        "content/brochures/cover.md:3", "The cover image ../../etc/passwd is outside",
    ),
    # Dates a UK library could mean another way (the site writes en-GB: day first).
    "date-month-first": Bad(
        {"posts/us-date.md": "Title: Month first\nDate: 12/25/2026 10:00\n\nText.\n"},
        "content/posts/us-date.md:2", "is written month first", left_out="Month first",
    ),
    "date-two-digit-year": Bad(
        {"posts/short-year.md": "Title: Short year\nDate: 01/12/26 10:00\n\nText.\n"},
        "content/posts/short-year.md:2", "two-digit year", left_out="Short year",
    ),
    "event-start-month-first": Bad(
        {"posts/us-event.md": post(
            "Event month first", "Event-Start: 01/13/2027 10:30", "Location: Central Library"
        )},
        "content/posts/us-event.md:4", "write 2027-01-13 10:30",
    ),
    # Text left from `make newpost`, and slips that make a new category or tag.
    "scaffold-summary": Bad(
        {"posts/scaffold.md": "Title: Scaffold left in\nDate: 2026-03-02 10:00 +00:00\n"
         "Category: News\nSummary: One or two sentences for the news list, search results, "
         "feeds and social media.\n\nText.\n"},
        "content/posts/scaffold.md:4", "Summary:", kept="Scaffold left in",
    ),
    "scaffold-tags": Bad(
        {"posts/scaffold-tags.md": post("Tags left in", "Tags: comma, separated, tags")},
        "content/posts/scaffold-tags.md:4", "Tags:", kept="Tags left in",
    ),
    "near-category": Bad(
        {"posts/near.md": post("Near category", body="Text.").replace(
            "Category: News", "Category: new"
        )},
        "content/posts/near.md:3", "News", error=False, kept="Near category",
    ),
}  # fmt: skip
ERRORS = [name for name, bad in CORPUS.items() if bad.error]


def make_content(tmp_path, names):
    """content/ with the good post, a real picture and the corpus entries `names`."""
    content = tmp_path / "content"
    for folder in ("posts", "pages", "images", "brochures"):
        (content / folder).mkdir(parents=True, exist_ok=True)
    (content / "posts" / "good.md").write_text(GOOD, encoding="utf-8")
    Image.new("RGB", (64, 48), "#0b5a6b").save(content / "images" / "real.jpg")
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.md").write_text(post("A post from outside", body=SECRET))
    for name in names:
        for path, text in CORPUS[name].files.items():
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (content / path).write_bytes(data)
        for path, target in CORPUS[name].links.items():
            (content / path).symlink_to(target)
    return content


def message(log, name):
    """The line of `log` reporting corpus entry `name`, or None."""
    bad = CORPUS[name]
    return next(
        (ln for ln in log.splitlines() if ln.startswith(bad.where) and bad.says in ln), None
    )


def titles(site):
    """{page: its heading} of every page built."""
    return {page: h1.get_text().strip() for page in site.pages() if (h1 := site.html(page).h1)}


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 20


def test_dev_build_reports_every_bad_input_and_builds_the_rest(tmp_path):
    content = make_content(tmp_path, CORPUS)
    site = build(tmp_path, content=content, cwd=tmp_path, env={"NB_TOKEN": SECRET})
    assert site.returncode == 0, site.log
    assert "Traceback" not in site.log, site.log
    for name, bad in CORPUS.items():
        line = message(site.log, name)
        assert line, f"{name}: no message '{bad.where}: ... {bad.says}' in:\n{site.log}"
        assert ("error:" if bad.error else "warning:") in line and "Fix:" in line, line
    built = set(titles(site).values())
    assert "A good post" in built
    for name, bad in CORPUS.items():
        assert not bad.left_out or bad.left_out not in built, f"{name} was built"
        assert not bad.kept or bad.kept in built, f"{name}: '{bad.kept}' was left out"
    assert_nothing_from_outside(site)


def assert_nothing_from_outside(site):
    """No file from outside content/, nor the build's environment, reached the site."""
    assert not (site.output / "images" / "secret.jpg").exists()
    for path in site.output.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            data = path.read_bytes()
            assert b"root:x:0:0" not in data and SECRET.encode() not in data, path
    pdfs = list(site.output.rglob("*.pdf"))
    # leak, climb, remote: the brochures with a cover in content/, each A5 and large print
    assert len(pdfs) == 6
    for pdf in pdfs:
        listed = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True)
        assert listed.stdout.startswith("0 embedded files"), (pdf, listed.stdout)


def test_check_reports_every_bad_input(tmp_path):
    content = make_content(tmp_path, CORPUS)
    proc = run_check(content, tmp_path, env={"NB_TOKEN": SECRET})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for name in CORPUS:
        assert message(proc.stdout, name), f"{name}: not reported by the check:\n{proc.stdout}"
    errors = sum(": error: " in line for line in proc.stdout.splitlines())
    assert f"{errors} error(s)" in proc.stdout, proc.stdout
    assert "Fix the errors before publishing." in proc.stdout


def test_publish_stops_on_the_whole_corpus(tmp_path):
    content = make_content(tmp_path, CORPUS)
    site = build(tmp_path, content=content, cwd=tmp_path, publish=True)
    assert site.returncode != 0, site.log


@pytest.mark.parametrize("name", ERRORS)
def test_publish_fails_with_the_message(tmp_path, name):
    content = make_content(tmp_path, [name])
    site = build(tmp_path, content=content, cwd=tmp_path, publish=True)
    assert site.returncode != 0, f"publish went ahead despite {name}:\n{site.log}"
    assert f"\n{CORPUS[name].where}" in "\n" + site.log, site.log  # it stops at the first error


def test_good_content_publishes(tmp_path):
    site = build(tmp_path, content=make_content(tmp_path, []), cwd=tmp_path, publish=True)
    assert site.returncode == 0, site.log
    posts = {t for page, t in titles(site).items() if re.match(r"news/\d{4}/", page)}
    assert posts == {"A good post"}


def test_make_publish_stops_on_a_bad_post(tmp_path):
    """The Makefile's own publish target, not just the pelican flags we think it uses."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    content = make_content(tmp_path, ["bad-date"])
    out = tmp_path / "out"
    proc = subprocess.run(
        ["make", "--no-print-directory", "publish", f"INPUTDIR={content}", f"OUTPUTDIR={out}",
         f"SETTINGS={SAMPLE_SETTINGS}", f"PUBLISHCONF={SAMPLE_PUBLISH_SETTINGS}",
         f"PELICANOPTS=-e 'CACHE_PATH=\"{tmp_path / 'cache'}\"'"],
        cwd=ROOT, env={**os.environ, **NO_DEPLOY, "SITEURL": SITEURL, "COLUMNS": "200"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "bad-date.md:2" in proc.stdout + proc.stderr


def test_publish_without_siteurl_says_how_to_fix(tmp_path):
    env = {"SITEURL": ""}
    site = build(tmp_path, content=make_content(tmp_path, []), cwd=tmp_path, publish=True, env=env)
    assert site.returncode != 0
    assert "SITEURL" in site.log and ".env" in site.log
