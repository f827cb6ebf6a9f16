"""`make listen` against mastodon-mock (a real Mastodon API server on 127.0.0.1): the
replies under an announced post and the mentions of the library reach the staff inbox
once each, questions first; an answered question drops to "answered"; a deleted reply
disappears; nothing a reader wrote is committed, and no token reaches any file."""

import csv
import email
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from email import policy
from types import SimpleNamespace

from announce_fixtures import mastodon_env
from announce_helpers import SITEURL, clean_env, since
from axe_playwright_python.sync_playwright import Axe
from listen.state import key
from test_listen_report import WCAG_TAGS, open_page


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


def axe_passes(browser, path, html):
    """No WCAG failure axe-core finds in the page as Chromium opens it."""
    path.write_text(html, encoding="utf-8")
    context, tab, _ = open_page(browser, path, viewport={"width": 375, "height": 900})
    try:
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["passes"], "axe ran no checks"
        assert not results.response["violations"], results.generate_report()
    finally:
        context.close()


def post_path(ws, remote_id):
    """The site path of the post announced as `remote_id` on Mastodon."""
    ledger = ws.read_ledger()
    (post,) = [p for p in ledger.posts()
               if ledger.status([p], "mastodon").line.get("remote_id") == remote_id]  # fmt: skip
    return ledger.details(post)["path"]


def say(mastodon, who, text, reply_to=None, **more):
    body = {"status": text, "visibility": "public", **more}
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
    carol = say(mastodon, "carol", "@riverside can I renew a book by phone?")

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
    # The library answers Carol under her post: her question drops too.
    say(mastodon, "riverside", "@carol Yes: call 01234 567890.", carol)
    third = listen(ws, env)
    assert "0 questions waiting for an answer in all" in third.output, third.output

    # The committed state holds no one's words and no token; neither does the inbox.
    state = (ws.content / "listen-state.jsonl").read_text()
    assert "Sunday" not in state and "@ann" not in state and "renew" not in state
    lines = [json.loads(line) for line in state.splitlines()]
    gone = SimpleNamespace(channel="mastodon", id=bob)
    assert {line["gone"] for line in lines if "gone" in line} == {key(gone)}
    assert bob not in state and ann not in state  # not even a reply's id
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
    path = post_path(ws, remote[0])
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


def test_public_replies_show_under_the_post_and_go_when_deleted_or_hidden(ws, mastodon, browser):
    since(ws, ANNOUNCE_CHANNELS={"mastodon": {"type": "mastodon"}},
          PLUGINS=["feeds", "announce", "listen"], LISTEN_SHOW_REPLIES=True)  # fmt: skip
    env, remote = announced(ws, mastodon)
    ann = say(mastodon, "ann", "Will there be a session in half term?", remote[0])
    say(mastodon, "riverside", "@ann Yes: Tuesday at 10.", ann)
    carol = say(mastodon, "carol", "<script>alert(1)</script> Great!", remote[0])
    say(mastodon, "bob", "Spoilers for the book club pick", remote[0], spoiler_text="Book ending")
    assert listen(ws, env).returncode == 0
    path = post_path(ws, remote[0])

    def page(output=None):
        site = ws.build(env)
        if output is not None:
            output.append(site.output)
        return (site.output / path.strip("/") / "index.html").read_text()

    output = []
    shown = page(output)
    assert "Replies on Mastodon" in shown
    assert "Will there be a session in half term?" in shown
    assert "Yes: Tuesday at 10." in shown and "(the library)" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Great!" in shown and "<script>" not in shown
    assert shown.index("half term") < shown.index("Tuesday at 10") < shown.index("Great!")
    # Behind a content warning on Mastodon: for staff (the inbox), never on the site.
    assert "Spoilers for the book club" not in shown and "Book ending" not in shown
    assert "Content warning: Book ending" in (ws.state / "inbox.html").read_text()
    # Checked as a reader's browser shows it, with the site's own stylesheet.
    axe_passes(browser, output[0] / "replies.html", shown.replace(SITEURL, output[0].as_uri()))
    # A person asks for their reply to go: its link in LISTEN_HIDDEN.
    carol_url = json.loads((ws.state / "replies.json").read_text())["posts"][path]["mastodon"]
    carol_url = next(r["url"] for r in carol_url["replies"] if r["id"] == carol)
    (ws.content / "replies-hidden.txt").write_text(f"# asked by email, 2 Dec\n{carol_url}\n")
    ws.write_settings({"ANNOUNCE_SINCE": "2026-01-20", "PLUGINS": ["feeds", "announce", "listen"],
                       "ANNOUNCE_CHANNELS": {"mastodon": {"type": "mastodon"}},
                       "LISTEN_SHOW_REPLIES": True,
                       "LISTEN_HIDDEN": str(ws.content / "replies-hidden.txt")})  # fmt: skip
    shown = page()
    assert "Great!" not in shown and "half term" in shown
    # Ann deletes her reply: at the next listen and build it goes, and the answer to it.
    mastodon.api("DELETE", f"/api/v1/statuses/{ann}", token=mastodon.tokens["ann"])
    assert listen(ws, env).returncode == 0
    shown = page()
    assert "half term" not in shown and "Tuesday at 10" not in shown
    assert "Replies on Mastodon" not in shown


