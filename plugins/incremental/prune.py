"""Which files in the output folder no longer belong to the site.

The output folder is kept between builds, so that unchanged pages need not be
written again; a file is kept only if this build wrote it, kept it (an unchanged
page, a static file), or it is a resized copy of a picture that is still part of
the site. Everything else (a deleted post's page, a renamed tag's pages, the sizes of
a picture that was taken down) is removed.
"""

import os
import posixpath
import shutil


def stale(files: dict[str, int], claimed: set[str], since_ns: int, derivatives_dir: str,
          retention=()) -> list[str]:  # fmt: skip
    """`files`: every file in the output, as a posix path relative to it -> mtime (ns).
    `claimed`: relative paths this build wrote or kept. `since_ns`: the build's start;
    files written after it belong to this build."""
    kept = {p for p, mtime in files.items() if p in claimed or mtime >= since_ns}
    pictures = {(posixpath.dirname(p), _stem(p)) for p in kept}
    gone = []
    for path in sorted(files):
        if path in kept or path.split("/", 1)[0] in retention:
            continue
        if _picture_still_used(path, derivatives_dir, pictures):
            continue
        gone.append(path)
    return gone


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def _picture_still_used(path, derivatives_dir, pictures) -> bool:
    """image-process keeps the sizes of `images/a.jpg` as
    `images/derivatives/<kind>/[<size>/]a.webp`."""
    parts = path.split("/")
    if derivatives_dir not in parts[:-1]:
        return False
    base = "/".join(parts[: parts.index(derivatives_dir)])
    return (base, _stem(path)) in pictures


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
