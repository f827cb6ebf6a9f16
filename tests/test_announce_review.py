"""`make announce-review`: the local page a communications officer reads before
anything goes out. Every channel is set up by ANNOUNCE_CHANNELS alone (no keys: the page
needs none and connects nowhere); the page is checked for the exact messages and in
Chromium with axe-core."""

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from announce_helpers import Workspace, since
from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHANNELS = {
    "mastodon": {"type": "mastodon"},
    "bluesky": {"type": "bluesky"},
    "facebook": {"type": "facebook"},
    "instagram": {"type": "instagram"},
    "threads": {"type": "threads"},
    "x": {"type": "x"},
    "email": {"type": "email"},
    "webhook": {"type": "webhook", "preset": "discord"},
    "kids": {"type": "mastodon", "categories": ["Children and families"]},
}
SINCE = "2026-01-20"  # the three posts after it are announced, the January one is not
RHYME = "content/posts/2026-02-01-rhyme-time.md"
RHYME_ALT = "A librarian reads a picture book to small children on a rug."
TRAINING = "content/posts/2026-02-15-training-day.md"


def no_approval(post, channel, message):
    return False, "nobody has approved this message yet"


class Reviewed:
    """A built site, the page `python -m announce review` wrote for it, and a page made
    in-process with every message awaiting approval."""

    def __init__(self, tmp: Path):
        from announce.channels import TYPES
        from announce.config import read_config
        from announce.ledger import Ledger
        from announce.plan import read_plan
        from announce.review import collect, render

        self.ws = Workspace(tmp)
        since(self.ws, SINCE, ANNOUNCE_CHANNELS=CHANNELS)
        self.ws.build()
        self.run = self.ws.announce(command="review")
        self.page_path = self.ws.state / "review.html"
        self.page = self.page_path.read_text(encoding="utf-8")
        settings = {"ANNOUNCE_CHANNELS": CHANNELS, "ANNOUNCE_SINCE": SINCE}
        settings["ANNOUNCE_MAX_AGE"] = None  # as the workspace: its posts are from 2026
        config = read_config(settings, {})
        self.channels = [TYPES[c.type](c, config, {}) for c in config.channels]
        self.plan = read_plan(str(self.ws.state / "plan.json"))
        ledger = Ledger(str(self.ws.ledger))
        now = datetime.now(UTC)
        self.entries = collect(self.plan, ledger, self.channels, config, now, no_approval)
        self.awaiting_path = tmp / "awaiting.html"
        self.awaiting_path.write_text(render(self.entries, now), encoding="utf-8")
        self.awaiting = self.awaiting_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    return Reviewed(tmp_path_factory.mktemp("review"))


def escaped(text: str) -> str:
    """`text` as the page's autoescaping writes it."""
    from markupsafe import escape

    return str(escape(text))


def test_the_command_writes_the_page_in_the_state_folder_and_says_so(reviewed):
    run, ws = reviewed.run, reviewed.ws
    assert run.returncode == 0, run.output
    assert f"Review page: {reviewed.page_path}" in run.output
    assert "3 post(s) to announce, 0 message(s) awaiting approval." in run.output
    output = ws.tmp / "build" / "output"
    assert output.is_dir()
    assert not reviewed.page_path.resolve().is_relative_to(output.resolve())
    assert not list(output.rglob("review.html"))
    assert not list(ws.state.glob(".review-*")), "a temporary file was left behind"


def test_the_page_shows_each_message_exactly_with_its_length_and_limit(reviewed):
    page = reviewed.page
    shown = 0
    for post in reviewed.plan.posts:
        assert escaped(post.title) in page and escaped(post.source) in page
        for channel in reviewed.channels:
            if not channel.config.routes(post):
                continue
            message = channel.compose(post)
            assert escaped(message.text) in page, (channel.name, message.text)
            limit = f" of {message.limit}" if message.limit else ""
            assert f"{message.length}{limit}</span>" in page, (channel.name, post.title)
            shown += 1
    assert shown == 3 * len(CHANNELS) - 1  # the kids' account takes one of the three
    # Each network counts in its own way: the page says which.
    assert "as X counts them (weighted" in page
    assert "as Bluesky counts them (graphemes" in page
    assert "Subject: Rhyme Time returns to Northfield" in page


