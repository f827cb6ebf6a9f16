"""Announcing for real: a publish build plans, `python -m announce` sends to real servers
on 127.0.0.1 (mastodon-mock behind Mastodon.py, the reference Bluesky PDS, an SMTP
server, a webhook receiver), and the ledger keeps every post to exactly one send."""

import email
import json
import os
import signal
import stat
import time
from email import policy

import pytest
from announce_fixtures import bluesky_env, mastodon_env, webhook_env
from announce_helpers import ANNOUNCED, SITEURL, killed_while_sending, since
from servers import Proxy

# -- planning -------------------------------------------------------------------------


def test_local_builds_never_plan(ws):
    from conftest import build

    site = build(
        ws.tmp / "dev", content=ws.content, cwd=ws.tmp, extra={"ANNOUNCE_STATE_DIR": str(ws.state)}
    )
    assert site.returncode == 0, site.log
    assert not (ws.state / "plan.json").exists()


def test_publish_build_plans_published_posts_except_announce_no(ws):
    since(ws, "2000-01-01")  # a first run that announces every post
    ws.build()
    titles = [p["title"] for p in ws.plan()]
    assert titles == ["Old news from January", *ANNOUNCED]  # oldest first, no "Internal note"
    rhyme = next(p for p in ws.plan() if p["title"].startswith("Rhyme"))
    assert rhyme["url"] == f"{SITEURL}/news/2026/rhyme-time-returns-to-northfield/"
    assert rhyme["image_alt"].startswith("A librarian") and rhyme["image_path"].endswith(".jpg")
    assert rhyme["id"] == f"tag:{ws.authority},2026-02-01:2026-02-01-rhyme-time"
    assert not list((ws.tmp / "build" / "output").rglob("plan.json"))


# -- first run, limits, routing, editing ----------------------------------------------


def test_first_run_records_existing_posts_and_sends_nothing(ws, webhook):
    ws.build()
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 0, run.output
    assert "webhook starts now (the first announce run): posts dated before" in run.output
    assert webhook.requests == []
    assert ws.read_ledger().start("webhook") is not None
    again = ws.announce(webhook_env(webhook))
    assert again.returncode == 0 and webhook.requests == []


def test_since_announces_recent_posts_oldest_first_at_most_n_per_run(ws, webhook):
    since(ws, ANNOUNCE_MAX_PER_RUN=2)
    ws.build()
    first = ws.announce(webhook_env(webhook))
    assert first.returncode == 0, first.output  # one left waiting: not a failure
    assert [r["json"]["title"] for r in webhook.requests] == ANNOUNCED[:2]
    assert "| waiting | waiting: at most 2 per run" in first.output
    assert "Old news from January" not in ws.states("webhook")  # dated before ANNOUNCE_SINCE
    assert f"{ws.read_ledger().start('webhook'):%Y-%m-%d}" == "2026-01-20"
    second = ws.announce(webhook_env(webhook))
    assert second.returncode == 0, second.output
    assert [r["json"]["title"] for r in webhook.requests] == ANNOUNCED
    ws.build()  # a later publish build plans nothing new
    third = ws.announce(webhook_env(webhook))
    assert third.returncode == 0 and len(webhook.requests) == 3


def test_editing_a_published_post_never_reannounces(ws, webhook):
    since(ws)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    post = ws.content / "posts" / "2026-02-01-rhyme-time.md"
    post.write_text(
        post.read_text().replace(
            "Title: Rhyme Time returns to Northfield",
            "Title: Rhyme Time is back\nSlug: rhyme-time-back",
        )
    )
    ws.build()
    assert [p["title"] for p in ws.plan()] == []  # known by its id: nothing to plan
    post_id = f"tag:{ws.authority},2026-02-01:2026-02-01-rhyme-time"
    assert ws.read_ledger().status([post_id], "webhook").state == "sent"
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert len(webhook.requests) == 3


def test_routing_limits_a_channel_to_categories(ws, webhook):
    since(
        ws, ANNOUNCE_CHANNELS={"kids": {"type": "webhook", "categories": ["Children and families"]}}
    )
    ws.build()
    env = {"KIDS_URL": webhook.url + "/kids"}
    assert ws.announce(env).returncode == 0
    assert [r["json"]["title"] for r in webhook.requests] == [ANNOUNCED[0], ANNOUNCED[2]]
    assert ws.states("kids")["Libraries closed for staff training"] == "skipped"


