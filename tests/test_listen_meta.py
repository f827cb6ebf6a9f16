"""The Facebook Page, Threads and Instagram readers, over real HTTP against the contract
servers written from Meta's documentation (tests/contracts/meta.py): a post announced
through the announce channel itself, readers answering under it, the library replying."""

import io
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from announce_fixtures import facebook_env, instagram_env, threads_env
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from announce.channels import TYPES  # noqa: E402
from announce.channels.base import Message  # noqa: E402
from announce.config import ChannelConfig  # noqa: E402
from announce.errors import Unauthorized  # noqa: E402
from listen.networks.facebook import FacebookReader  # noqa: E402
from listen.networks.instagram import InstagramReader  # noqa: E402
from listen.networks.threads import ThreadsReader  # noqa: E402

SITE = "https://www.riverside-libraries.example"
URL = SITE + "/news/2026/rhyme-time-returns-to-northfield/"
ENV = {"facebook": facebook_env, "instagram": instagram_env, "threads": threads_env}
READERS = {"facebook": FacebookReader, "instagram": InstagramReader, "threads": ThreadsReader}
NETWORKS = list(READERS)
OWN = {"facebook": {"by_page": True}, "threads": {"username": "riversidelibraries"}}
OWN["instagram"] = {"username": "riversidelibraries"}
INSIGHTS = {
    "facebook": "read_insights",
    "instagram": "instagram_business_manage_insights",
    "threads": "threads_manage_insights",
}


class Media(dict):
    """The ledger's media record, as the channels' publish() keeps containers in it."""

    def keep(self, key, **values):
        self.update(image=key, **values)


def connected(name, server):
    config = ChannelConfig(name=name, type=name, env_prefix=name.upper())
    channel = TYPES[name](config, SimpleNamespace(timeout=5.0), ENV[name](server))
    channel.validate()
    channel.connect()
    return channel


def announce(name, server, channel, tmp_path) -> str:
    """The post sent through the channel's own send(); its Receipt.remote_id, as the
    ledger keeps it."""
    text = "Rhyme Time returns to Northfield\n\n" + URL
    message = Message(name, "rhyme-time", text, len(text), None, URL)
    post = SimpleNamespace(url=URL, date="2026-02-01T09:00:00+00:00", id="rhyme-time")
    if name == "instagram":
        picture = io.BytesIO()
        Image.new("RGB", (1080, 1080), "teal").save(picture, "JPEG")
        (tmp_path / "card.jpg").write_bytes(picture.getvalue())
        server.serve_site(SITE, tmp_path)
        message.image = (str(tmp_path / "card.jpg"), "The Rhyme Time card.")
        message.extra["fetched"] = SITE + "/card.jpg"
    if name != "facebook":
        server.ready_after = 0
    return channel.send(message, post, Media()).remote_id


@pytest.fixture(params=NETWORKS)
def net(request, tmp_path):
    name = request.param
    server = request.getfixturevalue(name)
    channel = connected(name, server)
    remote_id = announce(name, server, channel, tmp_path)
    return SimpleNamespace(name=name, server=server, reader=READERS[name](channel), id=remote_id)


def say(net, text, parent=None, own=False):
    """A comment or reply on the announced post, by a reader or (own) by the library."""
    author = OWN[net.name] if own else {}
    if net.name == "threads":
        return net.server.reply(net.id, text, parent=parent, **author)
    return net.server.comment(net.id, text, parent=parent, **author)


def conversation(net):
    """Ann asks, Ben says thanks, Cat answers Ann, the library answers Ann."""
    ann = say(net, "When does Rhyme Time start?\u202e")
    ben = say(net, "Thanks!")
    cat = say(net, "Ten o'clock, I think", parent=ann)
    library = say(net, "At 10:30, every Tuesday.", parent=ann, own=True)
    return ann, ben, cat, library


def test_the_remote_id_is_what_the_channel_returned(net):
    newest = net.server.published()[0]["id"]
    assert net.id == newest
    if net.name == "facebook":
        assert net.id.startswith(net.server.PAGE_ID + "_")  # "PAGEID_POSTID"


