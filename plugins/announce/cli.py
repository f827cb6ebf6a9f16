"""`make announce` and its companions: -preview, -review, -check, -reconcile, -retry.

python -m announce send [--settings publishconf.py]
python -m announce preview
python -m announce review          # writes .announce/review.html, sends nothing
python -m announce reconcile
python -m announce retry --post content/posts/x.md [--channel webhook]
python -m announce check
python -m announce approve --post content/posts/x.md [--channel facebook] [--yes]

Exit codes: 0 all done (sent, skipped, or waiting for a later run); 1 something is
pending, failed or unknown (the table says what); 2 the settings, plan or ledger need
fixing first; 75 another run is in progress (nothing was done).
"""

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime

from pelican.settings import read_settings

from . import ledger as states
from .approvals import AWAITING, ApprovalError, Approvals, Git, emails, new_line
from .channels import TYPES
from .config import SettingsError, read_config
from .errors import AnnounceError, NotConfigured, NotSendable
from .ledger import Ledger, LedgerError
from .lock import Busy, run_lock
from .plan import read_plan
from .recheck import Recheck
from .reconcile import reconcile
from .redact import Redactor
from .review import approval_not_required, checked_approval, collect, render, summary, write
from .send import OK, Row, Sender, readable, table, triage

logger = logging.getLogger("announce")
BUSY = 75  # EX_TEMPFAIL: try again later


def main(argv=None, environ=None) -> int:
    parser = argparse.ArgumentParser(prog="announce", description=__doc__.splitlines()[0])
    commands = ["send", "preview", "review", "reconcile", "retry", "check", "approve"]
    parser.add_argument("command", choices=commands)
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument("--post", help="retry, approve: the post's file, e.g. content/posts/x.md")
    parser.add_argument("--channel", help="retry, approve: only this channel")
    parser.add_argument("--yes", action="store_true", help="approve: do not ask, approve")
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
        if args.command == "approve":
            return approve(plan, config, settings, channels, environ, args)
        approvals = None
        if config.approvers:
            approvals = Approvals(config.approvals, config.approvers, config.approval_signed)
    except Busy as err:
        logger.error("announce: %s", err)
        return BUSY
    except ApprovalError as err:
        logger.error("%s: %s", args.command, err)
        return 2
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
    if args.command == "review":
        approval = checked_approval(approvals) if approvals else approval_not_required
        return review(plan, config, channels, broken, approval)
    if args.command == "preview" or (args.command == "send" and not live and not broken):
        if args.command == "send":
            print(
                "No channel has its keys in .env, so this is a dry run: nothing is sent.\n"
                "Add the keys listed in .env.example to announce for real.\n"
            )
        return preview(plan, config, channels, live, broken, approvals)
    try:
        with run_lock(config.state_dir, f"make announce-{args.command}"):
            if args.command == "reconcile":
                return reconcile(plan, config, live, redactor)
            ledger = Ledger.load(config.ledger, config.state_dir)
            _plan_matches(plan, ledger, config)
            if plan.old:
                print(_old_note(plan, config))
            sender = Sender(ledger, config, Recheck(settings), plan.authority, approvals=approvals)
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


def preview(plan, config, channels, live, broken, approvals=None) -> int:
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
                when = f", held until {readable(datetime.fromisoformat(post.announce_at))}"
            print(f"-- {post.title} ({post.source}{when})")
            if approvals is not None:
                print("  " + _approval_state(approvals, channel, post, message))
            try:
                channel.prepare(message, post)
            except NotSendable as err:
                message.notes.append(f"cannot be sent: {err}")
            for line in channel.describe(message):
                print("  " + line)
        print()
    return 0


def review(plan, config, channels, broken, approval) -> int:
    """`make announce-review`: the page showing every post the plan would announce, as
    each network will show it, with its status and the command to approve it. Nothing
    connects, nothing is sent; `approval(post, channel, message)` says whether a
    message is approved, and why (or why not)."""
    try:
        ledger = Ledger.load(config.ledger, config.state_dir, write=False)
    except LedgerError as err:
        print(f"Announcing is stopped until this is fixed:\n  {err}\n")
        ledger = Ledger(config.ledger)
    for row in broken:
        print(f"{row.channel}: nothing is sent until this is fixed: {row.detail}")
    now = datetime.now(UTC)
    entries = collect(plan, ledger, channels, config, now, approval)
    path = os.path.join(config.state_dir, "review.html")
    write(path, render(entries, now, config.plan_path))
    posts, awaiting = summary(entries)
    print(f"Review page: {os.path.abspath(path)}")
    print(f"{posts} post(s) to announce, {awaiting} message(s) awaiting approval.")
    if plan.old:
        print(_old_note(plan, config))
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


