"""A brochure: a Page whose second-level headings split it into sections ("pages")."""

import re
from dataclasses import dataclass
from html import unescape

from pelican.contents import Page

H2 = re.compile(r"<h2\b[^>]*>", re.IGNORECASE)
H2_ID = re.compile(r'\bid="([^"]+)"')
TAGS = re.compile(r"<[^>]+>")


class Brochure(Page):
    """Addresses from BROCHURE_URL / BROCHURE_SAVE_AS; template brochure.html."""

    default_template = "brochure"


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # plain text
    html: str


def split_sections(html: str) -> tuple[str, list[Section]]:
    """(the text before the first `<h2>`, one Section per `<h2>`)."""
    starts = [m.start() for m in H2.finditer(html)]
    if not starts:
        return html, []
    intro = html[: starts[0]]
    sections = []
    ends = [*starts[1:], len(html)]
    for number, (begin, end) in enumerate(zip(starts, ends, strict=True), start=1):
        chunk = html[begin:end].strip()
        heading = chunk[: chunk.lower().index("</h2>")]
        found = H2_ID.search(heading[: heading.index(">") + 1])
        # Plain text: the templates escape it ("&amp;" in the HTML is "&" here).
        title = " ".join(unescape(TAGS.sub("", heading)).split())
        sections.append(Section(found.group(1) if found else f"section-{number}", title, chunk))
    return intro, sections
