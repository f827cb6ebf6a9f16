"""Sending: each channel on its own, claim before and result right after each post."""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from . import ledger as states
from .errors import AnnounceError, OutcomeUnknown, PermanentError, RetryableError
from .live import wait_until_live

logger = logging.getLogger(__name__)


@dataclass
class Row:
    post: str  # title
    channel: str
    status: str  # sent, skipped, pending, failed, unknown, would send
    detail: str = ""


def baseline(posts, ledger, channel, since, write=True):
    """First run on a channel: record existing posts as announced, so nothing floods.
    Posts dated on or after `since` (ANNOUNCE_SINCE) are left to announce."""
    recorded = 0
    for post in posts:
        if since is not None and _date(post.date) >= _aware(since, post.date):
            continue
        if write:
            ledger.record(
                post,
                channel.name,
                states.SKIPPED,
                save=False,
                reason="existed before announcing started",
            )
        recorded += 1
    if write and recorded:
        ledger.save()
    return recorded


def with_retries(fn, channel, post, config, sleep):
    """Call `fn` until it works, at most ANNOUNCE_RETRIES times, waiting between tries
    (the server's Retry-After if it gave one). Before trying again, a channel that can
    look for the post does, so a lost answer never becomes a second post."""
    for attempt in range(config.retries):
        try:
            return fn()
        except (RetryableError, OutcomeUnknown) as err:
            last = attempt == config.retries - 1
            if isinstance(err, OutcomeUnknown) and not channel.can_find:
                raise  # cannot tell whether it went out: never risk a second post
            wait = getattr(err, "retry_after", None)
            if wait is None:
                wait = config.retry_delay * 2**attempt
            if last or wait > config.max_wait:
                raise
            logger.warning("%s; trying again in %.0f s", err, wait)
            sleep(wait)
            if channel.can_find:
                found = channel.find(post)
                if found:
                    return found


def run(posts, ledger, channels, config, *, sleep=time.sleep, live=wait_until_live):
    """Announce `posts` (oldest first) on every channel. Returns the summary rows."""
    rows, live_cache = [], {}
    for channel in channels:
        try:
            rows += _run_channel(posts, ledger, channel, config, sleep, live, live_cache)
        except Exception as err:  # a bug or a library surprise: the other channels still go
            logger.exception("announce: %s stopped unexpectedly", channel.name)
            rows.append(
                Row(
                    "(remaining posts)",
                    channel.name,
                    "pending",
                    f"unexpected error: {type(err).__name__}: {err}",
                )
            )
    return rows


def _run_channel(posts, ledger, channel, config, sleep, live, live_cache):
    rows = []
    if not ledger.channel_used(channel.name):
        count = baseline(posts, ledger, channel, config.since)
        if count:
            logger.warning(
                "announce: first run on %s: %d existing post(s) recorded as already announced "
                "(nothing sent for them)%s.",
                channel.name,
                count,
                f"; posts from {config.since:%Y-%m-%d} on will be announced"
                if config.since
                else "; set ANNOUNCE_SINCE to announce recent ones",
            )
            rows.append(Row(f"{count} existing posts", channel.name, "skipped", "first run"))
    todo = []
    for post in posts:
        state = ledger.state(post.id, channel.name)
        if state in states.DONE:
            continue
        if not channel.config.routes(post):
            ledger.record(post, channel.name, states.SKIPPED, reason="not routed to this channel")
            rows.append(Row(post.title, channel.name, "skipped", "not routed to this channel"))
            continue
        todo.append((post, state))
    if not todo:
        return rows
    try:
        channel.connect()
    except AnnounceError as err:
        return rows + [Row(p.title, channel.name, "pending", str(err)) for p, _ in todo]
    attempted = 0
    for index, (post, state) in enumerate(todo):
        if state == states.CLAIMED:  # a crash between send and record: look before sending
            if not channel.can_find:
                ledger.record(
                    post,
                    channel.name,
                    states.UNKNOWN,
                    reason="interrupted while sending; check the channel by hand",
                )
                rows.append(
                    Row(
                        post.title,
                        channel.name,
                        "unknown",
                        "interrupted while sending: check the channel, not resent",
                    )
                )
                continue
            try:
                found = channel.find(post)
            except AnnounceError as err:
                rows.append(Row(post.title, channel.name, "pending", f"could not check: {err}"))
                continue
            if found:
                ledger.record(
                    post,
                    channel.name,
                    states.SENT,
                    remote_id=found.remote_id,
                    remote_url=found.remote_url,
                    note="found after an interrupted run",
                )
                rows.append(Row(post.title, channel.name, "sent", "found, made by an earlier run"))
                continue
        if post.send_before and datetime.now(UTC) >= _date(post.send_before):
            ledger.record(post, channel.name, states.SKIPPED, reason="too late: the event began")
            rows.append(Row(post.title, channel.name, "skipped", "too late: the event began"))
            continue
        if attempted >= config.max_per_run:
            rows.append(
                Row(
                    post.title,
                    channel.name,
                    "pending",
                    f"waiting: at most {config.max_per_run} per run (ANNOUNCE_MAX_PER_RUN)",
                )
            )
            continue
        message = channel.compose(post)
        for note in message.notes:
            logger.warning("%s", note)
        if config.check_live:
            if post.url not in live_cache:
                live_cache[post.url] = live(post.url, config.live_timeout)
            if not live_cache[post.url]:
                rows.append(
                    Row(post.title, channel.name, "pending", f"{post.url} does not answer 200 yet")
                )
                continue
        attempted += 1
        ledger.record(post, channel.name, states.CLAIMED)
        try:
            receipt = with_retries(
                lambda m=message, p=post: channel.send(m, p), channel, post, config, sleep
            )
        except (RetryableError, OutcomeUnknown) as err:
            final = states.UNKNOWN if isinstance(err, OutcomeUnknown) else states.PENDING
            ledger.record(post, channel.name, final, reason=str(err))
            rows.append(Row(post.title, channel.name, final, str(err)))
            # The channel is failing: leave the rest for the next run.
            rows += [
                Row(p.title, channel.name, "pending", "not tried: the channel is failing")
                for p, _ in todo[index + 1 :]
            ]
            break
        except PermanentError as err:
            ledger.record(post, channel.name, states.FAILED, reason=str(err))
            rows.append(Row(post.title, channel.name, "failed", str(err)))
            continue
        ledger.record(
            post,
            channel.name,
            states.SENT,
            remote_id=receipt.remote_id,
            remote_url=receipt.remote_url,
        )
        rows.append(Row(post.title, channel.name, "sent", receipt.remote_url or receipt.remote_id))
    return rows


def _date(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _aware(since: datetime, like: str) -> datetime:
    if since.tzinfo is None:
        return since.replace(tzinfo=_date(like).tzinfo)
    return since
