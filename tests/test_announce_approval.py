"""Approval before anything goes out (issue 17): with ANNOUNCE_APPROVERS set, a message
is sent only when an approver's committed approval holds its exact hash. The site is a
real git repository in a temporary folder; the webhook and Mastodon servers are real
servers on 127.0.0.1."""

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest
from announce_fixtures import mastodon_env, webhook_env
from announce_helpers import since
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))

from announce.approvals import (  # noqa: E402
    Approvals,
    Commit,
    Line,
    decide,
    message_hash,
    parse_blame,
)
from announce.channels import TYPES  # noqa: E402
from announce.config import DEFAULTS, SettingsError, read_config  # noqa: E402
from announce.post import Post  # noqa: E402

RHYME = "2026-02-01-rhyme-time.md"
RHYME_TITLE = "Rhyme Time returns to Northfield"
APPROVER = ("Casey Comms", "comms@council.example")
STAFF = ("Sam Staff", "staff@riverside.example")
APPROVAL_FILE = f"content/approvals/posts/{RHYME}.jsonl"


# -- the site as a git repository ------------------------------------------------------------


def git_env(ws):
    """git that reads no one's own config: a home of the test's, no system file."""
    home = ws.tmp.parent / f"{ws.tmp.name}-home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(ws, *args, check=True):
    proc = subprocess.run(
        ["git", *args],
        cwd=ws.tmp,
        env={**os.environ, **git_env(ws)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert not check or proc.returncode == 0, proc.stderr
    return proc


def as_person(ws, person):
    git(ws, "config", "user.name", person[0])
    git(ws, "config", "user.email", person[1])


def repository(ws):
    """The workspace as the library's site repository, its content committed by staff."""
    git(ws, "init", "-q", "-b", "main")
    (ws.tmp / ".gitignore").write_text("state/\nbuild/\n")
    (ws.tmp / ".gitattributes").write_text("content/approvals/**/*.jsonl merge=union\n")
    as_person(ws, STAFF)
    git(ws, "add", ".")
    git(ws, "commit", "-q", "-m", "The site")


def site(ws, **settings):
    since(ws, ANNOUNCE_APPROVERS=[APPROVER[1]], **settings)
    repository(ws)
    ws.build()


def env(ws, webhook, mastodon):
    return {**webhook_env(webhook), **mastodon_env(mastodon), **git_env(ws)}


def approve(ws, environment, *more, post=RHYME):
    proc = ws.announce(
        environment, command="approve", extra=["--post", f"content/posts/{post}", "--yes", *more]
    )
    return proc


def titles(webhook):
    return [r["json"]["title"] for r in webhook.requests]


def sent_on_mastodon(mastodon):
    return [s["content"] for s in mastodon.statuses()]


def rows(output, status):
    return [line for line in output.splitlines() if f"| {status} |" in line]


# -- sending ------------------------------------------------------------------------------


def test_an_unapproved_post_is_never_sent_and_waits_with_the_command(ws, webhook, mastodon):
    site(ws)
    run = ws.announce(env(ws, webhook, mastodon))
    assert run.returncode == 0, run.output
    assert webhook.requests == []
    assert sent_on_mastodon(mastodon) == []
    waiting = rows(run.output, "awaiting approval")
    assert len(waiting) == 6, run.output  # three posts, two channels
    assert any(
        "no approval yet" in row
        and f"make approve POST=content/posts/{RHYME} CHANNEL=webhook" in row
        for row in waiting
    ), run.output
    assert ws.states("webhook") == {} and ws.states("mastodon") == {}  # nothing recorded
    preview = ws.announce(env(ws, webhook, mastodon), command="preview")
    assert "awaiting approval (no approval yet" in preview.output, preview.output


def review_page(ws, environment):
    run = ws.announce(environment, command="review")
    assert run.returncode == 0, run.output
    return (ws.state / "review.html").read_text()


def test_an_approvers_approval_sends_the_post_once(ws, webhook, mastodon):
    site(ws)
    as_person(ws, APPROVER)
    before = review_page(ws, env(ws, webhook, mastodon))
    assert f"make approve POST=content/posts/{RHYME} CHANNEL=webhook" in before
    done = approve(ws, env(ws, webhook, mastodon))
    assert done.returncode == 0, done.output
    after = review_page(ws, env(ws, webhook, mastodon))  # the page reads the same approvals
    assert f"make approve POST=content/posts/{RHYME} CHANNEL=webhook" not in after
    assert "make approve POST=content/posts/2026-02-15-training-day.md" in after
    assert "Approve these" not in done.output  # --yes answers it
    # Every channel that announces the post, set up in .env or not: one line each.
    every = "mastodon, bluesky, webhook, email, facebook, instagram, threads, x"
    assert f"Approved 8 message(s) ({every})" in done.output, done.output
    assert f"{RHYME_TITLE}" in done.output and "text, " in done.output  # the exact messages
    log = git(ws, "log", "-1", "--format=%ae %s", "--", APPROVAL_FILE).stdout.strip()
    assert log == f"{APPROVER[1]} Approve announcement of {RHYME_TITLE}"
    assert git(ws, "status", "--porcelain").stdout == ""  # just that file, committed
    lines = [json.loads(x) for x in (ws.tmp / APPROVAL_FILE).read_text().splitlines()]
    assert [x["channel"] for x in lines] == every.split(", ")
    assert all(x["approver"] == "Casey Comms <comms@council.example>" for x in lines)
    assert all(x["post"] == f"posts/{RHYME}" and len(x["hash"]) == 64 for x in lines)

    for _ in range(2):
        run = ws.announce(env(ws, webhook, mastodon))
        assert run.returncode == 0, run.output
    assert titles(webhook) == [RHYME_TITLE]
    [status] = sent_on_mastodon(mastodon)
    assert RHYME_TITLE in status
    assert len(rows(run.output, "awaiting approval")) == 4, run.output  # the other two posts
    again = approve(ws, env(ws, webhook, mastodon))
    assert "not needed: the post is sent there" in again.output, again.output


def test_an_approval_committed_by_someone_else_is_refused(ws, webhook, mastodon):
    site(ws)
    done = approve(ws, env(ws, webhook, mastodon))  # by staff, who is not an approver
    assert done.returncode == 0, done.output
    assert "is not in ANNOUNCE_APPROVERS, so this approval will not count" in done.output
    run = ws.announce(env(ws, webhook, mastodon))
    assert run.returncode == 0, run.output
    assert webhook.requests == [] and sent_on_mastodon(mastodon) == []
    refused = [r for r in rows(run.output, "awaiting approval") if RHYME_TITLE in r]
    assert len(refused) == 2
    for row in refused:
        assert f"{APPROVAL_FILE}:" in row, row
        assert "by author staff@riverside.example and committer staff@riverside.example" in row
        assert "not in ANNOUNCE_APPROVERS, so it does not count" in row


def test_an_approval_with_an_approvers_name_but_committed_by_someone_else_is_refused(
    ws, webhook, mastodon
):
    site(ws)
    as_person(ws, APPROVER)
    approve(ws, env(ws, webhook, mastodon))
    # Staff rewrite the commit as their own: the committer is who it really was.
    as_person(ws, STAFF)
    git(ws, "commit", "-q", "--amend", "--no-edit")
    run = ws.announce(env(ws, webhook, mastodon))
    assert webhook.requests == [], run.output
    assert "by committer staff@riverside.example, not in ANNOUNCE_APPROVERS" in run.output


def test_an_edit_after_approval_voids_it_until_approved_again(ws, webhook, mastodon):
    site(ws)
    as_person(ws, APPROVER)
    approve(ws, env(ws, webhook, mastodon))
    post = ws.content / "posts" / RHYME
    post.write_text(post.read_text().replace("every Friday", "every Saturday"))
    as_person(ws, STAFF)
    git(ws, "commit", "-q", "-am", "Saturdays now")
    ws.build()
    run = ws.announce(env(ws, webhook, mastodon))
    assert run.returncode == 0, run.output
    assert webhook.requests == [] and sent_on_mastodon(mastodon) == []
    changed = [r for r in rows(run.output, "awaiting approval") if RHYME_TITLE in r]
    assert len(changed) == 2 and all(
        "the message changed since Casey Comms <comms" in r for r in changed
    )

    # A new title changes it too; the approver sees the new text and approves that.
    post.write_text(post.read_text().replace(RHYME_TITLE, "Rhyme Time is back"))
    git(ws, "commit", "-q", "-am", "A shorter title")
    ws.build()
    as_person(ws, APPROVER)
    done = approve(ws, env(ws, webhook, mastodon))
    assert "every Saturday" in done.output, done.output
    run = ws.announce(env(ws, webhook, mastodon))
    assert titles(webhook) == ["Rhyme Time is back"], run.output
    [status] = sent_on_mastodon(mastodon)
    assert "every Saturday" in status


def test_an_approval_not_committed_does_not_count(ws, webhook, mastodon):
    site(ws)
    as_person(ws, APPROVER)
    approve(ws, env(ws, webhook, mastodon), "--channel", "webhook")
    approve(ws, env(ws, webhook, mastodon), "--channel", "mastodon")
    git(ws, "reset", "-q", "--soft", "HEAD~1")  # the mastodon line: staged, not committed
    run = ws.announce(env(ws, webhook, mastodon))
    assert titles(webhook) == [RHYME_TITLE], run.output
    assert sent_on_mastodon(mastodon) == []
    [row] = [r for r in rows(run.output, "awaiting approval") if RHYME_TITLE in r]
    assert (
        "| mastodon |" in row
        and "approved by Casey Comms <comms@council.example> but not committed" in row
    ), row

    git(ws, "reset", "-q", "HEAD~1")  # nothing committed at all: the file is untracked
    assert "??" in git(ws, "status", "--porcelain").stdout
    preview = ws.announce(env(ws, webhook, mastodon), command="preview")
    assert preview.output.count("but not committed") >= 1, preview.output

    git(ws, "add", "content/approvals")
    git(ws, "commit", "-q", "-m", "Approvals")
    ws.announce(env(ws, webhook, mastodon))
    assert titles(webhook) == [RHYME_TITLE]
    assert len(sent_on_mastodon(mastodon)) == 1


def test_approving_one_channel_approves_only_that_channel(ws, webhook, mastodon):
    site(ws)
    as_person(ws, APPROVER)
    done = approve(ws, env(ws, webhook, mastodon), "--channel", "webhook")
    assert "Approved 1 message(s) (webhook)" in done.output, done.output
    run = ws.announce(env(ws, webhook, mastodon))
    assert titles(webhook) == [RHYME_TITLE], run.output
    assert sent_on_mastodon(mastodon) == []
    [row] = [r for r in rows(run.output, "awaiting approval") if RHYME_TITLE in r]
    assert "| mastodon |" in row and "CHANNEL=mastodon" in row


def test_a_signed_approval_is_required_when_asked_and_an_ssh_signed_one_counts(
    ws, webhook, mastodon
):
    site(ws, ANNOUNCE_APPROVAL_SIGNED=True)
    as_person(ws, APPROVER)
    approve(ws, env(ws, webhook, mastodon))
    run = ws.announce(env(ws, webhook, mastodon))
    assert webhook.requests == [] and sent_on_mastodon(mastodon) == [], run.output
    unsigned = [r for r in rows(run.output, "awaiting approval") if RHYME_TITLE in r]
    assert len(unsigned) == 2 and all("is not signed by a key git trusts" in r for r in unsigned)

    keys = {who: ws.tmp.parent / f"{who.split('@')[0]}-key" for who in (APPROVER[1], STAFF[1])}
    for who, key in keys.items():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", str(key)],
            check=True,
            timeout=60,
        )
    signers = ws.tmp.parent / "allowed_signers"
    signers.write_text(
        "".join(f"{who} {key.with_suffix('.pub').read_text()}" for who, key in keys.items())
    )
    git(ws, "config", "gpg.format", "ssh")
    git(ws, "config", "gpg.ssh.allowedSignersFile", str(signers))
    git(ws, "config", "commit.gpgsign", "true")
    # Staff's own key under the approver's name: signed, but not by an approver.
    git(ws, "config", "user.signingkey", str(keys[STAFF[1]]))
    approve(ws, env(ws, webhook, mastodon))
    run = ws.announce(env(ws, webhook, mastodon))
    assert webhook.requests == [], run.output
    assert f"is signed by {STAFF[1]}, not in ANNOUNCE_APPROVERS" in run.output

    git(ws, "config", "user.signingkey", str(keys[APPROVER[1]]))
    done = approve(ws, env(ws, webhook, mastodon))
    assert done.returncode == 0, done.output
    assert git(ws, "verify-commit", "HEAD").returncode == 0
    run = ws.announce(env(ws, webhook, mastodon))
    assert titles(webhook) == [RHYME_TITLE], run.output
    assert len(sent_on_mastodon(mastodon)) == 1


def test_a_site_not_in_git_waits_and_says_approvals_need_git(ws, webhook, mastodon):
    since(ws, ANNOUNCE_APPROVERS=[APPROVER[1]])
    ws.build()
    run = ws.announce(env(ws, webhook, mastodon))
    assert run.returncode == 0, run.output
    assert webhook.requests == []
    assert "approvals need git" in run.output and "is not in a git repository" in run.output
    done = approve(ws, env(ws, webhook, mastodon))
    assert done.returncode == 2 and "approvals need git" in done.output, done.output
    assert not (ws.tmp / APPROVAL_FILE).exists()


def test_approve_says_what_to_do_when_it_cannot(ws, webhook, mastodon):
    site(ws)
    git(ws, "config", "--unset", "user.email")
    anonymous = approve(ws, env(ws, webhook, mastodon))
    assert anonymous.returncode == 2
    assert "git does not know who you are" in anonymous.output, anonymous.output
    as_person(ws, APPROVER)
    missing = approve(ws, env(ws, webhook, mastodon), post="2026-03-01-not-for-social.md")
    assert missing.returncode == 2
    assert "is not in the announcement plan" in missing.output
    assert "make build-publish" in missing.output
    wrong = approve(ws, env(ws, webhook, mastodon), "--channel", "fax")
    assert wrong.returncode == 2 and "there is no channel 'fax'" in wrong.output
    asked = ws.announce(
        env(ws, webhook, mastodon), command="approve", extra=["--post", f"content/posts/{RHYME}"]
    )  # no --yes, and no one answers
    assert "Approve these 8 messages? [y/N]" in asked.output, asked.output
    assert "Not approved: nothing was written." in asked.output
    assert not (ws.tmp / APPROVAL_FILE).exists()
    # On the approver's computer the plan comes from the publishing build alone.
    (ws.state / "plan.json").unlink()
    unplanned = approve(ws, env(ws, webhook, mastodon))
    assert unplanned.returncode == 2
    assert f"{ws.state / 'plan.json'}: there is no announcement plan yet. " in unplanned.output
    assert "Fix: run `make build-publish`, which builds the site for publishing" in unplanned.output


# -- the pure parts ------------------------------------------------------------------------


CONFIG = read_config(DEFAULTS, environ={})


def channel(kind, **options):
    (config,) = [c for c in CONFIG.channels if c.type == kind]
    return TYPES[kind](replace(config, options=options), CONFIG, {})


def a_post(tmp_path, **changes):
    image = tmp_path / "story-time.jpg"
    if not image.exists():
        image.write_bytes(b"a picture")
    return Post(
        **{
            "id": "tag:riverside,2026:rhyme",
            "source": "content/posts/rhyme.md",
            "file": "posts/rhyme.md",
            "url": "https://www.riverside-libraries.example/news/2026/rhyme/",
            "title": "Rhyme Time",
            "summary": "Songs and rhymes.",
            "date": "2026-02-01T09:00:00+00:00",
            "lang": "en",
            "image_path": str(image),
            "image_alt": "A librarian reads to children.",
            "public_image_url": "https://www.riverside-libraries.example/images/a.jpg",
            **changes,
        }
    )


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_every_change_to_what_goes_out_changes_the_hash(tmp_path, kind):
    post = a_post(tmp_path)
    network = channel(kind, **({"post_as": "photo"} if kind == "facebook" else {}))
    first = message_hash(network.compose(post))
    assert message_hash(network.compose(post)) == first  # the same message, the same hash
    for change in (
        {"title": "Rhyme Time returns"},
        {"summary": "Songs, rhymes and stories."},
        {"image_alt": "Children sing with a librarian."},
        {"url": "https://www.riverside-libraries.example/news/2026/rhyme-time/"},
    ):
        assert message_hash(network.compose(replace(post, **change))) != first, change
    # The same picture file with other bytes (a new photo under the old name).
    (tmp_path / "story-time.jpg").write_bytes(b"another picture")
    assert message_hash(network.compose(post)) != first


def test_facebook_photo_and_link_posts_and_metas_picture_address_differ(tmp_path):
    post = a_post(tmp_path)
    link = message_hash(channel("facebook").compose(post))
    photo = message_hash(channel("facebook", post_as="photo").compose(post))
    assert link != photo
    # A link post sends no picture (Facebook shows the page's own): its alt text is not sent.
    other_alt = replace(post, image_alt="Children sing with a librarian.")
    assert message_hash(channel("facebook").compose(other_alt)) == link
    moved = replace(post, public_image_url="https://www.riverside-libraries.example/images/b.jpg")
    assert message_hash(channel("facebook", post_as="photo").compose(moved)) != photo
    instagram = channel("instagram")
    assert message_hash(instagram.compose(moved)) != message_hash(instagram.compose(post))


def test_the_verdict_reads_each_approval_line_as_git_saw_it(tmp_path):
    post = a_post(tmp_path)
    digest = "a" * 64
    line = Line(1, {"post": "posts/rhyme.md", "channel": "webhook", "hash": digest,
                    "approver": "Casey Comms <comms@council.example>"})  # fmt: skip
    by = Commit("b" * 40, "Comms@Council.example", "comms@council.example")
    args = dict(lines=[line], bad=[], post=post, channel="webhook", digest=digest,
                approvers=["comms@council.example"], signed=False, signatures={},
                where="content/approvals/posts/rhyme.md.jsonl")  # fmt: skip
    assert decide(commits={1: by}, **args).approved  # emails compare without case
    merged = Commit("b" * 40, "comms@council.example", "noreply@github.com")
    assert decide(commits={1: merged}, **args).approved  # rebased by github.com's merge
    forged = Commit("b" * 40, "staff@riverside.example", "noreply@github.com")
    assert "author staff@riverside.example" in decide(commits={1: forged}, **args).reason
    assert not decide(commits={}, **args).approved
    other = decide(**{**args, "channel": "mastodon"}, commits={1: by})
    assert other.reason == "no approval yet"
    reminder = decide(**{**args, "post": replace(post, kind="reminder")}, commits={1: by})
    assert not reminder.approved  # the post's approval is not its reminder's
    changed = decide(**{**args, "digest": "c" * 64}, commits={1: by})
    assert (
        "the message changed since Casey Comms <comms@council.example> approved it"
        in changed.reason
    )


def test_git_blame_porcelain_gives_each_line_its_commit():
    sha, zero = "1" * 40, "0" * 40
    text = (
        f"{sha} 1 1 1\nauthor A\nauthor-mail <a@x.example>\ncommitter-mail <c@x.example>\n"
        f"filename f\n\tline one\n{zero} 2 2 1\nauthor Not Committed Yet\n"
        f"author-mail <not.committed.yet>\ncommitter-mail <not.committed.yet>\nfilename f\n"
        f"\tline two\n{sha} 2 3\n\tline three\n"
    )
    found = parse_blame(text)
    assert found[1] == Commit(sha, "a@x.example", "c@x.example") == found[3]
    assert found[2].sha == zero


@pytest.mark.parametrize(
    "value",
    ["comms@council.example", ["comms"], [None], "", ["@council.example"], {"a@b.example": 1}],
)
def test_approvers_must_be_a_list_of_emails(value):
    with pytest.raises(SettingsError, match="ANNOUNCE_APPROVERS.*Fix:"):
        read_config({"ANNOUNCE_APPROVERS": value}, environ={})


def test_approvers_and_signing_settings_are_read():
    config = read_config(
        {
            "ANNOUNCE_APPROVERS": ["Casey Comms <Comms@Council.example>"],
            "ANNOUNCE_APPROVAL_SIGNED": True,
            "ANNOUNCE_APPROVALS": "content/sign-off",
        },
        environ={},
    )
    assert config.approvers == ("comms@council.example",)
    assert config.approval_signed and config.approvals == "content/sign-off"
    assert read_config(DEFAULTS, environ={}).approvers == ()  # off, as before
    with pytest.raises(SettingsError, match="ANNOUNCE_APPROVAL_SIGNED"):
        read_config({"ANNOUNCE_APPROVAL_SIGNED": "yes"}, environ={})


def test_an_approval_made_without_the_keys_is_what_goes_out(tmp_path):
    """The approver's computer has no Mastodon token, so `make approve` composed with
    Mastodon's default 500 characters; the instance allows 1,000, so this run composes a
    longer text. The approved text is the one sent, never a longer one nobody approved,
    and only while it fits the instance."""
    config = read_config(
        {**DEFAULTS, "ANNOUNCE_CHANNELS": {"mastodon": {"type": "mastodon"}}}, environ={}
    )
    channel = TYPES["mastodon"](config.channels[0], config, {})
    long = "Stories, songs and rhymes for babies and toddlers. " * 14  # about 700 characters
    post = replace(a_post(tmp_path), summary=long)
    offline = channel.compose(post)  # as `make approve` composed it, without the keys
    approved = message_hash(offline)

    class Approved(Approvals):  # git said this very message was approved
        def waiting(self, post, message):
            return "" if message_hash(message) == approved else "no approval yet"

    approvals = Approved(str(tmp_path), ["comms@council.example"], False)
    channel.limit = 1000  # as connect() read it from the instance
    longer = channel.compose(post)
    assert longer.text != offline.text
    message, waiting = approvals.approved_message(channel, post, longer)
    assert waiting == "" and message.text == offline.text
    channel.limit = 300  # an instance allowing less than the approved text: it waits
    message, waiting = approvals.approved_message(channel, post, channel.compose(post))
    assert waiting == "no approval yet"
