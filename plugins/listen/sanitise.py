"""Text from a network, made safe to show staff and readers: plain text only."""

import html
import re
import unicodedata

_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>?")
_CONTROL = {"Cc", "Co", "Cs"}  # controls, private use, surrogates
# Bidirectional controls, which can make text read differently from what it says. Other
# format characters stay: the joiners emoji and many scripts need (U+200C, U+200D).
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_LENGTH = 5000


def web_address(url: str | None) -> str:
    """`url` if it is an http(s) address, else "" (never a javascript: or data: link)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def plain(text: str | None, markup: bool = True) -> str:
    """`text` as plain text: tags dropped (Mastodon sends HTML; a <p> or <br> becomes a
    line break), entities decoded once, control and bidi-override characters removed,
    blank lines squeezed, and at most MAX_LENGTH characters. Pictures are never kept:
    an <img> is a tag, and tags are dropped. With markup=False (Bluesky, Meta send plain
    text) only the characters are cleaned."""
    if not text:
        return ""
    if markup:
        text = _BREAK.sub("\n", text)
        text = _TAG.sub("", text)
        text = html.unescape(text)
    text = "".join(
        c
        for c in text
        if c in "\n\t" or (c not in _BIDI and unicodedata.category(c) not in _CONTROL)
    ).replace("\t", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1].rstrip() + "…"
