"""Announcing on X: `python -m announce` with tweepy against the X API v2 contract server
(tests/contracts/x_api.py), through every fault, each ending with exactly one post."""

import sys
import time

import pytest
import requests
from announce_fixtures import x_env
from announce_helpers import ROOT, SITEURL, killed_at, since
from contracts.x_api import weighted_length
from requests_oauthlib import OAuth1

sys.path.insert(0, str(ROOT / "plugins"))

RHYME = "Rhyme Time returns to Northfield"
RHYME_URL = f"{SITEURL}/news/2026/rhyme-time-returns-to-northfield/"


def posts_linking(x, url):
    return [p for p in x.published() if p["link"] == url]


def calls(x, method, path):
    return sum(1 for m, p, _ in x.requests if m == method and p == path)


def test_x_posts_with_alt_text_within_the_weighted_limit(ws, x):
    since(ws)
    ws.build()
    run = ws.announce(x_env(x))
    assert run.returncode == 0, run.output
    published = x.published()
    assert len(published) == 3 and x.crashes == []
    [rhyme] = posts_linking(x, RHYME_URL)
    assert rhyme["alt"].startswith("A librarian reads a picture book")
    assert "https://t.co/" in rhyme["text"] and RHYME_URL not in rhyme["text"]
    training = next(p for p in published if "staff training" in p["sent_text"])
    assert training["image"] == ""  # no Image-Alt: no picture
    assert "image is left out because it has no Image-Alt" in run.output
    assert all(weighted_length(p["sent_text"]) <= 280 for p in published)
    ledger = ws.read_ledger()
    rhyme_id = next(i for i in ledger.posts() if ledger.details(i)["title"] == RHYME)
    line = ledger.status([rhyme_id], "x").line
    assert line["remote_id"] == rhyme["id"]
    assert line["remote_url"] == f"https://x.com/{x.username}/status/{rhyme['id']}"


def test_x_cjk_post_is_cut_to_280_weighted_not_280_letters(ws, x):
    (ws.content / "posts" / "2026-03-06-cjk.md").write_text(
        "Title: " + "図書館の夏の読書チャレンジ" * 12 + "\nSlug: cjk\n"
        "Date: 2026-03-06 09:00 +00:00\n"
        "Category: News\nSummary: " + "子どもたちは夏休みに本を六冊読みます。" * 10 + "\n\nText.\n"
    )
    since(ws, ANNOUNCE_MAX_PER_RUN=5)
    ws.build()
    run = ws.announce(x_env(x))
    assert run.returncode == 0, run.output
    cjk = next(p for p in x.published() if p["sent_text"].startswith("図書館"))
    assert 250 < weighted_length(cjk["sent_text"]) <= 280  # the server counted it too
    title = cjk["sent_text"].split("\n")[0]
    assert 100 < len(title) < 140 and title.endswith("…")  # two each: half of 280 letters
    assert cjk["sent_text"].endswith("/2026/cjk/")


# -- faults -----------------------------------------------------------------------------


def test_x_server_down_then_up(ws, x):
    since(ws)
    ws.build()
    x.pause()
    try:
        down = ws.announce(x_env(x))
    finally:
        x.resume()
    assert down.returncode == 1
    assert "pending" in down.output and "could not reach X" in down.output
    up = ws.announce(x_env(x))
    assert up.returncode == 0, up.output
    assert len(x.published()) == 3


def test_x_500_is_retried_then_left_pending(ws, x):
    since(ws, ANNOUNCE_RETRIES=2)
    ws.build()
    x.fault(r"^/2/tweets$", {"status": 500}, count=2, method="POST")
    first = ws.announce(x_env(x))
    assert first.returncode == 1 and "server error (500)" in first.output
    assert x.published() == [] and calls(x, "POST", "/2/tweets") == 2
    assert ws.states("x")[RHYME] == "pending"
    second = ws.announce(x_env(x))
    assert second.returncode == 0, second.output
    assert len(x.published()) == 3 and len(posts_linking(x, RHYME_URL)) == 1
    assert calls(x, "POST", "/2/media/upload") == 1  # the image was uploaded once, and kept


def test_x_429_waits_until_the_reset_it_names(ws, x):
    since(ws)
    ws.build()
    reset = str(int(time.time()) + 3)
    x.fault(
        r"^/2/tweets$",
        {"status": 429, "headers": {"x-rate-limit-reset": reset}},
        count=1,
        method="POST",
    )
    started = time.monotonic()
    run = ws.announce(x_env(x))
    assert run.returncode == 0, run.output
    assert time.monotonic() - started >= 1.5
    assert len(x.published()) == 3


