"""Checks on one post or page. Pure functions: text in, findings out."""

import difflib
import functools
import os
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .files import find_file
from .findings import Finding, display_path
from .source import line_containing, metadata_line

# Front-matter keys Pelican and the Noticeboard theme understand (lower case, as
# Pelican stores them). Plugins add theirs to PLUGIN_METADATA_KEYS when initialized;
# a library adds its own in METADATA_KEYS.
KNOWN_METADATA_KEYS = frozenset(
    {
        # Pelican
        "title",
        "date",
        "modified",
        "category",
        "tags",
        "author",
        "authors",
        "summary",
        "slug",
        "status",
        "lang",
        "translation",
        "template",
        "save_as",
        "url",
        "reader",
        "keywords",
        # Noticeboard theme
        "image",
        "image-alt",
        "menu",
        "footer",
    }
)


def check_metadata_keys(keys, known, text, path):
    """Unknown front-matter keys, usually typos such as `Catgory`."""
    findings = []
    for key in sorted(set(keys) - set(known)):
        guess = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
        if guess:
            fix = f"Did you mean '{guess[0].title()}'? Correct the spelling."
        else:
            fix = "Remove it, or add it to METADATA_KEYS in pelicanconf.py if a plugin uses it."
        findings.append(
            Finding(path, metadata_line(text, key), f"Unknown metadata key '{key.title()}'.", fix)
        )
    return findings


def check_template(name, available, text, path):
    """A `Template:` the theme does not have stops the whole build when the page is
    written; `available` are the theme's template names (without .html)."""
    if name is None or str(name) in available:
        return []
    return [
        Finding(
            path, metadata_line(text, "template"),
            f"Template: {name} is not a template of the theme, so the page was left out.",
            "Remove the Template: line, or write the name of a file in theme/templates/ "
            "without .html.",
        )
    ]  # fmt: skip


DECORATIVE = "decorative"  # ![decorative](...): an image that adds nothing to read
VAGUE_LINK_TEXT = {
    "click here",
    "here",
    "read more",
    "more",
    "this link",
    "link",
    "click",
    "this",
    "this page",
    "find out more",
}
TITLE_MAX = 120  # graphemes: longer titles crowd out the rest of a social post
IMAGE_MAX_BYTES = 1_000_000
IMAGE_MAX_WIDTH = 3000


class _Outline(HTMLParser):
    """Images, headings and links of a post's HTML, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images = []  # (src, alt or None)
        self.headings = []  # level
        self.links = []  # (href, text)
        self.embeds = []  # (tag, address or ""): scripts, frames, media
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append((attrs.get("src") or "", attrs.get("alt")))
            if self._link is not None and attrs.get("alt"):
                self._link[1].append(attrs["alt"])
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "a" and attrs.get("href"):
            self._link = (attrs["href"], [])
        elif tag in EMBEDS:
            for name in EMBEDS[tag]:
                if attrs.get(name) or (tag == "script" and name == "src"):
                    self.embeds.append((tag, (attrs.get(name) or "").strip()))

    def handle_data(self, data):
        if self._link is not None:
            self._link[1].append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None


# HTML a post can hold that loads something, and the attributes naming what it loads.
EMBEDS = {
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "link": ("href",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
}
# Another website's page or program inside ours: it can set cookies and run scripts.
FRAMES = ("iframe", "embed", "object", "link")


@functools.lru_cache(maxsize=4)
def outline(html: str) -> _Outline:
    """The images, headings and links of a post's HTML (parsed once for all checks)."""
    parser = _Outline()
    parser.feed(html or "")
    return parser


def images_in(html: str):
    return outline(html).images


# Front matter naming a picture in content/: the key, its alt text key, and its name.
PICTURE_KEYS = {"image": ("image-alt", "image"), "cover": ("cover-alt", "cover image")}


def check_image(src, alt, text, path, content_root, *, needs_alt=True, where_key=None):
    """One image: the file exists in content/, it has alt text, it does not load from
    elsewhere. `where_key` names the front-matter line (Image:, Cover:) it comes from."""
    line = metadata_line(text, where_key) if where_key else line_containing(text, src)
    alt_key, name = PICTURE_KEYS.get(where_key, ("", "image"))
    found = find_file(src, path, content_root, from_root=bool(where_key))
    findings = []
    if found is None:
        findings += _not_local(src, path, line, where_key)
    elif found.outside:
        if where_key or not found.linked:  # a {static} link: see check_static_links
            findings.append(
                Finding(
                    path, line,
                    f"The {name} {src} is outside the content folder, so it was left out.",
                    f"Put the picture in content/images/ and write {_written(where_key)}.",
                )
            )  # fmt: skip
    elif not found.exists:
        how = "" if where_key or found.linked else f" and write {found.static_form(content_root)}"
        findings.append(
            Finding(
                path, line,
                f"The {name} {src} does not exist (looked for {display_path(found.path)}).",
                f"Check the file name (capitals count), or add the file to content/images/{how}.",
            )
        )  # fmt: skip
    else:
        if not where_key and not found.linked:
            findings.append(_without_static(src, found.static_form(content_root), path, line))
        if os.path.splitext(found.path)[1].lower() in (".jpg", ".jpeg", ".png", ".webp", ".gif"):
            findings += _image_size(found.path, src, path, line)
    if needs_alt and not (alt or "").strip():
        findings.append(
            Finding(
                path,
                line,
                f"The {name} {src} has no text alternative, so screen reader users miss it.",
                "Describe the picture in the brackets: ![Children reading on bean bags](...)."
                if not where_key
                else f"Add an {alt_key.title()}: line describing the picture.",
            )
        )
    return findings


