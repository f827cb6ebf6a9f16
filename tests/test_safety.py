"""What the build may read and where it may write: the rules behind the bad-input corpus
(tests/test_bad_input.py), case by case, without a whole build."""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from checks.addresses import address_problems  # noqa: E402
from checks.content import check_file_urls, check_image, check_template  # noqa: E402
from checks.files import find_file, inside  # noqa: E402
from checks.site import addresses_taken  # noqa: E402
from conftest import SAMPLE_SETTINGS  # noqa: E402
from pelican.settings import DEFAULT_CONFIG, read_settings  # noqa: E402
from pelican.utils import slugify  # noqa: E402


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    (root / "posts").mkdir()
    (root / "images" / "a.jpg").write_bytes(b"jpg")
    (root / "images" / "passwd.jpg").symlink_to("/etc/passwd")
    (root / "images" / "inner.jpg").symlink_to(root / "images" / "a.jpg")
    return root


def found(content, src, from_root=False):
    return find_file(src, str(content / "posts" / "p.md"), str(content), from_root=from_root)


def test_find_file_in_every_form(content):
    linked = found(content, "{static}/images/a.jpg")
    assert linked.exists and linked.linked and not linked.outside
    for src in ("images/a.jpg", "/images/a.jpg"):  # there, but not written {static}
        bare = found(content, src)
        assert bare.exists and not bare.linked
        assert bare.static_form(str(content)) == "{static}/images/a.jpg"
    missing = found(content, "images/cat.jpg")
    assert not missing.exists and missing.path == str(content / "images" / "cat.jpg")
    assert found(content, "images/a.jpg", from_root=True).exists  # Image: front matter
    assert found(content, "{static}/images/inner.jpg").exists  # a link inside content/ is fine
    for src in ("https://cdn.example/a.jpg", "data:image/png;base64,AA", "file:///etc/passwd"):
        assert found(content, src) is None


@pytest.mark.parametrize(
    "src", ["../../../../etc/passwd", "{static}/../../x.jpg", "/../../x.jpg", "images/passwd.jpg"]
)
def test_find_file_outside_content(content, src):
    result = found(content, src, from_root=not src.startswith(("{", "/")))
    assert result.outside and not result.exists


def test_inside_resolves_symlinks(content):
    assert inside(content / "images" / "a.jpg", content)
    assert not inside(content / "images" / "passwd.jpg", content)
    assert not inside(content.parent / "content-other" / "a.jpg", content)  # a prefix only


def test_image_written_without_static_names_the_static_form(content):
    text = "Title: x\n\n![A](images/a.jpg)\n![B](/images/a.jpg)\n"
    path = str(content / "posts" / "p.md")
    [relative] = check_image("images/a.jpg", "A", text, path, str(content))
    assert relative.error and relative.line == 3 and relative.fix == "Write {static}/images/a.jpg."
    [root] = check_image("/images/a.jpg", "B", text, path, str(content))
    assert not root.error and root.fix == "Write {static}/images/a.jpg."
    [missing] = check_image("images/cat.jpg", "C", text, path, str(content))
    assert missing.error and "write {static}/images/cat.jpg" in missing.fix


def test_front_matter_picture_outside_or_remote_is_an_error(content):
    text = "Title: x\nImage: ../../etc/passwd\nCover: https://cdn.example/c.jpg\n\nText\n"
    path = str(content / "posts" / "p.md")
    [outside] = check_image("../../etc/passwd", "x", text, path, str(content), where_key="image")
    assert outside.error and outside.line == 2 and "outside the content folder" in outside.problem
    [remote] = check_image(
        "https://cdn.example/c.jpg", "x", text, path, str(content), where_key="cover"
    )
    assert remote.error and remote.line == 3 and "Cover: images/name.jpg" in remote.fix


