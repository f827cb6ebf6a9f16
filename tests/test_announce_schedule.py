"""`Announce-At:`: a post's announcement held until a moment the library chose, read by
the site's own date rule, sent once when due, never after its event began; and
ANNOUNCE_MAX_AGE counted from it."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from announce_fixtures import webhook_env
from announce_helpers import ANNOUNCED, clean_env, since
from conftest import build

HELD = """Title: Library card amnesty
Date: {date}
Category: News
Announce-At: {at}
Summary: Bring back anything overdue this week and pay nothing.

Text.
"""
EVENT = """Title: {title}
Date: 2026-11-20 09:00 +00:00
Category: Events
Event-Start: {start}
Event-Duration: 1h
Location: Riverside Central Library, Event Room
Announce-At: {at}
Summary: An evening with a local author.

Text.
"""
HOLD = 30  # seconds: longer than a publish build of the small site and one announce run


def write(ws, name, text):
    (ws.content / "posts" / name).write_text(text)


def titles(webhook):
    return [r["json"]["title"] for r in webhook.requests]


def ledger_titles(ws):
    return {line.get("title") for line in ws.ledger_lines()}


def test_held_until_announce_at_then_sent_once(ws, webhook):
    since(ws)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=HOLD)
    if not due.second:  # a time on the minute is shown without its seconds: not this test's
        due += timedelta(seconds=1)
    at = f"{due:%Y-%m-%d %H:%M:%S} +00:00"
    write(ws, "2026-03-08-amnesty.md", HELD.format(date="2026-03-08 09:00 +00:00", at=at))
    ws.build()
    [planned] = [p for p in ws.plan() if p["title"] == "Library card amnesty"]
    assert datetime.fromisoformat(planned["announce_at"]) == due
    assert datetime.now(UTC) < due, "the build took longer than HOLD: raise it"

    first = ws.announce(webhook_env(webhook))
    assert first.returncode == 0, first.output
    assert titles(webhook) == ANNOUNCED  # the held post neither sent nor counted against 3
    held_row = f"| Library card amnesty | webhook | waiting | held until {at} (Announce-At) |"
    assert held_row in first.output
    assert "Library card amnesty" not in ledger_titles(ws)  # nothing claimed, nothing recorded

    preview = ws.announce(webhook_env(webhook), command="preview")
    assert preview.returncode == 0, preview.output
    assert f"-- Library card amnesty: waiting, held until {at}" in preview.output
    assert f"held until {at})" in preview.output  # its message is shown, word for word
    assert "Bring back anything overdue this week and pay nothing." in preview.output
    assert titles(webhook) == ANNOUNCED

    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.5)
    second = ws.announce(webhook_env(webhook))
    assert second.returncode == 0, second.output
    assert titles(webhook) == [*ANNOUNCED, "Library card amnesty"]
    assert ws.states("webhook")["Library card amnesty"] == "sent"
    third = ws.announce(webhook_env(webhook))
    assert third.returncode == 0 and len(webhook.requests) == 4


def test_announce_at_is_read_by_the_sites_date_rule_in_its_time_zone(ws):
    since(ws)  # the sample library: en-GB, day first, Europe/London
    write(ws, "2026-03-08-amnesty.md", HELD.format(date="2026-03-08 09:00", at="9/7/2026 10:30"))
    ws.build()
    plan = {p["title"]: p["announce_at"] for p in ws.plan()}
    assert plan.pop("Library card amnesty") == "2026-07-09T10:30:00+01:00"  # 9 July, summer time
    assert set(plan.values()) == {""}


@pytest.mark.parametrize(
    ("value", "problem", "fix"),
    [
        ("next Tuesday", "'next Tuesday' cannot be understood as a date.", "Write it as"),
        ("2026-12-09", "'2026-12-09' has no time of day, so it would go out at midnight.",
         "Write the day and the time (YYYY-MM-DD HH:MM), e.g. 2026-12-09 09:00."),
        ("12/25/2026 09:00",
         "'12/25/2026 09:00' is written month first, but this site writes dates day first",
         "If you meant 25 December 2026, write 2026-12-25 09:00 (YYYY-MM-DD HH:MM)."),
    ],
)  # fmt: skip
def test_an_announce_at_that_cannot_be_read_is_an_error_at_its_line(ws, value, problem, fix):
    since(ws)
    write(ws, "2026-03-08-amnesty.md", HELD.format(date="2026-03-08 09:00", at=value))
    site = build(
        ws.tmp / "build",
        content=ws.content,
        publish=True,
        cwd=ws.tmp,
        env=clean_env(),
        settings_file=ws.conf,
    )
    assert site.returncode != 0  # `--fatal errors`: the publish build stops here
    where = "content/posts/2026-03-08-amnesty.md:4: error: Announce-At: "
    assert where + problem in site.log, site.log
    assert f"Fix: {fix}" in site.log
    assert not (ws.state / "plan.json").exists()


def test_max_age_counts_from_announce_at(ws, webhook):
    """A post written a month ago and held until an hour ago is news now; one held
    until tomorrow stays planned after the run moves the channel's start (old news)."""
    now = datetime.now(UTC).replace(microsecond=0)
    month_ago = f"{now - timedelta(days=30):%Y-%m-%d %H:%M} +00:00"
    write(
        ws,
        "a-held.md",
        HELD.format(date=month_ago, at=f"{now - timedelta(hours=1):%Y-%m-%d %H:%M} +00:00"),
    )
    tomorrow = f"{now + timedelta(days=1):%Y-%m-%d %H:%M} +00:00"
    write(
        ws,
        "b-held.md",
        HELD.format(date=month_ago, at=tomorrow).replace("card amnesty", "fines amnesty"),
    )
    write(
        ws,
        "c-not-held.md",
        HELD.format(date=month_ago, at="").replace("card amnesty", "late news"),
    )
    since(ws, ANNOUNCE_MAX_AGE=14)
    ws.build()
    planned = [p["title"] for p in ws.plan()]
    assert planned == ["Library card amnesty", "Library fines amnesty"]  # the rest: too old
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 0, run.output
    assert titles(webhook) == ["Library card amnesty"]
    assert f"| Library fines amnesty | webhook | waiting | held until {tomorrow}" in run.output
    assert "4 post(s) dated more than 14 days ago are not news" in run.output
    # Old news moved the channel's start to 14 days ago: the post dated a month ago and
    # held until tomorrow is still planned, and still waits.
    assert ws.read_ledger().start("webhook") > datetime.fromisoformat(month_ago)
    ws.build()
    assert [p["title"] for p in ws.plan()] == ["Library fines amnesty"]
    again = ws.announce(webhook_env(webhook))
    assert again.returncode == 0, again.output
    assert f"| Library fines amnesty | webhook | waiting | held until {tomorrow}" in again.output
    assert titles(webhook) == ["Library card amnesty"]