def test_the_inbox_is_emailed_only_when_something_is_new(ws, mastodon, smtp_server):
    mail_env = {"EMAIL_SMTP_HOST": "127.0.0.1", "EMAIL_SMTP_PORT": str(smtp_server.port),
                "EMAIL_SMTP_USER": "library", "EMAIL_SMTP_PASSWORD": "smtp-secret-pass",
                "EMAIL_FROM": "news@riverside.example", "EMAIL_TO": "readers@riverside.example",
                "SSL_CERT_FILE": smtp_server.cert}  # fmt: skip
    since(ws, ANNOUNCE_CHANNELS={"mastodon": {"type": "mastodon"}, "email": {"type": "email"}},
          LISTEN_EMAIL_TO="enquiries@riverside.example")  # fmt: skip
    env, remote = announced(ws, mastodon)
    sent_before = len(smtp_server.messages)  # the posts' own announcements
    say(mastodon, "ann", "Where do I return books after 6pm?", remote[0])
    proc = listen(ws, {**env, **mail_env})
    assert proc.returncode == 0, proc.output
    assert "emailed to enquiries@riverside.example" in proc.output
    assert len(smtp_server.messages) == sent_before + 1
    message = email.message_from_bytes(smtp_server.messages[-1], policy=policy.default)
    assert message["To"] == "enquiries@riverside.example"
    assert "1 new reply and mentions, 1 asking something" in message["Subject"]
    assert "Where do I return books after 6pm?" in message.get_body(("plain",)).get_content()
    assert "smtp-secret-pass" not in smtp_server.messages[-1].decode("utf-8", "replace")
    # Nothing new: no second email.
    assert listen(ws, {**env, **mail_env}).returncode == 0
    assert len(smtp_server.messages) == sent_before + 1


def test_the_publish_workflow_records_nothing_new_it_cannot_deliver(ws, mastodon):
    """`make listen UNATTENDED=1` (the workflow): no one reads an inbox made there, so
    without LISTEN_EMAIL_TO what is new stays new for staff's own `make listen`."""
    since(ws, ANNOUNCE_CHANNELS={"mastodon": {"type": "mastodon"}})
    env, remote = announced(ws, mastodon)
    say(mastodon, "ann", "Is there parking nearby?", remote[0])
    unattended = listen(ws, env, "--unattended")
    assert unattended.returncode == 0, unattended.output
    assert "what is new stays new" in unattended.output
    state = ws.content / "listen-state.jsonl"
    lines = [json.loads(line) for line in state.read_text().splitlines()]
    assert lines and all("counts" in line for line in lines)  # the figures only
    assert "replies.json" in {p.name for p in ws.state.iterdir()}  # for the site's build
    staff = listen(ws, env)
    assert "1 new since the last run (1 question)" in staff.output, staff.output
