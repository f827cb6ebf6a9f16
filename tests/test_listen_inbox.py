"""The staff inbox page: questions first, everything a reader wrote escaped, no request
to anywhere, and no WCAG failure that axe-core finds in Chromium."""

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from test_listen_report import WCAG_TAGS, open_page

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))
from listen.inbox import Entry, render, summary  # noqa: E402
from listen.question import is_question  # noqa: E402

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def entry(n, text, question=False, answered=False, new=True, about="Rhyme Time returns"):
    return Entry(key=f"mastodon:{n}", network="Mastodon", author=f"@reader{n}@example.social",
                 text=text, created=NOW - timedelta(hours=n), url=f"https://example.social/@r/{n}",
                 about=about, about_url="https://riverside.example/news/rhyme/",
                 question=question, answered=answered, new=new, public=True)  # fmt: skip


ENTRIES = [
    entry(1, "Lovely, thank you!"),
    entry(2, "Is the library open on Sunday?", question=True),
    entry(3, "<img src=https://tracker.example/p.gif> <b>bold</b>", about=""),
    entry(4, "Can I renew by phone?", question=True, answered=True, new=False),
]


@pytest.fixture
def page():
    return render(
        ENTRIES, ["facebook: not read this time: the token expired"], "Riverside <Libraries>", NOW
    )


def test_questions_come_first_and_everything_is_escaped(page):
    soup = BeautifulSoup(page, "html.parser")
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert headings == [
        "Not read this time",
        "Questions waiting for an answer (1)",
        "Other replies and mentions (2)",
        "Answered by the library (1)",
    ]
    assert not soup.find(["img", "script", "b", "link", "iframe"])
    assert "&lt;img src=https://tracker.example/p.gif&gt;" in page
    assert "Riverside &lt;Libraries&gt;" in page
    assert summary(ENTRIES, []) == (
        "3 new since the last run (1 question); 1 question waiting for an answer in all"
    )


@pytest.mark.parametrize(
    ("text", "asks"),
    [("Is the library open on Sunday?", True), ("when does it start", True),
     ("Can I book a computer", True), ("Thank you, lovely session", False),
     ("The bookshop was great", False), ("¿Abren el domingo?", True)],
)  # fmt: skip
def test_a_question_is_flagged(text, asks):
    assert is_question(text) is asks


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_wcag_violations(browser, page, tmp_path, width):
    path = tmp_path / "inbox.html"
    path.write_text(page, encoding="utf-8")
    context, tab, requests = open_page(browser, path, viewport={"width": width, "height": 900})
    try:
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["passes"], "axe ran no checks"
        assert not results.response["violations"], results.generate_report()
        assert not [u for u in requests if not u.startswith(("data:", "file:"))]
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        context.close()


def test_a_build_with_nothing_to_do_notices_new_replies(tmp_path, monkeypatch):
    import listen
    from blinker import signal
    from incremental import unchanged

    (tmp_path / "content").mkdir()
    shown, hidden = tmp_path / "replies.json", tmp_path / "replies-hidden.txt"
    shown.write_text('{"version": 1, "posts": {}}')
    monkeypatch.setattr(listen, "_site", {"file": str(shown), "hidden": str(hidden)})
    signal("incremental_inputs").connect(listen.inputs)
    try:
        settings = {"PATH": str(tmp_path / "content")}
        before = unchanged.inputs(settings, "site")
        assert unchanged.inputs(settings, "site") == before
        shown.write_text('{"version": 1, "posts": {"/news/x/": {}}}')  # a make listen
        after = unchanged.inputs(settings, "site")
        assert after != before
        hidden.write_text("https://example.social/@ann/1\n")  # a reply taken down
        assert unchanged.inputs(settings, "site") != after
    finally:
        signal("incremental_inputs").disconnect(listen.inputs)


class FakeLedger:
    """One post announced on each of two channels."""

    def __init__(self, channels):
        self.channels = channels

    def posts(self):
        return ["tag:post"]

    def status(self, ids, channel):
        line = {"t": (NOW - timedelta(days=1)).isoformat(), "state": "sent",
                "remote_id": f"{channel}-post", "remote_url": ""}  # fmt: skip
        return SimpleNamespace(state="sent", line=line)

    def details(self, post_id):
        return {"title": "Rhyme Time", "url": "https://x.example/rhyme/", "path": "/rhyme/"}


def test_a_bad_answer_from_one_network_never_stops_the_others(tmp_path, monkeypatch):
    from listen import listen as module
    from listen.config import read_config
    from listen.networks.base import REPLY, Counts, Item, Mentions
    from listen.state import State

    class Reader:
        def __init__(self, channel):
            self.network, self.name, self.broken = "mastodon", channel.name, channel.broken

        def replies(self, remote_id):
            if self.broken:
                return [{"not": "an item"}]  # a shape the kit does not expect
            return [Item("mastodon", self.name, "7", REPLY, "@ann", "When does it open?", NOW,
                         post=remote_id, parent=remote_id)]  # fmt: skip

        def counts(self, remote_id):
            return Counts(likes=2)

        def mentions(self, cursor):
            if self.broken:
                raise KeyError("status")
            return Mentions()

    class Channel:
        def __init__(self, config, settings, environ):
            self.name, self.broken = config.name, config.name == "first"

        @classmethod
        def configured(cls, config, environ):
            return True

        def validate(self):
            pass

        def connect(self):
            pass

    channels = [SimpleNamespace(name=n, type="mastodon") for n in ("first", "second")]
    monkeypatch.setattr(module, "TYPES", {"mastodon": Channel})
    monkeypatch.setattr(module, "reader_for", Reader)
    state = State(str(tmp_path / "state.jsonl"))
    heard = module.listen(SimpleNamespace(channels=channels), read_config({}),
                          FakeLedger(channels), {}, NOW, state)  # fmt: skip
    assert [p.split(":")[0] for p in heard.problems] == ["first", "first"]
    assert all("could not read (AttributeError)" in p or "(KeyError)" in p
               for p in heard.problems)  # fmt: skip
    assert "status" not in " ".join(heard.problems)  # nothing the network sent is quoted
    assert len(heard.new) == 1  # the second channel was read all the same
    assert not (tmp_path / "state.jsonl").exists()  # nothing written before the inbox
    state.save()
    assert State.load(str(tmp_path / "state.jsonl")).counts[("tag:post", "second")]
