"""EPUB 3 editions of the brochures, made with EbookLib: a file per section, a
navigation document from the sections, the pictures inside, accessibility metadata
(EPUB Accessibility 1.1); made again only when what goes into them changes.

EbookLib is imported only to make one (`epub_bytes`): a build that reuses every EPUB
from the cache never loads it.
"""

import functools
import hashlib
import io
import json
import os
import re
import shutil
import uuid
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from urllib.parse import urljoin, urlsplit

import lxml.html
from feeds.text import clean

from .pdf import site_file

RULES_VERSION = 1  # the rules below: a change makes every EPUB again
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"  # as the spec and Ace spell it
FEATURES = (
    "structuralNavigation",
    "tableOfContents",
    "alternativeText",
    "readingOrder",
    "displayTransformability",
)
CSS = "img { max-width: 100%; height: auto; }\ntable { border-collapse: collapse; }\n"
# Elements that would load something the EPUB does not hold, or run something.
DROPPED = ("script", "style", "iframe", "object", "embed", "video", "audio", "source", "link")
# Attributes that name more pictures (other sizes) or that EPUB 3.2's HTML does not know.
IMG_DROPPED = ("srcset", "sizes", "loading", "decoding", "fetchpriority")
WEB = ("http", "https", "mailto", "tel")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: every file, every build


@dataclass(frozen=True)
class Part:
    """One XHTML file of the book: its name in the EPUB, its title (its entry in the
    navigation) and its body."""

    name: str
    title: str
    html: str


@dataclass(frozen=True)
class Book:
    """What an EPUB says, its pictures' bytes aside: `images` are their names in the
    EPUB, `cover` one of them."""

    identifier: str
    title: str
    language: str
    library: str
    modified: str  # YYYY-MM-DDThh:mm:ssZ
    date: str  # YYYY-MM-DD, or ""
    summary: str
    cover: str
    parts: tuple[Part, ...]
    images: tuple[str, ...]


def package(parts, base_url: str, siteurl: str, roots, report) -> tuple[list[Part], dict]:
    """`parts` ((name, title, html), ...) made ready for the EPUB, and {name in the
    EPUB: file} of the pictures they show. A picture of the site (a file inside one of
    `roots`, as for the PDF) goes inside; a link to a section goes to the file that now
    holds it; a relative link is made absolute from `base_url` (the brochure online).
    Anything else (a file: address, a picture on another website, an embedded frame)
    is left out and `report(url)` says so."""
    trees = [(name, title, _fragment(html)) for name, title, html in parts]
    ids = {}
    for name, _, tree in trees:
        for element in tree.iter():
            if isinstance(element.tag, str) and element.get("id"):
                ids.setdefault(element.get("id"), name)
    files = {}
    names = {}
    done = []
    for name, title, tree in trees:
        for element in list(tree.iter(*DROPPED)):
            url = element.get("src") or element.get("data") or element.get("href")
            if url:
                report(url)
            element.drop_tree()
        for img in list(tree.iter("img")):
            _picture(img, base_url, siteurl, roots, report, files, names)
        for a in tree.iter("a"):
            _link(a, name, ids, base_url, report)
        done.append(Part(name, " ".join(clean(title).split()), _serialise(tree)))
    return done, files


def _fragment(html: str):
    return lxml.html.fragment_fromstring(clean(html) or " ", create_parent="div")


def _serialise(tree) -> str:
    inner = (tree.text or "").replace("&", "&amp;").replace("<", "&lt;")
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in tree)


def _picture(img, base_url, siteurl, roots, report, files, names):
    src = (img.get("src") or "").strip()
    for attribute in IMG_DROPPED:
        img.attrib.pop(attribute, None)
    if src.startswith("data:"):
        return
    path = site_file(urljoin(base_url, src), siteurl, roots) if src else None
    if path is None:
        if src:
            report(src)
        alt = img.get("alt") or ""
        if alt:  # what the picture showed, said instead
            img.getparent().insert(img.getparent().index(img), _span(alt))
        img.drop_tree()
        return
    img.set("src", package_name(path, names, files))


def _span(text):
    span = lxml.html.Element("span")
    span.text = f"[{text}]"
    return span


def package_name(path: str, names: dict, files: dict) -> str:
    """The name of the picture at `path` inside the EPUB: images/01-name.jpg, numbered
    in the order the book shows them, so that two pictures never share a name."""
    if path not in names:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", os.path.basename(path)).strip("-.") or "image"
        names[path] = f"images/{len(names) + 1:02d}-{stem}"
        files[names[path]] = path
    return names[path]


def _link(a, part, ids, base_url, report):
    href = (a.get("href") or "").strip()
    if a.get("rel") == "attachment":  # the PDF holds the file; the EPUB links to it
        del a.attrib["rel"]
    if not href:
        return
    if href.startswith("#"):
        target = ids.get(href[1:])
        if target is None:
            del a.attrib["href"]
        elif target != part:
            a.set("href", target + href)
        return
    url = urljoin(base_url, href)
    if urlsplit(url).scheme.lower() in WEB:
        a.set("href", url)
    else:
        report(href)
        del a.attrib["href"]


