"""A Facebook Page, Instagram and Threads: `python -m announce` against contract servers
written from Meta's documentation (tests/contracts/meta.py), with the site served on
127.0.0.1 so that the servers fetch each picture from it as Meta fetches it from the
library's site. Every fault ends with exactly one post per network."""

import shutil

import pytest
from announce_fixtures import facebook_env, instagram_env, threads_env
from announce_helpers import killed_at, picture, since
from PIL import Image
from servers import Site

ONLY = {
    "facebook": {"facebook": {"type": "facebook"}},
    "instagram": {"instagram": {"type": "instagram"}},
    "threads": {"threads": {"type": "threads"}},
}
ENV = {"facebook": facebook_env, "instagram": instagram_env, "threads": threads_env}
# The request that makes the post appear on the account.
PUBLISH = {
    "facebook": r"/feed$",
    "instagram": r"/media_publish$",
    "threads": r"/threads_publish$",
}
RHYME = "Rhyme Time returns to Northfield"


@pytest.fixture
def site(ws):
    server = Site(ws.tmp / "build" / "output")
    yield server
    server.close()


def setup(ws, site, name, **settings):
    """A site whose announcing began on 20 January, served on 127.0.0.1, announcing on
    the one network `name`; returns its environment."""
    since(ws, ANNOUNCE_CHANNELS=settings.pop("channels", ONLY[name]), **settings)
    env = {"SITEURL": site.url}
    ws.build(env)
    return env


def with_pictures(ws):
    """Every post with a picture described for screen readers, as Instagram needs."""
    training = ws.content / "posts" / "2026-02-15-training-day.md"
    training.write_text(training.read_text().replace(
        "Image: images/riverside-central.jpg",
        "Image: images/riverside-central.jpg\nImage-Alt: The front of Riverside Central Library.",
    ))  # fmt: skip
    custom = ws.content / "posts" / "2026-03-05-custom-text.md"
    custom.write_text(custom.read_text().replace(
        "Tags:", "Image: images/story-time.jpg\nImage-Alt: Children reading.\nTags:"
    ))  # fmt: skip


def texts(server):
    return [p.get("text") or "" for p in server.published()]


def network(request, name):
    with_pictures(request.getfixturevalue("ws"))
    server = request.getfixturevalue(name)
    return server, ENV[name](server)


def sends(server, pattern):
    import re

    return [r for r in server.requests if r[0] == "POST" and re.search(pattern, r[1])]


# -- what each network gets ------------------------------------------------------------


def test_facebook_link_posts_name_the_page_and_link_it(ws, site, facebook):
    env = setup(ws, site, "facebook", ANNOUNCE_MAX_PER_RUN=5)
    run = ws.announce({**env, **facebook_env(facebook)})
    assert run.returncode == 0, run.output
    posts = facebook.published()
    assert [p["text"].split("\n")[0] for p in posts[::-1]] == [
        RHYME,
        "Libraries closed for staff training",
        "Sign up for the Summer Reading Challenge at any library from 11 July!",
    ]
    rhyme = posts[-1]
    assert rhyme["link"] == f"{site.url}/news/2026/rhyme-time-returns-to-northfield/"
    assert not rhyme.get("image_url")  # a link post: Facebook draws the card from the page
    assert ws.states("facebook")[RHYME] == "sent"
    assert set(ws.states("facebook").values()) == {"sent"}


def test_facebook_photo_posts_carry_the_picture_and_its_alt_text(ws, site, facebook):
    channels = {"facebook": {"type": "facebook", "post_as": "photo"}}
    env = setup(ws, site, "facebook", channels=channels, ANNOUNCE_MAX_PER_RUN=5)
    run = ws.announce({**env, **facebook_env(facebook)})
    assert run.returncode == 0, run.output
    by_title = {p["text"].split("\n")[0]: p for p in facebook.published()}
    rhyme = by_title[RHYME]
    assert rhyme["image_url"].startswith(f"{site.url}/images/announce/")
    assert rhyme["alt_text"] == "A librarian reads a picture book to small children on a rug."
    # A picture without alt text is never posted: that post goes as a link.
    assert not by_title["Libraries closed for staff training"].get("image_url")
    assert "posted as a link, not a photo" in run.output


