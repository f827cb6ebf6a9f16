"""The Bluesky reader against a whole local network (PLC, PDS, AppView, Ozone from
@atproto/dev-env): the library posts, readers reply, mention, quote, like, repost and
delete, and the reader reads it all back through the announce channel's own client."""

import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from conftest import ROOT
from servers import free_port

sys.path.insert(0, str(ROOT / "plugins"))

from announce.channels.bluesky import BlueskyChannel  # noqa: E402
from announce.config import DEFAULTS, read_config  # noqa: E402
from announce.errors import NetworkError, Rejected  # noqa: E402
from announce.post import Post  # noqa: E402
from atproto import models  # noqa: E402
from listen.networks import bluesky  # noqa: E402
from listen.networks.base import MENTION, REPLY, Counts  # noqa: E402
from listen.networks.bluesky import BlueskyReader  # noqa: E402


@pytest.fixture
def net(bsky_network):
    return bsky_network


@pytest.fixture
def library(net):
    return net.account("library")


@pytest.fixture
def reader(net, library, tmp_path):
    """The reader on the library's announce channel, connected as `make listen` does."""
    settings = read_config({**DEFAULTS, "ANNOUNCE_STATE_DIR": str(tmp_path)}, environ={})
    (config,) = [c for c in settings.channels if c.type == "bluesky"]
    environ = {
        "BLUESKY_HANDLE": library.handle,
        "BLUESKY_APP_PASSWORD": net.password,
        "BLUESKY_SERVICE": net.url,
    }
    channel = BlueskyChannel(config, settings, environ)
    channel.validate()
    channel.connect()
    return BlueskyReader(channel)


def announce(net, library, text="Rhyme Time returns to Northfield"):
    """The announced post, indexed by the AppView before anyone replies (a reply to a
    post the AppView has not seen yet is never threaded)."""
    post = library.post(text)
    net.settle()
    return post


def test_replies_at_every_depth_once_each_oldest_first(net, library, reader):
    ann, bob, cat = net.account("ann"), net.account("bob"), net.account("cat")
    root = announce(net, library)
    first = ann.post("Is it on Saturdays too?\u202e", reply_to=root)
    net.settle()
    nested = bob.post("Yes, at 10, I went last week.", reply_to=first, root=root)
    net.settle()
    answer = library.post("Saturdays at 10 and Tuesdays at 11.", reply_to=first, root=root)
    cat.post(f"Thank you @{library.handle} for story time!", mention=library)
    net.settle()

    items = reader.replies(root["uri"])

    assert [i.id for i in items] == [first["uri"], nested["uri"], answer["uri"]]
    assert [i.author for i in items] == [f"@{ann.handle}", f"@{bob.handle}", f"@{library.handle}"]
    assert [i.parent for i in items] == [root["uri"], first["uri"], first["uri"]]
    assert [i.by_library for i in items] == [False, False, True]
    assert {i.kind for i in items} == {REPLY} and {i.post for i in items} == {root["uri"]}
    assert items[0].text == "Is it on Saturdays too?"  # the bidi override is gone
    rkey = first["uri"].rsplit("/", 1)[1]
    assert items[0].url == f"https://bsky.app/profile/{ann.handle}/post/{rkey}"
    assert items[0].created.tzinfo is not None and not items[0].hidden
    assert items[0].network == "bluesky" and items[0].channel == "bluesky"
    assert reader.account() == f"@{library.handle}"


