"""The Meta contract servers themselves, driven with plain HTTP calls shaped like the
documentation's curl examples, so a rule the server drops fails here first."""

import functools
import http.server
import json
import threading

import pytest
import requests
from PIL import Image

SITE = "https://www.riverside-libraries.example"


@pytest.fixture
def site(tmp_path, facebook, instagram, threads):
    """A deployed site's images, as Meta would fetch them."""
    folder = tmp_path / "site"
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (1200, 630), "navy").save(folder / "images" / "card.jpg")
    Image.new("RGB", (1080, 1350), "navy").save(folder / "images" / "tall.jpg")  # 4:5
    Image.new("RGB", (1080, 1080), "navy").save(folder / "images" / "square.png")
    Image.new("RGB", (1200, 600), "navy").save(folder / "images" / "wide.jpg")  # 2:1
    Image.new("RGB", (2000, 1500), "navy").save(folder / "images" / "big.jpg")
    Image.new("RGB", (2200, 200), "navy").save(folder / "images" / "strip.png")  # 11:1
    Image.new("RGB", (400, 400), "navy").save(folder / "images" / "anim.gif")
    # > 8 MiB of JPEG: noise does not compress.
    noise = Image.frombytes("RGB", (1440, 1440), bytes(range(256)) * (1440 * 1440 * 3 // 256))
    noise.effect_spread(50).save(folder / "images" / "huge.jpg", quality=100)
    (folder / "images" / "huge.jpg").write_bytes(
        (folder / "images" / "huge.jpg").read_bytes() + b"\0" * 9 * 1024 * 1024
    )
    for server in (facebook, instagram, threads):
        server.serve_site(SITE, folder)
    return folder


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(error), error
    return error


# ---- Facebook Page ---------------------------------------------------------------------


def fb_post(fb, message="Rhyme Time returns", link=SITE + "/rhyme-time.html", **extra):
    return requests.post(
        f"{fb.url}/v24.0/{fb.PAGE_ID}/feed",
        data={"message": message, "link": link, "access_token": fb.token, **extra},
        timeout=5,
    )


def test_facebook_link_post_is_found_by_its_link(facebook):
    r = fb_post(facebook)
    assert r.status_code == 200
    post_id = r.json()["id"]
    assert post_id.startswith(facebook.PAGE_ID + "_")
    assert "X-App-Usage" in r.headers
    listed = requests.get(
        f"{facebook.url}/v19.0/{facebook.PAGE_ID}/published_posts",
        params={
            "fields": "id,message,created_time,permalink_url,attachments{unshimmed_url,url}",
            "access_token": facebook.token,
        },
        timeout=5,
    ).json()
    [node] = listed["data"]
    assert node["id"] == post_id and node["message"] == "Rhyme Time returns"
    attachment = node["attachments"]["data"][0]
    assert attachment["unshimmed_url"] == SITE + "/rhyme-time.html"
    assert attachment["url"].startswith("https://l.facebook.com/")
    assert facebook.published()[0]["link"] == SITE + "/rhyme-time.html"


def test_facebook_accepts_json_body_and_bearer_header(facebook):
    r = requests.post(
        f"{facebook.url}/v24.0/{facebook.PAGE_ID}/feed",
        json={"message": "JSON", "published": True},
        headers={"Authorization": f"OAuth {facebook.token}"},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    r = requests.get(
        f"{facebook.url}/me",
        params={"fields": "id,name"},
        headers={"Authorization": f"Bearer {facebook.token}"},
        timeout=5,
    )
    assert r.json() == {"id": facebook.PAGE_ID, "name": facebook.PAGE_NAME}


def test_facebook_unpublished_post_is_not_shown(facebook):
    assert fb_post(facebook, published="false").status_code == 200
    assert facebook.published() == []


def test_facebook_photo_post_fetches_the_url(facebook, site):
    r = requests.post(
        f"{facebook.url}/v24.0/{facebook.PAGE_ID}/photos",
        data={
            "url": SITE + "/images/card.jpg",
            "message": "Story time",
            "alt_text_custom": "A librarian reads to children.",
            "access_token": facebook.token,
        },
        timeout=5,
    )
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"id", "post_id"}
    [shown] = facebook.published()
    assert shown["alt_text"] == "A librarian reads to children."
    assert shown["image_url"] == SITE + "/images/card.jpg"
    bad = requests.post(
        f"{facebook.url}/v24.0/{facebook.PAGE_ID}/photos",
        data={"url": "https://elsewhere.example/x.jpg", "access_token": facebook.token},
        timeout=5,
    )
    assert bad.status_code == 400 and error_of(bad)["code"] == 324
    missing = requests.post(
        f"{facebook.url}/v24.0/{facebook.PAGE_ID}/photos",
        data={"url": SITE + "/images/none.jpg", "access_token": facebook.token},
        timeout=5,
    )
    assert error_of(missing)["code"] == 324
    assert len(facebook.published()) == 1


def test_facebook_pagination_and_time_window(facebook):
    for n in range(5):
        fb_post(facebook, message=f"post {n}")
        facebook.advance(60)
    url = f"{facebook.url}/v24.0/{facebook.PAGE_ID}/feed"
    first = requests.get(url, params={"limit": 2, "access_token": facebook.token}, timeout=5)
    page = first.json()
    assert [p["message"] for p in page["data"]] == ["post 4", "post 3"]
    assert "previous" not in page["paging"]
    seen = [p["message"] for p in page["data"]]
    while "next" in page.get("paging", {}):
        page = requests.get(page["paging"]["next"], timeout=5).json()
        seen += [p["message"] for p in page["data"]]
    assert seen == [f"post {n}" for n in range(4, -1, -1)]
    newest = facebook.published()[0]["time"]
    recent = requests.get(
        url, params={"since": int(newest) - 90, "access_token": facebook.token}, timeout=5
    ).json()
    assert [p["message"] for p in recent["data"]] == ["post 4", "post 3"]


def test_facebook_fields_deprecated_or_unknown(facebook):
    fb_post(facebook)
    url = f"{facebook.url}/v24.0/{facebook.PAGE_ID}/posts"
    deprecated = requests.get(url, params={"fields": "id,link", "access_token": facebook.token})
    assert error_of(deprecated)["code"] == 12
    unknown = requests.get(url, params={"fields": "id,colour", "access_token": facebook.token})
    assert error_of(unknown)["code"] == 100


def test_facebook_permissions(facebook):
    facebook.remove_permission("pages_manage_posts")
    r = fb_post(facebook)
    assert r.status_code == 400 and error_of(r)["code"] == 200
    assert facebook.published() == []
    facebook.remove_permission("pages_read_engagement")
    r = requests.get(
        f"{facebook.url}/v24.0/{facebook.PAGE_ID}/posts",
        params={"access_token": facebook.token},
        timeout=5,
    )
    assert error_of(r)["code"] == 10
    debug = requests.get(
        f"{facebook.url}/debug_token",
        params={"input_token": facebook.token, "access_token": facebook.token},
        timeout=5,
    ).json()["data"]
    assert "pages_manage_posts" not in debug["scopes"]


def test_facebook_debug_token_and_expiry(facebook):
    data = requests.get(
        f"{facebook.url}/v24.0/debug_token",
        params={"input_token": facebook.token, "access_token": facebook.token},
        timeout=5,
    ).json()["data"]
    assert data["type"] == "PAGE" and data["is_valid"] and data["expires_at"] == 0
    assert data["profile_id"] == facebook.PAGE_ID and "pages_manage_posts" in data["scopes"]
    facebook.expire_token()
    r = fb_post(facebook)
    error = error_of(r)
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 463, "OAuthException")
    facebook.expire_token(460)
    assert error_of(fb_post(facebook))["error_subcode"] == 460
    wrong = requests.get(f"{facebook.url}/me", params={"access_token": "nope"}, timeout=5)
    assert error_of(wrong)["code"] == 190
    assert error_of(requests.get(f"{facebook.url}/me", timeout=5))["code"] == 104
    assert facebook.published() == []


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_facebook_rate_limits_say_when(facebook, code):
    facebook.throttle(code, seconds=600)
    r = fb_post(facebook)
    assert error_of(r)["code"] == code
    usage = json.loads(r.headers["X-Business-Use-Case-Usage"])
    [entry] = usage[facebook.PAGE_ID]
    assert entry["estimated_time_to_regain_access"] == 10
    assert json.loads(r.headers["X-App-Usage"])["call_count"] == 100
    facebook.advance(601)
    assert fb_post(facebook).status_code == 200


def test_facebook_spam_block_fault(facebook):
    facebook.fault(r"/feed$", {"error": {"code": 368, "message": "blocked"}, "status": 400})
    error = error_of(fb_post(facebook))
    assert error["code"] == 368 and error["message"] == "blocked"
    assert facebook.published() == []


# ---- faults, pause/resume, after hook (base.py, through the Facebook server) -----------


def test_fault_500_has_the_api_body_and_is_not_processed(facebook):
    facebook.fault(r"/feed$", {"status": 500}, count=1, method="POST")
    r = fb_post(facebook)
    assert r.status_code == 500 and error_of(r)["code"] in (1, 2)
    assert facebook.published() == []
    assert fb_post(facebook).status_code == 200  # count=1: used up


def test_fault_429_with_headers(facebook):
    facebook.fault(r"/feed$", {"status": 429, "headers": {"Retry-After": "30"}}, count=1)
    r = fb_post(facebook)
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"
    assert facebook.published() == []


def test_fault_method_filter(facebook):
    facebook.fault(r"/feed$", {"status": 500}, method="GET")
    assert fb_post(facebook).status_code == 200


def test_fault_drops_and_delay(facebook):
    facebook.fault(r"/feed$", {"drop": "before"}, count=1)
    with pytest.raises(requests.ConnectionError):
        fb_post(facebook)
    assert facebook.published() == []
    facebook.fault(r"/feed$", {"drop": "after"}, count=1)
    with pytest.raises(requests.ConnectionError):
        fb_post(facebook)
    assert len(facebook.published()) == 1  # sent, but no answer
    facebook.fault(r"/feed$", {"delay": 1.5}, count=1)
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{facebook.url}/{facebook.PAGE_ID}/feed",
            data={"message": "late", "access_token": facebook.token},
            timeout=0.5,
        )
    assert facebook.published()[0]["text"] == "late"


