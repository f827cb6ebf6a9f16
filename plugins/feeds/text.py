"""Text and HTML made safe for feeds: no characters XML forbids, no relative URLs."""

import re
from html import escape
from urllib.parse import urljoin

import lxml.html

# XML 1.0 allows tab, newline, carriage return, and U+0020 up; not the other C0
# controls, lone surrogates, or U+FFFE/U+FFFF. Word processors paste some of them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "data")
# Attribute values that may hold a URL, and the URLs that need no change.
_URL_VALUES = re.compile(
    r"""\b(?:href|src|poster|cite|action|data|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
    re.IGNORECASE,
)
_ABSOLUTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|$)", re.IGNORECASE)


def clean(text: str | None) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _FORBIDDEN.sub("", text or "")


def plain(html: str | None) -> str:
    """The text of an HTML fragment, whitespace folded."""
    if not html or not html.strip():
        return ""
    text = lxml.html.fragment_fromstring(clean(html), create_parent="div").text_content()
    return " ".join(text.split())


def absolutize(html: str, base: str) -> str:
    """`html` with every relative URL (links, images, srcset) resolved against `base`."""
    if not html or not html.strip():
        return ""
    html = clean(html)
    if all(_ABSOLUTE.match(url) for url in _urls(html)):
        return html  # the common case: Pelican already made {static} and {filename} absolute
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments, processing instructions
        for attr in _URL_ATTRIBUTES:
            value = el.get(attr)
            if value is not None and not value.startswith(("mailto:", "tel:", "data:")):
                el.set(attr, urljoin(base, value.strip()))
        srcset = el.get("srcset")
        if srcset:
            el.set("srcset", _absolute_srcset(srcset, base))
    inner = escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return inner


def _urls(html: str):
    for match in _URL_VALUES.finditer(html):
        value = next(v for v in match.groups() if v is not None)
        yield from (part.split()[0] if part.split() else "" for part in value.split(","))


def _absolute_srcset(srcset: str, base: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = urljoin(base, parts[0])
            candidates.append(" ".join(parts))
    return ", ".join(candidates)
