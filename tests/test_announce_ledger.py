"""The ledger's rules, and a property: whatever sequence of runs, crashes, edits,
merges and restored old copies happens on two computers, each post reaches each
channel at most once, and exactly once when the runs settle. The runs use the real
sender, channels and servers (mastodon-mock behind Mastodon.py, a webhook receiver);
crashes are raised just before or just after a network accepts a post."""

import contextlib
import json
import shutil
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from announce.channels import TYPES
from announce.config import read_config
from announce.ledger import Ledger, LedgerError, parse, reduce
from announce.plan import Plan
from announce.post import Post
from announce.send import Sender
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

LINES = [
    {"t": "2026-12-01T10:00:00", "state": "claimed", "claim": "a"},
    {"t": "2026-12-01T10:00:01", "state": "pending", "claim": "a"},
    {"t": "2026-12-01T10:05:00", "state": "claimed", "claim": "b"},
    {"t": "2026-12-01T10:05:01", "state": "sent", "claim": "b", "remote_id": "9"},
]


# -- the rules --------------------------------------------------------------------------


@given(st.permutations(LINES))
def test_the_state_is_the_same_whatever_order_a_merge_left_the_lines_in(lines):
    assert reduce(lines).state == "sent" and reduce(lines).line["remote_id"] == "9"
    assert reduce(lines[:2] if lines[:2] == LINES[:2] else LINES[:2]).state == "pending"


def test_a_claim_without_a_result_is_an_interrupted_send():
    assert reduce(LINES[:1]).state == "claimed"
    assert reduce(LINES[:3]).state == "claimed"  # claim b still open
    assert reduce(LINES[:2]).state == "pending"


def test_retry_forgets_what_came_before_it():
    unknown = [{"t": "1", "state": "unknown"}, {"t": "2", "state": "retry"}]
    assert reduce(unknown).state is None
    assert reduce([*LINES, {"t": "2026-12-02", "state": "retry"}]).state is None


def test_conflict_markers_and_a_torn_last_line_lose_nothing():
    header = '{"ledger": "noticeboard-announce", "version": 2, "authority": "x", "t": "1"}'
    ours = '{"t": "2", "post": "p1", "channel": "c", "state": "sent"}'
    theirs = '{"t": "3", "post": "p2", "channel": "c", "state": "sent"}'
    text = f"{header}\n<<<<<<< HEAD\n{ours}\n=======\n{theirs}\n>>>>>>> other\n" + '{"t": "4", "po'
    lines = parse(text, "ledger.jsonl")
    assert [line.get("post") for line in lines] == [None, "p1", "p2"]