def _written(where_key) -> str:
    return f"{where_key.title()}: images/name.jpg" if where_key else "{static}/images/name.jpg"


def _not_local(src, path, line, where_key):
    """An image address that is not a file in content/: another website, data:, file:."""
    scheme = src.partition(":")[0].lower() if re.match(r"[A-Za-z][\w+.-]*:", src) else ""
    if where_key:  # the theme, feeds and announcements need a picture of the site's own
        return [
            Finding(
                path, line,
                f"{where_key.title()}: {src} is not a picture in the content folder, "
                "so it was left out.",
                f"Save the picture in content/images/ and write {_written(where_key)}.",
            )
        ]  # fmt: skip
    if scheme in ("data", "file"):  # data: is the picture itself; file: see check_file_urls
        return []
    return [
        Finding(
            path, line,
            f"The image {src} loads from another website, which tells that site "
            "who reads this page.",
            "Save the image in content/images/ and link it as {static}/images/name.jpg.",
            error=False,
        )
    ]  # fmt: skip


def _without_static(src, static_form, path, line):
    """A picture in content/ written without {static}: `images/x.jpg` is looked for next
    to the page (never there); `/images/x.jpg` only at the root of the web address."""
    if src.startswith("/"):
        return Finding(
            path, line,
            f"The image {src} is written without {{static}}, so it only shows when the "
            "site is at the root of its web address (not in a sub-folder, nor in a PDF).",
            f"Write {static_form}.", error=False,
        )  # fmt: skip
    return Finding(
        path, line,
        f"The image {src} is in the content folder, but written without {{static}}, "
        "so the page cannot find it.",
        f"Write {static_form}.",
    )  # fmt: skip


def check_embeds(html, text, path):
    """Scripts, and anything a post loads from another website (frames, media): the
    site works without JavaScript, and a reader's visit is told to no one else."""
    findings = []
    for tag, address in dict.fromkeys(outline(html).embeds):
        host = _other_website(address)
        if tag == "script":
            findings.append(
                Finding(
                    path,
                    line_containing(text, address or "<script>")
                    or line_containing(text, "<script"),
                    f"The post has a script{f' from {host}' if host else ''}: a script in "
                    "a post can load anything from anywhere, and the site must work "
                    "without JavaScript.",
                    "Remove it. To show something from another website, link to it "
                    "instead: [Watch the video on YouTube](https://...).",
                )
            )  # fmt: skip
        elif host and tag in FRAMES:
            findings.append(
                Finding(
                    path, line_containing(text, address),
                    f"The post embeds {address} from {host}: that site can set cookies "
                    "and learn who reads this page.",
                    f"Remove the embed and link to it instead: [See it on {host}]({address}).",
                )
            )  # fmt: skip
        elif host:
            findings.append(
                Finding(
                    path, line_containing(text, address),
                    f"The post plays {address} from {host}, which tells that site who "
                    "reads this page.",
                    "Save the file in content/ and link it as {static}/name.mp4, or link "
                    "to the page that plays it.",
                    error=False,
                )
            )  # fmt: skip
    return findings


def _other_website(address: str) -> str:
    """The host of an address on another website ("" for the site's own files)."""
    first = address.split(",")[0].split()[0] if address.strip() else ""  # srcset
    if not re.match(r"(?i)(https?:)?//", first):
        return ""
    try:
        return urlsplit(first).hostname or "another website"
    except ValueError:  # "https://[oops": still not the site's own
        return "another website"


def check_images(html, metadata, text, path, content_root):
    """Every image in the body, and the post's own `Image:` (a brochure's `Cover:`)."""
    findings = []
    for src, alt in images_in(html):
        findings += check_image(src, alt, text, path, content_root)
    for key, (alt_key, _) in PICTURE_KEYS.items():
        if metadata.get(key):
            findings += check_image(
                str(metadata[key]), metadata.get(alt_key), text, path, content_root, where_key=key
            )
    return findings


def usable_picture(value, path, content_root) -> bool:
    """Whether a front-matter picture (Image:, Cover:) is a file inside content/: only
    then may the theme, feeds, social cards and announcements use it."""
    found = find_file(str(value), path, content_root, from_root=True)
    return bool(found and found.exists)


