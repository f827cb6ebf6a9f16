"""Resized pictures (pelican-image-process's derivatives), kept in CACHE_PATH/images.

image-process makes a picture's sizes in the output folder and makes them again
whenever they are not there (a fresh clone, a publish build, which empties the output
first), and opens every size on every page that shows it just to read its width and
height. Here its `process_image` is wrapped: each size is kept in the cache under a
key made of the picture's bytes (never its name or file time: a photo replaced under
the same name gets new sizes), the transform, the output format and the versions of
image-process, Pillow and its WebP library, and copied into the output where image-
process would have written it (its paths and HTML are its own). Its width and height
are remembered for the rest of the process.

The wrapping relies on image-process calling `process_image(image, settings)` by its
module name, image = (source, destination, operations), returning (width, height) or
None; it is checked against the version pinned in requirements.txt (CHECKED): with
any other, pictures are made by image-process alone and a warning says so.

A size no build has used for KEEP_DAYS is removed from the cache (`sweep`): a page
kept unchanged by an incremental build does not use its pictures' sizes, so such a
size may be made again by a later build into an empty folder; that costs time only.
"""

import filecmp
import hashlib
import logging
import os
import shutil
import time
from importlib import metadata
from urllib.parse import unquote

logger = logging.getLogger(__name__)

CHECKED = "3.4.0"  # pelican-image-process, as pinned in requirements.txt
FOLDER = "images"  # in CACHE_PATH
KEEP_DAYS = 90

_hashes: dict[tuple, str] = {}  # (source, size, mtime_ns) -> sha256 of its bytes
_keys: dict[tuple, str] = {}  # (source's hash, transform, format, EXIF) -> cache key
_sizes: dict[str, tuple[int, int]] = {}  # cache key -> (width, height)
_placed: dict[str, tuple] = {}  # destination -> (key, size, mtime_ns, inode) of our copy
_used: set[str] = set()  # cache files this process has used (and refreshed the time of)
counts = {"made": 0, "copied": 0}  # sizes encoded, sizes copied out of the cache


def install(image_process) -> bool:
    """Wrap `image_process.process_image` (once). False when the installed
    image-process is not the version this was checked against."""
    if getattr(image_process.process_image, "noticeboard_cache", False):
        return True
    version = metadata.version("pelican-image-process")
    if version != CHECKED:
        logger.warning(
            "images: the picture cache was checked with pelican-image-process %s, not %s: "
            "every size of every picture is made again in an empty output folder. Fix: "
            "pin pelican-image-process==%s in requirements.txt, or check "
            "plugins/images/derivatives.py against %s and set CHECKED.",
            CHECKED, version, CHECKED, version,
        )  # fmt: skip
        return False
    original = image_process.process_image

    def process_image(image, settings):
        return cached(original, image, settings)

    process_image.noticeboard_cache = True
    process_image.__wrapped__ = original
    image_process.process_image = process_image
    return True


def cached(original, image, settings):
    """image-process's `process_image`, through the cache."""
    source, target, operations = unquote(image[0]), unquote(image[1]), image[2]
    if (
        settings.get("IMAGE_PROCESS_FORCE")
        or any(callable(step) for step in operations)  # no stable key for code
        or not os.path.isfile(source)
    ):
        return original(image, settings)
    key = derivative_key(source, operations, target, settings)
    ext = os.path.splitext(target)[1].lower()
    folder = os.path.join(settings["CACHE_PATH"], FOLDER, key[:2])
    stored = os.path.join(folder, key + ext)
    if not os.path.exists(stored):
        os.makedirs(folder, exist_ok=True)
        # The extension last: Pillow picks the format from it.
        tmp = os.path.join(folder, f"{key}.{os.getpid()}.tmp{ext}")
        try:
            forced = {**settings, "IMAGE_PROCESS_FORCE": True}
            size = original((image[0], tmp, operations), forced)
            if size is None:  # not a picture Pillow reads: image-process said so
                return None
            os.replace(tmp, stored)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        _sizes[key] = (int(size[0]), int(size[1]))
        counts["made"] += 1
    _place(stored, target, key)
    if stored not in _used:
        os.utime(stored)  # used: kept by `sweep`
        _used.add(stored)
    if key not in _sizes:
        from PIL import Image

        with Image.open(stored) as picture:
            _sizes[key] = picture.size
    return _sizes[key]


def _place(stored: str, target: str, key: str):
    """Make `target` a copy of `stored`, unless it is one already."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None:
        if _placed.get(target) == (key, st.st_size, st.st_mtime_ns, st.st_ino):
            return
        if st.st_size == os.path.getsize(stored) and filecmp.cmp(stored, target, shallow=False):
            _placed[target] = (key, st.st_size, st.st_mtime_ns, st.st_ino)
            return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{target}.{os.getpid()}.tmp"
    shutil.copyfile(stored, tmp)
    os.replace(tmp, target)
    st = os.stat(target)
    _placed[target] = (key, st.st_size, st.st_mtime_ns, st.st_ino)
    counts["copied"] += 1


def derivative_key(source: str, operations, target: str, settings) -> str:
    """What a size is made of: the picture's bytes, the transform, the format (the
    destination's extension), the tools' versions and whether EXIF tags are copied."""
    ask = (
        content_hash(source),
        repr(list(operations)),
        os.path.splitext(target)[1].lower(),
        bool(settings.get("IMAGE_PROCESS_COPY_EXIF_TAGS")),
    )
    if ask not in _keys:
        h = hashlib.sha256()
        for part in (*ask, *tool_versions()):
            h.update(f"{part}\0".encode())
        _keys[ask] = h.hexdigest()[:32]
    return _keys[ask]


def content_hash(path: str) -> str:
    st = os.stat(path)
    memo = (path, st.st_size, st.st_mtime_ns)
    if memo not in _hashes:
        with open(path, "rb") as f:
            _hashes[memo] = hashlib.file_digest(f, "sha256").hexdigest()
    return _hashes[memo]


_versions: tuple = ()


def tool_versions() -> tuple:
    global _versions
    if not _versions:
        import PIL
        from PIL import features

        _versions = (
            metadata.version("pelican-image-process"),
            PIL.__version__,
            features.version("webp") or "",
            features.version("jpg") or "",
        )
    return _versions


def sweep(cache_path: str, keep_days: int = KEEP_DAYS, now: float | None = None) -> int:
    """Remove the sizes no build has used for `keep_days`; how many were removed."""
    root = os.path.join(cache_path, FOLDER)
    limit = (time.time() if now is None else now) - keep_days * 86400
    removed = 0
    for base, _, names in os.walk(root):
        for name in names:
            path = os.path.join(base, name)
            try:
                if os.path.getmtime(path) < limit and path not in _used:
                    os.remove(path)
                    removed += 1
            except FileNotFoundError:
                continue
    return removed