def test_announce_as_photo_in_a_post_overrides_the_channel(ws, site, facebook):
    post = ws.content / "posts" / "2026-02-01-rhyme-time.md"
    post.write_text(post.read_text().replace("Category:", "Announce-As: photo\nCategory:"))
    env = setup(ws, site, "facebook", ANNOUNCE_MAX_PER_RUN=5)
    assert ws.announce({**env, **facebook_env(facebook)}).returncode == 0
    photos = [p for p in facebook.published() if p.get("image_url")]
    assert [p["text"].split("\n")[0] for p in photos] == [RHYME]


def test_a_misspelt_announce_as_is_an_error_at_its_line(ws, site):
    post = ws.content / "posts" / "2026-02-01-rhyme-time.md"
    post.write_text(post.read_text().replace("Category:", "Announce-As: foto\nCategory:"))
    since(ws)
    from conftest import build

    result = build(ws.tmp / "dev", content=ws.content, cwd=ws.tmp)
    assert "content/posts/2026-02-01-rhyme-time.md:3" in result.log
    assert "Announce-As: 'foto' is not one of link, photo" in result.log


def test_instagram_gets_a_picture_it_accepts_alt_text_and_the_address_as_text(ws, site, instagram):
    # A tall picture (1:2.3) is outside Instagram's 4:5 to 1.91:1: it is padded, not cut.
    picture(ws.content / "images" / "story-time.jpg", size=(600, 1400))
    env = setup(ws, site, "instagram", ANNOUNCE_MAX_PER_RUN=5)
    run = ws.announce({**env, **instagram_env(instagram)})
    posted = instagram.published()
    assert len(posted) == 1, run.output
    caption = posted[0]["text"]
    assert caption.startswith(RHYME)
    assert "127.0.0.1" in caption and "http://" not in caption  # captions do not link
    assert posted[0]["alt_text"].startswith("A librarian reads")
    with Image.open(site.folder / posted[0]["image_url"].split(site.url + "/")[1]) as fitted:
        assert fitted.format == "JPEG" and 0.8 <= fitted.width / fitted.height <= 1.91
        assert fitted.height == 1400  # padded at the sides, not shrunk or stretched
    # No picture, or one without alt text: failed with the fix, never skipped silently.
    assert run.returncode == 1
    states = ws.states("instagram")
    assert states["Libraries closed for staff training"] == "failed"
    assert "its picture has no Image-Alt: text" in run.output
    assert states["The Summer Reading Challenge 2026"] == "failed"
    assert "it has no picture" in run.output


def test_instagram_can_say_link_in_bio(ws, site, instagram):
    channels = {"instagram": {"type": "instagram", "link": "bio"}}
    env = setup(ws, site, "instagram", channels=channels, ANNOUNCE_MAX_PER_RUN=1)
    ws.announce({**env, **instagram_env(instagram)})
    (caption,) = texts(instagram)
    assert "Link in bio" in caption and "127.0.0.1" not in caption


def test_instagram_past_its_daily_limit_waits_for_the_next_run(ws, site, instagram):
    env = setup(ws, site, "instagram", ANNOUNCE_MAX_PER_RUN=1)
    for n in range(50):  # published in the last 24 hours by the library's other tools
        instagram.media.append(
            {"id": f"17900{n}", "text": f"Earlier {n}", "caption": f"Earlier {n}",
             "image_url": "", "alt_text": "", "width": 1080, "link": None,
             "time": instagram.now(), "permalink": "", "shortcode": f"E{n}", "container_id": ""}
        )  # fmt: skip
    run = ws.announce({**env, **instagram_env(instagram)})
    assert run.returncode == 1
    assert "| instagram | pending |" in run.output and "50 of its 50" in run.output
    assert len(instagram.published()) == 50 and not sends(instagram, r"/media$")


def test_threads_attaches_the_link_or_posts_the_picture_with_alt_text(ws, site, threads):
    env = setup(ws, site, "threads", ANNOUNCE_MAX_PER_RUN=5)
    run = ws.announce({**env, **threads_env(threads)})
    assert run.returncode == 0, run.output
    by_title = {p["text"].split("\n")[0]: p for p in threads.published()}
    rhyme = by_title[RHYME]
    assert rhyme["media_type"] == "IMAGE" and rhyme["alt_text"].startswith("A librarian")
    summer = by_title["Sign up for the Summer Reading Challenge at any library from 11 July!"]
    assert summer["media_type"] == "TEXT"
    assert summer["link"].endswith("/the-summer-reading-challenge-2026/")
    # One topic tag a post: the Rhyme Time post has two tags, only the first is kept.
    assert "#RhymeTime" in rhyme["text"] and "#UnderFives" not in rhyme["text"]