def test_an_event_held_past_its_start_is_never_sent(ws, webhook):
    events = [
        # Held until after it began, both in the past: too late, skipped for good.
        ("Talk that began", "2026-11-25 19:00", "2026-11-26 09:00"),
        # Held until after it begins, both to come: waits, and says it will never go.
        ("Talk held too long", "2030-01-21 19:00", "2030-01-22 09:00"),
        # Held until before it begins: goes when due, as usual.
        ("Talk announced in time", "2030-01-21 19:00", "2026-11-26 09:00"),
    ]
    for number, (title, start, at) in enumerate(events):
        write(ws, f"talk-{number}.md", EVENT.format(title=title, start=start, at=at))
    since(ws, PLUGINS=["feeds", "announce", "events"])
    ws.build()
    plan = {p["title"]: p for p in ws.plan()}
    assert plan["Talk that began"]["send_before"] == "2026-11-25T19:00:00+00:00"
    assert plan["Talk held too long"]["announce_at"] == "2030-01-22T09:00:00+00:00"
    for _ in range(2):
        run = ws.announce(webhook_env(webhook))
        assert run.returncode == 0, run.output
        assert "| Talk held too long | webhook | waiting | held until 2030-01-22 09:00 +00:00 " \
            "(Announce-At), after the event begins (2030-01-21 19:00 +00:00), so it will " \
            "never be sent. Fix: an earlier Announce-At in content/posts/talk-1.md |" \
            in run.output  # fmt: skip
    sent = titles(webhook)
    assert sent.count("Talk announced in time") == 1
    assert "Talk that began" not in sent and "Talk held too long" not in sent
    states = ws.states("webhook")
    assert states["Talk that began"] == "skipped"
    assert "Talk held too long" not in states  # not claimed, not recorded: still held
    reasons = [
        line.get("reason") for line in ws.ledger_lines() if line.get("title") == "Talk that began"
    ]
    assert reasons == ["too late: the event began"]