def check_static_links(html, text, path, content_root, link_regex):
    """{static} and {attach} links, as Pelican finds them (`link_regex`), that name a
    file outside content/ (`{static}/../../etc/passwd`): Pelican would copy it."""
    findings = []
    for value in dict.fromkeys(
        m.group("value") for m in link_regex.finditer(html) if m.group("what") in STATIC_LINKS
    ):
        found = find_file("{static}" + value, path, content_root)
        if found and found.outside:
            findings.append(
                Finding(
                    path, line_containing(text, value),
                    f"The link {value} points outside the content folder, so the file was "
                    "left out of the site.",
                    "Link only to files in content/, e.g. {static}/images/name.jpg.",
                )
            )  # fmt: skip
    return findings


STATIC_LINKS = ("static", "attach")
FILE_URL = re.compile(r"""(?<![\w.+-])file:[^\s"'<>)\]]+""", re.IGNORECASE)


def check_file_urls(text, path):
    """`file:` addresses: they name a file on the computer that builds the site (a PDF
    would carry a copy of it, passwords and keys included), never a page of the site."""
    visible = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return [
        Finding(
            path, line_containing(text, url),
            f"The address {url} points to a file on the computer that builds the site, "
            "not to the website; it is never read.",
            "Remove it. To offer a file for download, put it in content/ and link it as "
            "{static}/name.pdf.",
        )
        for url in dict.fromkeys(m.group(0) for m in FILE_URL.finditer(visible))
    ]  # fmt: skip


def picture_size(path: str | None) -> tuple[int, int] | None:
    """A picture's width and height, or None if it is not a file Pillow reads. Each
    version of a file is opened once per build process: posts share a few pictures."""
    try:
        st = os.stat(path)
    except (OSError, TypeError):
        return None
    return _picture_size(path, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _picture_size(path, size, mtime_ns):
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size
    except Exception:  # noqa: BLE001 - not an image Pillow reads
        return None


def _image_size(target, src, path, line):
    size = os.path.getsize(target)
    width = (picture_size(target) or (0, 0))[0]
    if size <= IMAGE_MAX_BYTES and width <= IMAGE_MAX_WIDTH:
        return []
    return [
        Finding(
            path,
            line,
            f"The image {src} is large ({size / 1_000_000:.1f} MB, {width} pixels wide): "
            "slow on phones and mobile data.",
            "Resize it to at most 2000 pixels wide and save it as JPEG (quality 80).",
            error=False,
        )
    ]


def check_text(html, metadata, text, path, content_root):
    """Plain-language checks: summary, title length, headings, link text, links."""
    findings = []
    if not metadata.get("summary"):
        findings.append(
            Finding(
                path,
                metadata_line(text, "title"),
                "The post has no Summary, so feeds, search results and social "
                "media show its first 40 words instead.",
                "Add a line 'Summary: one or two sentences about the post.'",
                error=False,
            )
        )
    title = str(metadata.get("title") or "")
    if len(title) > TITLE_MAX:
        findings.append(
            Finding(
                path,
                metadata_line(text, "title"),
                f"The title is {len(title)} characters long: too long for social "
                "media, where it is cut short.",
                f"Keep it under {TITLE_MAX} characters; say more in the Summary.",
                error=False,
            )
        )
    found = outline(html)
    previous = 1  # the page title is the h1
    for level in found.headings:
        if level == 1:
            findings.append(
                Finding(
                    path,
                    line_containing(text, "\n# ") or None,
                    "The text has a first-level heading (# ...); the title is "
                    "already the page's only one.",
                    "Use ## for the main headings in the text.",
                    error=False,
                )
            )
        elif level > previous + 1:
            findings.append(
                Finding(
                    path,
                    line_containing(text, "#" * level + " "),
                    f"A level-{level} heading follows a level-{previous} one, "
                    "so screen reader users think they missed a section.",
                    f"Use {'#' * (previous + 1)} instead of {'#' * level}.",
                    error=False,
                )
            )
        previous = level
    for _href, label in found.links:
        if label.lower().strip(" .!") in VAGUE_LINK_TEXT:
            findings.append(
                Finding(
                    path,
                    line_containing(text, f"[{label}]"),
                    f"The link text '{label}' does not say where it goes; screen "
                    "reader users often list links on their own.",
                    "Use the name of the page, e.g. [our opening hours](...).",
                    error=False,
                )
            )
    visible = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # not in HTML comments
    for href in re.findall(r"""\((\{(?:filename|static|attach)\}[^)\s]+)""", visible):
        found = find_file(href.split("#")[0], path, content_root)
        if found and not found.exists and not found.outside:  # outside: check_static_links
            findings.append(
                Finding(
                    path,
                    line_containing(text, href),
                    f"The link {href} points to a file that does not exist "
                    f"(looked for {display_path(found.path)}).",
                    "Check the file name in content/, or remove the link.",
                )
            )
    return findings