def _approval_state(approvals, channel, post, message) -> str:
    try:
        _, waiting = approvals.approved_message(channel, post, message)
    except ApprovalError as err:
        return f"{AWAITING} (could not check: {err})"
    return f"{AWAITING} ({waiting})" if waiting else "approved"


def approve(plan, config, settings, channels, environ, args) -> int:
    """`make approve`: show each channel's exact message for a post, ask, then write an
    approval line per channel and commit that file with the approver's git identity."""
    if not args.post:
        raise SettingsError("say which post: make approve POST=content/posts/x.md [CHANNEL=...]")
    names = [c.name for c in config.channels]
    if args.channel and args.channel not in names:
        raise SettingsError(
            f"there is no channel {args.channel!r}. Fix: use one of {', '.join(sorted(names))}."
        )
    file = os.path.relpath(os.path.abspath(args.post), settings["PATH"]).replace(os.sep, "/")
    posts = [p for p in plan.posts if p.file == file]
    if not posts:
        raise SettingsError(
            f"{args.post} is not in the announcement plan ({config.plan_path}): either it "
            "was already announced everywhere, or the plan was made before the post. Fix: "
            "run `make build-publish` first, then approve it."
        )
    git = Git(config.approvals)
    if git.missing:
        raise ApprovalError(git.missing + ".")
    name, email = git.identity()
    if not name or not email:
        raise ApprovalError(
            "git does not know who you are, and an approval records it. Fix: "
            'git config --global user.name "Your Name" and git config --global user.email '
            "you@council.example (the email in ANNOUNCE_APPROVERS), then approve again."
        )
    if not config.approvers:
        print("Note: ANNOUNCE_APPROVERS is empty, so approval is off and nothing waits for it.")
    elif email.lower() not in emails(config.approvers):
        print(
            f"Warning: your git email {email} is not in ANNOUNCE_APPROVERS, so this approval "
            "will not count: `make announce` refuses an approval committed by anyone else.\n"
        )
    approvals = Approvals(config.approvals, config.approvers, config.approval_signed, git)
    try:
        ledger = Ledger.load(config.ledger, config.state_dir, write=False)
    except LedgerError:
        ledger = Ledger(config.ledger)
    todo, connected = [], set()
    for post in posts:
        for channel in channels:
            if args.channel and channel.name != args.channel:
                continue
            if not channel.config.routes(post):
                if args.channel:
                    print(f"{channel.name}: does not announce {post.source} (categories, tags).")
                continue
            state = ledger.status(post.ids, channel.name).state
            if state in states.DONE:
                print(f"{channel.name}: not needed: the post is {state} there.")
                continue
            if channel.name not in connected:
                connected.add(channel.name)
                _read_limits(channel, environ)
            message = channel.compose(post)
            if approvals.verdict(post, message).approved:
                print(f"{channel.name}: already approved, exactly this message.")
                continue
            todo.append((post, channel, message))
    if not todo:
        print(f"{args.post}: nothing to approve.")
        return 0
    for post, channel, message in todo:
        what = " (the event's reminder)" if post.kind == "reminder" else ""
        print(f"== {channel.name} ({channel.kind}): {post.title}{what} ==")
        for line in channel.describe(message):
            print("  " + line)
        print()
    if not args.yes and not _confirm(f"Approve these {len(todo)} messages? [y/N] "):
        print("Not approved: nothing was written.")
        return 1
    path = approvals.path(posts[0])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a", encoding="utf-8", newline="\n") as f:
        for post, _channel, message in todo:
            line = new_line(post, message, f"{name} <{email}>")
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    where = approvals.where(posts[0])
    try:
        sha = git.commit(path, f"Approve announcement of {posts[0].title}")
    except ApprovalError as err:
        raise ApprovalError(
            f"the approval is written to {where} but not committed, so it does not count "
            f"yet: {err}. Fix: commit {where} yourself (git commit {where})."
        ) from None
    done = ", ".join(channel.name for _post, channel, _message in todo)
    print(
        f"Approved {len(todo)} message(s) ({done}) as {name} <{email}>: {where}, "
        f"commit {sha[:10]}. Push it; the next `make announce` sends them."
    )
    return 0


def _read_limits(channel, environ):
    """Connect a channel set up in .env to read its real limits (the text is composed
    with them, and the approval is of that text); otherwise the defaults."""
    if type(channel).configured(channel.config, environ):
        try:
            channel.validate()
            channel.connect()
        except Exception as err:  # noqa: BLE001 - approving never fails on the network
            print(
                f"{channel.name}: could not connect ({err}); composed with the default "
                "limits, which may not be what `make announce` sends."
            )


def _confirm(question) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False