def epub_key(book: Book, files: dict) -> str:
    """The EPUB's name in the cache: what it says, its pictures' bytes, EbookLib's
    version and RULES_VERSION."""
    digest = hashlib.sha256(json.dumps(asdict(book), sort_keys=True).encode("utf-8"))
    version = metadata.version("EbookLib")
    digest.update(f"\0ebooklib {version}\0rules {RULES_VERSION}".encode())
    for name in sorted(files):
        with open(files[name], "rb") as f:
            digest.update(name.encode() + b"\0" + hashlib.sha256(f.read()).digest())
    return digest.hexdigest()[:20]


def compose(book: Book, images: dict[str, bytes]):
    """The EbookLib book for `book`; `images`: {name in the EPUB: bytes}."""
    from ebooklib import epub

    out = epub.EpubBook()
    out.set_identifier(book.identifier)
    out.set_title(book.title)
    out.set_language(book.language)
    out.add_author(book.library)
    out.add_metadata("DC", "publisher", book.library)
    if book.summary:
        out.add_metadata("DC", "description", book.summary)
    if book.date:
        out.add_metadata("DC", "date", book.date)
    for name, value in accessibility(book.library):
        out.add_metadata(None, "meta", value, {"property": name})
    style = epub.EpubItem(
        uid="style", file_name="style.css", media_type="text/css", content=CSS.encode()
    )
    out.add_item(style)
    for name in book.images:
        if name == book.cover:
            out.set_cover(name, images[name], create_page=False)
        else:
            out.add_item(epub.EpubImage(uid=_id(name), file_name=name, content=images[name]))
    documents = []
    for part in book.parts:
        document = epub.EpubHtml(
            uid=_id(part.name), file_name=part.name, title=part.title, lang=book.language
        )
        document.content = f"<html><body>{part.html}</body></html>"
        document.add_item(style)
        out.add_item(document)
        documents.append(document)
    nav = epub.EpubNav(title="Contents")
    out.add_item(nav)
    out.add_item(epub.EpubNcx())  # for reading systems that only know EPUB 2
    out.toc = documents
    out.spine = [documents[0], nav, *documents[1:]]
    return out


def accessibility(library: str) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata (schema.org's accessibility properties)."""
    return [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessModeSufficient", "textual,visual"),
        *(("schema:accessibilityFeature", feature) for feature in FEATURES),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            "Text with headings in reading order, a table of contents and a description "
            "of every picture: reading apps can read it aloud, enlarge the text and change "
            "its colours and fonts. It meets WCAG 2.2 level AA.",
        ),
        ("dcterms:conformsTo", CONFORMS_TO),
        ("a11y:certifiedBy", library),
    ]


def _id(name: str) -> str:
    return "item-" + re.sub(r"[^A-Za-z0-9-]", "-", name)


def epub_bytes(book: Book, images: dict[str, bytes]) -> bytes:
    """The EPUB file: the same bytes for the same book, whenever it is made."""
    raw = io.BytesIO()
    modified = datetime.strptime(book.modified, "%Y-%m-%dT%H:%M:%SZ")
    writer = _writer()(raw, compose(book, images), {"mtime": modified, "epub3_pages": False})
    writer.write()
    return fixed_times(raw.getvalue())


@functools.cache
def _writer():
    """EbookLib's writer, the book's language also on the package (xml:lang), where
    Ace looks for it."""
    from ebooklib import epub

    class Writer(epub.EpubWriter):
        def _write_opf_file(self, root):
            root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
            super()._write_opf_file(root)

    return Writer


def fixed_times(data: bytes) -> bytes:
    """The zip `data` again, every file dated ZIP_TIME with the same permissions (EbookLib
    dates them when it writes), `mimetype` first and uncompressed as EPUB asks."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def make_epub(book: Book, files: dict, target: str, cache_dir: str, used: set[str]) -> bool:
    """Write the EPUB of `book` to `target`, from the cache when nothing changed; `used`
    is given its name in the cache (pdf.tidy keeps it). Returns True when it was made."""
    cached = os.path.join(cache_dir, f"{epub_key(book, files)}.epub")
    used.add(os.path.basename(cached))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.exists(cached):
        shutil.copyfile(cached, target)
        return False
    images = {}
    for name, path in files.items():
        with open(path, "rb") as f:
            images[name] = f.read()
    os.makedirs(cache_dir, exist_ok=True)
    tmp = cached + ".tmp"
    with open(tmp, "wb") as f:
        f.write(epub_bytes(book, images))
    os.replace(tmp, cached)
    shutil.copyfile(cached, target)
    return True


def identifier(url: str) -> str:
    """The same identifier for a brochure at the same address, build after build."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def modified(brochure) -> str:
    """When the brochure last changed, as its Modified: or Date: says (a build's own
    time would make another file every build)."""
    when = getattr(brochure, "modified", None) or getattr(brochure, "date", None)
    if not isinstance(when, datetime):
        when = datetime(2000, 1, 1, tzinfo=UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
