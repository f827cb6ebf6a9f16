"""`make announce`, `make announce-preview`, `make announce-reconcile`, `make announce-retry`.

python -m announce send [--settings publishconf.py]
python -m announce preview
python -m announce reconcile
python -m announce retry --post content/posts/x.md [--channel webhook]
python -m announce check

Exit codes: 0 all done (sent, skipped, or waiting for a later run); 1 something is
pending, failed or unknown (the table says what); 2 the settings, plan or ledger need
fixing first; 75 another run is in progress (nothing was done).
"""

import argparse
import logging
import os
import sys
from datetime import UTC, datetime

from pelican.settings import read_settings

from . import ledger as states
from .channels import TYPES
from .config import SettingsError, read_config
from .errors import AnnounceError, NotConfigured, NotSendable
from .ledger import Ledger, LedgerError
from .lock import Busy, run_lock
from .plan import read_plan
from .recheck import Recheck
from .reconcile import reconcile
from .redact import Redactor
from .send import OK, Row, Sender, moment, table, triage

logger = logging.getLogger("announce")
BUSY = 75  # EX_TEMPFAIL: try again later


def main(argv=None, environ=None) -> int:
    parser = argparse.ArgumentParser(prog="announce", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["send", "preview", "reconcile", "retry", "check"])
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--post", help="retry: the post's file, e.g. content/posts/x.md")
    parser.add_argument("--channel", help="retry: only this channel")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        settings = read_settings(args.settings)  # publishconf.py reads .env
        environ = os.environ if environ is None else environ
        config = read_config(settings, environ)
        channels = [TYPES[c.type](c, config, environ) for c in config.channels]
        redactor = Redactor(s for ch in channels for s in type(ch).secrets(ch.config, environ))
        redactor.install()
        if args.command == "retry":
            with run_lock(config.state_dir, "make announce-retry"):
                return retry(config, settings, args.post, args.channel)
        if args.command == "check":
            return check(channels, environ, redactor)
        plan = read_plan(config.plan_path)
    except Busy as err:
        logger.error("announce: %s", err)
        return BUSY
    except (SettingsError, LedgerError, FileNotFoundError, ValueError) as err:
        logger.error("announce: %s", err)
        return 2
    live, broken = [], []
    for channel in channels:
        if type(channel).configured(channel.config, environ):
            try:
                channel.validate()  # fixed values, addresses: before any connection
                live.append(channel)
            except NotConfigured as err:
                broken.append(Row("(every post)", channel.name, states.FAILED, str(err)))
    if args.command == "preview" or (args.command == "send" and not live and not broken):
        if args.command == "send":
            print(
                "No channel has its keys in .env, so this is a dry run: nothing is sent.\n"
                "Add the keys listed in .env.example to announce for real.\n"
            )
        return preview(plan, config, channels, live, broken)
    try:
        with run_lock(config.state_dir, f"make announce-{args.command}"):
            if args.command == "reconcile":
                return reconcile(plan, config, live, redactor)
            ledger = Ledger.load(config.ledger, config.state_dir)
            _plan_matches(plan, ledger, config)
            if plan.old:
                print(_old_note(plan, config))
            sender = Sender(ledger, config, Recheck(settings), plan.authority)
            rows = broken + sender.run(plan, live)
    except Busy as err:
        logger.error("announce: %s", err)
        return BUSY
    except LedgerError as err:
        logger.error("announce: %s", err)
        return 2
    print(table(rows, redactor))
    return 0 if all(r.status in OK for r in rows) else 1


def check(channels, environ, redactor) -> int:
    """`make announce-check`: log in to every channel set up in .env and say which
    account it posts as and what it lacks, without posting anything."""
    problems = 0
    for channel in channels:
        kind = type(channel)
        if not kind.configured(channel.config, environ):
            keys = kind.env_keys(channel.config)
            required = [f"{channel.config.env_prefix}_{k}" for k in kind.keys]
            unset = [k for k in required if not environ.get(k, "").strip()]
            if any(environ.get(k, "").strip() for k in keys):  # half set up
                problems += 1
                print(f"{channel.name}: not set up: {', '.join(unset)} missing in .env")
            else:
                print(f"{channel.name}: not set up (no keys in .env)")
            continue
        try:
            channel.validate()
            channel.connect()
            account = channel.check()
        except AnnounceError as err:
            problems += 1
            print(redactor.text(f"{channel.name}: FAILED: {err}"))
            continue
        state = "MISSING SOMETHING" if account.missing else "OK"
        print(redactor.text(f"{channel.name}: {state}: posts as {account.who}"))
        for fact in account.facts:
            print(redactor.text(f"    {fact}"))
        for missing in account.missing:
            print(redactor.text(f"    missing: {missing}"))
        problems += bool(account.missing)
    if problems:
        print(f"\n{problems} channel(s) need fixing before they can announce.")
    return 1 if problems else 0


