"""`make check`: every finding about the content, in plain language, then a summary.

    python -m checks [--settings pelicanconf.py]

It builds the site with Pelican into a temporary folder (so every check sees exactly
what a build sees), collects what the plugins report, adds whole-site checks, and exits
non-zero if anything is an error.
"""

import argparse
import logging
import os
import sys
import tempfile
from datetime import datetime

from dotenv import load_dotenv
from pelican import Pelican, signals
from pelican.settings import read_settings

from .findings import display_path
from .site import announced_changes, scheduled

# Pelican's own messages that the plugins already report better (with a line and a fix).
SAID_BETTER = ("Unable to find", "Could not process", "Empty alt attribute", "There are ")


class Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        message = record.getMessage()
        if not message.startswith(SAID_BETTER) and message not in self.lines:
            self.lines.append(message)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="check", description="Check the site's content.")
    parser.add_argument("--settings", default="pelicanconf.py")
    parser.add_argument("--path", help="the content folder (default: the settings' PATH)")
    args = parser.parse_args(argv)
    load_dotenv(os.path.join(os.path.dirname(os.path.abspath(args.settings)), ".env"))
    collector = Collector()
    logging.getLogger().addHandler(collector)
    logging.getLogger().setLevel(logging.WARNING)
    generators = []
    signals.all_generators_finalized.connect(generators.extend, weak=False)
    with tempfile.TemporaryDirectory() as tmp:
        # INCREMENTAL off: a check reads and renders everything, and leaves the
        # build's page cache and manifest (plugins/incremental) alone.
        override = {"OUTPUT_PATH": tmp, "ANNOUNCE_ENABLED": False, "DELETE_OUTPUT_DIRECTORY": False,
                    "INCREMENTAL": False}  # fmt: skip
        if args.path:
            override["PATH"] = os.path.abspath(args.path)
        settings = read_settings(args.settings, override=override)
        Pelican(settings).run()
    articles = [g for g in generators if type(g).__name__ == "ArticlesGenerator"]
    lines = list(collector.lines)
    if articles:
        lines += _site_checks(articles[0], settings)
    errors = sum(": error: " in line for line in lines)
    warnings = sum(": warning: " in line for line in lines)
    for line in lines:
        print(line)
    if articles:
        _print_scheduled(articles[0], settings)
    print(
        f"\n{errors} error(s), {warnings} warning(s)."
        + (" Fix the errors before publishing." if errors else " Ready to publish.")
    )
    return 1 if errors else 0


def _site_checks(articles, settings):
    from announce.config import SettingsError, read_config
    from announce.ledger import Ledger, LedgerError
    from announce.plan import Site
    from feeds.entries import entry_id
    from feeds.settings import read_settings as feed_settings

    # Published posts are known by their ids on the live site: use its address.
    siteurl = os.environ.get("SITEURL", "").rstrip("/")
    try:
        config = read_config(settings)
    except SettingsError as err:
        return [f"pelicanconf.py: error: announce: {err}"]
    try:
        ledger = Ledger.load(config.ledger, config.state_dir, write=False)
    except LedgerError as err:  # the site still publishes; announcing waits for the fix
        return [f"{config.ledger}: warning: {err}"]
    authority = ledger.authority or feed_settings({**settings, "SITEURL": siteurl}).id_authority
    site = Site(siteurl, settings["PATH"])
    findings = announced_changes(articles.articles, ledger, lambda p: entry_id(p, authority), site)
    return [str(f) for f in findings]


def _print_scheduled(articles, settings):
    now = datetime.now().astimezone()
    upcoming = scheduled(articles.drafts, now)
    if upcoming:
        print("\nScheduled (they go live at the first publish on or after their date):")
        for date, title, source in upcoming:
            print(f"  {date:%Y-%m-%d %H:%M}  {title}  ({display_path(source)})")


if __name__ == "__main__":
    sys.exit(main())