def test_x_429_with_a_far_reset_waits_for_the_next_run(ws, x):
    since(ws)
    ws.build()
    reset = str(int(time.time()) + 900)
    x.fault(
        r"^/2/tweets$",
        {"status": 429, "headers": {"x-rate-limit-reset": reset}},
        count=1,
        method="POST",
    )
    first = ws.announce(x_env(x))
    assert first.returncode == 1 and "rate limited (429)" in first.output
    assert x.published() == []
    assert ws.announce(x_env(x)).returncode == 0
    assert len(x.published()) == 3


def test_x_expired_token_fails_with_the_fix_and_is_not_retried(ws, x):
    since(ws)
    ws.build()
    x.expire_token()
    run = ws.announce(x_env(x))
    assert run.returncode == 1
    assert run.stdout.count("| x | failed |") == 3
    assert "regenerate the Access Token and Secret" in run.output
    assert calls(x, "GET", "/2/users/me") == 1 and x.published() == []


def test_x_token_refused_while_posting_fails_each_post_once(ws, x):
    since(ws)
    ws.build()
    x.fault(r"^/2/tweets$", {"status": 401}, method="POST")
    run = ws.announce(x_env(x))
    assert run.returncode == 1 and "| x | failed | x: X refused the keys (401)" in run.output
    assert run.output.count("not tried: the channel is failing") == 2  # same keys: same answer
    assert calls(x, "POST", "/2/tweets") == 1  # never retried
    assert set(ws.states("x").values()) == {"pending"}  # nothing went out
    x.clear_faults()  # the keys are fixed: the next run sends, no retry command needed
    assert ws.announce(x_env(x)).returncode == 0
    assert len(x.published()) == 3


def test_x_read_only_app_fails_with_the_fix(ws, x):
    since(ws)
    ws.build()
    x.remove_permission("write")
    run = ws.announce(x_env(x))
    assert run.returncode == 1
    assert "cannot post (403" in run.output and "Read and write" in run.output
    assert set(ws.states("x").values()) == {"pending"} and x.published() == []


def test_x_no_plan_or_no_credits_says_so(ws, x):
    since(ws)
    ws.build()
    x.spend_credits()
    run = ws.announce(x_env(x))
    assert run.returncode == 1 and "paid or pay-per-use plan" in run.output
    assert "402" in run.output and x.published() == []


def test_x_killed_between_send_and_record_is_found_next_run(ws, x):
    since(ws, ANNOUNCE_MAX_PER_RUN=1)
    ws.build()
    killed_at(ws, x_env(x), x, "POST", r"^/2/tweets$")
    assert len(x.published()) == 1 and ws.states("x")[RHYME] == "claimed"
    run = ws.announce(x_env(x))
    assert "found, made by an earlier run" in run.output
    assert ws.states("x")[RHYME] == "sent"
    assert len(posts_linking(x, RHYME_URL)) == 1


@pytest.mark.parametrize("effect", [{"delay": 3}, {"drop": "after"}], ids=["timeout", "dropped"])
def test_x_answer_lost_after_the_post_was_made_is_found(ws, x, effect):
    since(ws, ANNOUNCE_TIMEOUT=1)
    ws.build()
    x.fault(r"^/2/tweets$", effect, count=1, method="POST")
    run = ws.announce(x_env(x))
    assert run.returncode == 0, run.output
    assert len(x.published()) == 3 and len(posts_linking(x, RHYME_URL)) == 1
    assert calls(x, "POST", "/2/tweets") == 3  # the lost one was looked for, not resent
    assert ws.states("x")[RHYME] == "sent"


def test_x_secrets_never_reach_output_ledger_or_logs(ws, x):
    since(ws, ANNOUNCE_RETRIES=1)
    env = x_env(x)
    site = ws.build(env)
    x.fault(r"^/2/tweets$", {"status": 500}, count=1, method="POST")
    runs = [ws.announce(env), ws.announce(env, command="preview"), ws.announce(env)]
    x.expire_token()
    runs.append(ws.announce(env, command="preview"))  # connects, and is refused
    texts = [site.log, *(r.output for r in runs)]
    for path in [*site.output.rglob("*"), ws.ledger, *ws.state.rglob("*")]:
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    assert any("server error (500)" in t for t in texts) and any("401" in t for t in texts)
    for secret in (x.consumer_key, x.consumer_secret, x.token, x.token_secret):
        for text in texts:
            assert secret not in text


