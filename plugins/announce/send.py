"""Sending: each channel on its own. For each post, every local check first, then a
look at the account for an earlier post, then the claim, the send and the result,
each written to the ledger the moment it happens."""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import ledger as states
from .approvals import AWAITING, ApprovalError
from .channels.base import Media
from .errors import (
    AnnounceError,
    NotSendable,
    OutcomeUnknown,
    PermanentError,
    RetryableError,
    Unauthorized,
)
from .live import wait_until_live
from .plan import channel_start

logger = logging.getLogger(__name__)

WAITING = "waiting"  # under ANNOUNCE_MAX_PER_RUN, or held by Announce-At: not a failure
OK = {states.SENT, states.SKIPPED, WAITING, AWAITING}  # AWAITING: approval (approvals.py)
SHOWN_WAITING = 10  # rows of waiting posts per channel before they are counted instead


@dataclass
class Row:
    post: str  # title
    channel: str
    status: str  # sent, skipped, waiting, pending, failed, unknown
    detail: str = ""


@dataclass
class Triage:
    """One channel's share of the plan, before anything is sent."""

    start: datetime  # posts dated before this are not announced here
    why_start: str | None  # set when this run begins the channel
    todo: list = field(default_factory=list)  # (post, Status)
    rows: list = field(default_factory=list)  # skipped, with reasons
    records: list = field(default_factory=list)  # (post, reason): skips for the ledger
    held: list = field(default_factory=list)  # (post, Status): Announce-At still to come
    before: int = 0  # posts dated before the start


def held_note(post, too_late) -> str:
    """Why a post held by `Announce-At:` waits, and whether it can ever go."""
    held = datetime.fromisoformat(post.announce_at)
    note = f"held until {readable(held)} (Announce-At)"
    if too_late and held >= too_late:
        note += (
            f", after the event begins ({readable(too_late)}), so it will never be sent. "
            f"Fix: an earlier Announce-At in {post.source}"
        )
    return note


def readable(when: datetime) -> str:
    """2026-03-02 09:00 +00:00: a time as people read it (seconds if it has them),
    with its offset."""
    offset = when.strftime("%z")
    clock = f"{when:%Y-%m-%d %H:%M:%S}" if when.second else f"{when:%Y-%m-%d %H:%M}"
    return clock + (f" {offset[:3]}:{offset[3:5]}" if offset else "")


def triage(posts, ledger, channel, config, now, first_run) -> Triage:
    start, why = channel_start(ledger, channel.config, config, now, first_run)
    found = Triage(start, why)
    for post in posts:
        status = ledger.status(post.ids, channel.name)
        if status.state in states.DONE:
            continue
        date = post.announce_from  # Announce-At, when later than its date
        if date < start:
            found.before += 1
            continue
        reason = None
        too_late = datetime.fromisoformat(post.send_before) if post.send_before else None
        if not channel.config.routes(post):
            reason = "not routed to this channel"
        elif too_late and now >= too_late:
            reason = "too late: the event began"
        if reason:
            found.records.append((post, reason))
            found.rows.append(Row(post.title, channel.name, states.SKIPPED, reason))
        elif post.held(now):
            found.held.append((post, status))
            found.rows.append(Row(post.title, channel.name, WAITING, held_note(post, too_late)))
        elif config.too_old(date, now):
            days = config.max_age.days
            found.rows.append(
                Row(post.title, channel.name, states.SKIPPED, f"older than {days} days: not news")
            )
        else:
            found.todo.append((post, status))
    return found


def record_found(ledger, post, channel, receipt, note):
    """An earlier post for `post` was found on the account: it is sent."""
    ledger.record(post, channel, states.SENT, remote_id=receipt.remote_id,
                  remote_url=receipt.remote_url, note=note)  # fmt: skip


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


