"""Sending the edition over SMTP: one message per reader, in batches at NEWSLETTER_RATE,
over the email channel's mail server (EMAIL_SMTP_*, announce/smtp.py: the same encryption
rules and login).

Exactly once per edition and reader, as announcing: each copy is claimed in the ledger
before it is sent and recorded the moment the server answers. What an answer means:

- 250 after the message: sent.
- 5xx for the address (RCPT) or the message (DATA): failed for that reader, recorded,
  and the others still go; five refusals in a row stop the run (then it is the message
  or the account, not the addresses).
- 4xx, or the connection dropping before the message was handed over: not sent
  (pending); the run stops, and the next one sends the rest.
- The connection dropping while the message was being handed over, or a run that died
  between claim and answer (a claim with no result): it may have gone out, and SMTP
  cannot be asked. Like announce's email channel, that copy is recorded "unknown" and
  NOT sent again by itself, nor dropped silently: every run reports it, and
  `make newsletter-retry` sends it again once someone decides to.
"""

import contextlib
import logging
import re
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr

from announce.errors import AnnounceError, NotConfigured
from announce.smtp import MailServer, connect, goodbye, read_server

from . import ledger as states
from .message import build, message_id, to_bytes
from .sendconfig import key_fingerprint, recipient_id, valid_address

logger = logging.getLogger(__name__)

REFUSED_IN_A_ROW = 5
ADDRESS = re.compile(r"[^\s<>@\"']+@[^\s<>\"']+")


def smtp_server(announce_config, environ) -> MailServer:
    """The mail server from EMAIL_SMTP_*, checked as the email channel checks it
    (NotConfigured if not), and EMAIL_FROM."""
    email_from = environ.get("EMAIL_FROM", "").strip()
    if not valid_address(parseaddr(email_from)[1]):
        raise NotConfigured(
            f"newsletter: EMAIL_FROM={email_from!r} is not an email address. Fix: the "
            "library's address, as Riverside Libraries <news@example.org>."
        )
    return read_server(environ, "newsletter", "EMAIL", announce_config.timeout)


def smtp_configured(environ) -> bool:
    return all(environ.get(k, "").strip() for k in ("EMAIL_SMTP_HOST", "EMAIL_FROM"))


@dataclass
class Outcome:
    where: str  # subscribers.txt:12, or the list address
    state: str  # sent, failed, pending, unknown
    detail: str = ""


@dataclass
class Report:
    edition: str
    outcomes: list[Outcome] = field(default_factory=list)
    already: int = 0  # sent by an earlier run
    stuck: list[Outcome] = field(default_factory=list)  # unknown or failed before
    interrupted: int = 0  # of those, found by this run (a claim with no result)
    not_tried: int = 0  # left for the next run
    stopped: str = ""  # why the run stopped early

    def count(self, state) -> int:
        return sum(1 for o in self.outcomes if o.state == state)

    @property
    def ok(self) -> bool:
        done = all(o.state == states.SENT for o in self.outcomes)
        return done and not self.stopped and not self.interrupted


@dataclass
class Triage:
    todo: list = field(default_factory=list)  # recipients to send to now
    already: int = 0
    stuck: list = field(default_factory=list)  # (recipient, Status): unknown or failed
    interrupted: list = field(default_factory=list)  # recipients with an open claim


def triage(ledger, edition: str, recipients, key: bytes) -> Triage:
    found = Triage()
    for recipient in recipients:
        status = ledger.status(edition, recipient_id(key, recipient.address))
        if status.state in states.DONE:
            found.already += 1
        elif status.state == states.CLAIMED:
            found.interrupted.append(recipient)
        elif status.state in states.STUCK:
            found.stuck.append((recipient, status))
        else:
            found.todo.append(recipient)
    return found


def check_key(ledger, edition: str, key: bytes):
    """Stop before sending an edition part-sent with another NEWSLETTER_KEY: every
    reader would look new and get it twice."""
    from .sendconfig import SendError

    others = ledger.keys(edition) - {key_fingerprint(key)}
    if others:
        raise SendError(
            f"the edition of {edition} was partly sent with another NEWSLETTER_KEY (the "
            f"ledger knows readers by hashes made with it), so nothing is sent: with this "
            "key everyone would get it again. Fix: put the key it was sent with back in "
            ".env (and the workflow's secrets); change keys only between editions."
        )


