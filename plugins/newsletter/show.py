"""`make newsletter` and `make newsletter-preview`, after the build has made the edition
(`make newsletter-send` is cli.py).

python -m newsletter summary [--settings publishconf.py] [--output output]
python -m newsletter preview [--settings publishconf.py]

`summary` says what the current edition holds and where its page and email parts are.
`preview` writes the email's exact HTML part (and its text part) to files beside the
email parts, outside output/, and prints the HTML file's path for a browser to open.

Exit codes: 0 done; 1 there is nothing to preview (an empty edition that is not
sent); 2 the email parts are missing or unreadable (build with `make newsletter`).
"""

import argparse
import json
import os
import sys

from .generator import parts_path, state_dir
from .parts import fill_unsubscribe
from .settings import read_settings as newsletter_settings

COMMANDS = ("summary", "preview")


def _load(settings) -> dict:
    path = parts_path(settings)
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        raise SystemExit(
            f"{path}: there is no newsletter edition yet. Fix: run `make newsletter`, which "
            "builds the site with its public address (SITEURL in .env) and writes it."
        ) from None
    except (OSError, ValueError) as err:
        raise SystemExit(
            f"{path}: cannot be read ({err}). Fix: run `make newsletter` again."
        ) from None
    return document


def summary(settings, output: str) -> str:
    document = _load(settings)
    config, _ = newsletter_settings(settings)
    page = os.path.join(output, config.url, document["edition"], "index.html")
    counts = f"{len(document['posts'])} post(s), {len(document['events'])} event(s)"
    said = f"Edition {document['edition']}: {counts}"
    if document["empty"] and not document["html"]:
        return (
            f"{said}: nothing to send (no news, no events, no intro for it); "
            'NEWSLETTER["empty_text"] is not set, so no email goes out and it has no '
            f"archive page; email parts {parts_path(settings)}"
        )
    if document["empty"]:
        said += ': no news, so the "no news" text (NEWSLETTER["empty_text"]) goes out'
    return f"{said}; archive page {page}; email parts {parts_path(settings)}"


def preview(settings) -> tuple[int, str]:
    document = _load(settings)
    if not document["html"]:
        return 1, (
            f"Edition {document['edition']} is empty and is not sent, so there is no "
            'email to preview (set NEWSLETTER["empty_text"] to send a "no news" one).'
        )
    folder = state_dir(settings)
    html_part, text_part = fill_unsubscribe(document["html"], document["text"], *_ways(settings))
    html = os.path.abspath(os.path.join(folder, "newsletter-preview.html"))
    with open(html, "w", encoding="utf-8") as f:
        f.write(html_part)
    with open(os.path.join(folder, "newsletter-preview.txt"), "w", encoding="utf-8") as f:
        f.write(text_part)
    return 0, html


def _ways(settings) -> tuple[str, str]:
    """How a reader unsubscribes, as `make newsletter-send` would say it to an example
    reader; the library's own address while the sending keys are not set."""
    from .message import sender, unsubscribe_ways
    from .sendconfig import SendError, read_send_config

    project = os.path.dirname(os.path.abspath(settings.get("PATH", "content")))
    try:
        config = read_send_config(os.environ, project)
    except SendError:
        return library_mailto(settings), ""
    who = sender(os.environ.get("EMAIL_FROM", "").strip(), settings.get("SITENAME", ""))
    mailto, page = unsubscribe_ways(config, who, "reader@example.invalid")
    if mailto.startswith("mailto:?"):  # no EMAIL_FROM yet
        return library_mailto(settings), page
    return mailto, page


def library_mailto(settings) -> str:
    email = (settings.get("LIBRARY") or {}).get("email") or ""
    return f"mailto:{email}?subject=unsubscribe" if email else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="newsletter", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--output", default="output", help="summary: the built site's folder")
    args = parser.parse_args(argv)
    from pelican.settings import read_settings

    try:
        settings = read_settings(args.settings)  # publishconf.py reads .env
        if args.command == "summary":
            print(summary(settings, args.output))
            return 0
        code, said = preview(settings)
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            return 2
        raise
    print(said, file=sys.stdout if code == 0 else sys.stderr)
    return code
