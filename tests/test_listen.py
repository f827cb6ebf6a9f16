"""`make listen` against mastodon-mock (a real Mastodon API server on 127.0.0.1): the
replies under an announced post and the mentions of the library reach the staff inbox
once each, questions first; an answered question drops to "answered"; a deleted reply
disappears; nothing a reader wrote is committed, and no token reaches any file."""

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime

from announce_fixtures import mastodon_env
from announce_helpers import clean_env, since


def listen(ws, env, *extra):
    proc = subprocess.run([sys.executable, "-m", "listen", "listen", "--settings", str(ws.conf),
                           *extra], cwd=ws.tmp, env=clean_env(env), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    proc.output = proc.stdout + proc.stderr
    return proc


def announced(ws, mastodon):
    env = mastodon_env(mastodon)
    ws.build(env)
    assert ws.announce(env).returncode == 0
    ledger = ws.read_ledger()
    sent = [ledger.status([p], "mastodon").line for p in ledger.posts()]
    return env, [line["remote_id"] for line in sent if line.get("state") == "sent"]


def say(mastodon, who, text, reply_to=None):
    body = {"status": text, "visibility": "public"}
    if reply_to:
        body["in_reply_to_id"] = reply_to
    token = mastodon.tokens[who] if who != "riverside" else None
    return mastodon.api("POST", "/api/v1/statuses", body, token=token)["id"]


def sections(page: str) -> dict:
    """{section heading: its text} of the inbox page."""
    parts = page.split("<h2 id=")[1:]
    return {p.split(">", 1)[1].split("</h2>")[0]: p for p in parts}


def test_replies_and_mentions_reach_the_inbox_once_questions_first(ws, mastodon):
    since(ws, ANNOUNCE_CHANNELS={"mastodon": {"type": "mastodon"}})
    env, remote = announced(ws, mastodon)
    post = remote[0]
    ann = say(mastodon, "ann", "@riverside Is the library open on Sunday afternoons", post)
    bob = say(mastodon, "bob", "@riverside Lovely <b>news</b> <img src=https://x.example/a.png>",
              post)  # fmt: skip
    say(mastodon, "carol", "@riverside can I renew a book by phone?")

    first = listen(ws, env)
    assert first.returncode == 0, first.output
    assert "3 new since the last run (2 questions)" in first.output
    page = (ws.state / "inbox.html").read_text()
    found = sections(page)
    waiting = found[next(k for k in found if k.startswith("Questions waiting"))]
    assert "Is the library open on Sunday afternoons" in waiting
    assert "can I renew a book by phone?" in waiting and "A mention of the library" in waiting
    others = found[next(k for k in found if k.startswith("Other replies"))]
    # What a reader typed is shown as text, escaped: never a tag, never a remote picture.
    assert "Lovely &lt;b&gt;news&lt;/b&gt; &lt;img src=https://x.example/a.png&gt;" in others
    assert "<img" not in page and "<b>" not in page and "h-card" not in page
    assert page.count("Is the library open on Sunday") == 1

    # The library answers Ann; Bob deletes his reply. A second run: nothing new.
    say(mastodon, "riverside", "@ann Yes, 1 to 4pm.", ann)
    mastodon.api("DELETE", f"/api/v1/statuses/{bob}", token=mastodon.tokens["bob"])
    second = listen(ws, env)
    assert second.returncode == 0, second.output
    assert "0 new since the last run (0 questions)" in second.output
    found = sections((ws.state / "inbox.html").read_text())
    answered = found[next(k for k in found if k.startswith("Answered"))]
    assert "Is the library open on Sunday" in answered
    assert not any("Lovely news" in text for text in found.values())
    assert "1 question waiting" in second.output  # Carol's

    # The committed state holds no one's words and no token; neither does the inbox.
    state = (ws.content / "listen-state.jsonl").read_text()
    assert "Sunday" not in state and "@ann" not in state and "renew" not in state
    lines = [json.loads(line) for line in state.splitlines()]
    assert {line["gone"] for line in lines if "gone" in line} == {f"mastodon:{bob}"}
    for text in (state, (ws.state / "inbox.html").read_text(), second.output):
        assert mastodon.token not in text


def test_a_channel_that_cannot_be_read_is_named_and_the_others_go_on(ws, mastodon):
    since(ws, ANNOUNCE_CHANNELS={"mastodon": {"type": "mastodon"}})
    env, remote = announced(ws, mastodon)
    mastodon.fault(r"/api/v1/notifications", {"status": 503})
    proc = listen(ws, env)
    assert proc.returncode == 1, proc.output
    assert "mastodon: mentions not read this time" in proc.output
    assert "Not read this time" in (ws.state / "inbox.html").read_text()
    bad = {**env, "MASTODON_ACCESS_TOKEN": "wrong-token-0123456789"}
    proc = listen(ws, bad)
    assert proc.returncode == 1 and "mastodon: not read this time" in proc.output
    assert "wrong-token-0123456789" not in proc.output + (ws.state / "inbox.html").read_text()


def test_the_report_counts_what_each_post_achieved_and_its_visits(ws, mastodon):
    since(ws, ANNOUNCE_CHANNELS={"mastodon": {"type": "mastodon"}})
    env, remote = announced(ws, mastodon)
    say(mastodon, "ann", "@riverside When does it start?", remote[0])
    mastodon.api("POST", f"/api/v1/statuses/{remote[0]}/favourite", token=mastodon.tokens["bob"])
    assert listen(ws, env).returncode == 0
    ledger = ws.read_ledger()
    line = next(ledger.status([p], "mastodon").line for p in ledger.posts()
                if ledger.status([p], "mastodon").line.get("remote_id") == remote[0])  # fmt: skip
    path = ledger.details(line["post"])["path"]
    day = datetime.now(UTC).strftime("%d/%b/%Y")
    ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    log = ws.tmp / "access.log"
    log.write_text(
        f'203.0.113.9 - - [{day}:10:00:00 +0000] "GET {path} HTTP/1.1" 200 5120 '
        f'"{mastodon.url}/@ann/1" "{ua}"\n'
        f'203.0.113.10 - - [{day}:10:01:00 +0000] "GET {path} HTTP/1.1" 200 5120 "-" "{ua}"\n'
        f'66.249.66.1 - - [{day}:10:02:00 +0000] "GET {path} HTTP/1.1" 200 5120 "-" '
        '"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"\n'
    )
    proc = subprocess.run([sys.executable, "-m", "listen", "report", "--settings", str(ws.conf),
                           "--access-log", str(log)], cwd=ws.tmp, env=clean_env(env),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = next(ws.state.glob("report-*.csv")).read_text()
    rows = list(csv.DictReader(io.StringIO(table)))
    row = next(r for r in rows if r["Address"].endswith(path))
    assert (row["Likes"], row["Replies"], row["Questions"], row["Questions answered"]) == (
        "1", "1", "1", "0")  # fmt: skip
    assert row["Page views of the post"] == "2"  # the robot left out
    assert row["Visits to the post from Mastodon"] == "1"
    page = next(ws.state.glob("report-*.html")).read_text()
    assert "203.0.113" not in page + table and mastodon.token not in page + table
