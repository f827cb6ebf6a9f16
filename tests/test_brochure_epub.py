"""Brochures as EPUB 3: checked by EPUBCheck and Ace by DAISY (real tools, not our own
reading of the rules), read back for the navigation, the cover, the events and the
accessibility metadata; cached like the PDF; the same bytes from every clean build."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SAMPLE_CONTENT, SAMPLE_SETTINGS, SITEURL, build

WHATS_ON = "brochures/whats-on-winter-2026-to-2027/"
WELCOME = "brochures/welcome-to-your-library/"
NOW = "2026-11-23T12:00:00+00:00"
ACE = ROOT / ".cache" / "ace" / "node_modules" / ".bin" / "ace-cli"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
# What Ace's report must find in every EPUB's package document.
A11Y_METADATA = {
    "schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
    "schema:accessibilityHazard", "schema:accessibilitySummary", "dcterms:conformsTo",
    "a11y:certifiedBy",
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = build(tmp_path_factory.mktemp("epub"), publish=True, extra={"EVENTS_NOW": NOW})
    assert built.returncode == 0, built.log
    return built


def epub_of(output: Path, folder: str) -> Path:
    return output / folder / (folder.rstrip("/").rsplit("/", 1)[1] + ".epub")


def epubs(output: Path) -> list[Path]:
    return sorted(output.rglob("*.epub"))


def epubcheck(path: Path) -> subprocess.CompletedProcess:
    """EPUBCheck (Debian's epubcheck 4.2.6). Debian's /usr/bin/epubcheck is the jar
    itself, run through binfmt, which containers often lack: run it with java."""
    found = shutil.which("epubcheck") or "/usr/share/java/epubcheck.jar"
    if not os.path.exists(found):
        pytest.fail("EPUBCheck is not installed: run `apt-get install epubcheck`")
    real = os.path.realpath(found)
    # C1 only: a JVM that runs for seconds starts faster.
    cmd = ["java", "-XX:TieredStopAtLevel=1", "-jar", real] if real.endswith(".jar") else [real]
    return subprocess.run(
        [*cmd, "-q", str(path)], capture_output=True, text=True, timeout=120
    )  # fmt: skip


def assert_valid(path: Path):
    checked = epubcheck(path)
    said = checked.stdout + checked.stderr
    assert checked.returncode == 0, f"{path.name}:\n{said}"
    assert not re.search(r"\b(FATAL|ERROR|WARNING)\b", said), f"{path.name}:\n{said}"


def ace(path: Path, out: Path) -> dict:
    """Ace by DAISY's report on `path` (installed by `make ace`), with Debian's Chromium."""
    if not ACE.exists():
        pytest.fail("Ace by DAISY is not installed: run `make ace`")
    env = {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": shutil.which("chromium") or "/usr/bin/chromium",
    }
    run = subprocess.run(
        [str(ACE), "--force", "--silent", "--outdir", str(out), "--tempdir", str(out / "tmp"),
         str(path)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def violations(report: dict) -> list[str]:
    return [
        f"{doc['earl:testSubject']['url']}: {found['earl:test']['dct:title']} "
        f"({found['earl:test']['earl:impact']}): {found['earl:result'].get('dct:description')}"
        for doc in report["assertions"]
        for found in doc.get("assertions", [])
        if found["earl:result"]["earl:outcome"] == "fail"
    ]


def read(path: Path, name: str) -> BeautifulSoup:
    with zipfile.ZipFile(path) as z:
        return BeautifulSoup(z.read(name).decode("utf-8"), "html.parser")


def package(path: Path) -> BeautifulSoup:
    with zipfile.ZipFile(path) as z:
        return BeautifulSoup(z.read("EPUB/content.opf"), "xml")


def documents(path: Path) -> list[BeautifulSoup]:
    """The book's XHTML files in reading order (the spine)."""
    opf = package(path)
    hrefs = {item["id"]: item["href"] for item in opf.find_all("item")}
    return [read(path, "EPUB/" + hrefs[ref["idref"]]) for ref in opf.find_all("itemref")]


def text(path: Path) -> str:
    return " ".join(" ".join(d.body.get_text(" ") for d in documents(path)).split())


def test_epubcheck_finds_nothing_in_any_sample_epub(site):
    found = epubs(site.output)
    assert [p.name for p in found] == [
        "welcome-to-your-library.epub", "whats-on-winter-2026-to-2027.epub",
    ]  # fmt: skip
    for path in found:
        assert_valid(path)


def test_ace_finds_no_violation_and_all_the_accessibility_metadata(site, tmp_path):
    for path in epubs(site.output):
        report = ace(path, tmp_path / path.stem)
        assert violations(report) == [], violations(report)
        assert report["earl:result"]["earl:outcome"] == "pass"
        metadata = report["a11y-metadata"]
        assert set(metadata["present"]) >= A11Y_METADATA, metadata
        assert metadata["empty"] == []
        said = report["earl:testSubject"]["metadata"]
        assert said["dcterms:conformsTo"] == CONFORMS_TO
        assert said["schema:accessibilityHazard"] == "none"
        assert {"structuralNavigation", "tableOfContents", "alternativeText"} <= set(
            said["schema:accessibilityFeature"]
        )


def test_package_says_title_language_library_and_when(site):
    opf = package(epub_of(site.output, WELCOME))
    assert opf.find("dc:title").get_text() == "Welcome to your library"
    assert opf.find("dc:language").get_text() == "en-gb"
    assert opf.find("dc:creator").get_text() == "Riverside Libraries"
    assert opf.package["xml:lang"] == "en-gb"
    assert opf.find("meta", property="dcterms:modified").get_text() == "2026-06-10T08:00:00Z"
    assert opf.find("dc:identifier").get_text().startswith("urn:uuid:")


def test_nav_lists_every_section_and_each_section_is_a_file(site):
    for folder in (WHATS_ON, WELCOME):
        path = epub_of(site.output, folder)
        reading = site.html(folder + "index.html")
        sections = [a.get_text() for a in reading.select("nav.brochure-toc a")]
        title = reading.h1.get_text()
        nav = read(path, "EPUB/nav.xhtml")
        entries = [a.get_text() for a in nav.select("nav[epub\\:type=toc] a")]
        assert entries == [title, *sections, "Riverside Libraries"]
        hrefs = [a["href"] for a in nav.select("nav[epub\\:type=toc] a")]
        assert len(set(hrefs)) == len(hrefs)  # a file each, the first page (intro) too
        for href, section in zip(hrefs[1:-1], sections, strict=True):
            assert read(path, "EPUB/" + href).h2.get_text(" ", strip=True) == section


def test_cover_is_inside_and_described(site):
    path = epub_of(site.output, WHATS_ON)
    opf = package(path)
    cover = opf.find("item", properties="cover-image")
    assert cover["href"].endswith("story-time.jpg")
    with zipfile.ZipFile(path) as z:
        assert (
            z.read("EPUB/" + cover["href"])
            == (SAMPLE_CONTENT / "images/story-time.jpg").read_bytes()
        )
    first = documents(path)[0]
    img = first.find("img")
    assert img["src"] == cover["href"]
    assert img["alt"].startswith("Illustration of a librarian holding up a picture book")
    assert first.h1.get_text() == "What's on: winter 2026 to 2027"
    # The pictures of a section are inside too, never fetched from the site.
    welcome = epub_of(site.output, WELCOME)
    with zipfile.ZipFile(welcome) as z:
        assert any(n.endswith("digital-help.jpg") for n in z.namelist())
    srcs = [img["src"] for d in documents(welcome) for img in d.find_all("img")]
    assert len(srcs) == 2 and not any(s.startswith(("http", "file", "/")) for s in srcs)


def test_events_with_dates_places_and_booking_links_and_the_way_back_online(site):
    path = epub_of(site.output, WHATS_ON)
    said = text(path).replace("\xa0", " ")
    assert "Every Saturday, 2pm to 4pm, 5 December to 19 December 2026" in said
    assert "Author talk: Meera Joshi on The River Remembers" in said
    assert "Thursday 21 January" in said and "Riverside Central Library, Event Room" in said
    links = {a["href"] for d in documents(path) for a in d.find_all("a", href=True)}
    assert "https://tickets.riverside-libraries.example/meera-joshi" in links
    assert f"{SITEURL}/{WHATS_ON}" in links  # the brochure online
    assert any(h.startswith(f"{SITEURL}/news/2026/") for h in links)  # each event's page


def test_reading_view_and_list_offer_the_epub(site):
    path = epub_of(site.output, WHATS_ON)
    size = f"{path.stat().st_size / 1024:.0f} KB"
    soup = site.html(WHATS_ON + "index.html")
    link = soup.find("a", href=f"{SITEURL}/{WHATS_ON}{path.name}")
    assert link and "EPUB" in link.get_text() and "screen readers" in link.get_text()
    assert link.select_one(".visually-hidden").get_text() == " of What's on: winter 2026 to 2027,"
    assert f"({size})" in link.parent.get_text()
    index = site.html("brochures/index.html")
    for folder in (WHATS_ON, WELCOME):
        epub = epub_of(site.output, folder)
        link = index.find("a", href=f"{SITEURL}/{folder}{epub.name}")
        assert link and "EPUB" in link.get_text(), folder
        assert f"({epub.stat().st_size / 1024:.0f} KB)" in link.parent.get_text()


COVER = "Cover: images/story-time.jpg\nCover-Alt: A cover.\n"
PLAIN = f"Title: Plain\nDate: 2026-05-01 10:00 +01:00\n{COVER}\n## One\n\nText.\n"


def fixture_site(tmp_path: Path, brochures: dict[str, str]) -> Path:
    content = tmp_path / "content"
    (content / "brochures").mkdir(parents=True)
    (content / "images").mkdir()
    shutil.copy(SAMPLE_CONTENT / "images/story-time.jpg", content / "images")
    shutil.copy(SAMPLE_CONTENT / "images/logo.svg", content / "images")
    for name, source in brochures.items():
        (content / "brochures" / f"{name}.md").write_text(source, encoding="utf-8")
    return content


def test_two_clean_builds_make_the_same_bytes(tmp_path):
    content = fixture_site(tmp_path, {"plain": PLAIN})
    first = build(tmp_path / "one", content=content, cwd=tmp_path)
    second = build(tmp_path / "two", content=content, cwd=tmp_path)  # another cache
    assert first.returncode == second.returncode == 0, first.log
    [one], [two] = epubs(first.output), epubs(second.output)
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


HOSTILE = (
    "Title: Fish & chips <b>night</b> \u0007\u000b\u001f \U0001f4da "
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 " + "very long title " * 12 + "\n"
    "Date: 2026-05-01 10:00 +01:00\n"
    "Summary: Bits & <pieces> \u0008pasted\u000c from Word \U0001f600 \u202eRTL\u202c\n"
    f"{COVER}\n"
    "Text with a control character: \u0001 and an ampersand & a < sign.\n\n"
    "## \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u0001 & <i>more</i>\n\n"
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd (right to left) \u202eevil\u202c "
    "\U0001f44b\n\n" + "Donaudampfschifffahrtsgesellschaftskapitaen" * 6 + "\n\n"
    "## Links and pictures\n\n"
    "[Relative link](../../../visit-us/), [back to the top](#top), "
    "[the first section](#section-1) and ![A logo]({static}/images/logo.svg).\n\n"
    "## Section\n\n"
    "Same heading text twice, ids made unique.\n\n"
    "## Section\n\n"
    "Again.\n"
)
LEAKS = {
    "leak": '<a rel="attachment" href="file:///proc/self/environ">Env</a>',
    "remote": "![A remote picture](https://example.org/picture.png)",
    "frame": '<iframe src="https://example.org/map"></iframe>',
}


def leak(name: str) -> str:
    return (
        f"Title: {name.title()}\nDate: 2026-05-02 10:00 +01:00\n{COVER}\n## One\n\n{LEAKS[name]}\n"
    )


def test_hostile_brochures_give_valid_epubs_and_nothing_from_outside(tmp_path):
    content = fixture_site(tmp_path, {"hostile": HOSTILE, **{n: leak(n) for n in LEAKS}})
    site = build(tmp_path, content=content, cwd=tmp_path, env={"NB_TOKEN": "nb-secret-5f0c"})
    assert site.returncode == 0, site.log
    assert "Traceback" not in site.log, site.log
    found = epubs(site.output)
    assert len(found) == 4, site.log
    for path in found:
        assert_valid(path)
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                data = z.read(name)
                assert b"nb-secret-5f0c" not in data and b"/proc/self" not in data, name
                assert b"<iframe" not in data, name
    hostile = next(p for p in found if "fish" in p.name)
    opf = package(hostile)
    assert opf.find("dc:title").get_text().startswith("Fish & chips <b>night</b>")
    said = text(hostile)
    assert "\u05e9\u05dc\u05d5\u05dd" in said and "\U0001f44b" in said
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in said)
    nav = [a.get_text() for a in read(hostile, "EPUB/nav.xhtml").select("nav a")]
    assert len(nav) == 6  # the first page, four sections, the library
    # Each refused address is said, where it is, with a fix; the brochure is still made.
    for name, url, line in (
        ("leak", "file:///proc/self/environ", 8),
        ("remote", "https://example.org/picture.png", 8),
        ("frame", "https://example.org/map", 8),
    ):
        expected = f"content/brochures/{name}.md:{line}: error: The EPUB was made without {url}"
        assert expected in site.log, site.log
    remote = next(p for p in found if p.name == "remote.epub")
    assert "[A remote picture]" in text(remote)  # what it showed, said instead


