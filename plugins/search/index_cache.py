"""Each part's Pagefind index, kept in CACHE_PATH/search by what Pagefind reads, so a
build into an empty output folder (a fresh clone with the cache restored, a publish
build) copies an unchanged part's index instead of running Pagefind again.

A part's key covers everything its index is made from: the bytes of each of its pages
and their paths in the site (Pagefind's URLs are the pages' paths from the site's
root: never the output folder's own path, so the key leaves it out), the part's globs
and output folder, the Pagefind version, Pagefind's configuration file in the folder
the build runs in (pagefind.json/.toml/.yml/.yaml) and PAGEFIND_* variables. Each
part keeps its KEEP newest indexes (a local and a publish build may plan the same
part differently), so the cache stays the size of a few copies of the index.
"""

import hashlib
import os
import shutil

from .parts import OUTPUT

FOLDER = "search"  # in CACHE_PATH
KEEP = 3  # indexes kept per part
CONFIGS = ("pagefind.json", "pagefind.toml", "pagefind.yml", "pagefind.yaml")


def tool_salt(version: str, cwd: str | None = None) -> str:
    """What every part's index depends on besides its pages."""
    h = hashlib.blake2b(f"pagefind {version}".encode(), digest_size=16)
    for name in CONFIGS:
        path = os.path.join(cwd or os.getcwd(), name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                h.update(f"\0{name}\0".encode() + f.read())
    for name, value in sorted(os.environ.items()):
        if name.startswith("PAGEFIND_"):
            h.update(f"\0{name}={value}".encode())
    return h.hexdigest()


def content_key(part, root: str, salt: str) -> str:
    """The key of `part`'s index: its pages' paths and bytes, its globs and folder."""
    h = hashlib.blake2b(salt.encode(), digest_size=16)
    h.update(f"\0{part.subdir}\0".encode() + "\0".join(part.globs).encode())
    for page in part.pages:
        with open(os.path.join(root, page), "rb") as f:
            h.update(f"\0{page}\0".encode() + hashlib.file_digest(f, "blake2b").digest())
    return h.hexdigest()


def _slot(cache_path: str, subdir: str) -> str:
    return os.path.join(cache_path, FOLDER, subdir.replace("/", "-"))


def restore(cache_path: str, key: str, root: str, subdir: str) -> bool:
    """Copy the part's kept index into the output (its folder already cleared)."""
    kept = os.path.join(_slot(cache_path, subdir), key)
    if not os.path.isfile(os.path.join(kept, "pagefind-entry.json")):
        return False
    target = os.path.join(root, subdir)
    shutil.copytree(kept, target, dirs_exist_ok=True, copy_function=shutil.copyfile)
    os.utime(kept)  # newest: kept by `_trim`
    return True


def store(cache_path: str, key: str, root: str, subdir: str):
    """Keep the part's index that Pagefind just wrote (the first part's folder also
    holds the other parts and their list: those are left out)."""
    slot = _slot(cache_path, subdir)
    kept = os.path.join(slot, key)
    tmp = f"{kept}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    source = os.path.join(root, subdir)

    def others(folder, names):
        if subdir != OUTPUT or folder != source:
            return []
        return [n for n in names if n.startswith("part-") or n == "parts.json"]

    shutil.copytree(source, tmp, ignore=others)
    shutil.rmtree(kept, ignore_errors=True)
    os.replace(tmp, kept)
    _trim(slot, kept)


def _trim(slot: str, newest: str):
    entries = [e for e in os.scandir(slot)
               if e.is_dir() and e.path != newest and not e.name.endswith(".tmp")]  # fmt: skip
    entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    for entry in entries[KEEP - 1 :]:
        shutil.rmtree(entry.path, ignore_errors=True)
