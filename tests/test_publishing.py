"""Day-to-day publishing: new-post scaffolds, `make check`, deploying, sitemap."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from conftest import ROOT, SAMPLE_CONTENT, SAMPLE_SETTINGS, SITEURL, build, run_check, run_deploy

PY = sys.executable


def test_sample_site_passes_the_check_and_lists_scheduled_posts():
    proc = subprocess.run(
        ["make", "-s", "check", f"SETTINGS={SAMPLE_SETTINGS}", f"INPUTDIR={SAMPLE_CONTENT}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s), 0 warning(s). Ready to publish." in proc.stdout
    assert "2027-03-01 09:00  Our spring 2027 programme is here" in proc.stdout


FLAWED = """Title: {title}
Date: {date}
Category: News
Catgory: Events

# A heading at the wrong level

#### Skipped two levels

Read the timetable [here](https://example.org/timetable).

[Our opening hours]({{filename}}/pages/missing.md)

![](/images/story-time.jpg)

![decorative](/images/story-time.jpg)
"""


def test_check_finds_each_problem_with_file_line_and_fix(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/story-time.jpg", content / "images")
    big = content / "images" / "huge.png"
    from PIL import Image

    Image.new("RGB", (3600, 200), "white").save(big)
    long_title = "A very long title about the library " * 5
    (content / "posts" / "flawed.md").write_text(
        FLAWED.format(title=long_title.strip(), date="2026-02-30 10:00")
    )
    (content / "posts" / "ok.md").write_text(
        "Title: Fine\nDate: 2026-01-01 10:00\nCategory: News\nSummary: Fine.\n\n"
        "![Huge](/images/huge.png)\n"
    )
    (content / "posts" / "twin-a.md").write_text("Title: Twin\nDate: 2026-01-02\nSummary: a\n\nA\n")
    (content / "posts" / "twin-b.md").write_text("Title: Twin\nDate: 2026-01-03\nSummary: b\n\nB\n")
    proc = run_check(content, tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "content/posts/flawed.md:2: error: Date: '2026-02-30 10:00' cannot be understood" in out
    (content / "posts" / "flawed.md").write_text(
        FLAWED.format(title=long_title.strip(), date="2026-02-20 10:00")
    )
    out = run_check(content, tmp_path).stdout
    expected = [
        "flawed.md:4: error: Unknown metadata key 'Catgory'. Fix: Did you mean 'Category'?",
        "flawed.md:1: warning: The post has no Summary",
        "flawed.md:1: warning: The title is",
        "warning: The text has a first-level heading",
        "flawed.md:8: warning: A level-4 heading follows a level-1 one",
        "flawed.md:10: warning: The link text 'here' does not say where it goes",
        "flawed.md:12: error: The link {filename}/pages/missing.md points to a file that does",
        "flawed.md:14: error: The image /images/story-time.jpg has no text alternative",
        "ok.md:6: warning: The image /images/huge.png is large",
        "error: This has the same address (news/2026/twin/) as",
    ]
    for line in expected:
        assert line in out, f"missing: {line}\n{out}"
    assert "flawed.md:16" not in out  # ![decorative](...) is allowed
    assert "Fix:" in out and "error(s)" in out


def test_check_notices_an_address_that_changed_since_it_was_published(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    post = content / "posts" / "2026-01-05-hours.md"
    post.write_text(
        "Title: New hours\nDate: 2026-01-05 10:00\nSummary: s\nSlug: new-hours\n\nText\n"
    )
    ledger = {
        "version": 1,
        "posts": {
            "tag:www.riverside-libraries.example,2026-01-05:2026-01-05-hours": {
                "title": "New hours",
                "url": f"{SITEURL}/news/2026/opening-hours/",
                "channels": {"mastodon": {"state": "sent"}},
            }
        },
    }
    (content / "announce-ledger.json").write_text(json.dumps(ledger))
    ledger_setting = f"ANNOUNCE_LEDGER = {str(content / 'announce-ledger.json')!r}\n"
    out = run_check(content, tmp_path, settings=ledger_setting, env={"SITEURL": SITEURL}).stdout
    assert "error: The post's address changed since it was published" in out
    assert "was https://www.riverside-libraries.example/news/2026/opening-hours/" in out


def test_make_publish_runs_the_check_first():
    text = (ROOT / "Makefile").read_text()
    recipe = text.split("\npublish:", 1)[1].split("\n\n", 1)[0]
    steps = [line.split()[-1] for line in recipe.splitlines()[1:]]
    # deploy-check first: a missing rsync or a wrong target stops it before building.
    assert steps == ["deploy-check", "check", "build-publish", "deploy", "announce"]


@pytest.mark.parametrize("kind", ["newpost", "newevent", "newbrochure"])
def test_scaffolds_build_cleanly(tmp_path, kind):
    repo = tmp_path / "repo"
    kit = shutil.ignore_patterns(".venv", ".cache", "output", ".git", "content", "tests")
    shutil.copytree(ROOT, repo, ignore=kit)
    shutil.copytree(SAMPLE_CONTENT, repo / "content")  # never the library's own content
    (repo / ".venv").symlink_to(ROOT / ".venv")
    proc = subprocess.run(
        ["make", "-s", kind, "TITLE=Summer Reading Challenge: sign up!"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    created = list(repo.glob("content/*/*summer-reading-challenge-sign-up.md"))
    assert len(created) == 1 and "Created" in proc.stdout
    text = created[0].read_text()
    assert "Title: Summer Reading Challenge: sign up!" in text and "Summary:" in text
    site = build(tmp_path / "build", content=repo / "content", cwd=repo)
    assert site.returncode == 0, site.log
    errors = [line for line in site.log.splitlines() if ": error: " in line]
    # Unedited, the file is all placeholders: each is an error (tests/test_scaffold_checks.py)
    # and nothing else is, bar a brochure's cover picture, which does not exist yet.
    assert errors, site.log
    for error in errors:
        assert f"`make {kind}` wrote" in error or "images/your-cover.jpg does not exist" in error
    again = subprocess.run(
        ["make", "-s", kind, "TITLE=Summer Reading Challenge: sign up!"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode != 0 and "already exists" in again.stderr


def test_sitemap_and_robots(publish_site):
    sitemap = (publish_site.output / "sitemap.xml").read_text()
    assert f"<loc>{SITEURL}/news/2026/world-book-night-an-evening-of-readings/</loc>" in sitemap
    assert "404.html" not in sitemap and "spring-2027" not in sitemap
    robots = (publish_site.output / "robots.txt").read_text()
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots


# -- deploy -------------------------------------------------------------------------------


@pytest.fixture
def site_copy(publish_site, tmp_path):
    output = tmp_path / "site"
    shutil.copytree(publish_site.output, output)
    return output


def test_deploy_rsync_to_a_local_folder_with_precompressed_copies(site_copy, tmp_path):
    if not shutil.which("rsync"):
        pytest.fail("rsync is not installed: run `apt-get install rsync`")
    target = tmp_path / "www"
    target.mkdir()
    (target / ".noticeboard-site").touch()  # an earlier deploy's (tests/test_deploy_guards.py)
    (target / "stale.html").write_text("old")
    proc = run_deploy(site_copy, {"DEPLOY_METHOD": "rsync", "DEPLOY_RSYNC_TARGET": f"{target}/"})
    assert proc.returncode == 0, proc.stderr
    assert (target / "index.html").read_bytes() == (site_copy / "index.html").read_bytes()
    assert not (target / "stale.html").exists()  # the server mirrors the build
    html = (target / "index.html").read_bytes()
    assert gzip.decompress((target / "index.html.gz").read_bytes()) == html
    assert brotli.decompress((target / "index.html.br").read_bytes()) == html
    assert (target / "feeds" / "all.atom.xml.br").exists()
    assert not (target / "images" / "story-time.jpg.gz").exists()  # already compressed


def test_deploy_to_github_pages_in_a_local_bare_repository(site_copy, tmp_path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--bare", "-q", str(bare)], check=True)
    work = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "remote", "add", "origin", str(bare)], check=True)
    env = {
        "DEPLOY_METHOD": "ghp",
        "DEPLOY_GHP_CNAME": "www.riverside-libraries.example",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    proc = run_deploy(site_copy, env, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = subprocess.run(
        ["git", "-C", str(bare), "ls-tree", "-r", "--name-only", "gh-pages"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {"index.html", ".nojekyll", "CNAME", "feeds/all.atom.xml", "index.html.br"} <= set(files)
    index = subprocess.run(
        ["git", "-C", str(bare), "show", "gh-pages:index.html"], capture_output=True, check=True
    ).stdout
    assert index == (site_copy / "index.html").read_bytes()


def test_deploy_without_a_method_says_what_to_do(site_copy):
    proc = run_deploy(site_copy, {"DEPLOY_METHOD": ""})
    assert proc.returncode == 0 and "no DEPLOY_METHOD" in proc.stdout
    bad = run_deploy(site_copy, {"DEPLOY_METHOD": "ftp"})
    assert bad.returncode != 0 and "use rsync or ghp" in bad.stderr


# -- images -------------------------------------------------------------------------------


def test_pictures_in_posts_are_responsive_webp_and_lazy(publish_site):
    soup = publish_site.html("brochures/welcome-to-your-library/index.html")
    img = soup.select_one(".brochure-page img")
    assert img["loading"] == "lazy" and img["sizes"]
    assert (img["width"], img["height"]) == ("960", "540")  # no jump while it loads
    widths = [c.split()[1] for c in img["srcset"].split(", ")]
    assert widths == ["480w", "960w", "1600w"]
    for candidate in img["srcset"].split(", "):
        url = candidate.split()[0]
        assert url.endswith(".webp")
        assert (publish_site.output / url.removeprefix(SITEURL + "/")).exists(), url


PICTURES = """Title: Fish and chips night
Date: 2026-03-01 10:00 +00:00
Category: News
Summary: Two pictures and a logo.

![Fish > chips, "always"]({static}/images/story-time.jpg)

<img src="{static}/images/logo.svg" alt="Our logo">

![Books on a table]({static}/images/reading-group.jpg)
"""


def test_image_process_rewrites_the_pictures_and_nothing_else(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT / "images", content / "images")
    (content / "posts").mkdir()
    (content / "posts" / "fish.md").write_text(PICTURES, encoding="utf-8")
    site = build(tmp_path, content=content)
    assert site.returncode == 0, site.log
    page = (site.output / "news/2026/fish-and-chips-night/index.html").read_text()
    photos = site.html("news/2026/fish-and-chips-night/index.html").select("main p img")
    assert [img["alt"] for img in photos] == [
        'Fish > chips, "always"',
        "Our logo",
        "Books on a table",
    ]
    assert [img.get("srcset", "").count(".webp") for img in photos] == [3, 0, 3]
    assert photos[0]["src"].endswith("derivatives/content/960w/story-time.webp")
    # The rest of the page is as the templates wrote it, not re-serialised by a parser.
    assert '<main id="main" tabindex="-1" data-pagefind-body>' in page


def test_posts_without_a_picture_get_a_social_card(publish_site):
    from PIL import Image

    soup = publish_site.html("news/2026/eastgate-library-closes-for-refurbishment/index.html")
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:image"].startswith(f"{SITEURL}/images/cards/eastgate-library-closes")
    assert og["og:image:alt"] == "Riverside Libraries: Eastgate Library closes for refurbishment"
    card = publish_site.output / og["og:image"].removeprefix(SITEURL + "/")
    with Image.open(card) as image:
        assert image.size == (1200, 630)
    plan = json.loads((publish_site.output.parent / "announce" / "plan.json").read_text())
    post = next(p for p in plan["posts"] if p["title"].startswith("Eastgate Library closes"))
    assert post["image_url"] == og["og:image"] and post["image_alt"] == og["og:image:alt"]
    assert Path(post["image_path"]).exists()
