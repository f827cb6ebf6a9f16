"""The large-print edition of a brochure, after RNIB's clear print guidance: A4, body text
of BROCHURES_LARGE_PRINT_SIZE points (18 by default, never below 16), 1.5 line spacing,
left aligned, sans serif, black on white, pictures full width with what they show printed
below them. The same template and renderer as the A5 PDF (brochure_print.html with
`large_print`), its own stylesheet (brochure-large-print.css)."""

import html as markup
import logging
import os
import re
from dataclasses import dataclass, replace

from checks.findings import Finding
from checks.source import line_containing, read_text

logger = logging.getLogger(__name__)

SETTING = "BROCHURES_LARGE_PRINT_SIZE"
DEFAULT_SIZE = 18
SMALLEST, LARGEST = 16, 28  # RNIB: 16 pt at least, 18 pt advised; larger is a choice
PAGE_SIZE = "A4"
WIDTH_PT = 504  # the text's width on A4 between the stylesheet's margins (178 mm)
CSS = os.path.join("static", "css", "brochure-large-print.css")

IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


@dataclass(frozen=True)
class Edition:
    """What every large-print PDF of a build shares: its text size in points, its CSS."""

    size: float
    css: str


def text_size(settings, conf="pelicanconf.py") -> float:
    """BROCHURES_LARGE_PRINT_SIZE, checked: a number of points from 16 to 28. Anything
    else is an error located in the settings file, and the default is used."""
    value = settings.get(SETTING, DEFAULT_SIZE)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (SMALLEST <= value <= LARGEST)
    ):
        finding = Finding(
            conf, line_containing(read_text(conf), SETTING),
            f"brochures: {SETTING} must be a number of points from {SMALLEST} to {LARGEST}, "
            f"not {value!r}; the large-print PDFs use {DEFAULT_SIZE}.",
            f"Write, e.g., {SETTING} = {DEFAULT_SIZE} (RNIB advises 18), or leave it out.",
        )  # fmt: skip
        logger.error("%s", finding)
        return DEFAULT_SIZE
    return value


def edition(settings, theme: str) -> Edition:
    """Read once per build: the setting and the stylesheet."""
    with open(os.path.join(theme, CSS), encoding="utf-8") as f:
        return Edition(text_size(settings), f.read())


def pdf_name(slug: str) -> str:
    return f"{slug}-large-print.pdf"


def captioned(html: str) -> str:
    """Every described picture followed by its description (its alt text), printed: a
    reader who cannot make out the picture reads what it shows. Picture and caption
    are kept together on a page."""

    def add(match):
        found = ALT.search(match.group(0))
        alt = (found.group(1) or found.group(2) or "") if found else ""
        alt = " ".join(markup.unescape(alt).split())
        if not alt:
            return match.group(0)  # decorative: nothing to say
        return (
            f'<span class="figure">{match.group(0)}'
            f'<span class="caption">{markup.escape(alt, quote=False)}</span></span>'
        )

    return IMG.sub(add, html)


def running_title(title: str, size: float) -> str:
    """The title for the running header, cut at a word with "…" when it would not fit
    on one line of the A4 page at `size` points (a wider letter than most, 0.75 em, is
    allowed for each): a long title never spills over the top of the page."""
    room = int(WIDTH_PT / (size * 0.75))
    title = " ".join(title.split())
    if len(title) <= room:
        return title
    head = title[:room]  # the "…" takes the place of the space before the next word
    cut = head.rsplit(" ", 1)[0] if " " in head else head[: room - 1]
    return cut.rstrip(" ,;:-") + "…"


def template_values(values: dict, edition: Edition) -> dict:
    """The A5 PDF's template values, for the large print: A4, its stylesheet and text
    size, pictures captioned."""
    return {
        **values,
        "intro": captioned(values["intro"]),
        "sections": [replace(s, html=captioned(s.html)) for s in values["sections"]],
        "print_css": edition.css,
        "page_size": PAGE_SIZE,
        "large_print": True,
        "large_print_size": f"{edition.size:g}",
        "running_title": running_title(values["brochure"].title, edition.size),
    }
