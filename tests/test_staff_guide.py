"""The staff guide, the council briefing and the other pages in docs/ stay honest.

- Every `make <target>` the pages name is a target of the Makefile (that every link
  in docs/ resolves is tests/test_docs.py's job).
- A readability measure of the staff guide is printed (`pytest -s`) and held loosely.
- The tutorial (docs/staff/first-week.md) is walked: its commands run, in order, in a
  fresh clone of this repository, and each command's documented output is looked for.

The tutorial marks what the walk does, with an HTML comment before a fenced block:

    <!-- tutorial-step -->                run each `$ command`; each line after a
                                          command is a line of its output (`...` skips)
    <!-- tutorial-step: clone -->         the same, with the clone address pointed here
    <!-- tutorial-step: serve -->         start it, wait for its lines, read the home
                                          page over HTTP, stop it with Ctrl+C (SIGINT)
    <!-- tutorial-step: new post -->      run it; the "Created <file>" it prints is the
                                          file the next tutorial-file block is written to
    <!-- tutorial-file -->                write this block to that file, keeping the
                                          Date: line the command wrote (today's)
    <!-- tutorial-step: not walked (why) -->  shown to staff, never run here (why: the
                                          network, a password, another person's computer)

In an expected line, YYYY-MM-DD stands for any date.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT
from test_docs import INLINE_CODE, anchors, split_code

DOCS = ROOT / "docs"
TUTORIAL = DOCS / "staff" / "first-week.md"
# The staff guide: its index page and every page under docs/staff/.
STAFF_GUIDE = [DOCS / "staff-guide.md", *sorted((DOCS / "staff").glob("*.md"))]
# The address the tutorial clones: the walk clones this repository instead.
CLONE_ADDRESS = "https://github.com/riverside-libraries/website.git"
STEP_LIMIT = 900  # seconds for one command: a first build makes every PDF and picture size


def markdown_files():
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


# -- Markdown: read by tests/test_docs.py's helpers, which also check every link ------


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, re.M))


def make_commands(path: Path):
    """(line number, target) of every `make <target>` in code: inline code spans and
    code blocks ("make" in prose is the English verb)."""
    text = path.read_text(encoding="utf-8")
    prose, blocks = split_code(text)
    for number, line in prose:
        for span in INLINE_CODE.finditer(line):
            for target in re.findall(r"(?:^|\s|\$ )make ([a-z][a-z0-9-]*)", span.group(2)):
                yield number, target
    for _, body, _ in blocks:
        for line in body:
            for target in re.findall(r"^\s*(?:\$ )?make ([a-z][a-z0-9-]*)", line):
                yield 0, target


def test_every_make_target_the_docs_name_exists():
    targets = makefile_targets()
    assert {"serve", "check", "publish", "approve", "newsletter-send"} <= targets
    named, problems = set(), []
    for page in markdown_files():
        for number, target in make_commands(page):
            named.add(target)
            if target not in targets:
                problems.append(f"{page.relative_to(ROOT)}:{number}: make {target}")
    assert not problems, "targets the Makefile does not have:\n" + "\n".join(problems)
    # The jobs the staff guide promises a command for.
    promised = {"serve", "newpost", "newevent", "newbrochure", "check", "publish",
                "announce-preview", "announce-review", "approve", "listen", "report",
                "newsletter", "newsletter-preview", "newsletter-send"}  # fmt: skip
    assert promised <= named, f"not in the docs: {sorted(promised - named)}"


# -- readability ------------------------------------------------------------------------


def syllables(word: str) -> int:
    """A simple English syllable count: groups of vowels (y counts), less a silent final
    e (but not -le), at least one. Good to a syllable or so, which is all a Flesch score
    needs."""
    word = word.lower()
    if len(word) <= 3:
        return 1
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith("ed") and not word.endswith(("ted", "ded")) and count > 1:
        count -= 1
    return max(count, 1)


def prose_sentences(paths) -> list[list[str]]:
    """The sentences of the pages' prose, each a list of words. Code blocks, tables,
    headings and HTML comments are left out; inline code counts as one word; a
    paragraph or list item ends a sentence as a full stop does."""
    sentences = []
    for path in paths:
        text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
        prose, _ = split_code(text)
        paragraphs, current = [], []
        for _, line in prose:
            stripped = line.strip()
            starts_item = re.match(r"^(?:[-*]|\d+\.)\s", stripped)
            if not stripped or stripped.startswith(("#", "|", ">")) or starts_item:
                if current:
                    paragraphs.append(" ".join(current))
                current = []
                if starts_item:
                    current = [stripped[starts_item.end() :]]
                continue
            current.append(stripped)
        if current:
            paragraphs.append(" ".join(current))
        for paragraph in paragraphs:
            plain = INLINE_CODE.sub(" code ", paragraph)
            plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)  # a link: its words
            plain = re.sub(r"<[^>]+>", " link ", plain)  # <https://...>: one word
            for sentence in re.split(r"(?<=[.!?])\s+", plain):
                words = re.findall(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*", sentence)
                if words:
                    sentences.append(words)
    return sentences


@dataclass
class Readability:
    sentences: int
    words: int
    average_sentence: float  # words per sentence
    long_words: float  # share of words of three or more syllables
    flesch: float  # Flesch reading ease: 60 to 70 is plain English; higher is easier

    def __str__(self):
        return (
            f"{self.sentences} sentences, {self.words} words; "
            f"{self.average_sentence:.1f} words a sentence; "
            f"{self.long_words:.1%} words of 3+ syllables; "
            f"Flesch reading ease {self.flesch:.0f}"
        )


def readability(paths) -> Readability:
    sentences = prose_sentences(paths)
    words = [w for s in sentences for w in s]
    counts = [syllables(w) for w in words if w[0].isalpha()]
    per_sentence = len(words) / len(sentences)
    per_word = sum(counts) / len(counts)
    return Readability(
        sentences=len(sentences),
        words=len(words),
        average_sentence=per_sentence,
        long_words=sum(c >= 3 for c in counts) / len(counts),
        flesch=206.835 - 1.015 * per_sentence - 84.6 * per_word,
    )


def test_syllable_counter_on_known_words():
    known = {"library": 3, "post": 1, "the": 1, "make": 1, "publish": 2, "newsletter": 3,
             "announcement": 3, "description": 4, "table": 2, "approved": 2}  # fmt: skip
    counted = {w: syllables(w) for w in known}
    # A simple counter: never more than one out ("description" has an "io" it counts as
    # one), and right for most words.
    assert all(abs(counted[w] - n) <= 1 for w, n in known.items()), counted
    assert sum(counted[w] == n for w, n in known.items()) >= 8, counted


def test_staff_guide_reads_plainly():
    """Printed for the closing note (`pytest -s`): the whole staff guide, the tutorial,
    and each page. Loose limits, so the guide cannot drift into long, hard sentences."""
    whole = readability(STAFF_GUIDE)
    print(f"\nStaff guide ({len(STAFF_GUIDE)} pages): {whole}")
    print(f"Tutorial (first-week.md): {readability([TUTORIAL])}")
    for page in STAFF_GUIDE:
        print(f"  {page.relative_to(DOCS)}: {readability([page])}")
    print(f"Council briefing: {readability([DOCS / 'council-briefing.md'])}")
    assert whole.sentences > 300, "the staff guide is missing pages"
    assert whole.average_sentence < 20, whole
    assert whole.long_words < 0.15, whole
    assert whole.flesch > 50, whole


def test_glossary_explains_the_words_the_issue_names():
    glossary = anchors(DOCS / "staff" / "glossary.md")
    for word in ("front-matter", "slug", "markdown", "git", "commit", "push", "feed",
                 "ledger", "scheduled-workflow", "preview", "alt-text", "pds", "siteurl",
                 "env"):  # fmt: skip
        assert word in glossary, f"the glossary has no entry #{word}"


# -- walking the tutorial ----------------------------------------------------------------


@dataclass
class Command:
    text: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Step:
    marker: str  # "tutorial-step", "tutorial-step: serve", ...
    commands: list[Command]
    body: list[str]

    @property
    def mode(self) -> str:
        return self.marker.partition(":")[2].strip()

    @property
    def walked(self) -> bool:
        return not self.mode.startswith("not walked")


def tutorial_steps() -> list[Step]:
    _, blocks = split_code(TUTORIAL.read_text(encoding="utf-8"))
    steps = []
    for _info, body, marker in blocks:
        if not marker:
            continue
        commands = []
        for line in body:
            if line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif line.strip() and line.strip() != "..." and commands:
                commands[-1].expected.append(line.strip())
        steps.append(Step(marker, commands, body))
    return steps


def pattern(expected: str) -> re.Pattern:
    """An expected line as a pattern: YYYY-MM-DD is any date."""
    return re.compile(re.escape(expected).replace("YYYY\\-MM\\-DD", r"\d{4}-\d{2}-\d{2}"))


def assert_shows(output: str, command: Command):
    for expected in command.expected:
        assert pattern(expected).search(output), (
            f"`{command.text}` should show: {expected}\n--- it showed:\n{output[-4000:]}"
        )


def test_tutorial_marks_every_command_block():
    """Every console block in the tutorial is marked, so none escapes the walk unsaid,
    and each step left out says why."""
    prose, blocks = split_code(TUTORIAL.read_text(encoding="utf-8"))
    for info, body, marker in blocks:
        if info == "console":
            assert marker.startswith("tutorial-step"), f"an unmarked console block: {body}"
    steps = tutorial_steps()
    assert any(s.marker == "tutorial-file" for s in steps)
    for step in steps:
        if not step.walked:
            assert re.search(r"not walked \(.+\)", step.mode), step.marker
    walked = " ".join(c.text for s in steps if s.walked for c in s.commands)
    for command in ("git clone", "make serve", "make newpost", "make check", "git commit",
                    "make publish", "make announce-preview"):  # fmt: skip
        assert command in walked, f"the walk does not run {command}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Walk:
    """The tutorial's world: a temporary home (for `git config --global`), the folder
    the clone goes in, and an environment with none of this computer's site settings."""

    def __init__(self, tmp: Path):
        self.home = tmp / "home"
        self.home.mkdir()
        self.cwd = tmp
        self.created: Path | None = None
        example = (ROOT / ".env.example").read_text(encoding="utf-8")
        keys = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.M))
        keys |= {"NEWSLETTER_SUBSCRIBERS_LIST", "PORT", "PELICANOPTS", "MAKEFLAGS", "MFLAGS",
                 "MAKELEVEL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"}  # fmt: skip
        self.env = {k: v for k, v in os.environ.items() if k not in keys}
        self.env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_TERMINAL_PROMPT="0",
            COLUMNS="200",
        )
        self.log: list[str] = []

    def run(self, step: Step, command: Command):
        text = command.text
        if text.startswith("cd "):
            self.cwd = self.cwd / text[3:].strip()
            assert self.cwd.is_dir(), f"`{text}`: no folder {self.cwd}"
            return
        if step.mode == "clone":
            # This repository, into the folder the address would have made ("website").
            folder = CLONE_ADDRESS.rsplit("/", 1)[1].removesuffix(".git")
            text = text.replace(CLONE_ADDRESS, f"{ROOT} {folder}")
        proc = subprocess.run(
            text, shell=True, cwd=self.cwd, env=self.env, capture_output=True, text=True,
            timeout=STEP_LIMIT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        output = proc.stdout + proc.stderr
        self.log.append(f"$ {command.text}  (exit {proc.returncode})")
        assert proc.returncode == 0, f"`{text}` failed ({proc.returncode}):\n{output[-4000:]}"
        assert_shows(output, command)
        created = re.search(r"^Created (\S+):", proc.stdout, re.M)
        if created:
            self.created = self.cwd / created.group(1)
        if step.mode == "clone":
            self.after_clone()

    def after_clone(self):
        """The one thing the walk does that staff do not: the shared virtualenv, so the
        walk installs nothing (make's stamp file stays newer than the requirements), and
        the frozen sample library in place of a library's own content and identity (as
        the other tests build), committed so the tutorial's own commit stays its own."""
        site = self.cwd / "website"
        (site / ".venv").symlink_to((ROOT / ".venv").resolve())
        stamp = (ROOT / ".venv" / ".site-installed").stat().st_mtime
        for name in ("requirements.txt", "requirements-dev.txt"):
            os.utime(site / name, (stamp - 60, stamp - 60))
        shutil.rmtree(site / "content")
        shutil.copytree(site / "tests" / "sample" / "content", site / "content")
        with open(site / "pelicanconf.py", "a", encoding="utf-8") as f:
            f.write(
                "\n# The walk of docs/staff/first-week.md: the sample library's identity.\n"
                "sys_path = __import__('sys').path\n"
                "sys_path.insert(0, str(Path(__file__).resolve().parent / 'tests' / 'sample'))\n"
                "from sample_library import *  # noqa: E402,F403\n"
                "# A site that has set its first day of announcing (as a library does on\n"
                "# its first run), so the new post is what announce-preview lists.\n"
                'ANNOUNCE_SINCE = "2000-01-01"\n'
            )
        git = ["git", "-c", "user.name=Walk", "-c", "user.email=walk@example.invalid"]
        subprocess.run([*git, "add", "-A"], cwd=site, env=self.env, check=True)
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "The sample library"],
                       cwd=site, env=self.env, check=True)  # fmt: skip

    def serve(self, command: Command):
        """`make serve`: wait for each documented line, read the home page, press Ctrl+C."""
        port = free_port()
        text = command.text + ("" if port == 8000 else f" PORT={port}")
        expected = [line.replace("8000", str(port)) for line in command.expected]
        process = subprocess.Popen(
            text, shell=True, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        seen, waiting = [], list(expected)
        deadline = time.monotonic() + STEP_LIMIT
        try:
            while waiting and time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break
                seen.append(line)
                if pattern(waiting[0]).search(line):
                    waiting.pop(0)
            assert not waiting, f"`make serve` never showed {waiting[0]}:\n{''.join(seen)}"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as reply:
                page = reply.read().decode("utf-8")
            assert reply.status == 200 and "<h1" in page
        finally:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl+C, as the tutorial says
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            process.stdout.close()
        self.log.append(f"$ {command.text}  (served, then Ctrl+C)")

    def write_file(self, step: Step):
        assert self.created is not None, "a tutorial-file block before any Created <file>"
        written = self.created.read_text(encoding="utf-8")
        date = re.search(r"^Date:.*$", written, re.M).group(0)
        text = "\n".join(step.body) + "\n"
        text = re.sub(r"^Date:.*$", lambda _: date, text, count=1, flags=re.M)
        self.created.write_text(text, encoding="utf-8")
        self.log.append(f"(wrote {self.created.name}, keeping {date})")


@pytest.mark.skipif(shutil.which("git") is None, reason="the tutorial needs git")
def test_walk_the_tutorial_in_a_fresh_clone(tmp_path):
    walk = Walk(tmp_path)
    skipped = []
    for step in tutorial_steps():
        if step.marker == "tutorial-file":
            walk.write_file(step)
            continue
        if not step.walked:
            skipped.append(f"{' / '.join(c.text for c in step.commands)}: {step.mode}")
            continue
        for command in step.commands:
            if step.mode == "serve":
                walk.serve(command)
            else:
                walk.run(step, command)
    print("\nWalked:\n  " + "\n  ".join(walk.log))
    print("Not walked:\n  " + "\n  ".join(skipped))
    # The post went through: on the built site, and in what would be announced.
    site = walk.cwd
    post = walk.created
    assert post is not None and post.exists()
    built = list((site / "output" / "news").glob("*/story-time-moves-to-saturday-mornings*"))
    assert built, "the tutorial's post is not in the published site"
