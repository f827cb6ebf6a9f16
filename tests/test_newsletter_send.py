"""Sending the newsletter (plugins/newsletter, `python -m newsletter send`): a real SMTP
server (aiosmtpd, STARTTLS and a login) receives every copy, each parsed with Python's
email package; crashes, refusals and dropped connections half-way; DKIM verified with
dkimpy; listmonk through a contract server written from its API documentation.

The edition (newsletter.json) is written here as a fixture, in the shape the build
writes it; making it is the other half's (its own tests).
"""

import asyncio
import base64
import email
import json
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from email import policy
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from announce_helpers import clean_env
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))

SITEURL = "https://www.riverside-libraries.example"
TZ = "Europe/London"
KEY = "3e1f0c9a7b5d2e8f4a6c1b0d9e7f5a3c"
PASSWORD = "smtp-secret-pass-77"
READERS = ["ann@example.org", "bob@Example.NET", "Cat Jones <cat@example.com>",
           "dev@example.org", "eve@example.net"]  # fmt: skip
ADDRESSES = ["ann@example.org", "bob@example.net", "cat@example.com", "dev@example.org",
             "eve@example.net"]  # fmt: skip
HTML = f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>This week at Riverside Libraries</title></head><body>
<h1>This week at Riverside Libraries — 7 December</h1>
<p><a href="{SITEURL}/news/2026/lego-club/">Lego club: build a library</a></p>
<p><img src="{SITEURL}/images/lego.jpg" alt="Children building a library out of Lego"></p>
<p><a href="{SITEURL}/events/rhyme-time/">Rhyme Time, Friday 10:30, Northfield</a></p>
<p><!--nb-unsubscribe--></p>
</body></html>"""
TEXT = (
    "This week at Riverside Libraries — 7 December\n\n"
    f"Lego club: build a library\n{SITEURL}/news/2026/lego-club/\n\n"
    f"Rhyme Time, Friday 10:30, Northfield\n{SITEURL}/events/rhyme-time/\n\n"
    "\x00unsubscribe\x00\n"  # where each reader's way to unsubscribe goes (parts.py)
)


def today():
    return datetime.now(ZoneInfo(TZ)).date()


class Site:
    """A site folder with its publish settings, state folder (the edition) and ledger."""

    def __init__(self, tmp: Path):
        self.root = tmp / "site"
        self.state = self.root / ".announce"
        self.content = self.root / "content"
        self.content.mkdir(parents=True)
        self.ledger = self.content / "newsletter-ledger.jsonl"
        self.conf = self.root / "publishconf.py"
        self.conf.write_text(
            f"SITEURL = {SITEURL!r}\nSITENAME = 'Riverside Libraries'\nTIMEZONE = {TZ!r}\n"
            f"PATH = {str(self.content)!r}\n"
            f"ANNOUNCE_LEDGER = {str(self.content / 'announce-ledger.jsonl')!r}\n"
            f"ANNOUNCE_STATE_DIR = {str(self.state)!r}\nANNOUNCE_TIMEOUT = 5\n"
        )
        self.edition()

    def edition(self, **changes):
        when = changes.pop("edition", today().isoformat())
        data = {
            "edition": when,
            "subject": "This week at Riverside Libraries — 7 December",
            "url": f"{SITEURL}/newsletters/{when}/",
            "html": HTML,
            "text": TEXT,
            "empty": False,
            "posts": [f"{SITEURL}/news/2026/lego-club/"],
            "events": [f"{SITEURL}/events/rhyme-time/"],
            **changes,
        }
        self.state.mkdir(parents=True, exist_ok=True)
        (self.state / "newsletter.json").write_text(json.dumps(data), encoding="utf-8")
        return data

    def subscribers(self, lines, name="subscribers.txt"):
        path = self.root / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def run(self, env, command="send", *extra, wait=True):
        cmd = [sys.executable, "-m", "newsletter", command, "--settings", str(self.conf), *extra]
        kwargs = dict(cwd=self.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True)  # fmt: skip
        if not wait:
            return subprocess.Popen(cmd, **kwargs)
        proc = subprocess.run(cmd, timeout=120, **kwargs)
        proc.output = proc.stdout + proc.stderr
        return proc

    def ledger_lines(self):
        return [json.loads(x) for x in self.ledger.read_text().splitlines() if x.strip()]


def base_env(**more):
    env = {k: v for k, v in clean_env().items() if not k.startswith(("NEWSLETTER_", "LISTMONK_"))}
    env.update(more)
    return env


def smtp_env(server, site=None, **more):
    """The mail server (the email channel's keys) and a subscriber file, if `site`."""
    env = base_env(
        EMAIL_SMTP_HOST="127.0.0.1",
        EMAIL_SMTP_PORT=str(server.port),
        EMAIL_SMTP_USER="library",
        EMAIL_SMTP_PASSWORD=PASSWORD,
        EMAIL_FROM="Riverside Libraries <news@riverside.example>",
        SSL_CERT_FILE=server.cert,
        NEWSLETTER_RATE="1000/second",
    )
    if site is not None:
        site.subscribers(["# Riverside readers", "", *READERS])
        env.update(NEWSLETTER_SUBSCRIBERS="subscribers.txt", NEWSLETTER_KEY=KEY)
    env.update(more)
    return env


class Mailbox:
    """The SMTP server's handler: keeps each message with its envelope recipients, and
    refuses, holds or drops as a test says."""

    def __init__(self):
        self.messages = []  # (envelope recipients, raw bytes)
        self.refuse = {}  # address -> reply to RCPT, every time
        self.once = {}  # address -> reply to RCPT, the first time only
        self.hold_after = None  # the message after this many waits for `release`
        self.holding, self.release = threading.Event(), threading.Event()
        self.drop_after = None  # the message after this many: the connection drops
        self.connections = 0
        self.tls = []  # whether each message came over TLS

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.once:
            return self.once.pop(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        count = len(self.messages)
        if self.drop_after is not None and count >= self.drop_after:
            self.drop_after = None
            server.transport.close()  # the message was handed over; no answer comes
            return "250 OK"
        if self.hold_after is not None and count >= self.hold_after:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 4.3.0 the test stopped this one"
        self.tls.append(session.ssl is not None)
        self.messages.append(
            (list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        )
        return "250 OK"

    def parsed(self):
        return [email.message_from_bytes(raw, policy=policy.default) for _, raw in self.messages]

    def recipients(self):
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


@pytest.fixture
def site(tmp_path):
    return Site(tmp_path)


@pytest.fixture
def mailbox(smtp_server):
    box = Mailbox()
    smtp_server.controller.handler = box  # each new connection uses it
    box.server = smtp_server
    return box


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("href", "src")]


# -- sending: every copy, its headers and parts --------------------------------------------


def test_each_reader_gets_one_copy_addressed_to_them_alone(site, smtp_server, mailbox):
    page = f"{SITEURL}/unsubscribe?email={{email}}&token={{token}}"
    env = smtp_env(smtp_server, site, NEWSLETTER_UNSUBSCRIBE_URL=page)
    site.subscribers(["# Riverside readers", "", *READERS, "not-an-address", "ann@EXAMPLE.org",
                      "two@example.org, three@example.org"])  # fmt: skip
    run = site.run(env)
    assert run.returncode == 0, run.output
    assert mailbox.recipients() == sorted(ADDRESSES)
    assert mailbox.tls and all(mailbox.tls)  # over STARTTLS, as the email channel sends
    # Bad lines are named by file and line, never by what they hold; the duplicate is one.
    assert "subscribers.txt:8: not an email address (no @): skipped" in run.output
    assert "subscribers.txt:10: more than one address on the line" in run.output
    assert "subscribers.txt:9: the same address as line 3: sent once" in run.output
    assert "5 sent now" in run.output
    for address in ADDRESSES + ["not-an-address", "two@example.org"]:
        assert address not in run.output.lower()
    from newsletter.sendconfig import recipient_id, unsubscribe_token

    ids = set()
    for (rcpts, _), mail in zip(mailbox.messages, mailbox.parsed(), strict=True):
        (address,) = rcpts
        assert mail["To"].addresses[0].addr_spec == address and len(mail["To"].addresses) == 1
        assert "Cc" not in mail and "Bcc" not in mail
        assert str(mail["From"]) == "Riverside Libraries <news@riverside.example>"
        assert str(mail["Subject"]) == "This week at Riverside Libraries — 7 December"
        assert mail["Date"].datetime.tzinfo is not None
        rid = recipient_id(KEY.encode(), address)
        assert str(mail["Message-ID"]) == (
            f"<newsletter-{today().isoformat()}.{rid[:20]}@riverside.example>"
        )
        ids.add(str(mail["Message-ID"]))
        assert str(mail["List-Id"]) == (
            '"Riverside Libraries newsletter" <newsletter.riverside.example>'
        )
        token = unsubscribe_token(KEY.encode(), address)
        assert str(mail["List-Unsubscribe"]) == (
            f"<https://www.riverside-libraries.example/unsubscribe?email={address}"
            f"&token={token}>, <mailto:news@riverside.example?subject=unsubscribe>"
        )
        assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        assert mail.get_content_type() == "multipart/alternative"
        text, html = mail.get_payload()
        assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
        assert text.get_content_charset() == "utf-8" == html.get_content_charset()
        plain = text.get_content().replace("\r\n", "\n")
        body = html.get_content().replace("\r\n", "\n")
        # The footer says the reader's own ways to unsubscribe, as the headers do.
        page = f"{SITEURL}/unsubscribe?email={address}&token={token}"
        head, mark, _ = TEXT.partition("\x00unsubscribe\x00")
        assert plain.startswith(head) and " ".join(plain[len(head) :].split()) == (
            f"To unsubscribe in one click: {page} (or email news@riverside.example with the "
            "subject Unsubscribe)."
        )
        footer = body.split("Northfield</a></p>")[1]
        assert f'href="{page.replace("&", "&amp;")}">unsubscribe in one click</a>' in footer
        assert 'href="mailto:news@riverside.example?subject=unsubscribe">email us</a>' in footer
        assert body.replace(footer, "").strip() == HTML.split("<p><!--nb")[0].strip()
        links = Links()
        links.feed(body)
        assert links.links and all(
            x.startswith((SITEURL + "/", "mailto:news@riverside.example?")) for x in links.links
        )
        assert all(u.startswith("https://") for u in re.findall(r"https?://\S+", TEXT))
    assert len(ids) == 5
    # The ledger names nobody: keyed hashes only.
    ledger = site.ledger.read_text()
    for address in ADDRESSES:
        assert address.split("@")[0] not in ledger
    sent = [x for x in site.ledger_lines() if x.get("state") == "sent"]
    assert len(sent) == 5 and {x["edition"] for x in sent} == {today().isoformat()}
    # A rerun sends nothing.
    again = site.run(env)
    assert again.returncode == 0, again.output
    assert "0 sent now, 5 sent before" in again.output
    assert len(mailbox.messages) == 5


def test_a_list_address_gets_one_message_with_the_mailto_only(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, NEWSLETTER_TO="readers@lists.riverside.example")
    run = site.run(env)
    assert run.returncode == 0, run.output
    assert mailbox.recipients() == ["readers@lists.riverside.example"]
    (mail,) = mailbox.parsed()
    assert str(mail["To"]) == "readers@lists.riverside.example"
    assert str(mail["List-Unsubscribe"]) == "<mailto:news@riverside.example?subject=unsubscribe>"
    assert "List-Unsubscribe-Post" not in mail  # one-click only with an https page
    text, html = mail.get_payload()
    assert " ".join(text.get_content().split()).endswith(
        "To unsubscribe, email news@riverside.example with the subject Unsubscribe."
    )
    assert "one click" not in html.get_content() and "\x00" not in html.get_content()
    assert site.run(env).returncode == 0 and len(mailbox.messages) == 1


def test_the_same_edition_and_reader_make_the_same_message_id():
    from newsletter.handoff import Edition
    from newsletter.message import build, sender
    from newsletter.sendconfig import read_send_config
    from newsletter.subscribers import Recipient

    config = read_send_config({"NEWSLETTER_TO": "a@example.org", "NEWSLETTER_KEY": KEY}, "/")
    edition = Edition(today(), "S", SITEURL + "/n/", "<p>x</p>", "x", False, (), ())
    who = sender("news@riverside.example", "Riverside")
    ann = Recipient("ann@example.org", "", "x")
    one = build(edition, ann, config, who, datetime.now(ZoneInfo(TZ)))
    two = build(edition, ann, config, who, datetime.now(ZoneInfo(TZ)) + timedelta(hours=1))
    other = build(edition, Recipient("bob@example.org", "", "x"), config, who, datetime.now())
    assert one["Message-ID"] == two["Message-ID"] != other["Message-ID"]
    assert "ann" not in one["Message-ID"]


# -- exactly once: crashes, refusals, dropped connections ----------------------------------


def test_a_crash_half_way_resumes_with_the_rest_and_the_interrupted_copy_waits(
    site, smtp_server, mailbox
):
    env = smtp_env(smtp_server, site)
    mailbox.hold_after = 2  # the 3rd copy is being handed over when the run dies
    proc = site.run(env, wait=False)
    try:
        assert mailbox.holding.wait(60), "the run never reached the third copy"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        mailbox.release.set()
    assert len(mailbox.messages) == 2
    mailbox.hold_after = None
    second = site.run(env)
    # The interrupted copy may have gone out: not resent, not dropped, reported by line
    # (and the run that finds it says so with its exit code; later runs only list it).
    assert second.returncode == 1, second.output
    assert "2 sent now, 2 sent before" in second.output
    assert "subscribers.txt:5: unknown: interrupted while sending" in second.output
    assert "make newsletter-retry" in second.output
    assert len(mailbox.messages) == 4
    third = site.run(env)
    assert third.returncode == 0, third.output
    assert "0 sent now, 4 sent before" in third.output and len(mailbox.messages) == 4
    assert "subscribers.txt:5: unknown" in third.output  # still reported, every run
    retry = site.run(env, "retry")
    assert retry.returncode == 0 and "sent again to 1 reader(s)" in retry.output, retry.output
    fourth = site.run(env)
    assert "1 sent now, 4 sent before" in fourth.output, fourth.output
    assert mailbox.recipients() == sorted(ADDRESSES)  # each exactly once


def previous_edition(site, day):
    """What the build writes beside the current edition: the one before it."""
    data = json.loads((site.state / "newsletter.json").read_text(encoding="utf-8"))
    data.update(edition=day.isoformat(), url=f"{SITEURL}/newsletters/{day.isoformat()}/")
    (site.state / "newsletter-previous.json").write_text(json.dumps(data), encoding="utf-8")


def test_an_edition_its_day_did_not_finish_is_finished_before_the_next(site, smtp_server, mailbox):
    """The workflow died half-way through Monday's edition; Tuesday's build makes next
    Monday's, and Tuesday's run finishes Monday's first: each reader once, the copy that
    was being handed over not resent. Never on an edition day, nor twice."""
    env = smtp_env(smtp_server, site)
    monday = today() - timedelta(days=1)
    site.edition(edition=monday.isoformat())
    mailbox.hold_after = 2
    proc = site.run(env, wait=False)
    try:
        assert mailbox.holding.wait(60), "the run never reached the third copy"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        mailbox.release.set()
    mailbox.hold_after = None
    assert len(mailbox.messages) == 2
    # The next day's build: next week's edition, and Monday's beside it.
    site.edition(edition=(monday + timedelta(days=7)).isoformat())
    previous_edition(site, monday)
    tuesday = site.run(env)
    assert "(its day's run did not finish it: finished now)" in tuesday.output, tuesday.output
    assert "2 sent now, 2 sent before" in tuesday.output
    assert "subscribers.txt:5: unknown" in tuesday.output  # waits for make newsletter-retry
    assert f"goes out on {(monday + timedelta(days=7)).isoformat()}" in tuesday.output
    assert len(mailbox.messages) == 4
    assert len(set(mailbox.recipients())) == 4
    again = site.run(env)  # nothing left of Monday's that may go by itself
    assert "did not finish" not in again.output and len(mailbox.messages) == 4, again.output
    # On an edition day the new edition takes its place: Monday's is not sent then.
    site.run(env, "retry", "--edition", monday.isoformat())
    site.edition()  # today's
    previous_edition(site, monday)  # one copy of it is free to go again, but not today
    edition_day = site.run(env)
    assert "did not finish" not in edition_day.output, edition_day.output
    assert "5 sent now" in edition_day.output and len(mailbox.messages) == 9


def test_an_edition_before_the_newsletter_began_is_never_sent_late(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    site.edition(edition=(today() + timedelta(days=6)).isoformat())
    previous_edition(site, today() - timedelta(days=1))  # before any newsletter was sent
    run = site.run(env)
    assert run.returncode == 0, run.output
    assert "did not finish" not in run.output and mailbox.messages == []


def test_a_refused_address_fails_and_the_others_still_go(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    mailbox.refuse["bob@example.net"] = (
        f"550 5.1.1 <bob@example.net>: no such user here ({PASSWORD})"
    )
    run = site.run(env)
    assert run.returncode == 1, run.output
    assert "4 sent now, 1 failed" in run.output
    assert "subscribers.txt:4: failed: the mail server refused the address (550 5.1.1" in run.output
    assert "<[address]>" in run.output and "bob@" not in run.output.lower()
    assert PASSWORD not in run.output and "[redacted]" in run.output
    assert sorted(mailbox.recipients()) == sorted(set(ADDRESSES) - {"bob@example.net"})
    again = site.run(env)  # a failed copy waits for make newsletter-retry
    assert again.returncode == 0 and len(mailbox.messages) == 4, again.output
    assert "subscribers.txt:4: failed" in again.output


def test_try_later_stops_the_run_and_the_next_sends_the_rest(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    mailbox.once["cat@example.com"] = "451 4.7.1 Too many messages, slow down"
    first = site.run(env)
    assert first.returncode == 1, first.output
    assert "2 sent now, 1 pending, 2 not tried yet" in first.output
    assert "subscribers.txt:5: pending: the mail server said try later (451" in first.output
    second = site.run(env)
    assert second.returncode == 0 and "3 sent now, 2 sent before" in second.output
    assert mailbox.recipients() == sorted(ADDRESSES)


def test_a_connection_dropped_while_handing_over_is_unknown_never_resent(
    site, smtp_server, mailbox
):
    env = smtp_env(smtp_server, site)
    mailbox.drop_after = 1
    first = site.run(env)
    assert first.returncode == 1, first.output
    assert "subscribers.txt:4: unknown: the connection to 127.0.0.1 dropped while" in first.output
    assert "3 not tried yet" in first.output
    second = site.run(env)
    assert "3 sent now, 1 sent before" in second.output, second.output
    assert "bob@example.net" not in mailbox.recipients()
    assert len(mailbox.messages) == 4


def test_batches_pause_at_the_rate(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site, NEWSLETTER_RATE="2/second")
    started = time.monotonic()
    run = site.run(env)
    took = time.monotonic() - started
    assert run.returncode == 0, run.output
    # One connection a batch, each greeted twice (EHLO before and after STARTTLS).
    assert len(mailbox.messages) == 5 and mailbox.connections == 2 * 3
    assert "batch 1 of 3 sent; pausing" in run.output
    assert took >= 2.0  # three batches, each a second after the one before


def test_a_time_limit_leaves_the_rest_for_the_next_run(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site, NEWSLETTER_RATE="2/second")
    first = site.run(env, "send", "--max-minutes", "0.01")  # no second batch starts
    assert first.returncode == 1, first.output
    assert "2 sent now, 3 not tried yet" in first.output and "time is up" in first.output
    second = site.run(env)
    assert "3 sent now, 2 sent before" in second.output, second.output
    assert mailbox.recipients() == sorted(ADDRESSES)


def test_two_runs_at_once_the_second_stops(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    mailbox.hold_after = 1
    first = site.run(env, wait=False)
    try:
        assert mailbox.holding.wait(60)
        second = site.run(env)
        assert second.returncode == 75, second.output
        assert "another newsletter run is in progress" in second.output
    finally:
        mailbox.release.set()
        first.communicate(timeout=60)
    assert len(mailbox.messages) == 1  # the second sent nothing


def test_the_ledger_survives_a_merge_and_refuses_to_be_lost(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    assert site.run(env).returncode == 0
    lines = site.ledger.read_text().splitlines(keepends=True)
    # Both sides of a merge, in another order, with conflict markers left in.
    site.ledger.write_text(
        "<<<<<<< ours\n" + "".join(reversed(lines[1:])) + "=======\n" + lines[0] + ">>>>>>>\n"
    )
    again = site.run(env)
    assert again.returncode == 0 and "0 sent now, 5 sent before" in again.output, again.output
    site.ledger.unlink()
    lost = site.run(env)
    assert lost.returncode == 2, lost.output
    assert "is missing, but this computer has sent newsletters" in lost.output
    assert len(mailbox.messages) == 5


def test_another_key_mid_edition_sends_nothing(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    mailbox.hold_after = 2
    proc = site.run(env, wait=False)
    try:
        assert mailbox.holding.wait(60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        mailbox.release.set()
    mailbox.hold_after = None
    run = site.run({**env, "NEWSLETTER_KEY": "another-key-that-is-long-enough"})
    assert run.returncode == 2 and "partly sent with another NEWSLETTER_KEY" in run.output
    assert len(mailbox.messages) == 2


# -- what is not sent ------------------------------------------------------------------------


def test_an_empty_or_future_edition_sends_nothing(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    site.edition(empty=True, html="", text="")
    run = site.run(env)
    assert run.returncode == 0 and "has no news, so nothing is sent" in run.output
    later = (today() + timedelta(days=4)).isoformat()
    site.edition(edition=later)
    run = site.run(env)
    assert run.returncode == 0 and f"goes out on {later}" in run.output, run.output
    assert mailbox.messages == [] and not site.ledger.exists()


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing", "newsletter.json is missing"),
        ("broken", "is not valid JSON"),
        ("local", "was made by another build"),
        ("relative", "not an absolute address"),
        ("old", "more than a week ago"),
        ("no-subject", "'subject' is missing"),
    ],
)
def test_a_missing_damaged_or_stale_edition_is_an_error(site, smtp_server, mailbox, case, expected):
    edition = site.state / "newsletter.json"
    if case == "missing":
        edition.unlink()
    elif case == "broken":
        edition.write_text('{"edition": "2026-12')
    elif case == "local":
        site.edition(url="http://127.0.0.1:8000/newsletters/x/")
    elif case == "relative":
        site.edition(html=HTML.replace(f"{SITEURL}/images/lego.jpg", "../images/lego.jpg"))
    elif case == "old":
        site.edition(edition=(today() - timedelta(days=9)).isoformat())
    else:
        site.edition(subject=None)
    run = site.run(smtp_env(smtp_server, site))
    assert run.returncode == 2, run.output
    assert expected in run.output and "run `make newsletter` first" in run.output
    assert mailbox.messages == []


def test_a_dry_run_shows_the_count_and_headers_and_sends_nothing(site, smtp_server, mailbox):
    env = smtp_env(smtp_server, site)
    run = site.run(env, "send", "--dry-run")
    assert run.returncode == 0, run.output
    assert "nothing is sent" in run.output
    assert "Readers: 5 in subscribers.txt; 5 would get it now, 0 got it before" in run.output
    assert "List-Unsubscribe: <mailto:news@riverside.example?subject=unsubscribe>" in run.output
    assert "Message-ID: <newsletter-" in run.output and "To: reader@example.invalid" in run.output
    for address in ADDRESSES:
        assert address not in run.output.lower()
    assert mailbox.messages == [] and mailbox.connections == 0 and not site.ledger.exists()
    # The Makefile passes DRY_RUN=1 on.
    make = subprocess.run(["make", "-n", "newsletter-send", "DRY_RUN=1"], cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip
    assert "-m newsletter send --settings publishconf.py --dry-run" in make.stdout


def test_not_set_up_is_a_dry_run(site, smtp_server, mailbox):
    run = site.run(smtp_env(smtp_server))  # the mail server, but no one to send to
    assert run.returncode == 0, run.output
    assert "not set up in .env" in run.output and "nothing is sent" in run.output
    assert mailbox.messages == []


# -- DKIM, secrets ---------------------------------------------------------------------------


def dkim_key(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_dkim_signatures_verify_and_cover_the_list_headers(site, smtp_server, mailbox, tmp_path):
    import dkim

    pem, record = dkim_key(tmp_path)
    (site.root / "dkim.pem").write_bytes(pem)
    env = smtp_env(
        smtp_server, site,
        NEWSLETTER_UNSUBSCRIBE_URL="https://www.riverside-libraries.example/unsubscribe?t={token}",
        NEWSLETTER_DKIM_SELECTOR="news2026", NEWSLETTER_DKIM_DOMAIN="riverside.example",
        NEWSLETTER_DKIM_PRIVATE_KEY="dkim.pem",
    )  # fmt: skip
    run = site.run(env)
    assert run.returncode == 0, run.output

    def dns(name, timeout=5):
        assert name == b"news2026._domainkey.riverside.example."
        return record

    for _, raw in mailbox.messages:
        assert dkim.verify(raw, dnsfunc=dns), raw[:400]
        signature = email.message_from_bytes(raw, policy=policy.default)["DKIM-Signature"]
        signed = re.search(r"h=([^;]+)", re.sub(r"\s", "", str(signature))).group(1).lower()
        for header in ("from", "to", "subject", "date", "message-id", "list-id",
                       "list-unsubscribe", "list-unsubscribe-post"):  # fmt: skip
            assert header in signed.split(":"), signed
        tampered = raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                               b"List-Unsubscribe-Post: nothing")  # fmt: skip
        assert not dkim.verify(tampered, dnsfunc=dns)
    # The key given as PEM text in .env (line breaks written \n) signs the same way.
    one_line = pem.decode().replace("\n", "\\n")
    site.edition(edition=(today() - timedelta(days=1)).isoformat())
    assert site.run({**env, "NEWSLETTER_DKIM_PRIVATE_KEY": one_line}).returncode == 0
    assert dkim.verify(mailbox.messages[-1][1], dnsfunc=dns)
    assert len(mailbox.messages) == 10


def test_a_key_that_cannot_sign_stops_before_anything_is_claimed(site, smtp_server, mailbox):
    key = "-----BEGIN RSA PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----"
    env = smtp_env(smtp_server, site, NEWSLETTER_DKIM_SELECTOR="s",
                   NEWSLETTER_DKIM_DOMAIN="d.example", NEWSLETTER_DKIM_PRIVATE_KEY=key)  # fmt: skip
    run = site.run(env)
    assert run.returncode == 2 and "cannot sign" in run.output, run.output
    assert "AAAA" not in run.output
    assert mailbox.messages == [] and not site.ledger.exists()


def test_a_refused_login_names_no_password(site, smtp_server, mailbox):
    from aiosmtpd.smtp import AuthResult

    def refuse(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)

    smtp_server.controller.SMTP_kwargs["authenticator"] = refuse
    run = site.run(smtp_env(smtp_server, site))
    assert run.returncode == 1, run.output
    assert "the mail server refused the login" in run.output
    assert PASSWORD not in run.output
    assert "5 not tried yet" in run.output and mailbox.messages == []


# -- the subscriber file, the settings ---------------------------------------------------------


def test_subscriber_lines_are_checked_one_by_one(tmp_path):
    from newsletter.subscribers import read

    path = tmp_path / "s.txt"
    path.write_text(
        "\ufeff# comment\nann@example.org  # met at the fair\nAnn@Example.ORG\nann@example.org\n"
        "Bob Smith <bob@example.org>\nzoë@example.org\nbad@\n@example.org\njo@localhost\n"
        "jo@münchen.example\n\n",
        encoding="utf-8",
    )
    found = read(str(path), "s.txt")
    assert [(r.address, r.name, r.where) for r in found.recipients] == [
        ("ann@example.org", "", "s.txt:2"),
        ("Ann@example.org", "", "s.txt:3"),
        ("bob@example.org", "Bob Smith", "s.txt:5"),
        ("jo@xn--mnchen-3ya.example", "", "s.txt:10"),
    ]
    assert found.problems == [
        "s.txt:6: an address with non-ASCII letters before the @ (not supported by many "
        "servers): skipped",
        "s.txt:7: not a valid email address: skipped",
        "s.txt:8: not a valid email address: skipped",
        "s.txt:9: not a valid email address: skipped",
    ]
    assert found.notes[0].startswith("s.txt:3: the same address as line 2 but for capital")
    assert found.notes[1] == "s.txt:4: the same address as line 2: sent once"


def test_where_the_subscriber_file_may_be(tmp_path):
    from newsletter.sendconfig import SendError, resolve_path

    project = tmp_path / "site"
    project.mkdir()
    (project / "subscribers.txt").write_text("a@example.org\n")
    outside = tmp_path / "private" / "list.txt"
    outside.parent.mkdir()
    outside.write_text("a@example.org\n")
    assert resolve_path("subscribers.txt", str(project), "K") == str(project / "subscribers.txt")
    assert resolve_path(str(outside), str(project), "K") == str(outside)  # absolute: as given
    (project / "link.txt").symlink_to(outside)
    for value, why in [
        ("link.txt", "leads out of the site's folder"),
        ("../private/list.txt", "leads out of the site's folder"),
        (f"file://{outside}", "is an address, not a file path"),
        ("https://example.org/list.txt", "is an address, not a file path"),
        ("nothing.txt", "there is no such file"),
    ]:
        with pytest.raises(SendError, match=re.escape(why)):
            resolve_path(value, str(project), "K")


def test_settings_are_checked_before_anything_connects():
    from newsletter.sendconfig import SendError, parse_rate, read_send_config

    assert parse_rate("30/minute").seconds == 60 and parse_rate(" 500 / h ").count == 500
    assert parse_rate("5/s").seconds == 1
    for bad in ("30", "0/minute", "fast", "30/fortnight", "-1/s"):
        with pytest.raises(SendError, match="is not a rate"):
            parse_rate(bad)
    cases = [
        ({"NEWSLETTER_SERVICE": "mailchimp"}, "mailchimp is not supported"),
        ({"NEWSLETTER_TO": "not an address"}, "is not an email address"),
        ({"NEWSLETTER_TO": "a@example.org", "NEWSLETTER_KEY": "short"}, "too short"),
        ({"NEWSLETTER_UNSUBSCRIBE_URL": "http://example.org/u"}, "not an https:// address"),
        ({"NEWSLETTER_UNSUBSCRIBE_URL": "https://example.org/u?{name}"}, "uses {name}"),
        ({"NEWSLETTER_UNSUBSCRIBE_URL": "https://example.org/u?t={token}"}, "NEWSLETTER_KEY"),
        ({"NEWSLETTER_DKIM_SELECTOR": "s"}, "needs all three"),
        ({"NEWSLETTER_SERVICE": "listmonk"}, "needs LISTMONK_URL"),
        ({"NEWSLETTER_SERVICE": "listmonk", "LISTMONK_URL": "http://lists.example.org",
          "LISTMONK_USER": "u", "LISTMONK_TOKEN": "t", "LISTMONK_LIST_IDS": "1"}, "unencrypted"),
        ({"NEWSLETTER_SERVICE": "listmonk", "LISTMONK_URL": "https://lists.example.org",
          "LISTMONK_USER": "u", "LISTMONK_TOKEN": "t", "LISTMONK_LIST_IDS": "1,x"}, "list ids"),
    ]  # fmt: skip
    for environ, why in cases:
        with pytest.raises(SendError, match=re.escape(why)):
            read_send_config(environ, "/")


def test_a_subscriber_file_needs_the_key_and_a_committed_one_is_warned_about(
    site, smtp_server, mailbox
):
    env = smtp_env(smtp_server, site)
    run = site.run({**env, "NEWSLETTER_KEY": ""})
    assert run.returncode == 2 and "NEWSLETTER_KEY is not" in run.output
    subprocess.run(["git", "init", "-q"], cwd=site.root, check=True)
    run = site.run(env, "send", "--dry-run")
    assert "subscribers.txt is not git-ignored" in run.output, run.output


def test_every_key_is_in_env_example_and_the_reference():
    from newsletter.sendconfig import KEYS

    example = (ROOT / ".env.example").read_text()
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for key in KEYS:
        assert f"\n{key}=" in example, key
        assert f"`{key}`" in reference, key
    assert (
        "`make newsletter-send`" in reference
        and "newsletter-send:" in (ROOT / "Makefile").read_text()
    )
    assert "/subscribers*.txt" in (ROOT / ".gitignore").read_text().splitlines()
    attributes = (ROOT / ".gitattributes").read_text()
    assert "content/newsletter-ledger.jsonl merge=union" in attributes


# -- listmonk -----------------------------------------------------------------------------------


@pytest.fixture
def listmonk():
    from contracts.listmonk import Listmonk

    server = Listmonk()
    yield server
    server.close()


def listmonk_env(server, **more):
    return base_env(
        NEWSLETTER_SERVICE="listmonk", LISTMONK_URL=server.url, LISTMONK_USER=server.user,
        LISTMONK_TOKEN=server.token, LISTMONK_LIST_IDS="1,2",
        EMAIL_FROM="Riverside Libraries <news@riverside.example>", **more,
    )  # fmt: skip


def test_listmonk_gets_one_campaign_per_edition(site, listmonk):
    env = listmonk_env(listmonk, LISTMONK_SEND="now")
    run = site.run(env)
    assert run.returncode == 0, run.output
    (campaign,) = listmonk.campaigns.values()
    assert campaign["name"] == f"noticeboard-newsletter-{today().isoformat()}"
    assert campaign["subject"] == "This week at Riverside Libraries — 7 December"
    # Each reader's footer has listmonk's own unsubscribe page (its template expression).
    assert campaign["content_type"] == "html" and campaign["body"] == HTML.replace(
        "<!--nb-unsubscribe-->",
        'To stop getting it, <a class="nb-link" style="color: inherit; text-decoration: '
        'underline" href="{{ UnsubscribeURL }}">unsubscribe in one click</a>, or <a '
        'class="nb-link" style="color: inherit; text-decoration: underline" '
        'href="mailto:news@riverside.example?subject=unsubscribe">email us</a> with the '
        "subject Unsubscribe.",
    )
    head = TEXT.partition("\x00")[0]
    assert campaign["altbody"].startswith(head) and "{{ UnsubscribeURL }}" in campaign["altbody"]
    assert [x["id"] for x in campaign["lists"]] == [1, 2]
    assert campaign["status"] == "running" and "sending now" in run.output
    again = site.run(env)
    assert again.returncode == 0 and "made by an earlier run" in again.output
    assert len(listmonk.campaigns) == 1
    posts = [r for r in listmonk.requests if r[0] == "POST"]
    assert len(posts) == 1
    line = [x for x in site.ledger_lines() if x.get("state") == "sent"][0]
    assert line["to"] == "listmonk" and line["campaign"] == campaign["id"]


def test_listmonk_bodies_keep_their_own_braces():
    from newsletter.campaign import literal

    # A campaign body is a Go template in listmonk: "{{" of the edition's own is printed.
    assert literal("Lego {{ club }}") == 'Lego {{ "{{" }} club }}'
    assert literal("no braces") == "no braces"


def test_listmonk_a_lost_answer_never_makes_a_second_campaign(site, listmonk):
    env = listmonk_env(listmonk)  # LISTMONK_SEND: draft
    listmonk.fault(r"^/api/campaigns$", {"drop": "after"}, count=1, method="POST")
    first = site.run(env)
    assert first.returncode == 1, first.output
    assert len(listmonk.campaigns) == 1  # made, but the answer was lost: pending
    second = site.run(env)
    assert second.returncode == 0, second.output
    assert "found, made by an earlier run" in second.output and "a draft" in second.output
    assert len(listmonk.campaigns) == 1


def test_listmonk_schedules_at_the_time_given(site, listmonk):
    env = listmonk_env(listmonk, LISTMONK_SEND="23:59")
    run = site.run(env)
    assert run.returncode == 0, run.output
    (campaign,) = listmonk.campaigns.values()
    if datetime.now(ZoneInfo(TZ)).strftime("%H:%M") < "23:59":
        assert campaign["status"] == "scheduled", run.output
        assert campaign["send_at"].startswith(f"{today().isoformat()}T23:59:00")


def test_listmonk_errors_name_no_token(site, listmonk):
    env = listmonk_env(listmonk)
    echo = {"message": f"invalid token {listmonk.token} for {listmonk.user}"}
    listmonk.fault(r"^/api/campaigns$", {"status": 403, "error": echo}, method="GET")
    run = site.run(env)
    assert run.returncode == 1, run.output
    assert "listmonk refused the API user (403" in run.output
    assert listmonk.token not in run.output and "[redacted]" in run.output
    assert listmonk.campaigns == {}
    bad = site.run({**env, "LISTMONK_TOKEN": "wrong-token-123"})
    assert (
        bad.returncode == 1
        and "LISTMONK_TOKEN" in bad.output
        and "wrong-token-123" not in bad.output
    )


# -- the scheduled workflow ---------------------------------------------------------------------


def test_the_workflow_sends_after_deploying_with_its_own_secrets_and_pushes_the_ledger():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
    steps = workflow["jobs"]["publish"]["steps"]
    names = [s.get("run", "") for s in steps]
    (step,) = [s for s in steps if "make newsletter-send" in s.get("run", "")]
    index = steps.index(step)
    deploy = next(i for i, run in enumerate(names) if re.search(r"make deploy(?![\w-])", run))
    push = next(i for i, run in enumerate(names) if "push_ledger.py" in run)
    assert deploy < index < push
    assert "steps.deploy.outcome == 'success'" in step["if"]
    assert "--also content/newsletter-ledger.jsonl" in steps[push]["run"]
    keys = set(step["env"])
    assert not {k for k in keys if k.startswith(("MASTODON", "BLUESKY", "X_", "FACEBOOK",
                                                 "INSTAGRAM", "THREADS", "WEBHOOK"))}  # fmt: skip
    assert "EMAIL_TO" not in keys and {"EMAIL_SMTP_PASSWORD", "NEWSLETTER_KEY"} <= keys
    assert "${{ secrets." not in step["run"]
    assert "$RUNNER_TEMP/subscribers.txt" in step["run"] and "umask 077" in step["run"]


def test_the_announce_lock_and_email_channel_still_refuse_what_they_did():
    from announce.lock import DOUBLE

    assert {"announce", "listen", "newsletter"} <= set(DOUBLE)
    env = {"EMAIL_SMTP_HOST": "h", "EMAIL_FROM": "a@example.org"}
    from announce.channels.email import EmailChannel
    from announce.config import DEFAULTS, read_config
    from announce.errors import NotConfigured

    config = read_config(DEFAULTS, environ={})
    channel_config = next(c for c in config.channels if c.type == "email")
    with pytest.raises(NotConfigured, match="EMAIL_TO is not set"):
        EmailChannel(channel_config, config, env).validate()


def test_the_build_and_the_summary_never_load_the_sending_half():
    """Importing the plugin (its generator with it) and register(), and `python -m
    newsletter summary` (`make newsletter`), load none of the sending modules: only
    send and retry do."""
    sending = [f"newsletter.{name}" for name in ("cli", "handoff", "delivery", "campaign")]
    sending += ["newsletter.message", "smtplib", "dkim", "requests"]
    code = (
        "import runpy, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "import brochures, newsletter\n"
        "newsletter.register()\n"
        "sys.argv = ['newsletter', 'summary', '--help']\n"
        "try:\n"
        "    runpy.run_module('newsletter', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m in {sending!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
