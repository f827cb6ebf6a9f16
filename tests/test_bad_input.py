"""A bad post is reported with its file and line; the others still build; publish stops."""

import os
import shutil
import subprocess

import pytest
from conftest import ROOT, SAMPLE_PUBLISH_SETTINGS, SAMPLE_SETTINGS, SITEURL, build

GOOD = """Title: A good post
Date: 2026-03-01 10:00 +00:00
Category: News
Summary: Nothing wrong here.

All fine.
"""

BAD = {
    "bad-date": (
        "Title: A post with a bad date\nDate: 2026-02-31 25:99\nCategory: News\n\nText.\n",
        "content/posts/bad-date.md:2",
        "YYYY-MM-DD",
    ),
    "missing-image": (
        "Title: A post with a missing image\nDate: 2026-03-02 10:00 +00:00\nCategory: News\n\n"
        "Some text.\n\n![Children at story time]({static}/images/no-such-file.jpg)\n",
        "content/posts/missing-image.md:7",
        "does not exist",
    ),
    "not-utf8": (
        "Title: A post saved as Windows-1252\nDate: 2026-03-03 10:00 +00:00\nCategory: News\n\n"
        "Line five.\nCaf\u00e9 opening on line six.\n".encode("cp1252"),
        "content/posts/not-utf8.md:6",
        "UTF-8",
    ),
    "typo-key": (
        "Title: A post with a typo\nDate: 2026-03-04 10:00 +00:00\nCatgory: Events\n\nText.\n",
        "content/posts/typo-key.md:3",
        "Did you mean 'Category'?",
    ),
}


def make_content(tmp_path, names):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "posts" / "good.md").write_text(GOOD, encoding="utf-8")
    for name in names:
        text = BAD[name][0]
        target = content / "posts" / f"{name}.md"
        target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return content


def built_titles(site):
    return {site.html(p).h1.get_text().strip() for p in site.pages() if p.startswith("news/")}


def test_dev_build_reports_every_bad_post_and_builds_the_rest(tmp_path):
    content = make_content(tmp_path, BAD)
    site = build(tmp_path, content=content, cwd=tmp_path)
    assert site.returncode == 0, site.log
    for name, (_, where, hint) in BAD.items():
        line = next((ln for ln in site.log.splitlines() if where in ln), None)
        assert line, f"{name}: no message naming {where} in:\n{site.log}"
        assert hint in line and "Fix:" in line, line
    titles = built_titles(site)
    assert "A good post" in titles
    # Posts that can be read are still built; unreadable ones are left out, not half-built.
    assert "A post with a typo" in titles and "A post with a missing image" in titles
    assert "A post with a bad date" not in titles
    assert not any("Windows-1252" in t for t in titles)


@pytest.mark.parametrize("name", list(BAD))
def test_publish_fails_with_the_message(tmp_path, name):
    content = make_content(tmp_path, [name])
    site = build(tmp_path, content=content, cwd=tmp_path, publish=True)
    assert site.returncode != 0, f"publish went ahead despite {name}:\n{site.log}"
    assert BAD[name][1] in site.log, site.log


def test_good_content_publishes(tmp_path):
    site = build(tmp_path, content=make_content(tmp_path, []), cwd=tmp_path, publish=True)
    assert site.returncode == 0, site.log
    assert built_titles(site) == {"A good post"}


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
        cwd=ROOT, env={**os.environ, "SITEURL": SITEURL, "COLUMNS": "200"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "bad-date.md:2" in proc.stdout + proc.stderr


def test_publish_without_siteurl_says_how_to_fix(tmp_path):
    env = {"SITEURL": ""}
    site = build(tmp_path, content=make_content(tmp_path, []), cwd=tmp_path, publish=True, env=env)
    assert site.returncode != 0
    assert "SITEURL" in site.log and ".env" in site.log
