"""The large-print edition of each brochure (RNIB clear print), read back from the PDF:
every character's size with pdfminer.six, the text with poppler, the tags with pikepdf."""

import logging
import re
import shutil
import sys
from pathlib import Path
from unittest import mock

import pytest
from conftest import SAMPLE_CONTENT, SITEURL, build
from pdf_tags import findings
from pdfminer.cmapdb import CMapDB
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTFigure, LTImage, LTTextLine
from pdfminer.pdffont import PDFCIDFont
from pdfminer.pdftypes import PDFStream, resolve1
from test_brochures import COVER, NOW, WELCOME, WHATS_ON, page_count, pdf_objects, run

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from brochures.large_print import DEFAULT_SIZE, captioned, running_title, text_size  # noqa: E402

A4 = (595.276, 841.89)
SMALLEST = 16  # RNIB: never below 16 pt


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is not installed: run `apt-get install poppler-utils`")
    built = build(tmp_path_factory.mktemp("large"), publish=True, extra={"EVENTS_NOW": NOW})
    assert built.returncode == 0, built.log
    return built


def large_print_of(output, folder):
    return output / folder / (folder.rstrip("/").rsplit("/", 1)[1] + "-large-print.pdf")


UNPATCHED = PDFCIDFont.get_cmap_from_spec


def embedded_cmap(font, spec, strict):
    """pdfminer looks an Encoding CMap up by name only; WeasyPrint embeds its own
    ("WP-Encod-0") in a font that lacks a glyph (an emoji), and pdfminer then finds no
    character of that font at all. That CMap is the identity but for the missing glyphs
    (sent to .notdef): read it as Identity-H, which keeps every character and its size."""
    if isinstance(resolve1(spec.get("Encoding")), PDFStream):
        return CMapDB.get_cmap("Identity-H")
    return UNPATCHED(font, spec, strict)


def extract(pdf):
    with mock.patch.object(PDFCIDFont, "get_cmap_from_spec", embedded_cmap):
        return list(extract_pages(str(pdf)))


def characters(pdf):
    """[(page number, character, size in points, (x0, y0, x1, y1), page width, height)]:
    every character pdfminer finds, the running header and footer included."""
    found = []

    def walk(item, number, page):
        if isinstance(item, LTChar):
            found.append((number, item.get_text(), item.size, item.bbox, page.width, page.height))
        elif hasattr(item, "__iter__"):
            for child in item:
                walk(child, number, page)

    for number, page in enumerate(extract(pdf), start=1):
        walk(page, number, page)
    return found


def assert_clear_print(pdf, smallest=SMALLEST):
    """Every character at `smallest` points or more, and inside its page (nothing cut off).
    Returns the smallest size found."""
    chars = [c for c in characters(pdf) if c[1].strip()]
    # Every character poppler reads, pdfminer measured: none left out unchecked.
    assert len(chars) >= len(squeezed(run("pdftotext", str(pdf), "-"))), pdf.name
    small = [(n, ch, round(size, 1)) for n, ch, size, *_ in chars if size < smallest - 0.01]
    assert small == [], f"{pdf.name}: characters under {smallest} pt: {small[:20]}"
    outside = [
        (n, ch) for n, ch, _, (x0, y0, x1, y1), w, h in chars
        if x0 < -0.5 or y0 < -0.5 or x1 > w + 0.5 or y1 > h + 0.5
    ]  # fmt: skip
    assert outside == [], f"{pdf.name}: characters off the page: {outside[:20]}"
    return min(size for _, _, size, *_ in chars)


def squeezed(text):
    """Text without any spacing or hyphens: lines wrap differently in print and online,
    and pdftotext joins a word broken after a hyphen ("drop-" "in")."""
    return "".join(text.replace("\u00ad", "").replace("-", "").split())


