"""`make announce` and `make announce-preview`.

python -m announce send [--settings publishconf.py]
python -m announce preview [--settings publishconf.py]
"""

import argparse
import logging
import os
import sys

from pelican.settings import read_settings

from . import ledger as states
from .channels import TYPES
from .config import SettingsError, read_config
from .ledger import Ledger
from .plan import read_plan
from .redact import Redactor
from .send import baseline, run

logger = logging.getLogger("announce")
OK = {"sent", "skipped"}


def main(argv=None, environ=None) -> int:
    parser = argparse.ArgumentParser(prog="announce", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["send", "preview"])
    parser.add_argument("--settings", default="publishconf.py")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        settings = read_settings(args.settings)  # publishconf.py reads .env
        environ = os.environ if environ is None else environ
        config = read_config(settings, environ)
        channels = [TYPES[c.type](c, config, environ) for c in config.channels]
        redactor = Redactor(s for ch in channels for s in type(ch).secrets(ch.config, environ))
        redactor.install()
        posts = read_plan(config.plan_path)
        ledger = Ledger.load(config.ledger)
    except (SettingsError, FileNotFoundError, ValueError) as err:
        logger.error("announce: %s", err)
        return 2
    live = [ch for ch in channels if type(ch).configured(ch.config, environ)]
    if args.command == "preview" or not live:
        if args.command == "send":
            print(
                "No channel has its keys in .env, so this is a dry run: nothing is sent.\n"
                "Add the keys listed in .env.example to announce for real.\n"
            )
        preview(posts, ledger, channels, live, config)
        return 0
    rows = run(posts, ledger, live, config)
    print(table(rows, redactor))
    return 0 if all(r.status in OK for r in rows) else 1


def preview(posts, ledger, channels, live, config):
    """Exactly what each channel would post, without sending or writing anything."""
    for channel in channels:
        configured = channel in live
        heading = f"== {channel.name} ({channel.kind})"
        if configured:
            try:
                channel.connect()  # read the real limits
            except Exception as err:  # noqa: BLE001 - a preview never fails on the network
                heading += f": could not connect ({err}); using default limits"
        else:
            heading += ": not configured, dry run"
        print(heading + " ==")
        todo = [p for p in posts if ledger.state(p.id, channel.name) not in states.DONE]
        if not ledger.channel_used(channel.name):
            count = baseline(todo, ledger, channel, config.since, write=False)
            if count:
                print(
                    f"First run: {count} existing post(s) would be recorded as already "
                    "announced, and not sent."
                )
                since = config.since
                todo = [p for p in todo if since and p.date >= since.date().isoformat()]
        todo = [p for p in todo if channel.config.routes(p)][: config.max_per_run]
        if not todo:
            print("Nothing to send.")
            if posts:
                print("Example, for the newest post:")
                todo = [posts[-1]]
        for post in todo:
            message = channel.compose(post)
            print(f"-- {post.title} ({post.source})")
            for line in channel.describe(message):
                print("  " + line)
        print()


def table(rows, redactor) -> str:
    lines = ["| post | channel | result | detail |", "|---|---|---|---|"]
    for r in rows:
        detail = redactor.text(r.detail).replace("|", "/").replace("\n", " ")
        lines.append(f"| {r.post[:60]} | {r.channel} | {r.status} | {detail} |")
    counts = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to do"
    return "\n".join(lines + ["", f"announce: {summary}"])
