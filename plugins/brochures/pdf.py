"""Print-ready PDFs with WeasyPrint, made only when what goes into them changes."""

import hashlib
import logging
import os
import re
import shutil
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from checks.files import inside

logger = logging.getLogger(__name__)

SRC = re.compile(r'(\bsrc=")([^"]+)(")')


def local_images(html: str, siteurl: str, roots: list[str]) -> tuple[str, list[str]]:
    """`html` with every image on the site replaced by its file (WeasyPrint reads files,
    never the network), and the list of those files (they go into the content hash)."""
    files = []

    def swap(match):
        url = match.group(2)
        if not url.startswith(siteurl + "/"):
            return match.group(0)
        relative = unquote(urlsplit(url).path[len(urlsplit(siteurl).path) :].lstrip("/"))
        for root in roots:
            candidate = os.path.join(root, relative)
            if os.path.isfile(candidate) and inside(candidate, root):
                files.append(candidate)
                return f"{match.group(1)}{Path(candidate).resolve().as_uri()}{match.group(3)}"
        return match.group(0)

    return SRC.sub(swap, html), files


def content_hash(html: str, files: list[str], options: str) -> str:
    """The PDF's key: its HTML, the bytes of the files it shows, the PDF variant and
    WeasyPrint's version. The HTML gives each file by its absolute address, and so
    must the key: WeasyPrint names each picture in the PDF by its address, so the same
    brochure built from another folder is another PDF (a fresh clone in the same place,
    as in the publish workflow, and any output folder find it already made)."""
    digest = hashlib.sha256(html.encode("utf-8"))
    digest.update(f"{options}\0weasyprint {metadata.version('weasyprint')}".encode())
    for path in sorted(set(files)):
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()[:20]


def make_pdf(
    html: str,
    files: list[str],
    target: str,
    cache_dir: str,
    variant: str,
    roots,
    report,
    used: set[str] | None = None,
) -> bool:
    """Write the PDF for `html` to `target`, from the cache when nothing changed.
    WeasyPrint reads only files inside `roots`; `report(url)` is called for anything
    else it asks for (see fetcher.py); `used` is given the cached PDF's name (`tidy`).
    Returns True when it had to render."""
    key = content_hash(html, files, variant)
    cached = os.path.join(cache_dir, f"{key}.pdf")
    if used is not None:
        used.add(os.path.basename(cached))
    if os.path.exists(cached):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(cached, target)
        return False
    from weasyprint import HTML

    from .fetcher import SiteFilesFetcher

    os.makedirs(cache_dir, exist_ok=True)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fetcher = SiteFilesFetcher(roots, report)
    tmp = cached + ".tmp"
    HTML(string=html, url_fetcher=fetcher, base_url=str(Path(target).parent)).write_pdf(
        tmp, pdf_variant=variant or None
    )
    if fetcher.refused:  # not cached, so every build renders it again and says why
        shutil.move(tmp, target)
    else:
        os.replace(tmp, cached)
        shutil.copyfile(cached, target)
    return True


def tidy(cache_dir: str, used: set[str]):
    """After every brochure of a build: remove the cached PDFs none of them is now
    (`used`: their file names; an older edit's, a deleted brochure's)."""
    if os.path.isdir(cache_dir):
        for entry in os.scandir(cache_dir):
            if entry.name.endswith(".pdf") and entry.name not in used:
                os.remove(entry.path)


def human_size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
