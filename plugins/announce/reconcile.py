"""`make announce-reconcile`: rebuild the ledger from what the networks show, after it
was lost or damaged (or to add what another computer sent)."""

import os
from datetime import UTC, datetime

from . import ledger as states
from .errors import AnnounceError
from .ledger import Ledger, LedgerError, parse
from .send import Row, record_found, table


def reconcile(plan, config, channels, redactor, now=None) -> int:
    now = now or datetime.now(UTC)
    try:
        ledger = Ledger.load(config.ledger, config.state_dir)
        print(f"{config.ledger} is readable: adding what the networks show that it lacks.")
    except LedgerError as err:
        print(f"{config.ledger} cannot be used: {err}\nBuilding a new one.")
        ledger = _new_ledger(config, plan, now)
    ledger.begin(plan.authority)
    horizon = _horizon(plan, config, now)
    rows = []
    for channel in channels:
        name = channel.name
        if ledger.start(name) is None:
            start = horizon if channel.can_find else now
            ledger.start_channel(name, start, "make announce-reconcile")
        if not channel.can_find:
            rows.append(
                Row(
                    "(every post)",
                    name,
                    states.SKIPPED,
                    "cannot be searched: posts dated before "
                    f"{ledger.start(name):%Y-%m-%d %H:%M} are not announced here",
                )
            )
            continue
        try:
            channel.connect()
            for post in plan.posts:
                if post.announce_from < ledger.start(name):
                    continue
                if ledger.status(post.ids, name).state in states.DONE:
                    continue
                found = channel.find(post)
                if found:
                    record_found(ledger, post, name, found, "found by make announce-reconcile")
                    rows.append(Row(post.title, name, states.SENT, "found on the account"))
                else:
                    rows.append(Row(post.title, name, "not found", "the next run announces it"))
        except AnnounceError as err:
            rows.append(Row("(remaining posts)", name, states.PENDING, f"could not look: {err}"))
    print(table(rows, redactor))
    return 0 if all(r.status != states.PENDING for r in rows) else 1


def _horizon(plan, config, now):
    """How far back the networks are searched. Older posts are not announced: too old to
    be news (ANNOUNCE_MAX_AGE), or before announcing began (ANNOUNCE_SINCE); with
    neither set, only posts found on an account are known, so nothing older than now."""
    bounds = [now - config.max_age] if config.max_age is not None else []
    bounds += [config.since] if config.since is not None else []
    return max(bounds) if bounds else now


def _new_ledger(config, plan, now) -> Ledger:
    """A new ledger. A damaged one is set aside in the state folder, never deleted, and
    this computer's journal gives back every line it wrote."""
    journal = os.path.join(config.state_dir, "journal.jsonl")
    if os.path.exists(config.ledger):
        aside = os.path.join(config.state_dir, f"ledger-set-aside-{now:%Y%m%d-%H%M%S}.jsonl")
        os.makedirs(config.state_dir, exist_ok=True)
        os.replace(config.ledger, aside)
        print(f"The damaged ledger was moved to {aside}.")
    kept = []
    if os.path.exists(journal):
        with open(journal, encoding="utf-8") as f:
            try:
                kept = [line for line in parse(f.read(), journal) if line.get("post")]
            except LedgerError as err:
                print(f"This computer's journal cannot be used either: {err}")
        os.replace(journal, journal + ".old")
    ledger = Ledger(config.ledger, journal=journal)
    ledger.begin(plan.authority)
    for line in kept:
        ledger.add(line)
    if kept:
        print(f"{len(kept)} line(s) this computer recorded were put back from its journal.")
    return ledger