# -- faults: the same suite for each network -------------------------------------------

NETWORKS = ["facebook", "instagram", "threads"]


@pytest.mark.parametrize("name", NETWORKS)
def test_server_down_then_up_sends_once(ws, site, request, name):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    server.pause()
    try:
        down = ws.announce(env)
    finally:
        server.resume()
    assert down.returncode == 1 and f"| {name} | pending |" in down.output
    assert f"{name}: could not reach 127.0.0.1" in down.output
    assert ws.states(name) == {}  # nothing claimed
    assert ws.announce(env).returncode == 0
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1


@pytest.mark.parametrize("name", NETWORKS)
def test_500s_are_retried_then_left_pending_then_sent_once(ws, site, request, name):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    server.fault(PUBLISH[name], {"status": 500}, method="POST")
    run = ws.announce(env)
    assert run.returncode == 1 and f"| {name} | pending |" in run.output
    assert len(sends(server, PUBLISH[name])) == 3  # ANNOUNCE_RETRIES
    server.clear_faults()
    assert ws.announce(env).returncode == 0
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1


@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("code", [429, 4, 17, 32, 613])
def test_rate_limits_wait_as_the_headers_say(ws, site, request, name, code):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    limited = {"error": {"code": code, "message": "Application request limit reached"}}
    effect = {"status": 429} if code == 429 else {**limited, "status": 400}
    server.fault(PUBLISH[name], effect, count=1, method="POST")
    run = ws.announce(env)
    assert run.returncode == 1 and f"| {name} | pending |" in run.output
    assert "rate limited" in run.output
    assert len(sends(server, PUBLISH[name])) == 1  # the headers say 5 minutes: the next run
    assert ws.announce(env).returncode == 0
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1


@pytest.mark.parametrize("name", NETWORKS)
def test_an_expired_token_fails_with_the_fix_and_is_never_retried(ws, site, request, name):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    server.expire_token()
    before = len(server.requests)
    run = ws.announce(env)
    assert run.returncode == 1 and f"| {name} | failed |" in run.output
    assert "code 190" in run.output and "make announce-check" in run.output
    assert "docs/connecting-accounts.md" in run.output
    assert len(server.requests) - before <= 2  # a look, perhaps; never a retry loop
    assert server.published() == []
    server.reset()  # a new token: the next run sends what waited, no retry command needed
    assert ws.announce(env).returncode == 0
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1
    assert server.token not in run.output


@pytest.mark.parametrize("name", NETWORKS)
def test_a_missing_permission_fails_naming_it(ws, site, request, name):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    permission = {
        "facebook": "pages_manage_posts",
        "instagram": "instagram_business_content_publish",
        "threads": "threads_content_publish",
    }[name]
    server.remove_permission(permission)
    run = ws.announce(env)
    assert run.returncode == 1 and f"| {name} | failed |" in run.output
    assert permission in run.output
    assert server.published() == []


@pytest.mark.parametrize("name", NETWORKS)
def test_killed_between_send_and_record_is_found_not_resent(ws, site, request, name):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    killed_at(ws, env, server, "POST", PUBLISH[name])
    assert ws.states(name)[RHYME] == "claimed"
    run = ws.announce(env)
    assert run.returncode == 0, run.output
    assert "found, made by an earlier run" in run.output
    assert ws.states(name)[RHYME] == "sent"
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1


@pytest.mark.parametrize("name", NETWORKS)
def test_sent_but_no_answer_is_found_not_resent(ws, site, request, name):
    server, keys = network(request, name)
    env = {**setup(ws, site, name, ANNOUNCE_MAX_PER_RUN=1), **keys}
    server.fault(PUBLISH[name], {"drop": "after"}, count=1, method="POST")
    run = ws.announce(env)
    assert run.returncode == 0, run.output
    assert ws.states(name)[RHYME] == "sent"
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1