# -- the channel itself: check, duplicates, alt text -----------------------------------


def channel(x, environ=None):
    from announce.channels.x import XChannel
    from announce.config import DEFAULTS, read_config

    environ = environ or x_env(x)
    config = read_config(DEFAULTS, environ=environ)
    found = XChannel(next(c for c in config.channels if c.name == "x"), config, environ)
    found.validate()
    return found


def a_post(**more):
    from announce.post import Post

    values = dict(
        id="tag:t,2026-02-01:a",
        source="content/posts/a.md",
        url=RHYME_URL,
        title=RHYME,
        summary="Songs and rhymes.",
        date="2026-02-01T09:00:00+00:00",
        lang="en",
    )
    return Post(**{**values, **more})


def test_x_check_names_the_account_and_what_is_missing(x):
    account = channel(x).check()
    assert account.who == "@RiversideLibs" and account.missing == []
    assert any("pay-per-use" in fact for fact in account.facts)
    x.remove_permission("write")
    [missing] = channel(x).check().missing
    assert "can only read" in missing and "Read and write" in missing


def test_x_check_says_plainly_an_app_needs_a_plan(x):
    from announce.errors import AnnounceError

    x.unenrol()
    with pytest.raises(AnnounceError, match="paid or pay-per-use plan"):
        channel(x).check()
    x.reset()
    x.expire_token()
    with pytest.raises(AnnounceError, match="regenerate the Access Token"):
        channel(x).check()


def test_x_duplicate_refusal_is_the_post_already_made(x):
    from announce.channels.base import Media

    made = x.add_post(f"{RHYME}\n\n{RHYME_URL}")
    ch = channel(x)
    post = a_post(summary="")
    message = ch.compose(post)
    ch.prepare(message, post)
    receipt = ch.send(message, post, Media())
    assert receipt.remote_id == made["id"] and len(x.published()) == 1


def test_x_long_alt_text_is_not_sendable_with_a_fix(tmp_path, x):
    from announce.errors import NotSendable
    from announce_helpers import picture

    picture(tmp_path / "a.jpg")
    post = a_post(image_path=str(tmp_path / "a.jpg"), image_alt="word " * 201)
    ch = channel(x)
    with pytest.raises(NotSendable, match="at most 1000. Fix: shorten the Image-Alt"):
        ch.prepare(ch.compose(post), post)


def test_x_address_must_be_https(x):
    from announce.errors import NotConfigured

    with pytest.raises(NotConfigured, match="X_API_URL starts with http://"):
        channel(x, x_env(x, "http://api.x.example"))


# -- the contract server keeps X's rules --------------------------------------------------


def test_contract_checks_the_oauth_signature_over_the_address_used(x):
    auth = OAuth1(x.consumer_key, x.consumer_secret, x.token, x.token_secret)
    assert requests.get(x.url + "/2/users/me", auth=auth, timeout=5).status_code == 200
    # Signed for api.twitter.com, then sent elsewhere (an adapter rewriting the host):
    prepared = requests.Request("GET", "https://api.twitter.com/2/users/me", auth=auth).prepare()
    prepared.url = x.url + "/2/users/me"
    assert requests.Session().send(prepared, timeout=5).status_code == 401
    wrong = OAuth1(x.consumer_key, "another-secret", x.token, x.token_secret)
    answer = requests.get(x.url + "/2/users/me", auth=wrong, timeout=5)
    assert answer.status_code == 401 and answer.json()["title"] == "Unauthorized"
    assert int(answer.headers.get("x-rate-limit-limit", 0)) == 0  # refused before counting


def test_contract_refuses_281_weighted_characters_and_counts_cjk_double(x):
    auth = OAuth1(x.consumer_key, x.consumer_secret, x.token, x.token_secret)

    def post(text):
        return requests.post(
            x.url + "/2/tweets",
            json={"text": text},
            auth=auth,
            timeout=5,
        )

    assert post("a" * 281).status_code == 400
    assert post("字" * 141).json()["errors"][0]["message"] == "Your Tweet text is too long."
    made = post("字" * 140)
    assert made.status_code == 201 and made.headers["x-rate-limit-limit"] == "100"
    again = post("字" * 140)
    assert again.status_code == 403 and "duplicate content" in again.json()["detail"]