def test_a_damaged_line_in_the_middle_is_an_error_naming_it(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text('{"ledger": "noticeboard-announce", "version": 2, "authority": "x"}\n'
                    '{"t": "2", "post\n{"t": "3"}\n')  # fmt: skip
    with pytest.raises(LedgerError, match=r"ledger.jsonl:2: this line is not an announce"):
        Ledger.load(str(path))


def post(n, host, date, file=None, path=None) -> Post:
    file = file or f"posts/p{n}.md"
    return Post(
        id=f"tag:{host},{date:%Y-%m-%d}:{Path(file).stem}",
        source=f"content/{file}",
        url=f"https://{host}{path or f'/news/p{n}/'}",
        title=f"Post {n}",
        summary="",
        date=date.isoformat(),
        lang="en",
        file=file,
        path=path or f"/news/p{n}/",
    )


def test_a_post_keeps_its_history_through_a_new_date_file_or_site(tmp_path):
    ledger = Ledger(str(tmp_path / "ledger.jsonl"))
    ledger.begin("www.example")
    day = datetime(2026, 11, 20, 9, tzinfo=UTC)
    first = post(1, "www.example", day)
    ledger.record(first, "mastodon", "sent")
    moved = post(1, "www.example", day + timedelta(days=1))  # a corrected date
    assert ledger.same_post(moved.id, moved.file, moved.path, day + timedelta(1)) == [
        moved.id, first.id,
    ]  # fmt: skip
    renamed = post(1, "www.example", day, file="posts/renamed.md")  # same address
    assert first.id in ledger.same_post(renamed.id, renamed.file, renamed.path, day)
    # The same address a year later is another post.
    later = day + timedelta(days=365)
    reused = post(1, "www.example", later, file="posts/next-year.md")
    assert ledger.same_post(reused.id, reused.file, reused.path, later) == [reused.id]
    # An old id that a current post still has is that post's, not this one's.
    assert ledger.same_post(moved.id, moved.file, moved.path, day, taken={first.id}) == [moved.id]


# -- the property -------------------------------------------------------------------------


class Crash(BaseException):
    """The process dies here (SIGKILL): nothing after it runs, no handler sees it."""


class Published:
    def why_not(self, post):
        return None


def count_links(texts, path, host):
    return sum(f"https://{host}{path}" in t for t in texts)


class Announcing(RuleBasedStateMachine):
    """Two computers, A (Mastodon and the webhook) and B (Mastodon only: a webhook
    cannot be searched, so only one place may send there), three posts."""

    servers = None  # (mastodon, webhook), set by the test

    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="announcing-"))
        self.host = f"{uuid.uuid4().hex[:10]}.riverside.example"
        now = datetime.now(UTC).replace(microsecond=0)
        self.posts = [post(n, self.host, now - timedelta(minutes=n)) for n in range(3)]
        self.snapshots = {"A": [], "B": []}
        mastodon, webhook = self.servers
        self.environ = {
            "MASTODON_API_BASE_URL": mastodon.url,
            "MASTODON_ACCESS_TOKEN": mastodon.token,
            "WEBHOOK_URL": webhook.url + "/hook",
        }
        self.settings = {
            "ANNOUNCE_SINCE": "2000-01-01", "ANNOUNCE_MAX_AGE": None, "ANNOUNCE_RETRIES": 1,
            "ANNOUNCE_TIMEOUT": 10, "ANNOUNCE_MAX_PER_RUN": 3,
        }  # fmt: skip

    def ledger_path(self, where):
        return self.tmp / where / "announce-ledger.jsonl"

    def delivered(self):
        mastodon, webhook = self.servers
        texts = [s["content"] for s in mastodon.statuses()]
        hooks = [r["json"]["url"] for r in webhook.requests]
        return {
            p.path: (count_links(texts, p.path, self.host), count_links(hooks, p.path, self.host))
            for p in self.posts
        }

    def run(self, where, crash=None):
        state = str(self.tmp / where / "state")
        channels = {"mastodon": {"type": "mastodon"}}
        if where == "A":
            channels["webhook"] = {"type": "webhook"}
        config = read_config(
            {**self.settings, "ANNOUNCE_CHANNELS": channels,
             "ANNOUNCE_LEDGER": str(self.ledger_path(where)), "ANNOUNCE_STATE_DIR": state},
            self.environ,
        )  # fmt: skip
        ledger = Ledger.load(config.ledger, state)
        taken = {p.id for p in self.posts}
        planned = []
        for p in self.posts:  # what the planner does: the post's earlier ids
            history = ledger.same_post(p.id, p.file, p.path, datetime.fromisoformat(p.date), taken)
            urls = tuple({ledger.details(i).get("url") for i in history} - {None})
            planned.append(replace(p, history=tuple(history[1:]), urls=urls))
        live = []
        for entry in config.channels:
            channel = TYPES[entry.type](entry, config, self.environ)
            channel.validate()
            if crash and crash[0] == entry.name:
                channel.send = crashing(channel.send, crash[1])
            live.append(channel)
        sender = Sender(ledger, config, Published(), self.host, sleep=lambda s: None)
        with contextlib.suppress(Crash):
            sender.run(Plan(f"https://{self.host}", self.host, planned), live)

    @rule(
        where=st.sampled_from("AB"),
        crash=st.sampled_from(
            [None, ("mastodon", "before"), ("mastodon", "after"),
             ("webhook", "before"), ("webhook", "after")]
        ),
    )  # fmt: skip
    def announce(self, where, crash):
        self.run(where, crash)

    @rule(into=st.sampled_from("AB"))
    def merge(self, into):
        """git's union merge of the two ledgers: every line of both, once."""
        other = "B" if into == "A" else "A"
        ours, theirs = self.ledger_path(into), self.ledger_path(other)
        if not theirs.exists():
            return
        mine = ours.read_text().splitlines() if ours.exists() else []
        ours.parent.mkdir(parents=True, exist_ok=True)
        extra = [line for line in theirs.read_text().splitlines() if line not in mine]
        ours.write_text("".join(f"{line}\n" for line in mine + extra))

    @rule(n=st.integers(0, 2))
    def correct_a_date(self, n):
        """Staff correct a post's Date: by a day (its feed id changes)."""
        old = self.posts[n]
        date = datetime.fromisoformat(old.date) - timedelta(days=1)
        self.posts[n] = replace(post(n, self.host, date), title=old.title)

    @rule(where=st.sampled_from("AB"))
    def snapshot(self, where):
        if self.ledger_path(where).exists():
            self.snapshots[where].append(self.ledger_path(where).read_text())

    @rule(where=st.sampled_from("AB"))
    def restore_an_old_copy(self, where):
        """Someone restores an older ledger over the current one (git checkout)."""
        if self.snapshots[where]:
            self.ledger_path(where).write_text(self.snapshots[where][0])

    @invariant()
    def never_twice(self):
        for path, (on_mastodon, on_webhook) in self.delivered().items():
            assert on_mastodon <= 1, f"{path} posted {on_mastodon} times on Mastodon"
            assert on_webhook <= 1, f"{path} sent {on_webhook} times to the webhook"

    def teardown(self):
        try:
            for where in "ABA":  # the runs settle, no more crashes
                self.run(where)
            ledger = Ledger.load(str(self.ledger_path("A")), str(self.tmp / "A" / "state"))
            for p in self.posts:
                on_mastodon, on_webhook = self.delivered()[p.path]
                assert on_mastodon == 1, f"{p.path}: {on_mastodon} on Mastodon"
                date = datetime.fromisoformat(p.date)
                ids = ledger.same_post(p.id, p.file, p.path, date)
                unknown = ledger.status(ids, "webhook").state == "unknown"
                # A's webhook began later than the post when A first saw a ledger B began.
                later = date < ledger.start("webhook")
                assert on_webhook == 1 or (on_webhook == 0 and (unknown or later)), p.path
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def crashing(send, when):
    state = {"done": False}

    def send_then_crash(message, post, media):
        if state["done"]:
            return send(message, post, media)
        state["done"] = True
        if when == "before":
            raise Crash
        send(message, post, media)  # the network has it; the process dies before recording
        raise Crash

    return send_then_crash


def test_any_runs_crashes_edits_and_merges_announce_each_post_once(mastodon, webhook):
    Announcing.servers = (mastodon, webhook)
    run_state_machine_as_test(
        Announcing,
        settings=settings(
            max_examples=20,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            # Each step talks to real servers: report the failing steps as found,
            # rather than spend many minutes shrinking them.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )


def test_the_merge_rule_matches_gits_union_merge(tmp_path):
    """The property's merge is what git does with merge=union on these files."""
    import subprocess

    base = '{"ledger": "noticeboard-announce", "version": 2, "authority": "x", "t": "1"}\n'
    ours = base + json.dumps({"t": "2", "post": "p1", "channel": "c", "state": "sent"}) + "\n"
    theirs = base + json.dumps({"t": "3", "post": "p2", "channel": "c", "state": "sent"}) + "\n"
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_text(text)
    subprocess.run(
        ["git", "merge-file", "--union", "ours", "base", "theirs"], cwd=tmp_path, check=True
    )
    merged = (tmp_path / "ours").read_text().splitlines()
    assert sorted(merged) == sorted({*ours.splitlines(), *theirs.splitlines()})