def logged_build(tmp: Path, content: Path, output: str) -> subprocess.CompletedProcess:
    """A development build as conftest.build makes it, into `tmp / output` with the cache
    `tmp / "cache"`, Pelican's info messages ("brochures: reused ...") in its `log`. Each
    into an empty folder: into the same one, an unchanged site is not built at all."""
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(tmp / output),
           "-s", str(SAMPLE_SETTINGS), "--verbose",  # Pelican's own handler: info too
           "-e", f"CACHE_PATH={json.dumps(str(tmp / 'cache'))}"]  # fmt: skip
    env = {**os.environ, "SITEURL": SITEURL, "COLUMNS": "200"}
    run = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    run.log = run.stdout + run.stderr
    return run


def test_unchanged_rebuild_reuses_the_epub_and_an_edit_makes_it_again(tmp_path):
    content = fixture_site(tmp_path, {"plain": PLAIN, "other": PLAIN.replace("Plain", "Other")})
    cache = tmp_path / "cache" / "brochures"

    def cached():
        return {p.name: p.stat().st_mtime_ns for p in cache.glob("*.epub")}

    first = logged_build(tmp_path, content, "one")
    assert first.returncode == 0, first.log
    assert "brochures: rendered brochures/plain/plain.epub" in first.log
    before = cached()
    assert len(before) == 2
    second = logged_build(tmp_path, content, "two")
    assert "brochures: reused brochures/plain/plain.epub" in second.log, second.log
    assert cached() == before
    source = content / "brochures" / "plain.md"
    source.write_text(PLAIN.replace("Text.", "Other text."), encoding="utf-8")
    third = logged_build(tmp_path, content, "three")
    assert "brochures: rendered brochures/plain/plain.epub" in third.log, third.log
    assert "brochures: reused brochures/other/other.epub" in third.log, third.log
    after = cached()
    assert len(after) == 2 and len(set(after) - set(before)) == 1  # the old one removed
    assert "Other text." in text(tmp_path / "three" / "brochures" / "plain" / "plain.epub")


