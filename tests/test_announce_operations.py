"""Announcing as a library runs it for a year, against the real servers on 127.0.0.1:
two runs at once, ledgers merged in git, a new SITEURL, a corrected date, an imported
archive, a lost ledger, a stale plan, local mistakes, email and Mastodon faults,
servers that are not Mastodon, mentions, brochures and uploads. The numbers are the
cases of issue 14."""

import json
import os
import shutil
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import pytest
from announce_fixtures import bluesky_env, mastodon_env, webhook_env
from announce_helpers import ANNOUNCED, SVG, clean_env, killed_while_sending, since
from conftest import ROOT
from servers import Proxy

BUSY = 75
RHYME = "2026-02-01-rhyme-time.md"
SLUGS = [  # the addresses of ANNOUNCED
    "rhyme-time-returns-to-northfield",
    "libraries-closed-for-staff-training",
    "the-summer-reading-challenge-2026",
]


def titles(webhook):
    return [r["json"]["title"] for r in webhook.requests]


def write_post(ws, name, title, date, extra=""):
    """A post in the workspace; `extra` is more front matter ("Status: draft\\n")."""
    when = date if isinstance(date, str) else date.strftime("%Y-%m-%d %H:%M +00:00")
    (ws.content / "posts" / f"{name}.md").write_text(
        f"Title: {title}\nDate: {when}\nCategory: News\nSummary: About {title}.\n{extra}\nText.\n"
    )


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def git(cwd, *args):
    home = cwd.parent / "git-home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(
        ["git", "-c", "user.name=Staff", "-c", "user.email=staff@riverside.example", *args],
        cwd=cwd, env=env, capture_output=True, text=True,
    )  # fmt: skip
    return proc


def status_texts(mastodon):
    found, max_id = [], None
    while True:
        me = mastodon.api("GET", "/api/v1/accounts/verify_credentials")
        page = mastodon.api(
            "GET", f"/api/v1/accounts/{me['id']}/statuses?limit=40"
            + (f"&max_id={max_id}" if max_id else "")
        )  # fmt: skip
        if not page:
            return found
        found += [s["content"] for s in page]
        max_id = page[-1]["id"]


# -- 1. two runs at once ------------------------------------------------------------------


def test_two_runs_at_once_deliver_each_post_once(ws, webhook):
    since(ws)
    ws.build()
    arrived = threading.Event()

    def slow(_handler):  # the first run is still sending when the second starts
        arrived.set()
        threading.Event().wait(1.5)

    webhook.on_request = slow
    first = ws.announce(webhook_env(webhook), wait=False)
    assert arrived.wait(60)
    second = ws.announce(webhook_env(webhook))
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert second.returncode == BUSY, second.output
    assert "another announce run is in progress" in second.output
    assert "Fix: wait for it to finish" in second.output
    assert sorted(titles(webhook)) == sorted(ANNOUNCED)
    webhook.on_request = None
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert len(webhook.requests) == 3


# -- 2. the ledger merges ------------------------------------------------------------------


def test_two_branches_that_announced_different_posts_merge_losing_nothing(ws, webhook):
    """Two computers (two state folders) announce on two branches; git merges the
    ledgers with the union driver set in the kit's .gitattributes."""
    shutil.copy(ROOT / ".gitattributes", ws.tmp / ".gitattributes")
    (ws.tmp / ".gitignore").write_text("build/\nstate*/\ngit-home/\n")
    since(ws)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert git(ws.tmp, "init", "-q", "-b", "main").returncode == 0
    assert git(ws.tmp, "add", "-A").returncode == 0
    assert git(ws.tmp, "commit", "-qm", "site").returncode == 0

    git(ws.tmp, "checkout", "-qb", "laptop")
    since(ws, ANNOUNCE_STATE_DIR=str(ws.tmp / "state-laptop"))
    write_post(ws, "2026-03-20-branch", "Written on the laptop", "2026-03-20 09:00 +00:00")
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert git(ws.tmp, "add", "-A").returncode == 0
    assert git(ws.tmp, "commit", "-qm", "laptop post").returncode == 0

    git(ws.tmp, "checkout", "-q", "main")
    since(ws)
    write_post(ws, "2026-03-21-main", "Written in the office", "2026-03-21 09:00 +00:00")
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert git(ws.tmp, "add", "-A").returncode == 0
    assert git(ws.tmp, "commit", "-qm", "office post").returncode == 0

    merged = git(ws.tmp, "merge", "--no-edit", "laptop")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "<<<<<<<" not in ws.ledger.read_text()
    states = ws.states("webhook")
    assert states["Written on the laptop"] == states["Written in the office"] == "sent"
    ws.build()
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 0, run.output
    sent = titles(webhook)
    assert sorted(sent) == sorted({*ANNOUNCED, "Written on the laptop", "Written in the office"})


