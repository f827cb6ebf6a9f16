"""Each network's rules in the composer, as properties over any title, summary and tags:
the text fits as that network counts it, the link (or what stands for it) is whole,
hashtags are CamelCase and as many as the network takes, and the picture Meta fetches
is always a shape Instagram accepts, padded and never stretched or cut."""

import sys

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(ROOT / "plugins"))

from announce.channels import TYPES  # noqa: E402
from announce.config import DEFAULTS, read_config  # noqa: E402
from announce.post import Post  # noqa: E402
from announce.public_image import fit  # noqa: E402
from PIL import Image  # noqa: E402

URL = "https://www.riverside-libraries.example/news/2026/rhyme-time-returns-to-northfield/"
SHORT = "www.riverside-libraries.example/news/2026/rhyme-time-returns-to-northfield"
CONFIG = read_config(DEFAULTS, environ={})
KINDS = ["mastodon", "bluesky", "facebook", "instagram", "threads", "x"]
MAX_HASHTAGS = {"threads": 1, "instagram": 30}

words = st.text(  # no "#" of their own: every hashtag in a message is one made from a tag
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="#")
    | st.sampled_from("👍🏽🇬🇧漢字 "),
    max_size=40,
)
text = st.lists(words, max_size=40).map(" ".join)
tags = st.lists(words.filter(lambda t: t.strip()), max_size=40)


def channel(kind):
    (config,) = [c for c in CONFIG.channels if c.type == kind]
    return TYPES[kind](config, CONFIG, {})


def post(title, summary, tags, image=True):
    return Post(
        id="tag:riverside,2026:rhyme",
        source="content/posts/rhyme.md",
        url=URL,
        title=title or "Rhyme Time",
        summary=summary,
        date="2026-02-01T09:00:00+00:00",
        lang="en",
        tags=tuple(tags),
        image_path="content/images/story-time.jpg" if image else "",
        image_alt="A librarian reads to children." if image else "",
        public_image_url="https://www.riverside-libraries.example/images/announce/a.jpg"
        if image
        else "",
    )


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=text, summary=text, tags=tags)
def test_every_message_fits_as_the_network_counts_and_keeps_its_link(kind, title, summary, tags):
    network = channel(kind)
    message = network.compose(post(title, summary, tags))
    assert message.length == network.count(message.text)
    assert network.limit is None or message.length <= network.limit
    link = SHORT if kind == "instagram" else URL
    assert link in message.text  # whole, never cut
    hashtags = [w for w in message.text.split() if w.startswith("#") and len(w) > 1]
    assert len(hashtags) <= MAX_HASHTAGS.get(kind, 40)
    for hashtag in hashtags:  # CamelCase: each word's first letter upper case
        assert hashtag[1:2] == hashtag[1:2].upper()


def test_hashtags_are_camel_case_and_threads_keeps_one():
    tags = ["summer reading challenge", "under fives", "Rhyme Time"]
    for kind in KINDS:
        message = channel(kind).compose(post("Rhyme Time returns", "Songs and stories.", tags))
        expected = ["#SummerReadingChallenge", "#UnderFives", "#RhymeTime"]
        assert [w for w in message.text.split() if w.startswith("#")] == expected[
            : MAX_HASHTAGS.get(kind, 3)
        ]


def test_instagram_says_link_in_bio_when_asked():
    config = read_config(
        {**DEFAULTS, "ANNOUNCE_CHANNELS": {"instagram": {"type": "instagram", "link": "bio"}}},
        environ={},
    )
    network = TYPES["instagram"](config.channels[0], config, {})
    message = network.compose(post("Rhyme Time", "Songs.", []))
    assert "Link in bio" in message.text and "riverside" not in message.text


def test_what_each_network_does_with_a_post_without_a_picture():
    bare = post("Rhyme Time", "Songs.", [], image=False)
    assert channel("facebook").compose(bare).image is None  # a link post: the page's card
    assert "fetched" not in channel("threads").compose(bare).extra  # a text post with the link
    from announce.errors import NotSendable

    instagram = channel("instagram")
    with pytest.raises(NotSendable, match="instagram posts need a picture"):
        instagram.need_picture(instagram.compose(bare), bare)  # failed, never skipped


@settings(max_examples=40, deadline=None)
@given(width=st.integers(1, 2400), height=st.integers(1, 2400))
def test_the_picture_meta_fetches_is_padded_into_instagrams_shapes_never_stretched(width, height):
    # Left half black, right half white: the padding is the average grey, so the
    # picture's own pixels can be found in the result and measured.
    image = Image.new("L", (width, height), 0)
    image.paste(255, (width // 2, 0, width, height))
    fitted = fit(image.convert("RGB"))
    ratio = fitted.width / fitted.height
    assert 4 / 5 - 0.01 <= ratio <= 1.91 + 0.01
    assert 320 <= fitted.width <= 1440
    if width >= 40 and height >= 40:  # big enough to measure the content's shape
        grey = fitted.convert("L").point(lambda v: 0 if 100 < v < 155 else 255)
        left, top, right, bottom = grey.getbbox()
        scale_x, scale_y = (right - left) / width, (bottom - top) / height
        assert scale_x == pytest.approx(scale_y, rel=0.06, abs=2 / min(width, height))


def test_a_transparent_picture_is_fitted_on_white_and_a_panorama_is_shrunk_first():
    logo = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    logo.paste((200, 0, 0, 255), (300, 200, 500, 400))
    fitted = fit(logo)
    assert fitted.getpixel((5, 5)) == (255, 255, 255)  # not black
    assert fitted.getpixel((fitted.width // 2, fitted.height // 2))[0] > 150  # the red stays
    panorama = fit(Image.new("RGB", (12000, 1000), (10, 120, 200)))
    assert panorama.width == 1440 and 1.9 <= panorama.width / panorama.height <= 1.92