def test_every_character_is_16_points_or_more_header_and_footer_too(site):
    for folder in (WHATS_ON, WELCOME):
        pdf = large_print_of(site.output, folder)
        assert assert_clear_print(pdf) >= DEFAULT_SIZE - 0.01
        chars = characters(pdf)
        pages = page_count(pdf)
        for number in range(2, pages + 1):  # the cover has no header or footer
            text = "".join(ch for n, ch, *_ in chars if n == number)
            assert f"Page {number} of {pages}" in text, f"no footer on page {number}"
        title = "".join(ch for n, ch, *_ in chars if n == 2)
        heading = site.html(folder + "index.html").select_one("h1").get_text()
        assert squeezed(heading) in squeezed(title.replace("\xa0", " "))  # running header


def test_large_print_is_a4_tagged_pdf_ua_in_its_language(site):
    for folder in (WHATS_ON, WELCOME):
        pdf = large_print_of(site.output, folder)
        info = run("pdfinfo", str(pdf))
        assert "595.276 x 841.89 pts (A4)" in info
        assert re.search(r"Tagged:\s+yes", info)
        assert "(large print)" in re.search(r"Title:\s+(.*)", info).group(1)
        assert 'pdfuaid:part="1"' in run("pdfinfo", "-meta", str(pdf))
        assert b"/Lang (en-gb)" in pdf_objects(pdf)
        found = findings(pdf)
        # The header and "Page N of M" are Artifacts, not content outside the tree.
        assert found["orphans"] == [], found["orphans"][:4]
        assert all(count >= 2 for _, count in found["artifacts"][1:]), found["artifacts"]
        assert found["th"] >= 3 and found["th_without_scope"] == 0
        assert found["uris"] and found["links_not_printed"] == []


def test_the_text_of_every_section_is_in_the_large_print(site):
    for folder in (WHATS_ON, WELCOME):
        text = squeezed(run("pdftotext", str(large_print_of(site.output, folder)), "-"))
        soup = site.html(folder + "index.html")
        sections = soup.select("section.brochure-page .post-body")
        assert len(sections) >= 4
        for section in sections:
            for block in section.select("h2, h3, p, li, td, th"):
                if block.select_one("h2, h3, p, li"):
                    continue  # its parts are checked: a page may break between them
                said = squeezed(block.get_text())
                assert said in text, f"{folder}: {block.get_text()[:60]!r} is not in the PDF"


def test_pictures_are_full_width_with_their_description_printed_below(site):
    for folder in (WHATS_ON, WELCOME):
        pdf = large_print_of(site.output, folder)
        soup = site.html(folder + "index.html")
        alts = [img["alt"] for img in soup.select(".brochure-cover img, .post-body img")]
        assert alts and all(alts)
        for alt in alts:
            assert_captioned(pdf, alt)


def assert_captioned(pdf, alt):
    """`alt` is printed in a text box just below a picture as wide as the text."""
    want = squeezed(alt)
    for page in extract(pdf):
        pictures, lines = [], []

        def walk(item, pictures=pictures, lines=lines):
            if isinstance(item, LTImage | LTFigure):
                pictures.append(item)
            if isinstance(item, LTTextLine):
                lines.append(item)
            elif hasattr(item, "__iter__"):
                for child in item:
                    walk(child)

        walk(page)
        for box in lines:
            line = squeezed(box.get_text())
            if len(line) >= 12 and (want.startswith(line) or line.startswith(want)):
                above = [p for p in pictures if p.y0 >= box.y1 - 2 and p.y0 - box.y1 < 40]
                assert above, f"{pdf.name}: the caption {alt[:40]!r} is not under a picture"
                margins = page.width - max(p.width for p in above)
                assert margins < page.width * 0.25, f"{alt[:40]!r}: the picture is not full width"
                return
    pytest.fail(f"{pdf.name}: no caption {alt[:40]!r}")