def _plan_matches(plan, ledger, config):
    if ledger.exists and ledger.authority != plan.authority:
        raise LedgerError(
            f"{config.plan_path} was made before the ledger changed (it knows posts by "
            f"{plan.authority}, the ledger by {ledger.authority}). Fix: run "
            "`make build-publish` again, then this."
        )


def _old_note(plan, config):
    return (
        f"{plan.old} post(s) dated more than {config.max_age.days} days ago are not news "
        "and are not announced (ANNOUNCE_MAX_AGE).\n"
    )


def preview(plan, config, channels, live, broken) -> int:
    """Exactly what each channel would post, without sending or writing anything."""
    try:
        ledger = Ledger.load(config.ledger, config.state_dir, write=False)
    except LedgerError as err:
        print(f"Announcing is stopped until this is fixed:\n  {err}\n")
        ledger = Ledger(config.ledger)
    if plan.old:
        print(_old_note(plan, config))
    now = datetime.now(UTC)
    for row in broken:
        print(f"== {row.channel}: {row.detail} ==\n")
    for channel in channels:
        if any(row.channel == channel.name for row in broken):
            continue
        heading = f"== {channel.name} ({channel.kind})"
        if channel in live:
            try:
                channel.connect()  # read the real limits
            except Exception as err:  # noqa: BLE001 - a preview never fails on the network
                heading += f": could not connect ({err}); using default limits"
        else:
            heading += ": not configured, dry run"
        print(heading + " ==")
        found = triage(plan.posts, ledger, channel, config, now, not ledger.exists)
        if found.why_start:
            print(
                f"Starts now ({found.why_start}): posts dated before "
                f"{found.start:%Y-%m-%d %H:%M} are not announced here ({found.before})."
            )
        for row in found.rows:
            print(f"-- {row.post}: {row.status}, {row.detail}")
        todo = [post for post, _ in found.todo]
        if len(todo) > config.max_per_run:
            print(f"{len(todo) - config.max_per_run} more post(s) wait for later runs.")
        todo = todo[: config.max_per_run]
        held = [post for post, _ in found.held]  # shown too: what will go out, word for word
        if not todo and not held:
            print("Nothing to send.")
            if plan.posts:
                print("Example, for the newest post:")
                todo = [plan.posts[-1]]
        for post in todo + held:
            message = channel.compose(post)
            when = ""
            if post in held:
                when = f", held until {moment(datetime.fromisoformat(post.announce_at))}"
            print(f"-- {post.title} ({post.source}{when})")
            try:
                channel.prepare(message, post)
            except NotSendable as err:
                message.notes.append(f"cannot be sent: {err}")
            for line in channel.describe(message):
                print("  " + line)
        print()
    return 0


def retry(config, settings, source, only) -> int:
    """Forget a post's failed, unknown or interrupted sends, so the next run sends it."""
    if not source:
        raise SettingsError("say which post: make announce-retry POST=content/posts/x.md")
    names = sorted(c.name for c in config.channels)
    if only and only not in names:
        raise SettingsError(f"there is no channel {only!r}. Fix: use one of {', '.join(names)}.")
    ledger = Ledger.load(config.ledger, config.state_dir)
    file = os.path.relpath(os.path.abspath(source), settings["PATH"]).replace(os.sep, "/")
    ids = [
        i
        for i in ledger.posts()
        if ledger.details(i).get("file") == file and not i.endswith("#reminder")
    ]
    if not ids:
        raise SettingsError(f"{source}: the ledger has nothing about this post.")
    done = []
    for name in [only] if only else names:
        status = ledger.status(ids, name)
        if status.state == states.SENT:
            print(f"{name}: not changed: it was sent ({status.line.get('remote_url', '')}).")
        elif status.state is not None:
            ledger.retry(ids, name)
            done.append(name)
    if done:
        print(
            f"{source} will be announced again on {', '.join(done)} by the next `make announce`"
            " (while it is published and recent)."
        )
    else:
        print(f"{source}: nothing to send again.")
    return 0