def test_webhook_presets(ws, webhook):
    since(
        ws,
        ANNOUNCE_CHANNELS={
            "discord": {"type": "webhook", "preset": "discord"},
            "slack": {"type": "webhook", "preset": "slack"},
            "teams": {"type": "webhook", "preset": "teams"},
        },
    )
    ws.build()
    env = {f"{n.upper()}_URL": f"{webhook.url}/{n}" for n in ("discord", "slack", "teams")}
    assert ws.announce(env).returncode == 0
    by_path = {}
    for r in webhook.requests:
        by_path.setdefault(r["path"].split("?")[0], []).append(r)
    discord = by_path["/discord"][0]
    assert "wait=true" in discord["path"]
    assert discord["json"]["embeds"][0]["url"].endswith("/rhyme-time-returns-to-northfield/")
    assert discord["json"]["embeds"][0]["image"]["url"].endswith("/images/story-time.jpg")
    assert discord["json"]["allowed_mentions"] == {"parse": []}
    assert len(discord["json"]["content"]) <= 2000
    assert by_path["/slack"][0]["json"]["text"].startswith("Rhyme Time returns")
    card = by_path["/teams"][0]["json"]["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][2]["altText"].startswith("A librarian")
    # Announce-Text replaces the title and summary.
    custom = by_path["/slack"][2]["json"]["text"]
    assert custom.startswith("Sign up for the Summer Reading Challenge at any library")
    assert "Children aged 4 to 11" not in custom


# -- Mastodon (mastodon-mock + Mastodon.py) ---------------------------------------------


def test_mastodon_posts_with_image_alt_text_and_language(ws, mastodon):
    since(ws)
    ws.build()
    run = ws.announce(mastodon_env(mastodon))
    assert run.returncode == 0, run.output
    statuses = {s["content"]: s for s in mastodon.statuses()}
    assert len(statuses) == 3
    rhyme = next(s for c, s in statuses.items() if "Rhyme Time returns" in c)
    assert SITEURL + "/news/2026/rhyme-time-returns-to-northfield/" in rhyme["content"]
    assert "#RhymeTime" in rhyme["content"] and "#UnderFives" in rhyme["content"]
    assert rhyme["media_attachments"][0]["description"].startswith("A librarian reads")
    assert rhyme["language"] == "en"
    training = next(s for c, s in statuses.items() if "staff training" in c)
    assert training["media_attachments"] == []
    assert "image is left out because it has no Image-Alt" in run.output
    ledger = ws.read_ledger()
    rhyme_id = next(i for i in ledger.posts() if ledger.details(i)["title"].startswith("Rhyme"))
    assert ledger.status([rhyme_id], "mastodon").line["remote_id"] == rhyme["id"]


def test_mastodon_limits_come_from_the_instance(ws, mastodon):
    """An instance allowing 150 characters, each link counting as 30: never assume 500/23."""
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proxy = Proxy(mastodon.url)

    def smaller(path, body):
        if path.startswith("/api/v2/instance"):
            data = json.loads(body)
            data["configuration"]["statuses"].update(
                {"max_characters": 150, "characters_reserved_per_url": 30}
            )
            return json.dumps(data).encode()
        return body

    proxy.rewrite = smaller
    try:
        preview = ws.announce(mastodon_env(mastodon, proxy.url), command="preview")
        assert "of 150 characters:" in preview.output, preview.output
        assert ws.announce(mastodon_env(mastodon, proxy.url)).returncode == 0  # 2 wait
    finally:
        proxy.close()
    [status] = mastodon.statuses()
    import sys

    sys.path.insert(0, "plugins")
    from announce.text import mastodon_counter
    from bs4 import BeautifulSoup

    text = BeautifulSoup(status["content"], "html.parser").get_text("\n")
    assert mastodon_counter(30)(text) <= 150
    assert f"{SITEURL}/news/2026/rhyme-time-returns-to-northfield/" in text


def test_mastodon_idempotency_key_makes_a_repeat_one_status(mastodon):
    import sys

    sys.path.insert(0, "plugins")
    from announce.channels.mastodon import idempotency_key
    from mastodon import Mastodon

    client = Mastodon(access_token=mastodon.token, api_base_url=mastodon.url)
    key = idempotency_key("tag:x,2026-01-01:a", "mastodon")
    assert (
        key
        == idempotency_key("tag:x,2026-01-01:a", "mastodon")
        != idempotency_key("tag:x,2026-01-01:a", "kids")
    )
    first = client.status_post("Once", idempotency_key=key)
    second = client.status_post("Once", idempotency_key=key)
    assert first["id"] == second["id"] and len(mastodon.statuses()) == 1


# -- Bluesky (the reference PDS) --------------------------------------------------------


def test_bluesky_posts_facets_card_and_language(ws, pds):
    since(ws)
    ws.build()
    run = ws.announce(bluesky_env(pds))
    assert run.returncode == 0, run.output
    posts = {p["text"].split("\n")[0]: p for p in pds.posts()}
    assert len(posts) == 3
    rhyme = posts["Rhyme Time returns to Northfield"]
    text = rhyme["text"].encode()
    features = {}
    for facet in rhyme["facets"]:
        piece = text[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        features[piece] = facet["features"][0]
    url = f"{SITEURL}/news/2026/rhyme-time-returns-to-northfield/"
    assert features[url] == {"$type": "app.bsky.richtext.facet#link", "uri": url}
    assert features["#RhymeTime"]["tag"] == "RhymeTime"
    card = rhyme["embed"]["external"]
    assert card["uri"] == url and card["title"] == "Rhyme Time returns to Northfield"
    assert card["thumb"]["mimeType"] == "image/jpeg" and card["thumb"]["size"] < 1_000_000
    assert rhyme["langs"] == ["en-gb"]
    assert "thumb" not in posts["Libraries closed for staff training"]["embed"]["external"]
    session = ws.state / "bluesky-bluesky.session"
    assert session.exists() and stat.S_IMODE(session.stat().st_mode) == 0o600


def test_bluesky_reuses_its_session(ws, pds):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proxy = Proxy(pds.url)
    try:
        env = bluesky_env(pds, proxy.url)
        ws.announce(env)
        ws.announce(env)
        logins = [p for p in proxy.paths if "createSession" in p]
        assert len(logins) == 1, proxy.paths
        assert len(pds.posts()) == 2
    finally:
        proxy.close()


def test_bluesky_pds_refuses_301_graphemes_and_we_never_send_them(pds):
    import sys

    sys.path.insert(0, "plugins")
    from announce.config import DEFAULT_TEMPLATE
    from announce.text import Parts, compose, graphemes

    record = {
        "$type": "app.bsky.feed.post",
        "text": "x" * 301,
        "createdAt": "2026-01-01T00:00:00.000Z",
    }
    with pytest.raises(Exception) as refused:
        pds.xrpc_auth(
            "com.atproto.repo.createRecord",
            {"repo": pds.did, "collection": "app.bsky.feed.post", "record": record},
        )
    assert "400" in str(refused.value) or "Bad Request" in str(refused.value)
    long = Parts("Ü" * 200, "word " * 100, f"{SITEURL}/news/2026/x/", ("#Tag",))
    assert graphemes(compose(DEFAULT_TEMPLATE, long, 300, graphemes)) <= 300


# -- Email (aiosmtpd with STARTTLS) ----------------------------------------------------


def test_email_sends_one_message_per_post_with_text_and_html(ws, smtp_server):
    since(ws)
    ws.build()
    env = {
        "EMAIL_SMTP_HOST": "127.0.0.1",
        "EMAIL_SMTP_PORT": str(smtp_server.port),
        "EMAIL_SMTP_SECURITY": "starttls",
        "EMAIL_SMTP_USER": "library",
        "EMAIL_SMTP_PASSWORD": "smtp-secret-pass",
        "EMAIL_FROM": "news@riverside.example",
        "EMAIL_TO": "readers@lists.riverside.example",
        "SSL_CERT_FILE": smtp_server.cert,
    }
    run = ws.announce(env)
    assert run.returncode == 0, run.output
    assert len(smtp_server.messages) == 3
    assert smtp_server.tls_used
    mail = email.message_from_bytes(smtp_server.messages[0], policy=policy.default)
    assert mail["Subject"] == "Rhyme Time returns to Northfield"
    assert mail["To"] == "readers@lists.riverside.example"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"{SITEURL}/news/2026/rhyme-time-returns-to-northfield/" in plain
    assert 'alt="A librarian reads a picture book' in html


# -- faults: each ends with exactly one post per channel --------------------------------


def test_server_down_then_up(ws, webhook):
    since(ws)
    ws.build()
    down = ws.announce({"WEBHOOK_URL": "http://127.0.0.1:9/hook"})
    assert down.returncode == 1
    assert "pending" in down.output and "could not reach" in down.output
    assert set(ws.states("webhook").values()) >= {"pending"}
    up = ws.announce(webhook_env(webhook))
    assert up.returncode == 0, up.output
    assert [r["json"]["title"] for r in webhook.requests] == ANNOUNCED


def test_500s_are_retried_then_left_pending(ws, webhook):
    since(ws, ANNOUNCE_RETRIES=2)
    ws.build()
    webhook.replies = [(500, {})] * 2
    first = ws.announce(webhook_env(webhook))
    assert first.returncode == 1 and "server error (500)" in first.output
    assert webhook.requests == []
    second = ws.announce(webhook_env(webhook))
    assert second.returncode == 0
    assert [r["json"]["title"] for r in webhook.requests] == ANNOUNCED


def test_429_retry_after_is_honoured(ws, webhook):
    since(ws)
    ws.build()
    webhook.replies = [(429, {"Retry-After": "1"})]
    started = time.monotonic()
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 0, run.output
    assert time.monotonic() - started >= 1.0
    assert [r["json"]["title"] for r in webhook.requests] == ANNOUNCED


def test_429_with_a_long_retry_after_waits_for_the_next_run(ws, webhook):
    since(ws)
    ws.build()
    webhook.replies = [(429, {"Retry-After": "3600"})]
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 1 and "rate limited" in run.output
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert len(webhook.requests) == 3


def test_mastodon_500_then_next_run_one_status_each(ws, mastodon):
    since(ws, ANNOUNCE_RETRIES=2)
    ws.build()
    mastodon.fault(r"^/api/v1/statuses$", {"type": "status", "status": 500}, count=2)
    first = ws.announce(mastodon_env(mastodon))
    assert first.returncode == 1 and "server error" in first.output
    assert mastodon.statuses() == []
    assert ws.announce(mastodon_env(mastodon)).returncode == 0
    assert len(mastodon.statuses()) == 3


def test_one_network_failing_never_blocks_another(ws, webhook, mastodon):
    since(ws)
    ws.build()
    env = {**webhook_env(webhook), **mastodon_env(mastodon, "http://127.0.0.1:9")}
    run = ws.announce(env)
    assert run.returncode == 1
    assert len(webhook.requests) == 3
    assert run.stdout.count("| mastodon | pending | mastodon: could not reach") == 3
    assert not any(t in ws.states("mastodon") for t in ANNOUNCED)  # nothing claimed
    assert ws.announce({**webhook_env(webhook), **mastodon_env(mastodon)}).returncode == 0
    assert len(mastodon.statuses()) == 3 and len(webhook.requests) == 3


def test_killed_between_send_and_record_mastodon(ws, mastodon):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proxy = Proxy(mastodon.url)
    try:
        killed_while_sending(ws, mastodon_env(mastodon, proxy.url), proxy, "/api/v1/statuses")
        assert len(mastodon.statuses()) == 1
        assert ws.states("mastodon")["Rhyme Time returns to Northfield"] == "claimed"
        run = ws.announce(mastodon_env(mastodon, proxy.url))
        assert "found, made by an earlier run" in run.output
        assert ws.states("mastodon")["Rhyme Time returns to Northfield"] == "sent"
        titles = [s["content"] for s in mastodon.statuses()]
        assert sum("Rhyme Time returns" in t for t in titles) == 1
    finally:
        proxy.close()


def test_killed_between_send_and_record_bluesky(ws, pds):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proxy = Proxy(pds.url)
    try:
        killed_while_sending(
            ws, bluesky_env(pds, proxy.url), proxy, "com.atproto.repo.createRecord"
        )
        assert ws.states("bluesky")["Rhyme Time returns to Northfield"] == "claimed"
        run = ws.announce(bluesky_env(pds, proxy.url))
        assert run.returncode == 0, run.output  # two posts waiting (1 per run) is not failure
        texts = [p["text"] for p in pds.posts()]
        assert sum(t.startswith("Rhyme Time returns") for t in texts) == 1
        assert ws.states("bluesky")["Rhyme Time returns to Northfield"] == "sent"
    finally:
        proxy.close()


def test_killed_between_send_and_record_webhook_is_never_resent(ws, webhook):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proc = ws.announce(webhook_env(webhook), wait=False)

    def kill(_handler):
        os.kill(proc.pid, signal.SIGKILL)
        time.sleep(0.2)

    webhook.on_request = kill
    proc.wait(timeout=120)
    webhook.on_request = None
    assert len(webhook.requests) == 1
    run = ws.announce(webhook_env(webhook))
    assert "interrupted while sending" in run.output
    assert ws.states("webhook")["Rhyme Time returns to Northfield"] == "unknown"
    titles = [r["json"]["title"] for r in webhook.requests]
    assert titles.count("Rhyme Time returns to Northfield") == 1


# -- secrets ------------------------------------------------------------------------------


def test_secrets_never_reach_output_ledger_plan_or_logs(ws, webhook, mastodon):
    since(ws)
    secrets = {
        "MASTODON_ACCESS_TOKEN": "fake-mastodon-token-5f2a9c",
        "BLUESKY_APP_PASSWORD": "fake-app-pass-77c1",
        "EMAIL_SMTP_PASSWORD": "fake-smtp-pass-0d9e",
        "WEBHOOK_URL": webhook.url + "/hook/fake-webhook-secret-31b7",
    }
    env = {
        **secrets,
        "MASTODON_API_BASE_URL": mastodon.url,
        "BLUESKY_HANDLE": "library.test",
        "BLUESKY_SERVICE": "http://127.0.0.1:9",
        "EMAIL_SMTP_HOST": "127.0.0.1",
        "EMAIL_SMTP_PORT": "9",
        "EMAIL_FROM": "a@b.example",
        "EMAIL_TO": "c@d.example",
    }
    webhook.replies = [(401, {})]
    site = ws.build(env)
    runs = [ws.announce(env), ws.announce(env, command="preview")]
    texts = [site.log, *(r.output for r in runs)]
    for path in [*site.output.rglob("*"), ws.ledger, *ws.state.rglob("*")]:
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    assert any("401" in t or "refused" in t for t in texts)
    for secret in secrets.values():
        needle = secret.rsplit("/", 1)[-1]
        for text in texts:
            assert needle not in text


# -- event reminders ----------------------------------------------------------------------

REMINDED_EVENT = """Title: Author talk in 2030
Date: 2026-03-10 09:00 +00:00
Category: Events
Event-Start: 2030-01-21 19:00
Event-Duration: 1h30m
Location: Riverside Central Library, Event Room
Announce-Reminder: 1d
Summary: A talk, with a reminder the day before.

Text.
"""


def test_event_reminder_is_sent_once_in_its_window(ws, webhook):
    (ws.content / "posts" / "2026-03-10-talk.md").write_text(REMINDED_EVENT)
    ws.write_settings(
        {
            "ANNOUNCE_SINCE": "2026-01-20",
            "PLUGINS": ["feeds", "announce", "events"],
            "EVENTS_NOW": "2030-01-18T12:00:00+00:00",
        }
    )
    ws.build()
    assert not any(p["id"].endswith("#reminder") for p in ws.plan())  # three days before
    assert ws.announce(webhook_env(webhook)).returncode == 0  # 4 posts, 3 per run: 1 waits
    ws.write_settings(
        {
            "ANNOUNCE_SINCE": "2026-01-20",
            "PLUGINS": ["feeds", "announce", "events"],
            "EVENTS_NOW": "2030-01-20T20:00:00+00:00",
        }
    )
    ws.build()
    [planned] = [p for p in ws.plan() if p["id"].endswith("#reminder")]
    assert planned["send_before"] == "2030-01-21T19:00:00+00:00"
    for _ in range(2):
        ws.announce(webhook_env(webhook))
    texts = [r["json"]["text"] for r in webhook.requests]
    reminders = [t for t in texts if t.startswith("Reminder: Author talk in 2030")]
    assert len(reminders) == 1
    assert "Monday 21 January 2030 at 7pm, Riverside Central Library, Event Room." in reminders[0]
    assert sum(t.startswith("Author talk in 2030") for t in texts) == 1  # the post itself, once


@pytest.mark.parametrize("status", ["cancelled", "postponed"])
def test_a_cancelled_or_postponed_event_gets_no_reminder(ws, status):
    text = REMINDED_EVENT.replace(
        "Announce-Reminder: 1d", f"Announce-Reminder: 1d\nEvent-Status: {status}"
    )
    (ws.content / "posts" / "2026-03-10-talk.md").write_text(text)
    settings = {"ANNOUNCE_SINCE": "2026-01-20", "PLUGINS": ["feeds", "announce", "events"]}
    ws.write_settings({**settings, "EVENTS_NOW": "2030-01-20T20:00:00+00:00"})  # in its window
    ws.build()
    planned = [(p["source"], p["kind"]) for p in ws.plan() if "talk" in p["source"]]
    assert planned == [("content/posts/2026-03-10-talk.md", "article")], planned  # no reminder