def test_offered_beside_the_printable_pdf_with_its_page_count(site):
    for folder in (WHATS_ON, WELCOME):
        pdf = large_print_of(site.output, folder)
        pages = page_count(pdf)
        url = f"{SITEURL}/{folder}{pdf.name}"
        soup = site.html(folder + "index.html")
        link = soup.find("a", href=url)
        assert link is not None, "no large print link on the brochure page"
        hidden = link.select_one(".visually-hidden").get_text()
        title = soup.select_one("h1").get_text()
        assert link.get_text() == f"Large print PDF{hidden}" and hidden == f" of {title}"
        said = " ".join(link.parent.get_text().split())
        assert f"Large print PDF of {title}, {pages} pages (A4, " in said
        index = site.html("brochures/index.html").find("a", href=url)
        assert index is not None, "no large print link on the brochures page"
        assert re.fullmatch(
            rf"Large print PDF of {re.escape(title)}, {pages} pages \(\d+ KB\)",
            " ".join(index.parent.get_text().split()),
        )


def test_more_pages_than_the_a5_and_no_more_than_three_times(site):
    for folder in (WHATS_ON, WELCOME):
        a5 = page_count(site.output / folder / large_print_of(site.output, folder).name.replace(
            "-large-print", ""))  # fmt: skip
        large = page_count(large_print_of(site.output, folder))
        assert a5 <= large <= 3 * a5, (a5, large)


# Control characters, right-to-left text and emoji, a word too long for a line, an
# address with no spaces, a picture described with markup characters.
HOSTILE = (
    "Title: Fish & chips <b>night</b> \u0007\u000b \U0001f4da "
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 " + "very long title " * 8 + "\n"
    f"{COVER}"
    "Summary: Bits & <pieces> \u0008pasted\u000c from Word \U0001f600 \u202eRTL\u202c\n"
    "\n"
    "## Control characters \u0001 & <things>\n\n"
    "Text with a control character: \u0001 and an ampersand & a < sign.\n\n"
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd (right to left) "
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645 \U0001f44b\n\n"
    "## Long words\n\n"
    + "Supercalifragilistic" * 12
    + "\n\nhttps://www.riverside-libraries.example/"
    + "a-very-long-address-" * 10
    + "\n\n"
    '![A "quoted" map & <key> \u202eRTL\u202c]({static}/images/story-time.jpg)\n'
)


