"""The README and the pages in docs/ stay honest.

- The README stays short (one or two screens), gives the two set-up commands that CI
  runs, shows the screenshot with a description, and links to the docs.
- Every relative link and image in the README and in docs/ reaches a file, and every
  #anchor a heading (GitHub's slugs).
- .env.example lists every channel key, and .gitignore keeps the secrets out of git.

That every setting, .env key, make target, front-matter field and output address is
documented (and every documented one exists) is tests/test_reference.py's job, against
docs/reference.md, the one place they are all listed. tests/test_staff_guide.py checks
the make targets the pages name, and walks the tutorial.
"""

import re
import sys
from pathlib import Path

from conftest import ROOT

README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
DOCS = ROOT / "docs"
README_MAX_LINES = 120  # one or two screens


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_same():
    assert "make serve" in README and "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_readme_names_the_system_packages_ci_installs():
    ci = (ROOT / ".ci" / "run").read_text()
    installed = set(re.findall(r"need\+=\((\S+)\)", ci)) | {"fonts-dejavu-core"}
    assert installed >= {"chromium", "newsboat", "poppler-utils", "epubcheck", "npm"}
    for package in installed | {"python3-venv", "rsync", "git"}:
        assert package in README, f"README.md does not name {package}"


def test_readme_stays_short():
    lines = README.count("\n")
    assert lines <= README_MAX_LINES, f"README.md is {lines} lines: move detail to docs/"


def test_readme_shows_the_sample_site_with_a_description():
    images = re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", README)
    assert images, "README.md has no screenshot"
    for alt, target in images:
        assert len(alt.split()) >= 8, f"{target}: describe what the picture shows"
        picture = ROOT / target
        assert picture.exists(), target
        assert picture.stat().st_size < 200_000, f"{target}: compress it"


def test_readme_links_to_every_docs_page_a_reader_starts_from():
    linked = {target.partition("#")[0] for _, target in links(README_PATH)}
    for page in DOCS.glob("*.md"):
        assert f"docs/{page.name}" in linked, f"README.md does not link to docs/{page.name}"


def test_secrets_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored and "!.env.example" in ignored


def test_every_channel_key_is_in_env_example():
    sys.path.insert(0, str(ROOT / "plugins"))
    from announce.channels import TYPES
    from announce.config import DEFAULTS, read_config

    example = (ROOT / ".env.example").read_text()
    for channel in read_config(DEFAULTS, environ={}).channels:
        for key in TYPES[channel.type].env_keys(channel):
            assert f"\n{key}=" in example, f".env.example does not list {key}"


# -- Markdown, read just enough (tests/test_staff_guide.py uses these too) ------------

FENCE = re.compile(r"^(\s*)(```|~~~)")


def split_code(text: str):
    """(prose lines, code blocks): each line of prose with its number; code blocks as
    (info string, lines, the marker comment just before it or "")."""
    prose, blocks = [], []
    lines = text.splitlines()
    i, marker = 0, ""
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            info = line.strip()[3:].strip()
            body, i = [], i + 1
            indent = fence.group(1)
            while i < len(lines) and not lines[i].strip().startswith(fence.group(2)):
                body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            blocks.append((info, body, marker))
            marker = ""
        else:
            comment = re.fullmatch(r"\s*<!--\s*(tutorial-[^>]*?)\s*-->\s*", line)
            if comment:
                marker = comment.group(1)
            elif line.strip():
                marker = ""  # prose between a marker and its block: not that block's
            prose.append((i + 1, line))
        i += 1
    return prose, blocks


INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped (but hyphens
    and underscores), each space a hyphen; inline code and links keep their text."""
    text = INLINE_CODE.sub(lambda m: m.group(2), heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every #anchor a Markdown file has: its headings' slugs (a repeated one gets -1,
    -2...), and any <a id> or <a name>."""
    prose, _ = split_code(path.read_text(encoding="utf-8"))
    found, seen = set(), {}
    for _, line in prose:
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            slug = github_slug(heading.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
        found.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", line))
    return found


def links(path: Path):
    """(line number, target) of every Markdown link and image outside code."""
    prose, _ = split_code(path.read_text(encoding="utf-8"))
    for number, line in prose:
        visible = INLINE_CODE.sub("", line)
        for match in LINK.finditer(visible):
            yield number, match.group(2)
        for match in IMAGE.finditer(visible):
            yield number, match.group(1)


def test_every_relative_link_in_the_readme_and_docs_resolves():
    problems, checked = [], 0
    for page in [README_PATH, *sorted(DOCS.rglob("*.md"))]:
        for number, target in links(page):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:
                continue
            checked += 1
            where = f"{page.relative_to(ROOT)}:{number}"
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / file_part).resolve() if file_part else page
            if not linked.exists():
                problems.append(f"{where}: {target}: no such file ({linked})")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                problems.append(f"{where}: {target}: no heading #{anchor} in {linked.name}")
    assert checked > 20, "the docs link to each other; the parser found too few links"
    assert not problems, "\n".join(problems)