def test_pause_and_resume_on_the_same_port(facebook):
    port = facebook.port
    facebook.pause()
    with pytest.raises(requests.ConnectionError):
        fb_post(facebook)
    facebook.resume()
    assert facebook.port == port
    assert fb_post(facebook).status_code == 200


def test_after_hook_runs_after_processing(facebook):
    seen = []
    facebook.after = lambda method, path: seen.append((method, path, len(facebook.posts)))
    fb_post(facebook)
    assert seen == [("POST", f"/v24.0/{facebook.PAGE_ID}/feed", 1)]
    method, path, params = facebook.requests[-1]
    assert (method, params["message"]) == ("POST", "Rhyme Time returns")


def test_reset_gives_the_same_ids(facebook):
    first = fb_post(facebook).json()["id"]
    facebook.fault(".*", {"status": 500})
    facebook.expire_token()
    facebook.reset()
    assert fb_post(facebook).json()["id"] == first
    assert len(facebook.published()) == 1 and len(facebook.requests) == 1


# ---- Instagram -------------------------------------------------------------------------


def ig(server, method, path, **params):
    return requests.request(
        method,
        f"{server.url}/v24.0/{path}",
        params={**params, "access_token": server.token},
        timeout=5,
    )


def ig_container(server, image=SITE + "/images/tall.jpg", **params):
    return ig(server, "POST", f"{server.USER_ID}/media", image_url=image, **params)


