"""Which pages Pagefind reads, in how many parts, and whether a part has changed.

Pagefind's memory grows with the pages of one run (about 100 KB each), so a large
site is indexed in parts of at most SEARCH_SHARD_PAGES pages, by folder (news/2019,
news/2020...), which the search page merges. Each part is known by a key made from
its pages' names, sizes and file times: a part whose key is unchanged since it was
last indexed need not be indexed again (unchanged pages are not rewritten,
plugins/incremental).
"""

import hashlib
import os

# Folders of pages that only list others (no data-pagefind-body): Pagefind would read
# and drop them, a third of a large site's files.
LISTINGS = ("TAG_SAVE_AS", "TAGS_SAVE_AS", "CATEGORY_SAVE_AS", "CATEGORIES_SAVE_AS",
            "AUTHOR_SAVE_AS", "AUTHORS_SAVE_AS", "ARCHIVES_SAVE_AS")  # fmt: skip
OUTPUT = "pagefind"  # the index's folder in the output; the parts go inside it


class Part:
    """One Pagefind run: the globs it reads (none: the whole site), where it writes,
    and the pages it reads."""

    def __init__(self, number: int, globs: list[str], pages: list[str]):
        self.globs = globs
        self.pages = pages
        self.subdir = OUTPUT if number == 0 else f"{OUTPUT}/part-{number}"

    def key(self, root: str, salt: str) -> str:
        """Changes when a page is added, removed or written again, or the salt (the
        Pagefind version, the output folder) changes."""
        h = hashlib.blake2b(salt.encode(), digest_size=16)
        h.update("\0".join(self.globs).encode())
        for page in self.pages:
            st = os.stat(os.path.join(root, page))
            h.update(f"\0{page}\0{st.st_size}\0{st.st_mtime_ns}".encode())
        return h.hexdigest()


def plan(settings, root: str) -> list[Part]:
    """The parts to index the site in `root` with."""
    per_part = int(settings.get("SEARCH_SHARD_PAGES", 1000))
    folders = pages_folders(settings, _folders(root))
    pages = html_pages(root, folders, per_part) if folders else {}
    groups = plan_shards({folder: len(found) for folder, found in pages.items()}, per_part)
    if not groups:
        # Nothing to split (posts at the top level, or no pages found): one run over all.
        return [Part(0, [], all_html(root))]
    parts = []
    for number, folders_in_part in enumerate(groups):
        found = sorted(page for folder in folders_in_part for page in pages[folder])
        parts.append(Part(number, [_glob(folder) for folder in folders_in_part], found))
    return parts


def plan_shards(counts: dict[str, int], per_part: int) -> list[list[str]]:
    """Split the pages into parts of at most `per_part` pages, as lists of folders.
    A folder too big for one part is split by its subfolders (news/2019, news/2020...);
    folders are packed in order. `counts`: folder -> HTML files; "news/*" means news's
    own files."""
    parts, current, size = [], [], 0
    for folder, count in counts.items():
        if current and size + count > per_part:
            parts.append(current)
            current, size = [], 0
        current.append(folder)
        size += count
    if current:
        parts.append(current)
    return parts


def _glob(folder: str) -> str:
    return folder[:-1] + "*.html" if folder.endswith("/*") else folder + "/**/*.html"


def html_pages(root: str, folders: list[str], per_part) -> dict[str, list[str]]:
    """HTML files (paths relative to `root`) under each folder; a folder with more than
    `per_part`, per subfolder ("news/2019"), and its own files as "news/*"."""
    found = {}
    for folder in folders:
        own, below = [], {}
        for base, _, names in os.walk(os.path.join(root, folder)):
            rel = os.path.relpath(base, root).replace(os.sep, "/")
            pages = [f"{rel}/{name}" for name in names if name.endswith(".html")]
            if rel == folder:
                own += pages
            else:
                below.setdefault("/".join(rel.split("/")[:2]), []).extend(pages)
        total = len(own) + sum(map(len, below.values()))
        if not total:
            continue
        if total <= per_part or not below:
            found[folder] = own + [p for pages in below.values() for p in pages]
        else:
            if own:
                found[folder + "/*"] = own
            found.update(sorted((k, v) for k, v in below.items() if v))
    return found


def all_html(root: str) -> list[str]:
    """Every HTML file of the site but the index's own."""
    found = []
    for base, dirs, names in os.walk(root):
        rel = os.path.relpath(base, root).replace(os.sep, "/")
        if rel == ".":
            dirs[:] = [d for d in dirs if d != OUTPUT]
        found += [f"{rel}/{n}".removeprefix("./") for n in names if n.endswith(".html")]
    return sorted(found)


def pages_folders(settings, folders) -> list[str] | None:
    """The top folders Pagefind should read; None: all of them (posts or pages are
    written at the top level, so no folder can be left out)."""
    if any("/" not in (settings.get(k) or "/") for k in ("ARTICLE_SAVE_AS", "PAGE_SAVE_AS")):
        return None
    skip = {(settings.get(k) or "").split("/")[0] for k in LISTINGS}
    skip |= {"page", OUTPUT, settings.get("THEME_STATIC_DIR", "theme")}
    return sorted(f for f in folders if f not in skip) or None


def _folders(root):
    with os.scandir(root) as entries:
        return [e.name for e in entries if e.is_dir()]