def test_the_ledger_remote_id_of_a_sent_announcement_is_what_replies_read(net, reader):
    """What BlueskyChannel.send records (Receipt.remote_id, the at:// URI) is the id
    the reader is given."""
    channel, ann = reader.channel, net.account("ann")
    post = Post(
        id="tag:riverside,2026:rhyme",
        source="content/posts/rhyme.md",
        url="https://www.riverside-libraries.example/news/2026/rhyme/",
        title="Rhyme Time returns",
        summary="Songs and rhymes for under-fives.",
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        lang="en",
    )
    message = channel.compose(post)
    channel.prepare(message, post)
    receipt = channel.send(message, post, media=None)
    assert receipt.remote_id.startswith(f"at://{channel.did}/app.bsky.feed.post/")
    net.settle()
    reply = ann.post("Can grandparents come?", reply_to=net.ref(receipt.remote_id))
    net.settle()

    (item,) = reader.replies(receipt.remote_id)

    assert item.id == reply["uri"] and item.post == receipt.remote_id
    assert reader.counts(receipt.remote_id).replies == 1


def test_mentions_once_then_only_newer_ones(net, library, reader):
    ann, bob, cat = net.account("ann"), net.account("bob"), net.account("cat")
    root = announce(net, library)
    # A reply that also names the library is read from its thread, not as a mention.
    ann.post(f"@{library.handle} is it free?", reply_to=root, mention=library)
    mention = cat.post(f"Story time with @{library.handle} was lovely", mention=library)
    net.settle()

    first = reader.mentions(None)

    assert [i.id for i in first.items] == [mention["uri"]]
    (item,) = first.items
    assert item.kind == MENTION and item.author == f"@{cat.handle}"
    assert item.text == f"Story time with @{library.handle} was lovely"
    assert not item.by_library and item.post == "" and item.parent == ""
    assert first.cursor
    again = reader.mentions(first.cursor)
    assert again.items == [] and again.cursor == first.cursor

    quote = bob.post("Bringing the twins to this", quote=root)
    net.settle()
    later = reader.mentions(first.cursor)
    assert [(i.id, i.kind, i.post) for i in later.items] == [(quote["uri"], MENTION, root["uri"])]
    assert later.cursor != first.cursor
    assert reader.mentions(later.cursor).items == []
    assert len(reader.replies(root["uri"])) == 1