def hostile_site(tmp_path, **extra):
    content = tmp_path / "content"
    (content / "brochures").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/story-time.jpg", content / "images")
    (content / "brochures" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    return build(tmp_path, content=content, cwd=tmp_path, extra=extra)


def test_a_hostile_brochure_makes_a_clear_large_print(tmp_path):
    built = hostile_site(tmp_path)
    assert built.returncode == 0, built.log
    [pdf] = (built.output / "brochures").rglob("*-large-print.pdf")
    assert assert_clear_print(pdf) >= DEFAULT_SIZE - 0.01  # long words wrap, not cut off
    text = run("pdftotext", str(pdf), "-")
    assert "\u05e9\u05dc\u05d5\u05dd" in text and "Supercalifragilistic" in text
    assert "&amp;" not in text  # the contents list a section title's "&" once escaped
    assert_captioned(pdf, 'A "quoted" map & <key>')
    assert findings(pdf)["orphans"] == []


def test_the_size_setting_sets_every_size(tmp_path):
    built = hostile_site(tmp_path, BROCHURES_LARGE_PRINT_SIZE=24)
    assert built.returncode == 0, built.log
    [pdf] = (built.output / "brochures").rglob("*-large-print.pdf")
    assert assert_clear_print(pdf, smallest=24) < 24.5  # the body, at 24 pt


@pytest.mark.parametrize("value", [12, 40, "18pt", True, None, float("nan")])
def test_a_bad_size_setting_is_an_error_and_the_default_is_used(value, caplog, tmp_path):
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(f"SITENAME = 'x'\nBROCHURES_LARGE_PRINT_SIZE = {value!r}\n")
    with caplog.at_level(logging.ERROR):
        assert text_size({"BROCHURES_LARGE_PRINT_SIZE": value}, str(conf)) == DEFAULT_SIZE
    [message] = caplog.messages
    assert f"{conf}:2: error: brochures: BROCHURES_LARGE_PRINT_SIZE must be a number" in message
    assert "the large-print PDFs use 18" in message and "Fix:" in message


@pytest.mark.parametrize("value", [16, 18, 22.5, 28])
def test_a_good_size_setting_is_used(value, caplog):
    assert text_size({"BROCHURES_LARGE_PRINT_SIZE": value}) == value
    assert caplog.messages == []


def test_a_bad_size_setting_in_a_build_is_reported_and_the_pdf_made_at_18(tmp_path):
    built = hostile_site(tmp_path, BROCHURES_LARGE_PRINT_SIZE=40)
    assert "BROCHURES_LARGE_PRINT_SIZE must be a number of points from 16 to 28" in built.log
    assert built.log.count("BROCHURES_LARGE_PRINT_SIZE must") == 1  # read once
    [pdf] = (built.output / "brochures").rglob("*-large-print.pdf")
    assert assert_clear_print(pdf) < DEFAULT_SIZE + 0.5


def test_captioned_prints_each_description_under_its_picture():
    html = (
        '<p><img alt="A map &amp; a &quot;key&quot;" src="a.png"> and '
        "<img src='b.png' alt='Two &lt;dogs&gt;'> <img alt=\"\" src=\"c.png\"></p>"
    )
    assert captioned(html) == (
        '<p><span class="figure"><img alt="A map &amp; a &quot;key&quot;" src="a.png">'
        '<span class="caption">A map &amp; a "key"</span></span> and '
        "<span class=\"figure\"><img src='b.png' alt='Two &lt;dogs&gt;'>"
        '<span class="caption">Two &lt;dogs&gt;</span></span> <img alt="" src="c.png"></p>'
    )


def test_unchanged_rebuild_reuses_the_large_print_and_an_edit_makes_it_again(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    name = "welcome-to-your-library-large-print.pdf"

    def cached():
        return {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache" / "brochures").iterdir()}

    first = build(tmp_path, content=content, extra={"EVENTS_NOW": NOW}, verbose=True)
    assert first.returncode == 0, first.log
    assert f"brochures: rendered {WELCOME}{name}" in first.log
    before = cached()
    assert len([n for n in before if n.endswith(".pdf")]) == 4  # two brochures, two editions
    assert len([n for n in before if n.endswith(".pages")]) == 2  # the large prints' counts
    shutil.rmtree(first.output)  # else the incremental build finds nothing to do
    second = build(tmp_path, content=content, extra={"EVENTS_NOW": NOW}, verbose=True)
    assert second.returncode == 0, second.log
    assert f"brochures: reused {WELCOME}{name}" in second.log
    assert f"brochures: reused {WHATS_ON}whats-on-winter-2026-to-2027-large-print.pdf" in second.log
    assert cached() == before, "an unchanged large print was rendered again"
    pages = page_count(second.output / WELCOME / name)
    page = second.html(WELCOME + "index.html")
    [link] = [a for a in page.select("a") if a["href"].endswith(name)]
    said = " ".join(link.parent.get_text().split())
    assert f", {pages} pages" in said  # the count kept with the cache

    source = content / "brochures" / "welcome-to-your-library.md"
    source.write_text(source.read_text().replace("Joining is free", "Joining costs nothing"))
    third = build(tmp_path, content=content, extra={"EVENTS_NOW": NOW}, verbose=True)
    assert third.returncode == 0, third.log
    assert f"brochures: rendered {WELCOME}{name}" in third.log
    after = cached()
    assert len(set(after) - set(before)) == 4  # the A5, the large print, its count, the EPUB
    assert len(after) == len(before)  # the old ones are not kept
    assert "Joining costs nothing" in run("pdftotext", str(third.output / WELCOME / name), "-")


def test_the_running_header_is_cut_to_one_line():
    assert running_title("What's on: winter 2026 to 2027", 18) == "What's on: winter 2026 to 2027"
    long = "Fish and chips night " + "very long title " * 20
    assert running_title(long, 18) == "Fish and chips night very long title…"
    assert len(running_title(long, 28)) <= 24
    assert running_title("W" * 100, 18) == "W" * 36 + "…"
