"""Print-ready PDFs with WeasyPrint, made only when what goes into them changes."""

import hashlib
import logging
import os
import re
import shutil
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from checks.files import inside

logger = logging.getLogger(__name__)

SRC = re.compile(r'(\bsrc=")([^"]+)(")')


def local_images(html: str, siteurl: str, roots: list[str]) -> tuple[str, list[str]]:
    """`html` with every image on the site replaced by its file (WeasyPrint reads files,
    never the network), and the list of those files (they go into the content hash)."""
    files = []

    def swap(match):
        candidate = site_file(match.group(2), siteurl, roots)
        if candidate is None:
            return match.group(0)
        files.append(candidate)
        return f"{match.group(1)}{Path(candidate).resolve().as_uri()}{match.group(3)}"

    return SRC.sub(swap, html), files


def site_file(url: str, siteurl: str, roots: list[str]) -> str | None:
    """The file of the site at `url` (an address under `siteurl`), found in the first of
    `roots` that has it, symlinks resolved inside it; None for anything else."""
    if not url.startswith(siteurl + "/"):
        return None
    relative = unquote(urlsplit(url).path[len(urlsplit(siteurl).path) :].lstrip("/"))
    for root in roots:
        candidate = os.path.join(root, relative)
        if os.path.isfile(candidate) and inside(candidate, root):
            return candidate
    return None


def content_hash(html: str, files: list[str], options: str) -> str:
    """The PDF's key: its HTML, the bytes of the files it shows, the PDF variant and
    WeasyPrint's version. The HTML gives each file by its absolute address, and so
    must the key: WeasyPrint names each picture in the PDF by its address, so the same
    brochure built from another folder is another PDF (a fresh clone in the same place,
    as in the publish workflow, and any output folder find it already made)."""
    digest = hashlib.sha256(html.encode("utf-8"))
    version = metadata.version("weasyprint")
    digest.update(f"{options}\0weasyprint {version}\0tags {TAGS_VERSION}".encode())
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
    counted: dict | None = None,
) -> bool:
    """Write the PDF for `html` to `target`, from the cache when nothing changed.
    WeasyPrint reads only files inside `roots`; `report(url)` is called for anything
    else it asks for (see fetcher.py); `used` is given the cached PDF's name (`tidy`).
    `counted`, when given, gets the PDF's number of pages as "pages": WeasyPrint knows
    it when it renders, and it is kept beside the cached PDF (`<key>.pages`), so a
    reused PDF is never opened and parsed again. Returns True when it had to render."""
    key = content_hash(html, files, variant)
    cached = os.path.join(cache_dir, f"{key}.pdf")
    pages_file = os.path.join(cache_dir, f"{key}.pages")
    if used is not None:
        used.add(os.path.basename(cached))
    pages = _read_count(pages_file) if counted is not None else None
    if os.path.exists(cached) and (counted is None or pages is not None):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(cached, target)
        if counted is not None:
            counted["pages"] = pages
        return False
    from weasyprint import HTML

    from .fetcher import SiteFilesFetcher

    os.makedirs(cache_dir, exist_ok=True)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fetcher = SiteFilesFetcher(roots, report)
    tmp = cached + ".tmp"
    document = HTML(string=html, url_fetcher=fetcher, base_url=str(Path(target).parent)).render(
        pdf_variant=variant or None
    )
    document.write_pdf(tmp, pdf_variant=variant or None, finisher=finish_tags)
    if counted is not None:
        counted["pages"] = len(document.pages)
    if fetcher.refused:  # not cached, so every build renders it again and says why
        shutil.move(tmp, target)
    else:
        if counted is not None:
            with open(pages_file + ".tmp", "w", encoding="utf-8") as f:
                f.write(f"{len(document.pages)}\n")
            os.replace(pages_file + ".tmp", pages_file)
        os.replace(tmp, cached)
        shutil.copyfile(cached, target)
    return True


def _read_count(path: str) -> int | None:
    """The page count kept beside a cached PDF; None when missing or unreadable (the PDF
    is then made again, which writes it)."""
    try:
        with open(path, encoding="utf-8") as f:
            count = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return count if count > 0 else None


TAGS_VERSION = 1  # finish_tags's rules: a change makes every PDF again


def finish_tags(document, pdf):
    """What WeasyPrint's tagged PDF lacks, put right before it is written (its
    `finisher`): the running header and footer (the `@page` margin boxes), which it
    marks as content that no structure element owns, become Artifacts (pagination);
    table header cells get /Scope (Column in a header row, else Row); link annotations
    get the Print flag, so a printed page shows them (PDF/UA, ISO 32000 12.5.3)."""
    objects = pdf.objects

    def get(reference):
        return objects[int(bytes(reference).split()[0])]

    root = pdf.catalog.get("StructTreeRoot")
    if root is not None:
        root = get(root)
        in_tree = set()

        def walk(element):
            in_tree.add(element.number)
            for kid in element.get("K", ()):
                if isinstance(kid, bytes):
                    walk(get(kid))

        for kid in root["K"]:
            walk(get(kid))
        nums = get(root["ParentTree"])["Nums"]
        for index, page_reference in enumerate(pdf.page_references):
            position = nums.index(index) + 1 if index in nums[::2] else None
            if position is None or not isinstance(nums[position], list):
                continue
            owners = nums[position]
            stream = get(get(page_reference)["Contents"])
            marks = [
                (i, item["MCID"])
                for i, item in enumerate(stream.stream)
                if isinstance(item, dict) and "MCID" in item
            ]
            by_mcid = dict(zip(sorted(m for _, m in marks), range(len(owners)), strict=False))
            for i, mcid in marks:
                slot = by_mcid.get(mcid)
                if slot is None or get(owners[slot]).number in in_tree:
                    continue
                stream.stream[i - 1] = "/Artifact"
                stream.stream[i] = pydyf.Dictionary({"Type": "/Pagination"})
                owners[slot] = "null"
        for element in objects:
            if isinstance(element, dict) and element.get("S") == "/TH":
                row = get(element["P"])
                section = get(row["P"]) if "P" in row else {}
                header_row = section.get("S") == "/THead" or all(
                    get(kid).get("S") == "/TH" for kid in row["K"] if isinstance(kid, bytes)
                )
                attributes = element.get("A")
                if not isinstance(attributes, dict) or attributes.get("O") != "/Table":
                    attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
                attributes["Scope"] = "/Column" if header_row else "/Row"
    for annotation in objects:
        if isinstance(annotation, dict) and annotation.get("Subtype") == "/Link":
            annotation["F"] = int(annotation.get("F", 0)) | 4  # bit 3: Print


def tidy(cache_dir: str, used: set[str]):
    """After every brochure of a build: remove the cached PDFs and EPUBs none of them
    is now (`used`: their file names; an older edit's, a deleted brochure's), and the
    page counts kept beside the PDFs."""
    if os.path.isdir(cache_dir):
        for entry in os.scandir(cache_dir):
            stem, extension = os.path.splitext(entry.name)
            kept = f"{stem}.pdf" if extension == ".pages" else entry.name
            if extension in (".pdf", ".pages", ".epub") and kept not in used:
                os.remove(entry.path)


def human_size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
