"""The feeds plugin's text helpers: what XML forbids, and relative URLs."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from feeds.text import absolutize, clean, plain  # noqa: E402

BASE = "https://lib.example/news/2026/post/"


def test_clean_removes_only_what_xml_forbids():
    assert clean("a\x00b\x07c\x0bd\x1fe\ufffef") == "abcdef"
    assert clean("tab\tnew\nline\r é 📚 שלום") == "tab\tnew\nline\r é 📚 שלום"


def test_plain_text_of_html():
    assert plain("<p>Fish &amp; <em>chips</em></p>\n<p>night</p>") == "Fish & chips night"


def test_absolutize_links_images_srcset_and_fragments():
    html = (
        '<p><a href="../../../visit-us/">v</a> <a href="#fn:1">1</a> '
        '<a href="mailto:a@lib.example">m</a> <img src="/images/a.jpg" '
        'srcset="/images/a.jpg 1x, b.jpg 2x" alt="A &amp; B"> 1 &lt; 2</p>'
    )
    out = absolutize(html, BASE)
    assert 'href="https://lib.example/visit-us/"' in out
    assert 'href="https://lib.example/news/2026/post/#fn:1"' in out
    assert 'href="mailto:a@lib.example"' in out
    assert 'src="https://lib.example/images/a.jpg"' in out
    assert (
        'srcset="https://lib.example/images/a.jpg 1x, https://lib.example/news/2026/post/b.jpg 2x"'
        in out
    )
    assert "1 &lt; 2" in out and 'alt="A &amp; B"' in out


def test_absolutize_leaves_absolute_html_untouched():
    html = '<p>Leading text &amp; <a href="https://x.example/">x</a></p>'
    assert absolutize(html, BASE) == html


def test_absolutize_keeps_text_before_the_first_tag_escaped():
    assert absolutize('1 &lt; 2 <a href="a/">a</a>', BASE).startswith("1 &lt; 2 <a")
