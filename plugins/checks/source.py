"""Finding lines in a Markdown source file."""

import re


def metadata_line(text: str, key: str) -> int | None:
    """Line number (1-based) of `key:` in the front matter at the top of `text`."""
    pattern = re.compile(rf"\s*{re.escape(key)}\s*:", re.IGNORECASE)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            return None  # the front matter ends at the first blank line
        if pattern.match(line):
            return number
    return None


def line_containing(text: str, needle: str) -> int | None:
    """Line number (1-based) of the first line containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def line_of_offset(data: bytes, offset: int) -> int:
    """Line number (1-based) of byte `offset` in `data`."""
    return data.count(b"\n", 0, offset) + 1


def read_text(path: str) -> str:
    """The file's text, never failing: undecodable bytes become U+FFFD."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            return f.read()
    except OSError:
        return ""