class Sender:
    def __init__(
        self,
        ledger,
        config,
        recheck,
        authority,
        *,
        sleep=time.sleep,
        live=wait_until_live,
        now=None,
        approvals=None,
    ):
        self.ledger, self.config, self.recheck = ledger, config, recheck
        self.approvals = approvals  # None: no approval step (ANNOUNCE_APPROVERS is empty)
        self.authority = authority
        self.sleep, self.live = sleep, live
        self.now = now or datetime.now(UTC)
        self.first_run = not ledger.exists
        self.live_cache = {}

    def run(self, plan, channels) -> list[Row]:
        """Announce the plan's posts (oldest first) on every channel: the summary rows."""
        posts, rows = plan.posts, []
        for channel in channels:
            try:
                rows += self._channel(posts, channel)
            except Exception as err:  # a bug or a library surprise: the other channels still go
                logger.exception("announce: %s stopped unexpectedly", channel.name)
                rows.append(
                    Row(
                        "(remaining posts)",
                        channel.name,
                        states.PENDING,
                        f"unexpected error: {type(err).__name__}: {err}",
                    )
                )
        if plan.old:
            self._old_news()
        return rows

    def _old_news(self):
        """Posts now too old to be news will never be announced: say so from the
        channels' start, so later plans neither list nor count them again."""
        cutoff = self.now - self.config.max_age
        for channel in self.config.channels:
            start = self.ledger.start(channel.name)
            if start is not None and start < cutoff:
                why = "older posts are not news (ANNOUNCE_MAX_AGE)"
                self.ledger.start_channel(channel.name, cutoff, why)

    def _channel(self, posts, channel):
        ledger, name = self.ledger, channel.name
        found = triage(posts, ledger, channel, self.config, self.now, self.first_run)
        if found.why_start:
            ledger.begin(self.authority)
            ledger.start_channel(name, found.start, found.why_start)
            logger.warning(
                "announce: %s starts now (%s): posts dated before %s are not announced there.",
                name,
                found.why_start,
                f"{found.start:%Y-%m-%d %H:%M}",
            )
        for post, reason in found.records:
            ledger.record(post, name, states.SKIPPED, reason=reason)
        rows = list(found.rows)
        if found.before:
            rows.append(
                Row(
                    f"{found.before} earlier post(s)",
                    name,
                    states.SKIPPED,
                    f"dated before the channel began ({found.start:%Y-%m-%d})",
                )
            )
        if not found.todo:
            return rows
        try:
            channel.connect()
        except AnnounceError as err:
            state = states.FAILED if isinstance(err, PermanentError) else states.PENDING
            return rows + [Row(p.title, name, state, str(err)) for p, _ in found.todo]
        sent, waiting = 0, 0
        for index, (post, status) in enumerate(found.todo):
            if sent >= self.config.max_per_run:
                waiting += 1
                if waiting <= SHOWN_WAITING:
                    rows.append(Row(post.title, name, WAITING, self._waiting_note()))
                continue
            row, attempted, stop = self._post(channel, post, status)
            rows.append(row)
            sent += attempted  # a real attempt counts; a look or a skip does not
            if stop:  # the channel is failing: leave the rest for the next run
                rows += [
                    Row(p.title, name, states.PENDING, "not tried: the channel is failing")
                    for p, _ in found.todo[index + 1 :]
                ]
                break
        if waiting > SHOWN_WAITING:
            rows.append(
                Row(f"{waiting - SHOWN_WAITING} more post(s)", name, WAITING, self._waiting_note())
            )
        return rows

    def _waiting_note(self):
        return f"waiting: at most {self.config.max_per_run} per run (ANNOUNCE_MAX_PER_RUN)"

    def _post(self, channel, post, status) -> tuple[Row, bool, bool]:
        """Send one post on one channel: (its row, whether a send was attempted,
        whether the channel is failing and the rest should wait)."""
        message = channel.compose(post)
        if self.approvals is not None:  # nothing is looked at, claimed or recorded
            try:
                message, waiting = self.approvals.approved_message(channel, post, message)
            except ApprovalError as err:  # git could not answer: nothing goes out
                return Row(post.title, channel.name, states.PENDING, str(err)), False, False
            if waiting:
                return Row(post.title, channel.name, AWAITING, waiting), False, False
        try:
            row = self._before_claim(channel, post, status, message)
        except Unauthorized as err:  # the token, not the post: the rest would fail too
            return Row(post.title, channel.name, states.FAILED, str(err)), False, True
        if row is not None:
            return row, False, False
        return self._claim_and_send(channel, post, status, message)

    def _before_claim(self, channel, post, status, message) -> Row | None:
        """Everything that can stop a post before it is claimed: a send that was cut
        short, its file now, an earlier post on the account, local checks, the page
        being live. A row if it stops."""
        ledger, name = self.ledger, channel.name
        if status.state == states.CLAIMED and not channel.can_find:
            reason = "interrupted while sending; check the channel by hand"
            ledger.record(post, name, states.UNKNOWN, reason=reason)
            return Row(
                post.title,
                name,
                states.UNKNOWN,
                "interrupted while sending: check the channel, not resent "
                "(`make announce-retry` sends it again)",
            )
        why_not = self.recheck.why_not(post)
        if why_not:
            return Row(post.title, name, states.SKIPPED, f"not sent: {why_not}")
        if channel.can_find:  # before every send: another run or computer may have posted
            try:
                earlier = channel.find(post)
            except Unauthorized:
                raise
            except AnnounceError as err:
                return Row(post.title, name, states.PENDING, f"could not look first: {err}")
            if earlier:
                record_found(ledger, post, name, earlier, "found on the account before sending")
                return Row(post.title, name, states.SENT, "found, made by an earlier run")
        try:
            channel.prepare(message, post)
        except NotSendable as err:  # nothing went out, nothing is claimed
            ledger.record(post, name, states.FAILED, reason=str(err))
            return Row(post.title, name, states.FAILED, str(err))
        for note in message.notes:
            logger.warning("%s", note)
        # The picture a network fetches itself must be on the site whether or not
        # deploying is checked: the network cannot post it otherwise.
        fetched = message.extra.get("fetched")
        for url in ([post.url] if self.config.check_live else []) + ([fetched] if fetched else []):
            if url not in self.live_cache:
                self.live_cache[url] = self.live(url, self.config.live_timeout)
            if not self.live_cache[url]:
                return Row(post.title, name, states.PENDING, f"{url} does not answer 200 yet")
        return None

    def _claim_and_send(self, channel, post, status, message) -> tuple[Row, bool, bool]:
        ledger, name = self.ledger, channel.name
        claim = uuid.uuid4().hex[:12]
        ledger.record(post, name, states.CLAIMED, claim=claim)
        media = Media(status.media, remember=lambda m: ledger.remember_media(post, name, m))
        try:
            receipt = with_retries(
                lambda: channel.send(message, post, media), channel, post, self.config, self.sleep
            )
        except (RetryableError, OutcomeUnknown) as err:
            # Unknown only where nobody can look: a channel that can is looked at first
            # by the next run, so "pending" is safe there.
            unknown = isinstance(err, OutcomeUnknown) and not channel.can_find
            final = states.UNKNOWN if unknown else states.PENDING
            ledger.record(post, name, final, claim=claim, reason=str(err))
            return Row(post.title, name, final, str(err)), True, True
        except Unauthorized as err:
            # Refused for the token or a permission, so nothing went out: the post is
            # sent by the first run after the token is fixed, without a retry command.
            ledger.record(post, name, states.PENDING, claim=claim, reason=str(err))
            return Row(post.title, name, states.FAILED, str(err)), True, True
        except PermanentError as err:
            ledger.record(post, name, states.FAILED, claim=claim, reason=str(err))
            return Row(post.title, name, states.FAILED, str(err)), True, False
        ledger.record(
            post,
            name,
            states.SENT,
            claim=claim,
            remote_id=receipt.remote_id,
            remote_url=receipt.remote_url,
        )
        where = receipt.remote_url or receipt.remote_id
        return Row(post.title, name, states.SENT, where), True, False


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