def test_a_mention_from_a_slow_clock_is_read_once(net, library, reader):
    """The AppView dates it by its createdAt, before the last run's newest mention."""
    ann, bob = net.account("ann"), net.account("bob")
    ann.post(f"Hello @{library.handle}", mention=library)
    net.settle()
    first = reader.mentions(None)
    slow = (datetime.now(UTC) - timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
    late = bob.post(f"@{library.handle} are you open today?", mention=library, created=slow)
    net.settle()

    second = reader.mentions(first.cursor)

    assert [i.id for i in second.items] == [late["uri"]]
    assert reader.mentions(second.cursor).items == []


def test_mentions_page_by_page_up_to_the_cap(net, library, reader, monkeypatch, caplog):
    ann = net.account("ann")
    made = [ann.post(f"@{library.handle} question {n}", mention=library) for n in range(5)]
    net.settle()
    monkeypatch.setattr(bluesky, "PAGE_SIZE", 2)

    every = reader.mentions(None)
    assert [i.id for i in every.items] == [m["uri"] for m in made]  # oldest first, once

    monkeypatch.setattr(bluesky, "MAX_PAGES", 2)
    capped = reader.mentions(None)
    assert [i.id for i in capped.items] == [m["uri"] for m in made[1:]]
    assert reader.mentions(capped.cursor).items == []  # none of them twice
    assert "more than 4 mentions since the last run" in caplog.text


def test_a_deleted_reply_is_gone_on_the_next_read(net, library, reader):
    ann = net.account("ann")
    root = announce(net, library)
    kept = ann.post("See you there", reply_to=root)
    gone = ann.post("Oops, wrong post", reply_to=root)
    net.settle()
    assert {i.id for i in reader.replies(root["uri"])} == {kept["uri"], gone["uri"]}

    ann.delete(gone["uri"])
    net.settle()

    assert [i.id for i in reader.replies(root["uri"])] == [kept["uri"]]


def test_counts_after_likes_reposts_replies_and_quotes(net, library, reader):
    ann, bob = net.account("ann"), net.account("bob")
    root = announce(net, library)
    assert reader.counts(root["uri"]) == reader.counts(root["uri"])  # zero, and stable
    assert reader.counts(root["uri"]).likes == 0

    ann.like(root)
    bob.like(root)
    bob.repost(root)
    ann.post("Lovely", reply_to=root)
    bob.post("Look at this", quote=root)
    net.settle()

    counts = reader.counts(root["uri"])
    assert (counts.replies, counts.reposts, counts.likes, counts.quotes) == (1, 1, 2, 1)
    assert counts.views is None


def test_labelled_and_hidden_replies_are_kept_and_marked_hidden(net, library, reader):
    ann, bob, cat, dan = (net.account(name) for name in ("ann", "bob", "cat", "dan"))
    root = announce(net, library)
    spam = ann.post("Buy cheap watches", reply_to=root)
    rude = bob.post("Something rude", reply_to=root)
    fine = cat.post("What a good idea", reply_to=root)
    troll = dan.post("First!", reply_to=root)
    net.settle()
    net.label(spam["uri"], "!hide", cid=spam["cid"])  # the moderation service hides it
    net.label(fine["uri"], "sexual", cid=fine["cid"])  # shown, with a warning
    net.label(dan.did, "!hide")  # the whole account
    library.hide_replies(root, [rude["uri"]])  # the library's own "Hide reply"
    net.settle()

    items = {i.id: i for i in reader.replies(root["uri"])}

    assert items[spam["uri"]].hidden and items[spam["uri"]].labels == ("!hide",)
    assert items[rude["uri"]].hidden and items[rude["uri"]].labels == ()
    assert items[troll["uri"]].hidden and items[troll["uri"]].labels == ("!hide",)
    assert not items[fine["uri"]].hidden and items[fine["uri"]].labels == ("sexual",)


def test_taken_down_and_blocked_replies_are_not_shown_at_all(net, library, reader):
    """The AppView leaves these out of the thread (no blockedPost stand-in under a
    post): like a deleted reply, they are gone on the next read."""
    ann, bob, cat = net.account("ann"), net.account("bob"), net.account("cat")
    root = announce(net, library)
    taken = ann.post("Something unlawful", reply_to=root)
    bob.post("Hello again", reply_to=root)
    kept = cat.post("Thanks", reply_to=root)
    net.settle()
    assert len(reader.replies(root["uri"])) == 3
    net.label(taken["uri"], "!takedown", cid=taken["cid"])
    library.block(bob)
    net.settle()

    assert [i.id for i in reader.replies(root["uri"])] == [kept["uri"]]


def test_a_post_that_is_not_there_is_refused(net, library, reader):
    missing = f"at://{library.did}/app.bsky.feed.post/3l2aaaaaaaaaa"
    with pytest.raises(Rejected, match="bluesky: Bluesky refused it"):
        reader.replies(missing)
    assert reader.counts(missing) == Counts()


def test_a_bad_cursor_reads_the_last_30_days_again(net, library, reader, caplog):
    cat = net.account("cat")
    mention = cat.post(f"Hello @{library.handle}", mention=library)
    net.settle()
    read = reader.mentions("not a time")
    assert [i.id for i in read.items] == [mention["uri"]] and read.cursor != "not a time"
    assert "the mentions cursor 'not a time' is not one this reader made" in caplog.text


def test_an_unreachable_network_is_a_network_error(net, library, reader):
    reader.channel.client.update_base_url(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(NetworkError, match="bluesky: could not reach"):
        reader.replies(f"at://{library.did}/app.bsky.feed.post/3l2aaaaaaaaaa")
    with pytest.raises(NetworkError):
        reader.mentions(None)


# -- what the AppView can send but this one does not make ----------------------------------


def test_blocked_and_not_found_replies_are_kept_hidden_without_text():
    """Older AppViews put a blockedPost or notFoundPost where a reply was; such a reply
    stays in the list, hidden, dated by its record key, so staff's copy can be hidden."""
    root = "at://did:plc:library/app.bsky.feed.post/3l2aaaaaaaaaa"
    blocked = "at://did:plc:ann/app.bsky.feed.post/3mabcdefghijk"
    gone = "at://did:plc:bob/app.bsky.feed.post/3mabcdefgzijk"
    defs = models.AppBskyFeedDefs
    author = models.AppBskyActorDefs.ProfileViewBasic(did="did:plc:library", handle="lib.test")
    record = models.AppBskyFeedPost.Record(text="Rhyme Time", created_at="2026-02-01T09:00:00Z")
    post = defs.PostView(
        uri=root, cid="c", author=author, record=record, indexed_at="2026-02-01T09:00:00Z"
    )
    thread = defs.ThreadViewPost(
        post=post,
        replies=[
            defs.BlockedPost(
                uri=blocked, blocked=True, author=defs.BlockedAuthor(did="did:plc:ann")
            ),
            defs.NotFoundPost(uri=gone, not_found=True),
        ],
    )
    answer = models.AppBskyFeedGetPostThread.Response(thread=thread)
    client = SimpleNamespace(
        app=SimpleNamespace(
            bsky=SimpleNamespace(feed=SimpleNamespace(get_post_thread=lambda p: answer))
        )
    )
    channel = SimpleNamespace(
        name="bluesky", client=client, did="did:plc:library", _call=lambda f, *a: f(*a)
    )

    items = BlueskyReader(channel).replies(root)

    assert [(i.id, i.author, i.text, i.hidden, i.labels) for i in items] == [
        (blocked, "did:plc:ann", "", True, ("blocked",)),
        (gone, "did:plc:bob", "", True, ("not found",)),
    ]
    assert {i.parent for i in items} == {root} and items[0].created < items[1].created


def test_make_listen_on_bluesky_end_to_end(ws, net, library):
    """Announced through `make announce`, read back by `make listen`: each reply and
    mention once, the question flagged and dropping to answered, a deletion gone."""
    from announce_helpers import since
    from test_listen import listen

    env = {"BLUESKY_HANDLE": library.handle, "BLUESKY_APP_PASSWORD": net.password,
           "BLUESKY_SERVICE": net.url}  # fmt: skip
    since(ws, ANNOUNCE_CHANNELS={"bluesky": {"type": "bluesky"}})
    ws.build(env)
    assert ws.announce(env).returncode == 0
    ledger = ws.read_ledger()
    (root,) = [ledger.status([p], "bluesky").line["remote_id"] for p in ledger.posts()
               if "Rhyme" in ledger.details(p)["title"]]  # fmt: skip
    net.settle()
    ann, bob = net.account("ann"), net.account("bob")
    parent = net.ref(root)
    question = ann.post("Do I need to book a place?", reply_to=parent)
    thanks = bob.post("Brilliant, see you there", reply_to=parent)
    bob.post(f"Thanks @{library.handle} for a lovely story time", mention=library)
    net.settle()

    first = listen(ws, env)
    assert first.returncode == 0, first.output
    assert "3 new since the last run (1 question)" in first.output, first.output
    page = (ws.state / "inbox.html").read_text()
    assert page.count("Do I need to book a place?") == 1 and "lovely story time" in page

    library.post("No need to book: just come along.", reply_to=question, root=parent)
    bob.delete(thanks["uri"])
    net.settle()
    second = listen(ws, env)
    assert "0 new since the last run" in second.output, second.output
    assert "0 questions waiting for an answer in all" in second.output
    page = (ws.state / "inbox.html").read_text()
    assert "Brilliant, see you there" not in page
    state = (ws.content / "listen-state.jsonl").read_text()
    assert library.handle not in state and ann.did not in state and bob.did not in state
