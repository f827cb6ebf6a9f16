"""The announcement preview as Markdown for a pull request's check summary.

  python scripts/preview_summary.py .announce/preview.txt >> "$GITHUB_STEP_SUMMARY"

Reads what `make announce-preview` printed and writes it channel by channel, each in a
fenced block, so the reviewer sees word for word what each channel would post after
merging. A fence is always longer than any run of backticks in the text, so no post can
break out of its block. Nothing is sent: this only formats text.
"""

import argparse
import re
import sys
from pathlib import Path

HEADING = re.compile(r"^== (.+?) ==$")
INTRO = (
    "Nothing is sent from a pull request. This is what `make announce` would post after "
    "this pull request is merged and published, channel by channel, word for word."
)


def fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def block(text: str) -> list[str]:
    marks = fence(text)
    return [marks + "text", text, marks, ""]


def summary(preview: str, siteurl: str = "") -> str:
    """The Markdown: an introduction, then each `== channel ==` part in its own block."""
    lines = ["## What would be announced", "", INTRO, ""]
    if siteurl:
        lines += [f"Addresses are shown with `{siteurl}` as the site's address.", ""]
    parts, title, body = [], None, []
    for line in preview.splitlines():
        match = HEADING.match(line)
        if match:
            parts.append((title, body))
            title, body = match.group(1), []
        else:
            body.append(line)
    parts.append((title, body))
    for title, body in parts:
        text = "\n".join(body).strip("\n")
        if title is None and not text:
            continue
        lines += [f"### {title}" if title else "### Notes", ""]
        lines += block(text or "(nothing)")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preview", help="the file `make announce-preview` printed into")
    parser.add_argument("--siteurl", default="", help="the address the build used")
    args = parser.parse_args(argv)
    path = Path(args.preview)
    if not path.is_file() or not path.read_text(encoding="utf-8").strip():
        sys.stdout.write(
            "## What would be announced\n\nThe preview could not be made: the build or the "
            "preview step failed. Its log says what to fix.\n"
        )
        return 0
    sys.stdout.write(summary(path.read_text(encoding="utf-8"), args.siteurl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