def test_instagram_two_steps(instagram, site):
    instagram.ready_after = 2
    r = ig_container(instagram, caption="Rhyme Time #RhymeTime", alt_text="Children singing")
    assert r.status_code == 200, r.text
    creation_id = r.json()["id"]
    early = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    assert (error_of(early)["code"], error_of(early)["error_subcode"]) == (9007, 2207027)
    statuses = [
        ig(instagram, "GET", creation_id, fields="status_code,status").json()["status_code"]
        for _ in range(3)
    ]
    assert statuses == ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]
    done = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    media_id = done.json()["id"]
    status = ig(instagram, "GET", creation_id, fields="status_code").json()
    assert status == {"status_code": "PUBLISHED", "id": creation_id}
    again = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    assert again.status_code == 400
    [shown] = instagram.published()
    assert shown["id"] == media_id and shown["alt_text"] == "Children singing"
    assert shown["caption"] == "Rhyme Time #RhymeTime"
    permalink = ig(instagram, "GET", media_id, fields="permalink").json()["permalink"]
    assert permalink.startswith("https://www.instagram.com/p/")
    listed = ig(
        instagram, "GET", f"{instagram.USER_ID}/media", fields="id,caption,permalink,timestamp"
    ).json()
    assert listed["data"][0]["id"] == media_id and listed["data"][0]["permalink"] == permalink


