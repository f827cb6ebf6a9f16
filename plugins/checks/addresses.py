"""Addresses every post can have: slugs short enough for any file system, no empty slugs,
none that reach outside the post's own place in the site."""

import re

from .findings import Finding
from .source import metadata_line

MAX_SLUG = 80  # characters; file systems allow 255 bytes per name


def short_slug(slug: str, limit: int = MAX_SLUG) -> str:
    """`slug` cut to at most `limit` characters, at a hyphen where there is one."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    return (cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut).strip("-")


def unusable(terms) -> list:
    """Tags or categories whose name has no letter or digit to make an address from."""
    return [t for t in terms or () if not t.slug]


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A Save_as:/URL: override: a path inside the site, one plain name per folder.
SITE_PATH = re.compile(r"(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*[A-Za-z0-9_~-][A-Za-z0-9._~-]*/?")


def plain_slug(text: str) -> str:
    """`text` (already slugified by Pelican) as lower-case letters, digits and hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def address_problems(metadata, text, path, slugify) -> list[Finding]:
    """Front matter that would put a post somewhere other than its own address
    (`Slug: ../../tag` overwrites the tag list). `slugify(value)` is Pelican's, with
    the site's settings, for the fix."""
    findings = []
    slug = metadata.get("slug")
    if slug is not None and not SLUG.fullmatch(str(slug)):
        title = str(metadata.get("title") or "")
        better = plain_slug(slugify(str(slug))) or plain_slug(slugify(title)) or "a-short-name"
        findings.append(
            Finding(
                path, metadata_line(text, "slug"),
                f"Slug: {slug} is not a plain address (lower-case letters, digits and "
                "hyphens), so the post was left out.",
                f"Write 'Slug: {better}'.",
            )
        )  # fmt: skip
    for key, name in (("save_as", "Save_as"), ("url", "URL")):
        value = str(metadata.get(key) or "")
        if value and (not SITE_PATH.fullmatch(value) or key == "save_as" and value[-1] == "/"):
            findings.append(
                Finding(
                    path, metadata_line(text, key),
                    f"{name}: {value} is not a path inside the site, so the post was left out.",
                    f"Remove the {name}: line, or write a path such as 'about.html' "
                    "(letters, digits, hyphens, no '..').",
                )
            )  # fmt: skip
    return findings
