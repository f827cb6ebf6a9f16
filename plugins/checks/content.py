"""Checks on one post or page. Pure functions: text in, findings out."""

import difflib
import os
import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from .findings import Finding
from .source import line_containing, metadata_line

# Front-matter keys Pelican and the Noticeboard theme understand (lower case, as
# Pelican stores them). Plugins add theirs to PLUGIN_METADATA_KEYS when initialized;
# a library adds its own in METADATA_KEYS.
KNOWN_METADATA_KEYS = frozenset(
    {
        # Pelican
        "title", "date", "modified", "category", "tags", "author", "authors",
        "summary", "slug", "status", "lang", "translation", "template",
        "save_as", "url", "reader", "keywords",
        # Noticeboard theme
        "image", "image-alt", "menu", "footer",
    }
)  # fmt: skip

# Ways a Markdown post links to a file in content/.
LINK_PREFIX = re.compile(r"^(?:\{(?:static|attach|filename)\}|\|(?:static|attach|filename)\|)")


def check_metadata_keys(keys, known, text, path):
    """Unknown front-matter keys, usually typos such as `Catgory`."""
    findings = []
    for key in sorted(set(keys) - set(known)):
        guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
        if guess:
            fix = f"Did you mean '{guess[0].title()}'? Correct the spelling."
        else:
            fix = "Remove it, or add it to METADATA_KEYS in pelicanconf.py if a plugin uses it."
        findings.append(
            Finding(path, metadata_line(text, key), f"Unknown metadata key '{key.title()}'.", fix)
        )
    return findings


class _Images(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images = []  # (src, alt or None)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attrs = dict(attrs)
            self.images.append((attrs.get("src") or "", attrs.get("alt")))


def images_in(html: str):
    parser = _Images()
    parser.feed(html or "")
    return parser.images


def local_file(src: str, source_path: str, content_root: str, from_root=False) -> str | None:
    """The file under content/ that an image address points at, or None if it is remote.

    `{static}/images/a.jpg` and `/images/a.jpg` are relative to content/;
    `{static}a.jpg` and `a.jpg` to the post's own folder (to content/ with `from_root`,
    as for the `Image:` metadata).
    """
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("data:"):
        return None
    target = unquote(LINK_PREFIX.sub("", parts.path))
    if target.startswith("/") or from_root:
        base, target = content_root, target.lstrip("/")
    else:
        base = os.path.dirname(source_path)
    return os.path.normpath(os.path.join(base, *posixpath.normpath(target).split("/")))


def check_image(src, alt, text, path, content_root, *, needs_alt=True, where_key=None):
    """One image: the file exists, it has alt text, it does not load from elsewhere."""
    line = metadata_line(text, where_key) if where_key else line_containing(text, src)
    findings = []
    target = local_file(src, path, content_root, from_root=bool(where_key))
    if target is None:
        if not src.startswith("data:"):
            findings.append(
                Finding(
                    path, line,
                    f"The image {src} loads from another website, which tells that site "
                    "who reads this page.",
                    "Save the image in content/images/ and link it as {static}/images/name.jpg.",
                    error=False,
                )
            )  # fmt: skip
    elif not os.path.isfile(target):
        findings.append(
            Finding(
                path, line,
                f"The image {src} does not exist (looked for {os.path.relpath(target)}).",
                "Check the file name (capitals count), or add the file to content/images/.",
            )
        )  # fmt: skip
    if needs_alt and not (alt or "").strip():
        findings.append(
            Finding(
                path, line,
                f"The image {src} has no text alternative, so screen reader users miss it.",
                "Describe the picture in the brackets: ![Children reading on bean bags](...)."
                if not where_key
                else "Add an Image-Alt: line describing the picture.",
            )
        )  # fmt: skip
    return findings


def check_images(html, metadata, text, path, content_root):
    """Every image in the body, and the post's own `Image:`."""
    findings = []
    for src, alt in images_in(html):
        findings += check_image(src, alt, text, path, content_root)
    if metadata.get("image"):
        findings += check_image(
            metadata["image"], metadata.get("image-alt"), text, path, content_root,
            where_key="image",
        )  # fmt: skip
    return findings