def slugify_default(value):
    return slugify(value, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


@pytest.mark.parametrize(
    ("slug", "fix"),
    [("../../tag", "tag"), ("Summer_Reading 2026", "summer-reading-2026"), ("/", "a-title")],
)
def test_a_slug_that_is_not_plain_is_an_error_with_the_plain_form(slug, fix):
    text = f"Title: A title\nSlug: {slug}\n\nText\n"
    meta = {"title": "A title", "slug": slug}
    [finding] = address_problems(meta, text, "p.md", slugify_default)
    assert finding.line == 2 and finding.fix == f"Write 'Slug: {fix}'."


@pytest.mark.parametrize("slug", ["summer-reading-2026", "a", "2027"])
def test_plain_slugs_pass(slug):
    assert address_problems({"slug": slug}, "", "p.md", slugify_default) == []


@pytest.mark.parametrize(
    ("key", "value", "bad"),
    [
        ("save_as", "404.html", False),
        ("save_as", "about/index.html", False),
        ("save_as", "../../index.html", True),
        ("save_as", "/etc/cron.d/x", True),
        ("save_as", "about/", True),
        ("save_as", "a\\..\\..\\x.html", True),
        ("url", "about/", False),
        ("url", "../tag/", True),
    ],
)
def test_save_as_and_url_stay_inside_the_site(key, value, bad):
    assert bool(address_problems({key: value}, "", "p.md", slugify_default)) == bad


def test_file_urls_are_found_with_their_line():
    text = (
        "Title: x\n\nSave the file: then print it. See my profile:here.\n"
        '<a rel="attachment" href="file:///proc/self/environ">x</a>\n'
        "<!-- file:///in/a/comment -->\n[notes](FILE:/etc/passwd)\n"
    )
    findings = check_file_urls(text, "p.md")
    assert [(f.line, f.problem.split()[2]) for f in findings] == [
        (4, "file:///proc/self/environ"),
        (6, "FILE:/etc/passwd"),
    ]


def test_template_must_be_the_themes():
    assert check_template(None, {"page"}, "", "p.md") == []
    assert check_template("visit", {"page", "visit"}, "", "p.md") == []
    [finding] = check_template("../../etc/passwd", {"page"}, "Title: x\nTemplate: y\n", "p.md")
    assert finding.line == 2 and "theme/templates/" in finding.fix


def test_addresses_the_site_makes_itself():
    taken = addresses_taken(read_settings(str(SAMPLE_SETTINGS)))
    for name in ("index.html", "tag/index.html", "category/index.html", "archives/index.html",
                 "events/index.html", "search/index.html", "robots.txt"):  # fmt: skip
        assert name in taken, name
    assert not any("{" in name or "://" in name for name in taken)


def test_pdf_fetcher_serves_only_the_sites_files(tmp_path):
    """A real WeasyPrint render: an attachment in content/ is embedded; a file outside,
    a symlink to one and another website are refused and reported once each."""
    from brochures.fetcher import SiteFilesFetcher
    from weasyprint import HTML

    content = tmp_path / "content"
    (content / "files").mkdir(parents=True)
    (content / "files" / "timetable.txt").write_text("Bus times")
    (tmp_path / "secret.txt").write_text("token")
    (content / "files" / "link.txt").symlink_to(tmp_path / "secret.txt")
    links = [
        (content / "files" / "timetable.txt").as_uri(),
        (tmp_path / "secret.txt").as_uri(),
        (content / "files" / "link.txt").as_uri(),
        "https://example.org/a.pdf",
        (tmp_path / "secret.txt").as_uri(),  # asked for twice, reported once
    ]
    html = "".join(f'<a rel="attachment" href="{url}">file</a>' for url in links)
    reported = []
    fetcher = SiteFilesFetcher([str(content)], reported.append)
    pdf = tmp_path / "out.pdf"
    HTML(string=html, url_fetcher=fetcher).write_pdf(pdf)
    assert reported == fetcher.refused == links[1:4]
    listed = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True)
    assert listed.stdout.splitlines() == ["1 embedded files", "1: timetable.txt"]
