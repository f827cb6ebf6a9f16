"""The editor's introduction: HTML made safe for an email, and the same as plain text.

Pure. The HTML comes from Markdown (content/newsletters/<date>.md, read by Pelican, or
NEWSLETTER["intro"] / ["empty_text"]); Markdown lets raw HTML through, and mail
clients and the archive page must get none that runs or loads: scripts, frames,
forms, event attributes and `javascript:` links are removed.
"""

import re
import textwrap
from html import escape
from urllib.parse import urljoin

import lxml.html
from feeds.text import clean

from .edition import one_line

DROP = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "link",
    "meta",
    "base",
    "svg",
    "math",
    "noscript",
    "template",
    "audio",
    "video",
    "source",
    "track",
    "canvas",
    "dialog",
}
URL_ATTRIBUTES = ("href", "src", "cite", "action", "poster", "srcset", "background")
SAFE_URL = re.compile(r"^(?:https?:|mailto:|tel:|#)", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
BLOCKS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figure",
    "figcaption",
    "hr",
    "dl",
    "dt",
    "dd",
    "address",
}
WIDTH = 72
BREAK = "\ue000"  # a <br>, in the text being made (a private-use character)


def _fragment(html: str):
    return lxml.html.fragment_fromstring(clean(html or ""), create_parent="div")


def _inner(root) -> str:
    return escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def sanitise(html: str, base: str | None) -> str:
    """`html` with nothing that runs or loads by itself, and only web, mail and phone
    links: every one made absolute from `base` (an absolute address) or, with no base,
    relative ones kept as they are (the archive page's own links)."""
    if not html or not html.strip():
        return ""
    root = _fragment(html)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            el.drop_tree()  # comments, processing instructions
        elif el.tag.lower() in DROP:
            el.drop_tree()
    for el in root.iter():
        for name in list(el.attrib):
            if name.lower().startswith("on") or name.lower() == "style":
                del el.attrib[name]
        for name in URL_ATTRIBUTES:
            value = el.get(name)
            if value is None:
                continue
            if name == "srcset":
                del el.attrib[name]  # the email's picture is its src, absolute
                continue
            url = one_line(value)
            url = urljoin(base, url) if base else url
            if SAFE_URL.match(url) or (not base and not SCHEME.match(url)):
                el.set(name, url)
            else:
                del el.attrib[name]  # javascript:, data:, file: ...
    return _inner(root)


def _inline_child(child) -> str:
    """The text of an inline element: a link followed by its address in brackets."""
    tag = child.tag.lower()
    if tag == "br":
        return BREAK
    if tag == "img":
        alt = one_line(child.get("alt"))
        return f"[{alt}]" if alt else ""
    if tag == "a":
        label, href = one_line(_inline_text(child)), child.get("href") or ""
        address = href.removeprefix("mailto:")
        if not href or address == label or href.startswith("#"):
            return label
        return f"{label} ({address})" if label else address
    return _inline_text(child)


def _inline_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(_inline_child(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _blocks(el, out: list[str], prefix=""):
    """Paragraphs of text: each block element its own, list items with a dash."""
    loose = [el.text or ""]

    def flush():
        text = "".join(loose)
        loose.clear()
        # Line ends in the Markdown are spaces; only <br> breaks a line.
        for line in " ".join(text.split()).split(BREAK):
            if line.strip():
                out.extend(
                    textwrap.wrap(
                        " ".join(line.split()),
                        WIDTH,
                        initial_indent=prefix,
                        subsequent_indent=prefix,
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                )
        if text.strip():
            out.append("")

    for child in el:
        if not isinstance(child.tag, str):
            loose.append(child.tail or "")
            continue
        tag = child.tag.lower()
        if tag in ("ul", "ol"):
            flush()
            for number, item in enumerate(child.iterchildren("li"), start=1):
                mark = f"{number}. " if tag == "ol" else "- "
                text = " ".join(_inline_text(item).replace(BREAK, " ").split())
                out.extend(
                    textwrap.wrap(
                        text,
                        WIDTH,
                        initial_indent=prefix + mark,
                        subsequent_indent=prefix + " " * len(mark),
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                )
            out.append("")
        elif tag == "hr":
            flush()
            out += ["* * *", ""]
        elif tag in BLOCKS:
            flush()
            _blocks(child, out, prefix + ("> " if tag == "blockquote" else ""))
        else:
            loose.append(_inline_child(child))
        loose.append(child.tail or "")
    flush()


def to_text(html: str) -> str:
    """Plain text from the (sanitised) HTML: paragraphs, list items, link addresses;
    lines wrapped at 72 characters, URLs never broken. No tags, no control characters."""
    if not html or not html.strip():
        return ""
    out: list[str] = []
    _blocks(_fragment(html), out)
    # One line each: no control characters; list items keep their indent.
    text = "\n".join(re.match(r"^ *", line).group() + one_line(line) for line in out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