def said(text) -> str:
    """What the server said, short, with any address in it masked (logs are shared)."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return ADDRESS.sub("[address]", " ".join(text.split()))[:120]


class Delivery:
    """One run of sending an edition to `recipients` (subscribers.Recipient)."""

    def __init__(self, server, ledger, edition, config, who, *, sleep=time.sleep,
                 clock=time.monotonic, now=None, max_minutes=None):  # fmt: skip
        self.server, self.ledger, self.edition = server, ledger, edition
        self.config, self.who = config, who
        self.sleep, self.clock = sleep, clock
        self.now = now or datetime.now(UTC)
        self.name = edition.date.isoformat()
        self.fingerprint = key_fingerprint(config.key)
        # Stop starting batches after this (the scheduled workflow's step has a timeout).
        self.deadline = self.clock() + max_minutes * 60 if max_minutes else None

    def run(self, recipients) -> Report:
        report = Report(self.name)
        found = triage(self.ledger, self.name, recipients, self.config.key)
        report.already = found.already
        for recipient in found.interrupted:
            reason = "interrupted while sending: it may have gone out"
            self._record(recipient, states.UNKNOWN, reason=reason)
            report.stuck.append(Outcome(recipient.where, states.UNKNOWN, reason))
            report.interrupted += 1
        for recipient, status in found.stuck:
            reason = status.line.get("reason", "")
            report.stuck.append(Outcome(recipient.where, status.state, reason))
        rate, todo = self.config.rate, found.todo
        batches = [todo[i : i + rate.count] for i in range(0, len(todo), rate.count)]
        started = None
        for number, batch in enumerate(batches):
            left = sum(len(b) for b in batches[number + 1 :])
            if started is not None:
                if self.deadline is not None and started + rate.seconds >= self.deadline:
                    report.stopped = (
                        f"time is up (--max-minutes): {len(batch) + left} reader(s) are left "
                        "for the next run, which sends to them and no one else"
                    )
                    report.not_tried += len(batch) + left
                    break
                self._pause(started, number, len(batches))
            started = self.clock()
            if not self._batch(batch, report):
                report.not_tried += left
                break
        return report

    def _pause(self, started, number, total):
        wait = self.config.rate.seconds - (self.clock() - started)
        if wait > 0:
            logger.info(
                "newsletter: batch %d of %d sent; pausing %.0f s (NEWSLETTER_RATE=%s)",
                number,
                total,
                wait,
                self.config.rate.text,
            )
            self.sleep(wait)

    def _batch(self, batch, report) -> bool:
        """Send one batch over one connection: False when the run must stop."""
        try:
            smtp = connect(self.server)
        except AnnounceError as err:  # refused login, no server: nothing was claimed
            report.stopped = str(err)
            report.not_tried += len(batch)
            return False
        refused = 0
        try:
            for index, recipient in enumerate(batch):
                outcome, go_on = self._one(smtp, recipient)
                report.outcomes.append(outcome)
                refused = refused + 1 if outcome.state == states.FAILED else 0
                if refused >= REFUSED_IN_A_ROW and go_on:
                    go_on = False
                    report.stopped = (
                        f"the server refused {refused} copies in a row, so it is probably "
                        "the message or the account, not the addresses: the rest wait. Fix "
                        "what the server said, then `make newsletter-retry` and send again."
                    )
                if not go_on:
                    report.stopped = report.stopped or outcome.detail
                    report.not_tried += len(batch) - index - 1
                    return False
        finally:
            goodbye(smtp)
        return True

    def _record(self, recipient, state, **details):
        rid = recipient_id(self.config.key, recipient.address)
        self.ledger.record(self.name, rid, state, key=self.fingerprint, via="smtp", **details)

    def _one(self, smtp, recipient) -> tuple[Outcome, bool]:
        """Claim, send and record one copy: (its outcome, whether to go on)."""
        mail = build(self.edition, recipient, self.config, self.who, datetime.now(UTC))
        data = to_bytes(mail, self.config.dkim)
        claim = uuid.uuid4().hex[:12]
        self._record(recipient, states.CLAIMED, claim=claim)
        handed_over = False
        try:
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(self.who.address)
            if code != 250:
                return self._refused(
                    smtp, recipient, claim, code, reply, "the sender", everyone=True
                )
            code, reply = smtp.rcpt(recipient.address)
            if code not in (250, 251):
                return self._refused(smtp, recipient, claim, code, reply, "the address")
            handed_over = True  # from here, a lost answer may hide a delivered message
            code, reply = smtp.data(data)
            if code != 250:
                return self._refused(smtp, recipient, claim, code, reply, "the message")
        except smtplib.SMTPDataError as err:  # DATA itself refused: nothing handed over
            return self._refused(
                smtp, recipient, claim, err.smtp_code, err.smtp_error, "the message"
            )
        except (smtplib.SMTPException, OSError) as err:
            host = self.server.host
            if not handed_over:
                detail = f"the connection to {host} dropped before sending ({type(err).__name__})"
                self._record(recipient, states.PENDING, claim=claim, reason=detail)
                return Outcome(recipient.where, states.PENDING, detail), False
            detail = (
                f"the connection to {host} dropped while sending ({type(err).__name__}): it "
                "may have gone out, so it is not sent again by itself"
            )
            self._record(recipient, states.UNKNOWN, claim=claim, reason=detail)
            return Outcome(recipient.where, states.UNKNOWN, detail), False
        rid = recipient_id(self.config.key, recipient.address)
        mid = message_id(self.name, rid, self.who.domain)
        self._record(recipient, states.SENT, claim=claim, message_id=mid)
        return Outcome(recipient.where, states.SENT), True

    def _refused(self, smtp, recipient, claim, code, reply, what, everyone=False):
        """4xx: not now (pending; stop, the rest go next run). 5xx: never, for this
        reader (failed; the others go on), or for everyone when it is the sender."""
        text = f"({code} {said(reply)})"
        # End this transaction, so the next copy starts clean (if the connection is gone,
        # the next copy finds out before anything is handed over).
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.rset()
        if 400 <= code < 500 or everyone:
            state = states.PENDING
            detail = f"the mail server said try later {text}"
            if everyone and code >= 500:
                detail = (
                    f"the mail server refused the sender {self.who.address} {text}. Fix: "
                    "EMAIL_FROM must be an address your mail server lets you send as"
                )
            self._record(recipient, state, claim=claim, reason=detail)
            return Outcome(recipient.where, state, detail), False
        detail = f"the mail server refused {what} {text}"
        self._record(recipient, states.FAILED, claim=claim, reason=detail)
        return Outcome(recipient.where, states.FAILED, detail), True
