"""Which files in the output folder no longer belong to the site.

The output folder is kept between builds, so that unchanged pages need not be
written again; a file is kept only if this build wrote it or kept it (an unchanged
page, a static file), and a resized copy of a picture only while a page of the site
shows it. Everything else (a deleted post's page, a renamed tag's pages, the sizes of
a picture no page shows any more) is removed.
"""

import os
import posixpath
import re
import shutil
from html import unescape
from urllib.parse import unquote, urlsplit

ADDRESSES = re.compile(r"""\b(?:src|srcset)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def stale(files: dict[str, int], claimed: set[str], since_ns: int, derivatives_dir: str,
          retention=(), shown=frozenset()) -> list[str]:  # fmt: skip
    """`files`: every file in the output, as a posix path relative to it -> mtime (ns).
    `claimed`: relative paths this build wrote or kept. `since_ns`: the build's start;
    files written after it belong to this build. `shown`: the resized pictures the
    site's pages show (image-process keeps any it finds, so a picture taken out of
    every post would otherwise keep its sizes)."""
    gone = []
    for path in sorted(files):
        if path.split("/", 1)[0] in retention:
            continue
        if derivatives_dir in path.split("/")[:-1]:
            if path not in shown:
                gone.append(path)
        elif path not in claimed and files[path] < since_ns:
            gone.append(path)
    return gone


def pictures_shown(html: str, page: str, siteurl: str, derivatives_dir: str) -> list[str]:
    """The resized pictures (`images/derivatives/...`) a page's HTML shows, as paths in
    the output. `page`: the page's own path in the output."""
    if f"{derivatives_dir}/" not in html:
        return []
    root = urlsplit(siteurl).path.rstrip("/")
    found = set()
    for value in ADDRESSES.findall(html):
        for candidate in unescape(value).split(","):
            url = (candidate.split() or [""])[0]
            if f"{derivatives_dir}/" not in url:
                continue
            parts = urlsplit(url)
            if parts.scheme or url.startswith("/"):
                path = parts.path.removeprefix(root)
            else:
                path = posixpath.join(posixpath.dirname(page), parts.path)
            found.add(posixpath.normpath(unquote(path)).lstrip("/"))
    return sorted(found)


def remove_folders(root: str, name: str):
    """Delete every folder called `name` under `root` (image-process's resized copies)."""
    for base, dirs, _ in os.walk(root):
        if name in dirs:
            shutil.rmtree(os.path.join(base, name))
            dirs.remove(name)


def remove(root: str, paths: list[str]):
    """Delete the files, then any folder left empty."""
    folders = set()
    for path in paths:
        full = os.path.join(root, path)
        os.remove(full)
        folders.add(os.path.dirname(full))
    for folder in sorted(folders, key=len, reverse=True):
        while folder != root and os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