def test_the_page_shows_the_alt_text_warnings_and_what_cannot_go(reviewed):
    page = html.unescape(reviewed.page)
    assert f'alt="{RHYME_ALT}"' in page
    assert f"Alt text of the picture: {RHYME_ALT}" in page
    # The training-day post's picture has no alt text: left out, and said so.
    assert "the image is left out because it has no Image-Alt: text" in page
    assert "instagram: cannot be sent" in page
    # A picture Meta fetches itself: its address, which must be live first.
    rhyme = next(p for p in reviewed.plan.posts if p.source == RHYME)
    assert rhyme.public_image_url
    assert f"Instagram fetches the picture itself from {rhyme.public_image_url}" in page
    # The channel for children does not take the training day.
    assert "not routed to this channel" in page


def test_with_approval_off_the_page_says_so_and_shows_no_approve_command(reviewed):
    page = reviewed.page
    assert "approval not required" in page
    assert "awaiting approval</span>" not in page
    assert "make approve" not in page


def test_each_message_awaiting_approval_has_its_exact_approve_commands(reviewed):
    page = reviewed.awaiting
    assert "3 posts to announce; 24 messages awaiting approval." in page
    assert f"make approve POST={RHYME}</code>" in page
    for name in CHANNELS:
        assert f"make approve POST={RHYME} CHANNEL={name}</code>" in page, name
    assert "nobody has approved this message yet" in page
    # What cannot be sent anyway is not offered for approval.
    assert f"make approve POST={TRAINING} CHANNEL=instagram" not in page
    assert f"make approve POST={TRAINING} CHANNEL=mastodon</code>" in page


def test_approve_commands_quote_what_the_shell_would_split():
    from announce.review import approve_command

    assert approve_command("content/posts/a b.md", "kids") == (
        "make approve POST='content/posts/a b.md' CHANNEL=kids"
    )
    assert approve_command("content/posts/x.md") == "make approve POST=content/posts/x.md"


@pytest.mark.parametrize("which", ["page", "awaiting"])
def test_the_page_runs_nothing_and_loads_nothing_from_anywhere(reviewed, which):
    page = getattr(reviewed, which)
    assert "<script" not in page.lower()
    assert not re.search(r"\son[a-z]+\s*=", page), "an event handler attribute"
    assert "url(" not in page and "@import" not in page
    own = {post.url for post in reviewed.plan.posts}
    for attribute, value in re.findall(r'\s(src|href|srcset|action|poster)="([^"]*)"', page):
        value = html.unescape(value)
        if attribute == "src":
            assert value.startswith("data:image/jpeg;base64,"), value[:60]
        elif attribute == "href":
            assert value.startswith("#") or value in own, value
        else:
            raise AssertionError(f"{attribute}={value}")


def open_page(browser, path, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return context, page, requests


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("which", ["page_path", "awaiting_path"])
def test_axe_finds_no_wcag_violations(browser, reviewed, which, width, scheme):
    context, page, requests = open_page(
        browser,
        getattr(reviewed, which),
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
    )
    try:
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["passes"], "axe ran no checks"
        assert not results.response["violations"], results.generate_report()
        loaded = [u for u in requests if not u.startswith(("data:", "file:"))]
        assert not loaded, f"the page asked for {loaded}"
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 640, 320])  # 640: a 1280-pixel window at 200% zoom
def test_the_page_reflows_without_scrolling_sideways(browser, reviewed, width):
    context, page, _ = open_page(
        browser, reviewed.awaiting_path, viewport={"width": width, "height": 800}
    )
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px wide"
    finally:
        context.close()


def test_the_keyboard_reaches_the_posts_and_focus_is_visible(browser, reviewed):
    context, page, _ = open_page(browser, reviewed.awaiting_path)
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.locator("a.skip-link").bounding_box()["y"] >= 0
        page.keyboard.press("Tab")
        link = page.evaluate_handle("document.activeElement")
        assert link.evaluate("e => e.getAttribute('href')") == "#post-1"
        style = link.evaluate(
            "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
        )
        assert style.startswith("solid") and not style.endswith(" 0px"), style
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#post-1"
    finally:
        context.close()


def test_posts_no_channel_announces_are_listed_with_the_reason(ws, browser):
    since(ws, SINCE, ANNOUNCE_CHANNELS={"events": {"type": "mastodon", "categories": ["Events"]}})
    ws.build()
    run = ws.announce(command="review")
    assert run.returncode == 0, run.output
    assert "0 post(s) to announce, 0 message(s) awaiting approval." in run.output
    path = ws.state / "review.html"
    page = re.sub(r"</?code>", "", html.unescape(path.read_text(encoding="utf-8")))
    assert "Nothing to review" in page and "Posts not announced" in page
    assert "Rhyme Time returns to Northfield (content/posts/2026-02-01-rhyme-time.md)" in page
    assert "events: not announced here, not routed to this channel" in page
    context, tab, _ = open_page(browser, path)
    try:
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert not results.response["violations"], results.generate_report()
    finally:
        context.close()
