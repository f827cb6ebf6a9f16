"""Which files the build may read: only those inside the content folder, symlinks
resolved first, so a link to /etc/passwd or /proc/self/environ is never read or copied."""

import functools
import os
import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# Ways a Markdown post links to a file in content/: Pelican turns these into addresses.
LINK_PREFIXES = ("{static}", "{attach}", "{filename}", "|static|", "|attach|", "|filename|")


def inside(path: str, root: str) -> bool:
    """Whether `path`, symlinks resolved, is `root` or under it."""
    real, root = os.path.realpath(path), _real_root(root)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=64)
def _real_root(root: str) -> str:
    """The content folder, resolved once (it is asked about for every link of every
    post); the file asked about is always resolved afresh."""
    return os.path.realpath(root)


def inside_any(path: str, roots) -> bool:
    return any(inside(path, root) for root in roots)


@dataclass(frozen=True)
class LocalFile:
    """Where a picture or link address points in the content folder."""

    path: str  # the file it names (normalised, not resolved); may not exist
    linked: bool  # written {static}/..., so Pelican makes the address and copies the file
    outside: bool  # outside the content folder once symlinks are resolved
    exists: bool  # a file inside the content folder

    def static_form(self, content_root: str) -> str:
        """How to write the address so that it works: {static}/images/x.jpg."""
        return "{static}/" + os.path.relpath(self.path, content_root).replace(os.sep, "/")


def find_file(src: str, source_path: str, content_root: str, from_root=False):
    """The LocalFile an address in a post names, or None for another website or a
    data: or file: address.

    `{static}/images/a.jpg` and `/images/a.jpg` are relative to content/;
    `{static}a.jpg` to the post's own folder. `images/a.jpg` (no {static}) only works
    in front matter (`from_root`); in the text it names a file the page cannot find,
    looked for in the post's folder, then in content/.
    """
    try:
        parts = urlsplit(src)
    except ValueError:  # "https://[oops": no file of the site's either
        return None
    if parts.scheme or parts.netloc or src.startswith("data:"):
        return None
    path = unquote(parts.path)
    prefix = next((p for p in LINK_PREFIXES if path.startswith(p)), "")
    linked, path = bool(prefix), path[len(prefix) :]
    if path.startswith("/") or from_root:
        bases = [content_root]
    elif linked:
        bases = [os.path.dirname(source_path)]
    else:
        bases = [os.path.dirname(source_path), content_root]
    names = [_join(base, path) for base in bases]
    found = next((n for n in names if os.path.isfile(n)), names[-1])
    outside = not inside(found, content_root)
    return LocalFile(found, linked, outside, os.path.isfile(found) and not outside)


def _join(base: str, path: str) -> str:
    return os.path.normpath(os.path.join(base, *posixpath.normpath(path.lstrip("/")).split("/")))