# -- 3. a new SITEURL ----------------------------------------------------------------------


def test_a_new_siteurl_never_announces_the_archive_again(ws, webhook):
    since(ws, FEEDS={})  # post ids from SITEURL's host, as a library that never pinned them
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    moved = {**webhook_env(webhook), "SITEURL": "https://riverside-libraries.example"}
    ws.build(moved)
    run = ws.announce(moved)
    assert run.returncode == 0, run.output
    assert len(webhook.requests) == 3
    assert "sent" not in run.stdout.split("announce:")[-1]


# -- 4. a corrected date, a renamed file ---------------------------------------------------


def check(ws):
    return subprocess.run(
        [os.sys.executable, "-m", "checks", "--settings", str(ws.conf)],
        cwd=ws.tmp, env=clean_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_correcting_a_date_never_announces_again_and_check_says_so(ws, webhook):
    since(ws)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    edit(ws.content / "posts" / RHYME, "Date: 2026-02-01 09:00", "Date: 2026-02-02 09:00")
    ws.build()
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 0, run.output
    assert len(webhook.requests) == 3
    out = check(ws).stdout
    assert f"{RHYME}:2: warning: The Date: changed since the post was announced on webhook" in out
    assert f"Feed-ID: tag:{ws.authority},2026-02-01:2026-02-01-rhyme-time" in out


def test_renaming_a_file_that_keeps_its_address_never_announces_again(ws, webhook):
    since(ws)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    (ws.content / "posts" / RHYME).rename(ws.content / "posts" / "rhyme-time.md")
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert len(webhook.requests) == 3


# -- 5. old posts are not news; waiting is not failing --------------------------------------


def test_old_posts_are_never_news_and_waiting_is_not_failing(ws, webhook):
    now = datetime.now(UTC)
    # A site announcing since 2019: its posts from early 2026 are weeks old, not news.
    ws.write_settings({"ANNOUNCE_MAX_AGE": 14, "ANNOUNCE_SINCE": "2019-01-01"})
    ws.build()
    first = ws.announce(webhook_env(webhook))
    assert first.returncode == 0, first.output
    assert "4 post(s) dated more than 14 days ago are not news" in first.output
    assert webhook.requests == []
    # Then 200 posts from an old site are imported, and four new ones written.
    for n in range(200):
        date = f"2019-05-{n % 28 + 1:02} 10:00"
        write_post(ws, f"2019-old-{n:03}", f"From the old site {n}", date)
    fresh = [f"This week {n}" for n in range(4)]
    for n, title in enumerate(fresh):
        write_post(ws, f"fresh-{n}", title, now - timedelta(hours=30 - n))
    ws.build()
    second = ws.announce(webhook_env(webhook))
    assert second.returncode == 0, second.output
    assert titles(webhook) == fresh[:3]
    assert f"| {fresh[3]} | webhook | waiting | waiting: at most 3 per run" in second.output
    assert "not news" not in second.output  # said once, not on every run
    third = ws.announce(webhook_env(webhook))
    assert third.returncode == 0, third.output
    assert titles(webhook) == fresh


# -- 6. a lost, emptied or damaged ledger; channels added later -----------------------------


@pytest.mark.parametrize(
    "damage", ["deleted", "empty", "{}", "[]", "null", '{"version": 1}', "a torn middle"]
)
def test_a_lost_or_damaged_ledger_is_never_a_first_run(ws, webhook, damage):
    since(ws, ANNOUNCE_MAX_PER_RUN=2)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    if damage == "deleted":
        ws.ledger.unlink()
    elif damage == "empty":
        ws.ledger.write_text("")
    elif damage == "a torn middle":
        lines = ws.ledger.read_text().splitlines()
        lines[2] = lines[2][:20]
        ws.ledger.write_text("\n".join(lines) + "\n")
    else:
        ws.ledger.write_text(damage + "\n")
    ws.build()  # the site still builds and goes live
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 2, run.output
    assert "Fix:" in run.output and "Traceback" not in run.output
    assert "make announce-reconcile" in run.output
    assert len(webhook.requests) == 2


def test_a_ledger_deleted_from_a_fresh_checkout_is_found_in_git(ws, webhook):
    since(ws)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    git(ws.tmp, "init", "-q")
    git(ws.tmp, "add", "content")
    assert git(ws.tmp, "commit", "-qm", "site").returncode == 0
    shutil.rmtree(ws.state)  # another computer: no journal of its own
    ws.ledger.unlink()
    ws.build()
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 2 and "git shows it was committed" in run.output, run.output
    assert "git checkout" in run.output
    assert len(webhook.requests) == 3


def test_reconcile_rebuilds_a_lost_ledger_from_the_accounts(ws, webhook, mastodon):
    since(ws, ANNOUNCE_MAX_PER_RUN=2)
    ws.build()
    env = {**webhook_env(webhook), **mastodon_env(mastodon)}
    assert ws.announce(env).returncode == 0  # two of three sent on each
    shutil.rmtree(ws.state)  # a fresh checkout (the scheduled workflow): no journal
    ws.ledger.write_text("{}\n")
    ws.build()
    assert ws.announce(env).returncode == 2
    rebuilt = ws.announce(env, command="reconcile")
    assert rebuilt.returncode == 0, rebuilt.output
    assert rebuilt.stdout.count("| mastodon | sent | found on the account |") == 2
    assert "| webhook | skipped | cannot be searched" in rebuilt.output
    assert list((ws.state).glob("ledger-set-aside-*"))  # the damaged file is kept
    ws.build()
    run = ws.announce(env)
    assert run.returncode == 0, run.output
    texts = status_texts(mastodon)
    for slug in SLUGS:
        assert sum(f"/{slug}/" in t for t in texts) == 1, slug
    assert len(webhook.requests) == 2  # the webhook cannot be searched: nothing resent


def test_a_channel_added_later_starts_from_that_day_unless_told(ws, webhook, mastodon):
    since(ws)
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    both = {**webhook_env(webhook), **mastodon_env(mastodon)}
    ws.build()
    run = ws.announce(both)
    assert run.returncode == 0, run.output
    assert "mastodon starts now (the channel was added)" in run.output
    assert status_texts(mastodon) == []
    channels = {
        "webhook": {"type": "webhook"},
        "mastodon": {"type": "mastodon", "since": "2026-01-20"},
    }
    since(ws, ANNOUNCE_CHANNELS=channels)
    ws.build()
    assert ws.announce(both).returncode == 0
    assert len(status_texts(mastodon)) == 3 and len(webhook.requests) == 3


# -- 7. a stale plan -------------------------------------------------------------------------


def test_a_post_unpublished_after_the_build_is_never_sent(ws, webhook):
    since(ws)
    ws.build()
    rhyme = ws.content / "posts" / RHYME
    edit(rhyme, "Category:", "Status: draft\nCategory:")
    edit(ws.content / "posts" / "2026-03-05-custom-text.md", "Date: 2026-03-05", "Date: 2030-03-05")
    (ws.content / "posts" / "2026-02-15-training-day.md").unlink()
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 0, run.output
    assert webhook.requests == []
    assert "is now draft, not published" in run.output
    assert "is now scheduled for later, not published" in run.output
    assert "no longer exists" in run.output
    edit(rhyme, "Status: draft\n", "")
    ws.build()
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert titles(webhook) == ["Rhyme Time returns to Northfield"]


# -- 8. what can fail locally fails before the claim -----------------------------------------


def test_a_webhook_address_without_https_fails_before_any_claim(ws, webhook):
    since(ws)
    ws.build()
    bad = {"WEBHOOK_URL": webhook.url.removeprefix("http://") + "/hook"}
    run = ws.announce(bad)
    assert run.returncode == 1, run.output
    assert "WEBHOOK_URL is not a web address" in run.output and "Fix:" in run.output
    assert not ws.ledger.exists() or ws.states("webhook") == {}
    assert ws.announce(webhook_env(webhook)).returncode == 0
    assert titles(webhook) == ANNOUNCED


@pytest.mark.parametrize(
    "key, value, said",
    [
        ("WEBHOOK_PRESET", "discrod", "is not one of discord, slack, teams, json"),
        ("MASTODON_VISIBILITY", "everyone", "is not one of public, unlisted, private"),
        ("MASTODON_API_BASE_URL", "http://mastodon.social", "starts with http://"),
    ],
)
def test_settings_with_fixed_values_are_refused_before_connecting(
    ws, webhook, mastodon, key, value, said
):
    since(ws)
    ws.build()
    env = {**webhook_env(webhook), **mastodon_env(mastodon), key: value}
    proxy = Proxy(mastodon.url)
    if key != "MASTODON_API_BASE_URL":
        env["MASTODON_API_BASE_URL"] = proxy.url
    try:
        run = ws.announce(env)
    finally:
        proxy.close()
    assert run.returncode == 1, run.output
    assert f"{key}='{value}' {said}" in run.output or said in run.output
    channel = key.split("_")[0].lower()
    assert ws.states(channel) == {}
    if channel == "mastodon":
        assert proxy.paths == [] and status_texts(mastodon) == []
    else:
        assert webhook.requests == []


def test_an_unknown_announce_setting_is_an_error(ws, webhook):
    since(ws)
    ws.build()
    since(ws, ANNOUNCE_MAX_PER_RUNS=1)
    run = ws.announce(webhook_env(webhook))
    assert run.returncode == 2
    assert (
        "ANNOUNCE_MAX_PER_RUNS is not an announce setting. Fix: did you mean ANNOUNCE_MAX_PER_RUN?"
        in run.output
    )
    assert webhook.requests == []


@pytest.mark.parametrize("network", ["mastodon", "bluesky"])
def test_a_picture_a_network_cannot_take_fails_before_the_claim(ws, mastodon, pds, network):
    (ws.content / "images" / "logo.svg").write_text(SVG)
    rhyme = ws.content / "posts" / RHYME
    edit(rhyme, "Image: images/story-time.jpg", "Image: images/logo.svg")
    since(ws)
    ws.build()
    env = mastodon_env(mastodon) if network == "mastodon" else bluesky_env(pds)
    run = ws.announce(env)
    assert run.returncode == 1, run.output
    assert "the picture logo.svg is an SVG drawing" in run.output
    assert "Fix: save it as a JPEG or PNG" in run.output
    assert ws.states(network)["Rhyme Time returns to Northfield"] == "failed"
    rhyme_lines = [x for x in ws.ledger_lines() if x.get("title", "").startswith("Rhyme")]
    assert [x["state"] for x in rhyme_lines] == ["failed"]  # never claimed
    edit(rhyme, "Image: images/logo.svg", "Image: images/story-time.jpg")
    ws.build()
    assert ws.announce(env).returncode == 0
    texts = status_texts(mastodon) if network == "mastodon" else [p["text"] for p in pds.posts()]
    assert len(texts) == 3 and sum("Rhyme Time returns" in t for t in texts) == 1


# -- 9. email: no password in clear, 4xx is "later" ------------------------------------------


def email_env(smtp_server, **more):
    return {
        "EMAIL_SMTP_HOST": "127.0.0.1",
        "EMAIL_SMTP_PORT": str(smtp_server.port),
        "EMAIL_SMTP_USER": "library",
        "EMAIL_SMTP_PASSWORD": "smtp-secret-pass",
        "EMAIL_FROM": "news@riverside.example",
        "EMAIL_TO": "readers@lists.riverside.example",
        "SSL_CERT_FILE": smtp_server.cert,
        **more,
    }


@pytest.fixture
def lax_smtp(tmp_path):
    """A server that offers STARTTLS but also takes a login without it."""
    from servers import SmtpServer

    server = SmtpServer(tmp_path, require_tls=False)
    yield server
    server.close()


def test_an_email_security_typo_is_refused_before_connecting(ws, lax_smtp):
    since(ws)
    ws.build()
    run = ws.announce(email_env(lax_smtp, EMAIL_SMTP_SECURITY="tls"))
    assert run.returncode == 1, run.output
    assert "EMAIL_SMTP_SECURITY='tls' is not one of starttls, ssl, none" in run.output
    assert lax_smtp.connections == 0 and lax_smtp.logins == []
    assert ws.announce(email_env(lax_smtp, EMAIL_SMTP_SECURITY="starttls")).returncode == 0
    assert lax_smtp.logins and all(tls for _, tls in lax_smtp.logins)
    assert len(lax_smtp.messages) == 3


def test_email_never_sends_a_password_in_clear_to_another_computer(ws, lax_smtp):
    since(ws)
    ws.build()
    env = email_env(lax_smtp, EMAIL_SMTP_SECURITY="none", EMAIL_SMTP_HOST="mail.riverside.example")
    run = ws.announce(env)
    assert run.returncode == 1
    assert "would send the password to mail.riverside.example unencrypted" in run.output
    assert lax_smtp.connections == 0


def test_email_greylisting_is_pending_then_sent_once(ws, smtp_server):
    since(ws, ANNOUNCE_RETRIES=1)
    ws.build()
    smtp_server.rcpt_replies = ["450 4.2.0 Greylisted, please try again later"]
    first = ws.announce(email_env(smtp_server))
    assert first.returncode == 1, first.output
    assert "| pending | email: the mail server said try later (450" in first.output
    assert ws.states("email")["Rhyme Time returns to Northfield"] == "pending"
    assert smtp_server.messages == []
    second = ws.announce(email_env(smtp_server))
    assert second.returncode == 0, second.output
    assert len(smtp_server.messages) == 3


def test_email_refused_for_good_is_failed_not_unknown(ws, smtp_server):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    smtp_server.rcpt_replies = ["550 5.1.1 No such list"]
    run = ws.announce(email_env(smtp_server))
    assert "| failed | email: the mail server refused the address (550" in run.output
    assert ws.states("email")["Rhyme Time returns to Northfield"] == "failed"


# -- 10. Mastodon looks before sending again, back to the post's date ------------------------


def test_mastodon_looks_for_a_pending_post_before_sending_it_again(ws, mastodon):
    since(ws, ANNOUNCE_MAX_PER_RUN=1, ANNOUNCE_RETRIES=1, ANNOUNCE_TIMEOUT=2)
    ws.build()
    proxy = Proxy(mastodon.url)
    try:
        # The status is made, but its answer comes too late: the run records "pending".
        proxy.after = lambda path: path == "/api/v1/statuses" and threading.Event().wait(3)
        first = ws.announce(mastodon_env(mastodon, proxy.url))
        assert ws.states("mastodon")["Rhyme Time returns to Northfield"] == "pending", first.output
        # A day later Mastodon has forgotten the Idempotency-Key.
        proxy.after, proxy.drop_headers = None, {"idempotency-key"}
        second = ws.announce(mastodon_env(mastodon, proxy.url))
        assert "found, made by an earlier run" in second.output, second.output
    finally:
        proxy.close()
    assert sum("Rhyme Time returns" in t for t in status_texts(mastodon)) == 1


def test_mastodon_looks_back_to_the_post_date_not_the_last_40_statuses(ws, mastodon):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proxy = Proxy(mastodon.url)
    try:
        killed_while_sending(ws, mastodon_env(mastodon, proxy.url), proxy, "/api/v1/statuses")
        for n in range(50):  # the library goes on posting by hand
            mastodon.api("POST", "/api/v1/statuses", {"status": f"Opening hours today {n}"})
        proxy.after, proxy.drop_headers = None, {"idempotency-key"}
        run = ws.announce(mastodon_env(mastodon, proxy.url))
        assert "found, made by an earlier run" in run.output, run.output
    finally:
        proxy.close()
    assert sum("Rhyme Time returns" in t for t in status_texts(mastodon)) == 1


# -- 11. servers that speak Mastodon's API but are not Mastodon ------------------------------


GOTOSOCIAL_V1 = {"uri": "social.example", "title": "GoToSocial", "version": "0.17.3 git-6f14d28"}


@pytest.mark.parametrize("server", ["no instance endpoints", "another version string"])
def test_a_mastodon_compatible_server_still_gets_its_posts(ws, mastodon, server):
    since(ws)
    ws.build()
    proxy = Proxy(mastodon.url)

    def instance(method, path):
        if path.startswith("/api/v2/instance"):
            return 404, b'{"error": "Record not found"}'
        if path.startswith("/api/v1/instance"):
            if server == "no instance endpoints":
                return 404, b'{"error": "Record not found"}'
            return 200, json.dumps(GOTOSOCIAL_V1).encode()
        return None

    proxy.respond = instance
    try:
        run = ws.announce(mastodon_env(mastodon, proxy.url))
    finally:
        proxy.close()
    assert run.returncode == 0, run.output
    if server == "no instance endpoints":
        assert "the server does not describe its limits" in run.output
    assert len(status_texts(mastodon)) == 3


# -- 12. no announcement pings a whole channel ------------------------------------------------


def test_no_announcement_can_ping_a_whole_channel(ws, webhook):
    write_post(
        ws, "2026-03-07-everyone", "Everyone welcome <!channel> @everyone & @here",
        "2026-03-07 09:00 +00:00",
    )  # fmt: skip
    channels = {n: {"type": "webhook", "preset": n} for n in ("discord", "slack", "teams")}
    since(ws, ANNOUNCE_CHANNELS=channels)
    ws.build()
    env = {f"{n.upper()}_URL": f"{webhook.url}/{n}" for n in channels}
    assert ws.announce(env).returncode == 0  # 4 posts, 3 per run: one waits
    assert ws.announce(env).returncode == 0
    by_path = {}
    for r in webhook.requests:
        by_path.setdefault(r["path"].split("?")[0], []).append(r["json"])
    slack = next(j["text"] for j in by_path["/slack"] if "Everyone welcome" in j["text"])
    assert "&lt;!channel&gt;" in slack and "&amp;" in slack and "<!channel>" not in slack
    assert all(j["allowed_mentions"] == {"parse": []} for j in by_path["/discord"])
    teams = json.dumps(by_path["/teams"])
    assert "msteams" not in teams and "<at>" not in teams


# -- 13. brochures with their cover; an image uploaded once ----------------------------------


BROCHURE = """Title: Autumn at your library
Date: 2026-03-12 09:00 +00:00
Season: Autumn 2026
Summary: Talks, reading groups and children's events this autumn.
Cover: images/riverside-central.jpg
Cover-Alt: The front of Riverside Central Library, a brick building with tall windows.

## Talks

A talk about local history.
"""


def test_a_brochure_is_announced_with_its_cover_and_its_description(ws, webhook, mastodon):
    (ws.content / "brochures").mkdir()
    (ws.content / "brochures" / "autumn.md").write_text(BROCHURE)
    since(ws, PLUGINS=["feeds", "announce", "brochures"], ANNOUNCE_SINCE="2026-03-10")
    ws.build()
    run = ws.announce({**webhook_env(webhook), **mastodon_env(mastodon)})
    assert run.returncode == 0, run.output
    [sent] = [r["json"] for r in webhook.requests]
    assert sent["title"] == "Autumn at your library"
    assert sent["image"].endswith("/images/riverside-central.jpg")
    assert sent["image_alt"].startswith("The front of Riverside Central Library")
    me = mastodon.api("GET", "/api/v1/accounts/verify_credentials")
    [status] = mastodon.api("GET", f"/api/v1/accounts/{me['id']}/statuses")
    assert status["media_attachments"][0]["description"].startswith("The front of Riverside")


def test_mastodon_uploads_a_picture_once_however_often_the_post_is_tried(ws, mastodon):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proxy = Proxy(mastodon.url)
    mastodon.fault(r"^/api/v1/statuses$", {"type": "status", "status": 422}, count=1)
    try:
        first = ws.announce(mastodon_env(mastodon, proxy.url))
        assert ws.states("mastodon")["Rhyme Time returns to Northfield"] == "failed", first.output
        second = ws.announce(mastodon_env(mastodon, proxy.url))
        assert second.returncode == 0, second.output
    finally:
        proxy.close()
    uploads = [p for p in proxy.paths if p.startswith("POST /api/v2/media")]
    assert len(uploads) == 1, proxy.paths
    me = mastodon.api("GET", "/api/v1/accounts/verify_credentials")
    [status] = mastodon.api("GET", f"/api/v1/accounts/{me['id']}/statuses")
    assert status["media_attachments"][0]["description"].startswith("A librarian reads")


def test_bluesky_uploads_a_thumbnail_once_however_often_the_post_is_tried(ws, pds):
    since(ws, ANNOUNCE_MAX_PER_RUN=1, ANNOUNCE_RETRIES=1)
    ws.build()
    proxy = Proxy(pds.url)
    refusals = [True]

    def refuse_once(method, path):
        if "createRecord" in path and refusals:
            refusals.pop()
            return 502, b'{"error": "UpstreamFailure"}'
        return None

    proxy.respond = refuse_once
    try:
        first = ws.announce(bluesky_env(pds, proxy.url))
        assert ws.states("bluesky")["Rhyme Time returns to Northfield"] == "pending", first.output
        second = ws.announce(bluesky_env(pds, proxy.url))
        assert second.returncode == 0, second.output
    finally:
        proxy.close()
    assert len([p for p in proxy.paths if "uploadBlob" in p]) == 1, proxy.paths
    [post] = [p for p in pds.posts() if p["text"].startswith("Rhyme Time")]
    assert post["embed"]["external"]["thumb"]["mimeType"] == "image/jpeg"


# -- after an interruption: retry by hand -----------------------------------------------------


def test_a_webhook_post_cut_short_is_unknown_until_staff_retry_it(ws, webhook):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    proc = ws.announce(webhook_env(webhook), wait=False)
    webhook.on_request = lambda _handler: os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=120)
    webhook.on_request = None
    webhook.requests.clear()  # it never arrived, say
    run = ws.announce(webhook_env(webhook))
    assert "| unknown | interrupted while sending" in run.output, run.output
    retry = ws.announce(
        webhook_env(webhook), command="retry", extra=["--post", f"content/posts/{RHYME}"]
    )
    assert retry.returncode == 0, retry.output
    assert "will be announced again on webhook" in retry.output
    ws.announce(webhook_env(webhook))
    assert titles(webhook).count("Rhyme Time returns to Northfield") == 1
    again = ws.announce(
        webhook_env(webhook), command="retry", extra=["--post", f"content/posts/{RHYME}"]
    )
    assert "webhook: not changed: it was sent" in again.output
