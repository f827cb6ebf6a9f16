"""Composing announcement text: pure functions, no I/O.

Networks count differently (Mastodon and Bluesky count graphemes, Mastodon counts
every link as a fixed length), so every function takes a `count` function. Text is
only ever shortened at a word boundary with an ellipsis, and a link or hashtag is
kept whole or left out, never cut.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

ELLIPSIS = "…"
URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
GRAPHEME = regex.compile(r"\X")
ATOMIC = re.compile(r"^#|https?://", re.IGNORECASE)  # tokens never cut: links, hashtags
LONGEST_WORD = 25  # a longer "word" is a run without spaces (a URL-less paste, CJK text)


def graphemes(text: str) -> int:
    """User-perceived characters, as Mastodon and Bluesky count them."""
    return len(GRAPHEME.findall(text))


def mastodon_counter(url_length: int = 23) -> Callable[[str], int]:
    """Mastodon's count: graphemes, every link counting as `url_length`."""

    def count(text: str) -> int:
        links = URL.findall(text)
        return graphemes(URL.sub("", text)) + url_length * len(links)

    return count


THREADS_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


def threads_count(text: str) -> int:
    """Threads' count: characters, except that an emoji counts as its UTF-8 bytes
    (https://developers.facebook.com/docs/threads/posts#limitations)."""
    total = 0
    for cluster in GRAPHEME.findall(text):
        total += len(cluster.encode("utf-8")) if THREADS_EMOJI.search(cluster) else len(cluster)
    return total


def hashtag(tag: str, mapping: dict | None = None) -> str | None:
    """`summer reading challenge` -> `SummerReadingChallenge` (screen readers read it
    as words). `mapping` overrides a tag's hashtag; mapping it to None drops it."""
    mapping = mapping or {}
    if tag in mapping:
        mapped = mapping[tag]
        return mapped.lstrip("#") if mapped else None
    words = re.split(r"[^\w]+|_", unicodedata.normalize("NFC", tag))
    camel = "".join(w[:1].upper() + w[1:] for w in words if w)
    if not camel or camel.isdigit():
        return None  # networks don't link hashtags made only of digits
    return camel