def test_instagram_container_expires_after_a_day(instagram, site):
    creation_id = ig_container(instagram).json()["id"]
    instagram.advance(24 * 3600 + 1)
    status = ig(instagram, "GET", creation_id, fields="status_code").json()["status_code"]
    assert status == "EXPIRED"
    r = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    assert (error_of(r)["code"], error_of(r)["error_subcode"]) == (-2, 2207020)


@pytest.mark.parametrize(
    "image, code, subcode",
    [
        (SITE + "/images/square.png", 36001, 2207005),  # not JPEG
        (SITE + "/images/wide.jpg", 36003, 2207009),  # 2:1, wider than 1.91:1
        (SITE + "/images/huge.jpg", 36000, 2207004),  # over 8 MiB
        (SITE + "/images/none.jpg", 9004, 2207052),  # not on the site
        ("https://elsewhere.example/card.jpg", 9004, 2207052),  # not reachable
    ],
)
def test_instagram_image_rules(instagram, site, image, code, subcode):
    r = ig_container(instagram, image=image)
    error = error_of(r)
    assert r.status_code == 400 and (error["code"], error["error_subcode"]) == (code, subcode)
    assert instagram.containers == {}


def test_instagram_accepts_the_limits_and_scales_width(instagram, site):
    for name in ("tall.jpg", "card.jpg", "big.jpg"):  # 4:5, 1.905:1, 2000 px wide
        assert ig_container(instagram, image=f"{SITE}/images/{name}").status_code == 200
    widths = [c["width"] for c in instagram.containers.values()]
    assert widths == [1080, 1200, 1440]


