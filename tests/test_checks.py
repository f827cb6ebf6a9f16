"""The checks plugin's pure functions: findings, lines and colour contrast."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from checks.colours import check_colours, contrast  # noqa: E402
from checks.content import (  # noqa: E402
    KNOWN_METADATA_KEYS,
    check_embeds,
    check_images,
    check_metadata_keys,
)
from checks.files import find_file  # noqa: E402
from checks.source import line_of_offset, metadata_line  # noqa: E402

POST = """Title: Story time
Date: 2026-03-01
Catgory: News
Image: images/story.jpg

Text.

![]({static}/images/story.jpg)
Tags: not front matter
"""


def test_metadata_line_only_looks_at_front_matter():
    assert metadata_line(POST, "catgory") == 3
    assert metadata_line(POST, "title") == 1
    assert metadata_line(POST, "tags") is None


def test_line_of_offset():
    assert line_of_offset(b"a\nb\nc\xe9", 5) == 3


def test_unknown_key_suggests_the_closest_known_one():
    [finding] = check_metadata_keys(["title", "date", "catgory"], KNOWN_METADATA_KEYS, POST, "x.md")
    assert finding.line == 3
    assert "Did you mean 'Category'?" in finding.fix
    assert str(finding).startswith("x.md:3: error: Unknown metadata key 'Catgory'.")


def test_unrelated_unknown_key_explains_how_to_allow_it():
    [finding] = check_metadata_keys(["zzzz"], KNOWN_METADATA_KEYS, POST, "x.md")
    assert "METADATA_KEYS" in finding.fix


def test_local_file_resolution(tmp_path):
    root, post = str(tmp_path), str(tmp_path / "posts" / "a.md")

    def local_file(src, from_root=False):
        found = find_file(src, post, root, from_root=from_root)
        return found and found.path

    assert local_file("{static}/images/a.jpg") == str(tmp_path / "images" / "a.jpg")
    assert local_file("/images/a.jpg") == str(tmp_path / "images" / "a.jpg")
    assert local_file("{static}a.jpg") == str(tmp_path / "posts" / "a.jpg")
    assert local_file("images/a.jpg", from_root=True) == str(tmp_path / "images" / "a.jpg")
    assert local_file("https://cdn.example/a.jpg") is None


def test_images_missing_file_missing_alt_and_remote(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "story.jpg").write_bytes(b"jpg")
    path = str(tmp_path / "posts" / "a.md")
    html = '<img src="{static}/images/story.jpg" alt=""><img src="https://x.example/a.png" alt="A">'
    findings = check_images(html, {"image": "images/gone.jpg"}, POST, path, str(tmp_path))
    problems = [(f.error, f.problem.split(" ")[-1]) for f in findings]
    assert any("no text alternative" in f.problem and f.line == 8 for f in findings)
    assert any("another website" in f.problem and not f.error for f in findings)
    assert any("does not exist" in f.problem and f.line == 4 for f in findings), problems
    assert any("Image-Alt" in f.fix for f in findings)


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777", "#fff", 4.48)],
)
def test_contrast_matches_wcag(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)


def test_sample_brand_colours_pass_and_weak_ones_are_explained():
    import runpy

    from conftest import SAMPLE_SETTINGS

    settings = runpy.run_path(str(SAMPLE_SETTINGS))
    assert check_colours(settings["LIBRARY"]["colours"]) == []
    weak = {**settings["LIBRARY"]["colours"], "brand": "#7fb2bd", "accent_dark_mode": "nope"}
    problems = check_colours(weak)
    assert any("'brand'" in p and "darker" in p for p in problems)
    assert any("accent_dark_mode" in p and "hex" in p for p in problems)


def test_short_slug_cuts_at_a_hyphen_and_is_stable():
    from checks.addresses import MAX_SLUG, short_slug

    long = "-".join(["very-long-title"] * 30)
    assert len(short_slug(long)) <= MAX_SLUG
    assert short_slug(long) == short_slug(long) and not short_slug(long).endswith("-")
    assert short_slug("short-slug") == "short-slug"


EMBEDDING = """Title: Author talk
Date: 2026-03-01

Watch the trailer:

<iframe src="https://www.youtube.com/embed/abc123" width="560"></iframe>

<script src="https://platform.twitter.com/widgets.js"></script>

<script>track()</script>

<video src="https://cdn.example.org/talk.mp4" controls></video>

<video src="{static}/media/talk.mp4" controls></video>

<iframe src="{static}/maps/branch.html"></iframe>
"""


def test_scripts_and_other_websites_embedded_in_a_post():
    html = EMBEDDING.split("\n\n", 1)[1].replace("{static}", "/static")
    findings = check_embeds(html, EMBEDDING, "content/posts/talk.md")
    said = [(f.line, f.error, f.problem) for f in findings]
    assert len(findings) == 4, said
    frame, remote_script, inline_script, video = findings
    assert (frame.line, frame.error) == (6, True)
    assert "www.youtube.com" in frame.problem and "cookies" in frame.problem
    assert "[See it on www.youtube.com](https://www.youtube.com/embed/abc123)" in frame.fix
    assert (remote_script.line, remote_script.error) == (8, True)
    assert "platform.twitter.com" in remote_script.problem
    assert (inline_script.line, inline_script.error) == (10, True)
    assert "without JavaScript" in inline_script.problem
    assert (video.line, video.error) == (12, False)  # like a picture from elsewhere: advice
    assert str(frame).startswith("content/posts/talk.md:6: error: The post embeds")


def test_the_sites_own_media_and_srcset_lists_are_not_other_websites():
    html = '<video><source srcset="/media/a.webm 1x, https://cdn.example/b.webm 2x"></video>'
    assert check_embeds(html, html, "x.md") == []  # the first address decides
    html = '<audio src="//cdn.example.org/a.mp3"></audio>'  # protocol-relative
    [finding] = check_embeds(html, html, "x.md")
    assert "cdn.example.org" in finding.problem
    html = '<iframe src="https://[oops/x"></iframe><iframe src="HTTPS://Maps.Example/e">'
    bad, maps = check_embeds(html, html, "x.md")  # a broken address is still elsewhere
    assert "another website" in bad.problem and "maps.example" in maps.problem