def test_replies_are_read_once_each_oldest_first_with_the_librarys_marked(net):
    ann, ben, cat, library = conversation(net)
    replies = net.reader.replies(net.id)
    assert [r.id for r in replies] == [ann, ben, cat, library]
    assert [r.by_library for r in replies] == [False, False, False, True]
    assert replies[0].text == "When does Rhyme Time start?"  # the bidi override is gone
    assert {r.parent for r in replies if r.id in (cat, library)} == {ann}
    assert {r.parent for r in replies if r.id in (ann, ben)} == {net.id}
    assert all(r.post == net.id and r.url.startswith("https://") for r in replies)
    assert all(r.kind == "reply" and r.network == net.name and r.created.tzinfo for r in replies)
    assert not any(r.hidden for r in replies)
    assert net.reader.account() in {"Riverside Libraries", "@riversidelibraries"}


def test_a_hidden_comment_is_marked_and_a_deleted_one_is_gone(net):
    ann, ben, cat, library = conversation(net)
    net.server.hide(ann)
    net.server.delete(ben)
    replies = {r.id: r for r in net.reader.replies(net.id)}
    assert ben not in replies
    assert replies[ann].hidden
    # Threads hides a top-level reply with every reply under it; the others, one only.
    assert replies[cat].hidden == (net.name == "threads")


EXPECTED = {
    # 4 comments at any depth; reactions, shares; views from insights.
    "facebook": dict(replies=4, reposts=2, likes=7, quotes=None, views=40),
    "threads": dict(replies=4, reposts=2, likes=7, quotes=1, views=40),
    "instagram": dict(replies=4, reposts=2, likes=7, quotes=None, views=40),
}


def engage(net):
    if net.name == "facebook":
        net.server.engage(net.id, reactions=7, shares=2, views=40)
    elif net.name == "threads":
        net.server.engage(net.id, likes=7, reposts=2, quotes=1, views=40)
    else:
        net.server.engage(net.id, likes=7, shares=2, views=40)


def test_counts(net):
    conversation(net)
    engage(net)
    assert vars(net.reader.counts(net.id)) == EXPECTED[net.name]


def test_counts_without_the_insights_permission_give_what_the_post_shows(net):
    conversation(net)
    engage(net)
    net.server.remove_permission(INSIGHTS[net.name])
    counts = net.reader.counts(net.id)
    assert counts.views is None and counts.replies == 4
    if net.name != "threads":  # Threads has its counts only in insights
        assert (counts.likes, counts.reposts) == (7, 2 if net.name == "facebook" else 0)


def test_an_expired_token_is_unauthorized_and_never_shown(net):
    net.server.expire_token()
    for read in (net.reader.replies, net.reader.counts):
        with pytest.raises(Unauthorized) as err:
            read(net.id)
        assert net.server.token not in str(err.value)
        assert "Fix:" in str(err.value)


def test_many_replies_are_read_across_pages(net):
    ids = [say(net, f"Comment {n}") for n in range(105)]
    replies = net.reader.replies(net.id)
    assert [r.id for r in replies] == ids
    path = "comments" if net.name != "threads" else "conversation"
    pages = [r for r in net.server.requests if r[1].endswith(f"{net.id}/{path}")]
    assert len(pages) >= 2 and any("after" in r[2] for r in pages)


def tag(net, text):
    if net.name == "threads":
        return net.server.mention(text)
    return net.server.tag(text)


def test_mentions_are_read_once(net):
    first = tag(net, "Thank you @riversidelibraries for the story time!")
    found = net.reader.mentions(None)
    assert [m.id for m in found.items] == [first]
    assert found.items[0].kind == "mention" and found.items[0].url.startswith("https://")
    assert net.reader.mentions(found.cursor).items == []
    second = tag(net, "Great talk at @riversidelibraries")
    again = net.reader.mentions(found.cursor)
    assert [m.id for m in again.items] == [second]