def test_instagram_fetches_from_loopback(instagram, site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        assert ig_container(instagram, image=base + "/images/tall.jpg").status_code == 200
        assert error_of(ig_container(instagram, image=base + "/images/no.jpg"))["code"] == 9004
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_instagram_caption_rules(instagram, site):
    ok = ["x" * 2200, " ".join(f"#t{n}" for n in range(30)), " ".join(f"@u{n}" for n in range(20))]
    for caption in ok:
        assert ig_container(instagram, caption=caption).status_code == 200, caption[:40]
    bad = ["x" * 2201, " ".join(f"#t{n}" for n in range(31)), " ".join(f"@u{n}" for n in range(21))]
    for caption in bad:
        assert error_of(ig_container(instagram, caption=caption))["code"] == 100, caption[:40]


def test_instagram_publishing_limit(instagram, site):
    instagram.ready_after = 0
    for _ in range(50):
        creation_id = ig_container(instagram).json()["id"]
        r = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
        assert r.status_code == 200
    limit = ig(
        instagram,
        "GET",
        f"{instagram.USER_ID}/content_publishing_limit",
        fields="quota_usage,config",
    ).json()
    assert limit == {
        "data": [{"quota_usage": 50, "config": {"quota_total": 50, "quota_duration": 86400}}]
    }
    creation_id = ig_container(instagram).json()["id"]
    r = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    assert (error_of(r)["code"], error_of(r)["error_subcode"]) == (9, 2207042)
    instagram.advance(24 * 3600 - 60)  # the container is still fresh; the window moved on
    r = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    assert r.status_code == 400  # posts are still inside the 24 hours
    instagram.advance(61)
    creation_id = ig_container(instagram).json()["id"]
    r = ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    assert r.status_code == 200


def test_instagram_media_pagination(instagram, site):
    instagram.ready_after = 0
    for n in range(3):
        creation_id = ig_container(instagram, caption=f"c{n}").json()["id"]
        ig(instagram, "POST", f"{instagram.USER_ID}/media_publish", creation_id=creation_id)
    page = ig(instagram, "GET", f"{instagram.USER_ID}/media", fields="caption", limit=2).json()
    captions = [m["caption"] for m in page["data"]]
    page = requests.get(page["paging"]["next"], timeout=5).json()
    captions += [m["caption"] for m in page["data"]]
    assert captions == ["c2", "c1", "c0"] and "next" not in page["paging"]


def test_instagram_login_kinds(instagram, site):
    me = ig(instagram, "GET", "me", fields="user_id,username").json()
    assert (me["user_id"], me["username"]) == (instagram.USER_ID, instagram.USERNAME)
    assert me["id"] != instagram.USER_ID  # app-scoped
    instagram.remove_permission("instagram_business_content_publish")
    assert error_of(ig_container(instagram))["code"] == 10
    instagram.reset()
    instagram.use_facebook_login()
    assert instagram.token.startswith("EAA")
    assert error_of(ig(instagram, "GET", "me", fields="user_id"))["code"] == 100
    assert ig_container(instagram).status_code == 200
    instagram.remove_permission("instagram_content_publish")
    assert error_of(ig_container(instagram))["code"] == 10


def test_instagram_expired_token(instagram, site):
    instagram.expire_token()
    error = error_of(ig_container(instagram))
    assert (error["code"], error["error_subcode"]) == (190, 463)


# ---- Threads ---------------------------------------------------------------------------


def th(server, method, path, **params):
    return requests.request(
        method,
        f"{server.url}/v1.0/{path}",
        params={**params, "access_token": server.token},
        timeout=5,
    )


def th_publish(server, **params):
    r = th(server, "POST", f"{server.USER_ID}/threads", **params)
    assert r.status_code == 200, r.text
    creation_id = r.json()["id"]
    return creation_id, th(
        server, "POST", f"{server.USER_ID}/threads_publish", creation_id=creation_id
    )


def test_threads_text_post_with_link(threads):
    creation_id, r = th_publish(
        threads, media_type="TEXT", text="Rhyme Time is back #RhymeTime #Kids",
        link_attachment=SITE + "/rhyme-time.html",
    )  # fmt: skip
    assert error_of(r)["error_subcode"] == 2207027  # not polled yet: still in progress
    status = th(threads, "GET", creation_id, fields="status,error_message").json()
    assert status == {"id": creation_id, "status": "IN_PROGRESS"}
    assert th(threads, "GET", creation_id, fields="status").json()["status"] == "FINISHED"
    r = th(threads, "POST", f"{threads.USER_ID}/threads_publish", creation_id=creation_id)
    media_id = r.json()["id"]
    [shown] = threads.published()
    assert shown["link"] == SITE + "/rhyme-time.html" and shown["topic"] == "RhymeTime"
    node = th(threads, "GET", media_id, fields="permalink,link_attachment_url,topic_tag").json()
    assert node["permalink"].startswith("https://www.threads.net/@")
    assert node["link_attachment_url"] == SITE + "/rhyme-time.html"
    listed = th(threads, "GET", "me/threads", fields="id,text,permalink,timestamp").json()
    assert listed["data"][0]["id"] == media_id
    me = th(threads, "GET", "me", fields="id,username").json()
    assert me == {"id": threads.USER_ID, "username": threads.USERNAME}


def test_threads_counts_emoji_by_utf8_bytes(threads):
    threads.ready_after = 0
    url = f"{threads.USER_ID}/threads"
    assert th(threads, "POST", url, media_type="TEXT", text="a" * 500).status_code == 200
    assert error_of(th(threads, "POST", url, media_type="TEXT", text="a" * 501))["code"] == 100
    assert th(threads, "POST", url, media_type="TEXT", text="a" * 496 + "😀").status_code == 200
    assert th(threads, "POST", url, media_type="TEXT", text="a" * 497 + "😀").status_code == 400
    assert th(threads, "POST", url, media_type="TEXT", text="é" * 500).status_code == 200


def test_threads_parameter_rules(threads, site):
    url = f"{threads.USER_ID}/threads"
    image = SITE + "/images/card.jpg"
    r = th(threads, "POST", url, media_type="IMAGE", image_url=image, link_attachment=SITE)
    assert error_of(r)["code"] == 100
    assert error_of(th(threads, "POST", url, media_type="TEXT"))["code"] == 100
    assert error_of(th(threads, "POST", url, text="no media type"))["code"] == 100
    r = th(threads, "POST", url, media_type="TEXT", text="x", topic_tag="a.b")
    assert error_of(r)["code"] == 100
    links = " ".join(f"https://e.example/{n}" for n in range(6))
    r = th(threads, "POST", url, media_type="TEXT", text=links)
    assert "THREADS_API__LINK_LIMIT_EXCEEDED" in error_of(r)["message"]
    r = th(threads, "POST", url, media_type="IMAGE", image_url=image, alt_text="x" * 1001)
    assert error_of(r)["code"] == 100


def test_threads_image_post_and_bad_images(threads, site):
    threads.ready_after = 0
    _, r = th_publish(
        threads, media_type="IMAGE", image_url=SITE + "/images/square.png", text="Hi",
        alt_text="A reading corner",
    )  # fmt: skip
    assert r.status_code == 200
    assert threads.published()[0]["alt_text"] == "A reading corner"
    for name, message in (("anim.gif", "UNKNOWN"), ("strip.png", "INVALID_ASPEC_RATIO")):
        creation_id, r = th_publish(threads, media_type="IMAGE", image_url=f"{SITE}/images/{name}")
        assert r.status_code == 400
        status = th(threads, "GET", creation_id, fields="status,error_message").json()
        assert (status["status"], status["error_message"]) == ("ERROR", message)
    r = th(
        threads, "POST", f"{threads.USER_ID}/threads", media_type="IMAGE", image_url=SITE + "/x.jpg"
    )
    assert error_of(r)["error_subcode"] == 2207052
    assert len(threads.published()) == 1


def test_threads_publishing_limit(threads):
    threads.ready_after = 0
    for n in range(250):
        _, r = th_publish(threads, media_type="TEXT", text=f"post {n}")
        assert r.status_code == 200
    limit = th(threads, "GET", "me/threads_publishing_limit", fields="quota_usage,config").json()
    assert limit["data"][0] == {
        "quota_usage": 250,
        "config": {"quota_total": 250, "quota_duration": 86400},
    }
    _, r = th_publish(threads, media_type="TEXT", text="one too many")
    assert error_of(r)["code"] == 9
    page = th(threads, "GET", "me/threads", fields="text", limit=100).json()
    assert len(page["data"]) == 100 and page["data"][0]["text"] == "post 249"


def test_threads_permissions_and_token(threads):
    threads.remove_permission("threads_content_publish")
    r = th(threads, "POST", f"{threads.USER_ID}/threads", media_type="TEXT", text="x")
    assert error_of(r)["code"] == 10
    threads.expire_token()
    error = error_of(th(threads, "GET", "me"))
    assert (error["code"], error["error_subcode"]) == (190, 463)


def test_rate_limit_fault_gets_the_usage_headers(threads):
    threads.fault(r"/threads$", {"error": {"code": 4, "message": "(#4) limit"}, "status": 400})
    r = th(threads, "POST", f"{threads.USER_ID}/threads", media_type="TEXT", text="x")
    assert error_of(r)["code"] == 4
    assert json.loads(r.headers["X-App-Usage"])["call_count"] == 100
    [entry] = json.loads(r.headers["X-Business-Use-Case-Usage"])[threads.USER_ID]
    assert entry["estimated_time_to_regain_access"] > 0
    assert threads.containers == {}


# ---- listening: comments, replies, counts ----------------------------------------------


def test_facebook_comments_toplevel_stream_and_summaries(facebook):
    post_id = fb_post(facebook).json()["id"]
    ann = facebook.comment(post_id, "When?")
    reply = facebook.comment(post_id, "At 10:30", parent=ann, by_page=True)
    get = functools.partial(requests.get, timeout=5)
    base = f"{facebook.url}/v24.0/{post_id}"
    top = get(f"{base}/comments", params={"access_token": facebook.token, "summary": "true"})
    assert [c["id"] for c in top.json()["data"]] == [ann]
    assert top.json()["summary"]["total_count"] == 1
    fields = "id,from,parent,is_hidden,permalink_url"
    stream = get(
        f"{base}/comments",
        params={"access_token": facebook.token, "filter": "stream", "fields": fields},
    ).json()["data"]
    assert [c["id"] for c in stream] == [ann, reply]
    assert "parent" not in stream[0] and stream[1]["parent"] == {"id": ann}
    assert stream[1]["from"]["id"] == facebook.PAGE_ID
    counts = get(
        base,
        params={
            "access_token": facebook.token,
            "fields": "shares,comments.filter(stream).summary(true).limit(0)",
        },
    ).json()
    assert "shares" not in counts  # POST_REF: absent when nobody shared
    assert counts["comments"]["summary"]["total_count"] == 2
    facebook.remove_permission("read_insights")
    r = get(
        f"{base}/insights",
        params={"access_token": facebook.token, "metric": "post_total_media_view_unique"},
    )
    assert r.status_code == 400 and error_of(r)["code"] == 10


def test_threads_only_top_level_replies_can_be_hidden(threads):
    threads.ready_after = 0
    _, made = th_publish(threads, media_type="TEXT", text="Rhyme Time")
    media_id = made.json()["id"]
    top = threads.reply(media_id, "When?")
    nested = threads.reply(media_id, "Tuesdays", parent=top)
    r = th(threads, "POST", f"{nested}/manage_reply", hide="true")
    assert r.status_code == 400
    assert th(threads, "POST", f"{top}/manage_reply", hide="true").json() == {"success": True}
    found = th(
        threads, "GET", f"{media_id}/conversation", fields="id,hide_status", reverse="false"
    ).json()["data"]
    assert [(f["id"], f["hide_status"]) for f in found] == [(top, "HIDDEN"), (nested, "HIDDEN")]
    direct = th(threads, "GET", f"{media_id}/replies").json()["data"]
    assert [f["id"] for f in direct] == [top]