def test_section_links_pictures_and_refusals_in_the_parts(tmp_path):
    sys.path.insert(0, str(ROOT / "plugins"))
    from brochures.epub import package

    (tmp_path / "images").mkdir()
    picture = tmp_path / "images" / "a map.png"
    picture.write_bytes(b"not really a png")
    (tmp_path / "images" / "evil.png").symlink_to("/etc/passwd")
    site = "https://site.example"
    refused = []
    parts, files = package(
        [
            ("p0.xhtml", "First \u0001", f'<p><a href="#two">Two</a> <img src="{site}/images/'
             'a%20map.png" alt="A map" srcset="x.png 2x"> <a href="file:///etc/passwd">x</a> '
             f'<img src="{site}/images/evil.png" alt="Evil"> <a href="#nowhere">y</a></p>'),
            ("p1.xhtml", "Second", '<h2 id="two">Two</h2><p><a href="#two">here</a> '
             '<a href="../up/">up</a> <a href="mailto:a@b.example">mail</a></p>'),
        ],
        f"{site}/brochures/b/", site, [str(tmp_path)], refused.append,
    )  # fmt: skip
    first, second = parts
    assert first.title == "First"
    assert 'href="p1.xhtml#two"' in first.html  # to the file that holds the section
    assert 'src="images/01-a-map.png"' in first.html and "srcset" not in first.html
    assert files == {"images/01-a-map.png": str(picture)}
    assert "[Evil]" in first.html and "evil.png" not in first.html
    assert "<a>y</a>" in first.html and "<a>x</a>" in first.html  # links to nowhere unlinked
    assert sorted(refused) == ["file:///etc/passwd", f"{site}/images/evil.png"]
    assert 'href="#two"' in second.html
    assert f'href="{site}/brochures/up/"' in second.html
    assert 'href="mailto:a@b.example"' in second.html


def test_ebooklib_is_loaded_only_to_make_an_epub():
    """A build that reuses every EPUB never imports EbookLib (it costs every build)."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'plugins')!r}); import brochures.epub;"
        "print('ebooklib' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stdout + proc.stderr