@pytest.mark.parametrize("name", NETWORKS)
def test_a_picture_not_yet_on_the_site_waits(ws, site, request, name):
    server, keys = network(request, name)
    channels = {name: {"type": name, "post_as": "photo"} if name == "facebook" else {"type": name}}
    env = {**setup(ws, site, name, channels=channels, ANNOUNCE_MAX_PER_RUN=1), **keys}
    pictures = list((site.folder / "images" / "announce").glob("*.jpg"))
    assert pictures
    for path in pictures:
        path.rename(path.with_suffix(".later"))
    run = ws.announce(env)
    assert run.returncode == 1 and "does not answer 200 yet" in run.output
    assert RHYME not in ws.states(name) and server.published() == []
    for path in pictures:
        path.with_suffix(".later").rename(path)
    assert ws.announce(env).returncode == 0
    assert sum(t.startswith(RHYME) for t in texts(server)) == 1


def test_reconcile_finds_what_meta_shows_after_the_ledger_is_lost(
    ws, site, facebook, instagram, threads
):
    with_pictures(ws)
    channels = {**ONLY["facebook"], **ONLY["instagram"], **ONLY["threads"]}
    env = setup(ws, site, "facebook", channels=channels, ANNOUNCE_MAX_PER_RUN=2)
    env = {**env, **facebook_env(facebook), **instagram_env(instagram), **threads_env(threads)}
    assert ws.announce(env).returncode == 0  # two of three sent on each
    shutil.rmtree(ws.state)  # a fresh checkout: no journal
    ws.ledger.write_text("{}\n")
    ws.build({"SITEURL": site.url})
    rebuilt = ws.announce(env, command="reconcile")
    assert rebuilt.returncode == 0, rebuilt.output
    for name in NETWORKS:
        assert rebuilt.stdout.count(f"| {name} | sent | found on the account |") == 2
    ws.build({"SITEURL": site.url})
    assert ws.announce(env).returncode == 0
    for server in (facebook, instagram, threads):
        assert len(server.published()) == 3
        assert sum(t.startswith(RHYME) for t in texts(server)) == 1


# -- make announce-check ---------------------------------------------------------------


def test_announce_check_says_who_posts_and_what_is_missing(ws, site, facebook, instagram, threads):
    since(ws, ANNOUNCE_CHANNELS={**ONLY["facebook"], **ONLY["instagram"], **ONLY["threads"]})
    env = {**facebook_env(facebook), **instagram_env(instagram), **threads_env(threads)}
    good = ws.announce(env, command="check")
    assert good.returncode == 0, good.output
    assert "facebook: OK: posts as Riverside Libraries (Facebook Page" in good.output
    assert "instagram: OK: posts as @" in good.output
    assert "threads: OK: posts as @" in good.output
    facebook.remove_permission("pages_manage_posts")
    threads.expire_token()
    bad = ws.announce(env, command="check")
    assert bad.returncode == 1
    assert "missing: the permission pages_manage_posts" in bad.output
    assert "threads: FAILED" in bad.output and "code 190" in bad.output
    for server in (facebook, instagram, threads):
        assert server.token not in bad.output + good.output
    assert not sends(facebook, r"/feed$|/photos$") and facebook.published() == []


def test_secrets_never_reach_output_ledger_plan_or_logs(ws, site, facebook, instagram, threads):
    env = setup(
        ws,
        site,
        "facebook",
        channels={**ONLY["facebook"], **ONLY["instagram"], **ONLY["threads"]},
        ANNOUNCE_MAX_PER_RUN=1,
    )
    env = {**env, **facebook_env(facebook), **instagram_env(instagram), **threads_env(threads)}
    threads.expire_token()
    facebook.fault(PUBLISH["facebook"], {"status": 500}, method="POST")
    runs = [ws.announce(env), ws.announce(env, command="preview")]
    texts_ = [r.output for r in runs]
    for path in [*(ws.tmp / "build" / "output").rglob("*"), ws.ledger, *ws.state.rglob("*")]:
        if path.is_file():
            texts_.append(path.read_bytes().decode("utf-8", "replace"))
    for server in (facebook, instagram, threads):
        assert not any(server.token in t for t in texts_)
