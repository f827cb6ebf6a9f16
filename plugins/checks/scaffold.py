"""Placeholder text from `make newpost` / `newevent` / `newbrochure` left in a file.

The placeholders are not listed here: they are read from the templates in
scripts/new.py (its PLACEHOLDERS, and every line of example text its templates write
below the front matter), so a change to the scaffold keeps this check right.
"""

import functools
import importlib.util
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from .findings import Finding

logger = logging.getLogger(__name__)

SCAFFOLD_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "new.py"
LIST_KEYS = ("tags", "authors")  # comma-separated: each item may be a placeholder
SHORT = 20  # characters: a shorter example line counts only beside a longer one


@dataclass(frozen=True)
class Scaffold:
    fields: dict  # front-matter key -> (placeholder text, what to write instead)
    lines: frozenset  # the example lines below the front matter, stripped


@functools.cache
def load_scaffold(path: Path = SCAFFOLD_SCRIPT) -> Scaffold | None:
    """The placeholders of the kit's scripts/new.py (None without one)."""
    try:
        spec = importlib.util.spec_from_file_location("noticeboard_new", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return scaffold_of(module)
    except (OSError, AttributeError, ImportError) as err:
        logger.warning("checks: cannot read the placeholders of %s (%s)", path, err)
        return None


def scaffold_of(module) -> Scaffold:
    """The placeholders of a scaffold module: its PLACEHOLDERS, and the lines below the
    front matter that every file it writes has, whatever the title, date or category."""
    one = ("Alpha", datetime(2001, 2, 3, 4, 5, tzinfo=UTC), "A")
    two = ("Beta gamma", datetime(2012, 11, 10, 19, 8, tzinfo=timezone(timedelta(hours=1))), "B c")
    lines = set()
    for kind in module.KINDS:
        lines |= _body_lines(module.render(kind, *one)) & _body_lines(module.render(kind, *two))
    return Scaffold(dict(module.PLACEHOLDERS), frozenset(lines - {"<!--", "-->"}))


def _body_lines(text: str) -> set[str]:
    _, _, body = text.partition("\n\n")
    return {line.strip() for line in body.splitlines() if line.strip()}


def check_placeholders(text: str, path: str, scaffold: Scaffold | None) -> list[Finding]:
    """Errors for placeholder text left in: each front-matter value, each run of example
    lines, and the guidance comment."""
    if scaffold is None:
        return []
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    made_by = _made_by(path, lines[:end])
    findings = _front_matter(lines[:end], path, scaffold, made_by)
    body = range(end + 1, len(lines))
    example = {i for i in body if lines[i].strip() in scaffold.lines}
    for start, stop in _comments(lines, end + 1):
        if example & set(range(start, stop + 1)):
            example -= set(range(start, stop + 1))
            findings.append(
                Finding(
                    path, start + 1,
                    f"The guidance comment {made_by} wrote is still here ({_span(start, stop)}, "
                    f"'{_clip(lines[start + 1] if start + 1 <= stop else lines[start])}'). "
                    "It is hidden on the page but published in the page's source.",
                    f"Delete {_span(start, stop)}, from <!-- to -->, once you have used what "
                    "you need from it.",
                )
            )  # fmt: skip
    for start, stop in _runs(sorted(example), lines):
        if not _telling(lines[start : stop + 1]):
            continue
        findings.append(
            Finding(
                path, start + 1,
                f"{_span(start, stop).capitalize()} {'is' if start == stop else 'are'} example "
                f"text {made_by} wrote, starting '{_clip(lines[start])}'.",
                f"Replace {_span(start, stop)} with your own text.",
            )
        )  # fmt: skip
    return sorted(findings, key=lambda f: f.line or 0)


def _made_by(path, front_matter) -> str:
    """The command that wrote such a file, as staff typed it."""
    if "brochures" in Path(path).parts:
        return "`make newbrochure`"
    if any(re.match(r"\s*event-start\s*:", line, re.IGNORECASE) for line in front_matter):
        return "`make newevent`"
    return "`make newpost`"


def _front_matter(lines, path, scaffold, made_by) -> list[Finding]:
    findings = []
    for number, line in enumerate(lines, start=1):
        key, colon, value = line.partition(":")
        key, value = key.strip().lower(), " ".join(value.split())
        if not colon or key not in scaffold.fields or not value:
            continue
        placeholder, instead = scaffold.fields[key]
        if key in LIST_KEYS:
            ours = {p.strip().lower() for p in placeholder.split(",")}
            left = [v.strip() for v in value.split(",") if v.strip().lower() in ours]
        else:
            left = [value] if value.lower() == " ".join(placeholder.split()).lower() else []
        if left:
            name = key.title()
            said = ", ".join(f"'{v}'" for v in left)
            findings.append(
                Finding(
                    path, number,
                    f"{name}: {said} {'is' if len(left) == 1 else 'are'} the placeholder "
                    f"{made_by} wrote, so {'it' if len(left) == 1 else 'they'} would be published.",
                    f"Replace line {number} with '{name}: ' and {instead}.",
                )
            )  # fmt: skip
    return findings


def _comments(lines, first):
    """(start, end) line indexes of each <!-- ... --> from line index `first` on."""
    start = None
    for i in range(first, len(lines)):
        if start is None and "<!--" in lines[i]:
            start = i
        if (
            start is not None
            and "-->" in lines[i][(lines[i].find("<!--") + 4 if i == start else 0) :]
        ):
            yield start, i
            start = None


def _runs(indexes, lines):
    """Runs of line indexes, a run going on across blank lines."""
    run = []
    for i in indexes:
        if run and any(lines[j].strip() for j in range(run[-1] + 1, i)):
            yield run[0], run[-1]
            run = []
        run.append(i)
    if run:
        yield run[0], run[-1]


def _telling(run) -> bool:
    """A run of example lines says it is one: a heading or a whole sentence, not only a
    short line such as '- a list' that a real post may have too."""
    return any(line.lstrip().startswith("#") or len(line.strip()) >= SHORT for line in run)


def _span(start, stop) -> str:
    return f"line {start + 1}" if start == stop else f"lines {start + 1} to {stop + 1}"


def _clip(text, length=50) -> str:
    text = " ".join(re.sub(r"<!--|-->", "", text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
