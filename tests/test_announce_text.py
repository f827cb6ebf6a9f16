"""Composing announcements: never over a network's limit, never a cut link or hashtag."""

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from announce.config import DEFAULT_TEMPLATE  # noqa: E402
from announce.text import (  # noqa: E402
    URL,
    Parts,
    compose,
    graphemes,
    hashtag,
    hashtags,
    mastodon_counter,
    shorten,
    x_counter,
)

LINK = "https://www.riverside-libraries.example/news/2026/summer-reading-challenge/"
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=600)
tag_names = st.lists(st.text(min_size=1, max_size=30), max_size=8)


def test_hashtags_are_camel_case_words():
    assert hashtags(["summer reading challenge", "Rhyme Time", "under-fives", "R&D"]) == [
        "#SummerReadingChallenge", "#RhymeTime", "#UnderFives", "#RD",
    ]  # fmt: skip
    assert hashtag("2026") is None and hashtag("🎉") is None
    assert hashtags(["Rhyme Time", "rhyme time"]) == ["#RhymeTime"]
    assert hashtags(
        ["Riverside Central", "x"], {"Riverside Central": "RiversideLibs", "x": None}
    ) == ["#RiversideLibs"]


def test_shorten_cuts_at_a_word_with_an_ellipsis():
    assert shorten("The quick brown fox jumps", 14) == "The quick…"
    assert shorten("Short", 10) == "Short"
    assert shorten(f"See {LINK} now", 20) == "See…"


def test_mastodon_counts_every_link_as_23():
    count = mastodon_counter(23)
    assert count(f"Hi {LINK}") == 3 + 23
    assert count("👩‍👩‍👧 family") == 8  # one grapheme for the family emoji


def test_compose_gives_up_summary_then_hashtags_then_title_end():
    parts = Parts("World Book Night", "An evening of readings, music and free books. " * 5, LINK,
                  ("#WorldBookNight", "#AuthorEvents"))  # fmt: skip
    count = mastodon_counter()
    full = compose(DEFAULT_TEMPLATE, parts, 1000, count)
    assert full.endswith("#WorldBookNight #AuthorEvents")
    short = compose(DEFAULT_TEMPLATE, parts, 120, count)
    assert count(short) <= 120 and LINK in short and "…" in short
    tiny = compose(DEFAULT_TEMPLATE, parts, 40, count)
    assert count(tiny) <= 40 and LINK in tiny and "#" not in tiny


@settings(max_examples=400, deadline=None)
@given(title=text, summary=text, tags=tag_names, limit=st.integers(min_value=100, max_value=600))
def test_never_over_the_limit_never_a_cut_link_or_hashtag(title, summary, tags, limit):
    tag_list = tuple(hashtags(tags))
    source_words = set(title.split()) | set(summary.split())
    for count in (graphemes, mastodon_counter(23)):
        out = compose(DEFAULT_TEMPLATE, Parts(title, summary, LINK, tag_list), limit, count)
        assert count(out) <= limit
        assert LINK in out.split()  # the link is there, whole, as its own word
        for link in URL.findall(out):  # every link is one written in full somewhere
            assert link == LINK or link in source_words, link
        for word in out.split():
            if word.startswith("#"):  # every hashtag is ours or the author's, whole
                assert word in tag_list or word in source_words, word


@settings(max_examples=300, deadline=None)
@given(value=text, limit=st.integers(min_value=0, max_value=200))
def test_shorten_never_exceeds_and_only_cuts_at_words(value, limit):
    out = shorten(value, limit)
    assert graphemes(out) <= max(limit, 0)
    if out.endswith("…"):
        kept = out[:-1]
        words = value.split()
        # Every kept word is a whole word of the original (only a run longer than
        # 25 graphemes with no spaces may be cut, and never a link or hashtag).
        for word in kept.split()[:-1]:
            assert word in words
        last = kept.split()[-1] if kept.split() else ""
        if last and last not in words:
            assert not last.startswith(("http://", "https://", "#"))


# -- X's weighted count (https://docs.x.com/fundamentals/counting-characters) ----------

x_count = x_counter()
latin = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x10FF, exclude_categories=("Cs", "Mn", "Me")),
    max_size=200,
)
cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=200)
paths = st.text(st.characters(codec="ascii", categories=("Ll", "Nd")), max_size=200)


def test_x_counts_as_the_documented_examples():
    assert x_count("Hello, library!") == 15
    assert x_count("図書館") == 6  # CJK: weight 200, two each
    assert x_count("“quoted” – dash") == 15  # U+2010-U+201F weigh 100
    assert x_count("👩‍👩‍👧") == 2 and x_count("🇬🇧") == 2 and x_count("👍🏽") == 2
    assert x_count("e\u0301") == 1  # NFC first: one character
    assert x_count(f"Read {LINK}") == 5 + 23
    assert x_count("x" * 280) == 280 and x_count("x" * 281) == 281


@settings(max_examples=200, deadline=None)
@given(prefix=latin, path=paths)
def test_x_every_link_counts_23_however_long(prefix, path):
    prefix = URL.sub("", prefix)
    url = f"https://www.riverside-libraries.example/{path}"
    assert x_count(f"{prefix} {url}") == x_count(f"{prefix} ") + 23


@settings(max_examples=200, deadline=None)
@given(value=cjk)
def test_x_cjk_counts_two_each(value):
    assert x_count(value) == 2 * len(value)


@settings(max_examples=200, deadline=None)
@given(value=text)
def test_x_count_is_of_the_nfc_text_and_at_least_one_per_grapheme(value):
    import unicodedata

    assert x_count(unicodedata.normalize("NFD", value)) == x_count(value)
    assert x_count(value) >= graphemes(URL.sub("", value))


@settings(max_examples=400, deadline=None)
@given(title=text, summary=text, tags=tag_names)
def test_x_compose_never_over_280_weighted(title, summary, tags):
    tag_list = tuple(hashtags(tags))
    out = compose(DEFAULT_TEMPLATE, Parts(title, summary, LINK, tag_list), 280, x_count)
    assert x_count(out) <= 280
    assert LINK in out.split()


def test_x_compose_cjk_title_fits_in_140_characters():
    out = compose(DEFAULT_TEMPLATE, Parts("読書" * 200, "", LINK), 280, x_count)
    assert x_count(out) <= 280 and LINK in out and "…" in out