def hashtags(tags: Sequence[str], mapping: dict | None = None) -> list[str]:
    seen, out = set(), []
    for tag in tags:
        h = hashtag(tag, mapping)
        if h and h.lower() not in seen:
            seen.add(h.lower())
            out.append(f"#{h}")
    return out


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` graphemes, cut at a word boundary with an ellipsis.

    Links and hashtags are never cut: a cut that would fall inside one drops it.
    """
    text = " ".join(text.split())
    if graphemes(text) <= limit:
        return text
    if limit < 1:
        return ""
    out = ""
    for token in text.split(" "):
        candidate = f"{out} {token}" if out else token
        if graphemes(candidate) + 1 > limit:  # +1 for the ellipsis
            if not out and not ATOMIC.search(token) and graphemes(token) > LONGEST_WORD:
                # Text with no spaces to cut at: cut it between graphemes.
                out = "".join(GRAPHEME.findall(token)[: limit - 1])
            break
        out = candidate
    if not out:
        return ""
    last = out.rsplit(" ", 1)[-1]
    if ATOMIC.search(last):
        return f"{out} {ELLIPSIS}"  # a space, so the ellipsis never joins the link
    return f"{out.rstrip(' ,;:.-–—')}{ELLIPSIS}"


@dataclass(frozen=True)
class Parts:
    title: str
    summary: str
    url: str
    tags: tuple[str, ...] = ()  # hashtags, with "#"


def render(template: str, title: str, summary: str, url: str, tags: Sequence[str]) -> str:
    text = template.format(title=title, summary=summary, url=url, hashtags=" ".join(tags))
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def compose(template: str, parts: Parts, limit: int | None, count: Callable[[str], int]) -> str:
    """The fullest message that fits in `limit` as the network counts it.

    Gives up, in order: the end of the summary, hashtags (last first), the summary,
    the end of the title. The link always stays whole.
    """

    def fits(text):
        return limit is None or count(text) <= limit

    tags = list(parts.tags)
    while True:
        full = render(template, parts.title, parts.summary, parts.url, tags)
        if fits(full):
            return full
        summary = _longest(
            parts.summary, lambda s: fits(render(template, parts.title, s, parts.url, tags))
        )
        if summary and graphemes(summary) >= min(40, graphemes(parts.summary)):
            return render(template, parts.title, summary, parts.url, tags)
        if not tags:
            break
        tags.pop()
    title = _longest(parts.title, lambda t: fits(render(template, t, "", parts.url, [])))
    text = render(template, title, "", parts.url, [])
    return text if fits(text) else parts.url


def _longest(text: str, ok: Callable[[str], bool]) -> str:
    """The longest shortening of `text` that `ok` accepts ("" if none)."""
    lo, hi, best = 1, graphemes(text), ""
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = shorten(text, mid)
        if candidate and ok(candidate):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


# -- X (Twitter) --------------------------------------------------------------------
# X counts "weighted" characters with twitter-text's v3 configuration:
# https://docs.x.com/fundamentals/counting-characters and
# https://github.com/twitter/twitter-text/blob/master/config/v3.json
X_CONFIG = {
    "maxWeightedTweetLength": 280,
    "scale": 100,
    "defaultWeight": 200,
    "transformedURLLength": 23,
    "ranges": (  # (first, last, weight): Latin, Greek, Cyrillic... and some punctuation
        (0x0000, 0x10FF, 100),
        (0x2000, 0x200D, 100),
        (0x2010, 0x201F, 100),
        (0x2032, 0x2037, 100),
    ),
}
# An emoji sequence counts as one character of the default weight (2), however many
# code points it has: flags, keycaps, skin tones, ZWJ families, tag sequences.
EMOJI = regex.compile(
    r"\p{RI}\p{RI}"
    r"|(?:\p{Extended_Pictographic}|[#*0-9]\uFE0F?\u20E3)"
    r"(?:\uFE0F|\p{Emoji_Modifier})?[\U000E0020-\U000E007E]*\U000E007F?"
    r"(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*"
)
# A link without https:// is still a link to X ("riverside.example/news"): counted as at
# least 23, never less than X would count it.
BARE_DOMAIN = re.compile(r"(?<![\w@.#/-])(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>\"']*)?", re.I)
TRAILING = ".,:;!?)]}'\""  # punctuation X leaves outside a link: counted as text


def _x_weight(char: str) -> int:
    code = ord(char)
    for first, last, weight in X_CONFIG["ranges"]:
        if first <= code <= last:
            return weight
    return X_CONFIG["defaultWeight"]


def x_counter(url_length: int = X_CONFIG["transformedURLLength"]) -> Callable[[str], int]:
    """X's weighted length: NFC first, every link `url_length` (X wraps it in t.co), an
    emoji sequence 2, each other code point 1 or 2 by its range (CJK counts 2). Where
    X's own parser could count less (a bare domain, trailing punctuation) this counts
    the larger, so a message it accepts is never over X's limit."""
    scale = X_CONFIG["scale"]

    def count(text: str) -> int:
        text = unicodedata.normalize("NFC", text)
        weight = 0

        def link(match):
            nonlocal weight
            url = match.group(0)
            kept = url.rstrip(TRAILING)
            weight += url_length * scale
            return url[len(kept) :]  # trailing punctuation is counted as text

        def bare(match):
            nonlocal weight
            own = sum(_x_weight(c) for c in match.group(0))
            weight += max(own, url_length * scale)
            return ""

        text = URL.sub(link, text)
        text = BARE_DOMAIN.sub(bare, text)
        weight += X_CONFIG["defaultWeight"] * len(EMOJI.findall(text))
        weight += sum(_x_weight(c) for c in EMOJI.sub("", text))
        return -(-weight // scale)

    return count
