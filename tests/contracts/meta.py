"""Contract servers for the Meta APIs the announcer posts to: a Facebook Page (Graph API),
Instagram content publishing and Threads. Each class holds one API's behaviour; every rule
cites the documentation page it comes from. Shared plumbing is in graph.py and base.py.
"""

import datetime
import re
from urllib.parse import quote

from .base import Reply
from .graph import (
    GraphError,
    GraphServer,
    insights_reply,
    inspect_image,
    modifiers,
    split_fields,
    wanted_metrics,
)

PAGES_POSTS = "https://developers.facebook.com/docs/pages-api/posts"
PAGE_FEED = "https://developers.facebook.com/docs/graph-api/reference/page/feed"
PAGE_PHOTOS = "https://developers.facebook.com/docs/graph-api/reference/page/photos"
POST_REF = "https://developers.facebook.com/docs/graph-api/reference/post"
COMMENTS_EDGE = "https://developers.facebook.com/docs/graph-api/reference/object/comments"
COMMENT_REF = "https://developers.facebook.com/docs/graph-api/reference/comment"
REACTIONS_EDGE = "https://developers.facebook.com/docs/graph-api/reference/object/reactions"
PAGE_INSIGHTS = "https://developers.facebook.com/docs/graph-api/reference/insights"
PAGE_TAGGED = "https://developers.facebook.com/docs/graph-api/reference/page/tagged"
DEBUG_TOKEN = "https://developers.facebook.com/docs/graph-api/reference/debug_token"
IG_PUBLISHING = "https://developers.facebook.com/docs/instagram-platform/content-publishing"
IG_REF = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference"
IG_MEDIA = IG_REF + "/ig-user/media"
IG_MEDIA_PUBLISH = IG_REF + "/ig-user/media_publish"
IG_CONTAINER = IG_REF + "/ig-container"
IG_LIMIT = IG_REF + "/ig-user/content_publishing_limit"
IG_ERRORS = IG_REF + "/error-codes"
THREADS_POSTS = "https://developers.facebook.com/docs/threads/posts"
THREADS_TROUBLE = "https://developers.facebook.com/docs/threads/troubleshooting"
THREADS_OVERVIEW = "https://developers.facebook.com/docs/threads/overview"
THREADS_MEDIA = "https://developers.facebook.com/docs/threads/threads-media"
THREADS_REPLIES = "https://developers.facebook.com/docs/threads/reply-management"
THREADS_REPLIES_REF = (
    "https://developers.facebook.com/documentation/threads/reference/reply-management"
)
THREADS_INSIGHTS = "https://developers.facebook.com/docs/threads/insights"
THREADS_MENTIONS = "https://developers.facebook.com/docs/threads/threads-mentions"
IG_COMMENT = IG_REF + "/ig-comment"
IG_MODERATION = "https://developers.facebook.com/docs/instagram-api/guides/comment-moderation"
IG_INSIGHTS = (
    "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights"
)
IG_TAGS = IG_REF + "/ig-user/tags"

DAY = 24 * 60 * 60


def iso(ts):
    """Graph's time format, e.g. 2026-02-01T09:00:00+0000 (POST_REF created_time)."""
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def truthy(value, default=True):
    if value is None:
        return default
    return str(value).lower() not in ("false", "0", "")


class FacebookGraph(GraphServer):
    """A Facebook Page, as the Pages API shows it to a Page access token."""

    NAME = "facebook"
    PAGE_ID = "104857600123456"
    PAGE_NAME = "Riverside Libraries"
    TOKEN = "EAAGpagetoken0123456789riverside"
    APP_ID = "880000000000001"
    # PAGES_POSTS "Requirements": pages_manage_engagement, pages_manage_posts,
    # pages_read_engagement, pages_read_user_content, pages_show_list (and a Page token).
    PERMISSIONS = (
        "pages_manage_engagement",
        "pages_manage_posts",
        "pages_read_engagement",
        "pages_read_user_content",
        "pages_show_list",
        "public_profile",
        "read_insights",  # PAGE_INSIGHTS "Permissions": read_insights to read insights
    )
    POST_FIELDS = "id message created_time updated_time permalink_url attachments".split()
    POST_FIELDS += "full_picture is_published status_type from shares".split()
    EDGES = {"reactions", "comments"}  # POST_REF edges that can be asked for as fields
    # COMMENT_REF fields this server answers.
    COMMENT_FIELDS = "id message from created_time is_hidden permalink_url parent".split()
    COMMENT_FIELDS += "comment_count like_count can_hide can_remove can_comment".split()
    # PAGE_INSIGHTS post metrics this server answers (post_impressions_unique was
    # withdrawn; post_total_media_view_unique is its named alternative).
    METRICS = {"post_total_media_view_unique", "post_reactions_by_type_total", "post_clicks"}
    # POST_REF: fields deprecated for v3.3+ answer error 12.
    DEPRECATED = {"link", "caption", "description", "name", "object_id", "source", "type"}

    def clear(self):
        super().clear()
        self.posts = []  # oldest first; published() gives newest first
        self.photos = {}
        self.comments = {}  # id -> comment, oldest first
        self.tags = []  # posts by others that tag the Page, oldest first

    # ---- what readers do, for tests -------------------------------------------------------

    def comment(self, post_id, text, name="Ann Reader", parent=None, by_page=False):
        """A comment on a post (or, with `parent`, a reply to a comment); `by_page`: the
        Page answering. Returns its id ("POSTID_COMMENTID" as COMMENTS_EDGE shows)."""
        post = self.find_post(post_id)
        comment_id = f"{post['id'].split('_')[-1]}_{self.new_id('88')}"
        author = (
            {"id": self.PAGE_ID, "name": self.PAGE_NAME}
            if by_page
            else {"id": f"1000{abs(hash(name)) % 10**11:011d}", "name": name}
        )
        self.comments[comment_id] = {
            "id": comment_id,
            "post": post["id"],
            "parent": parent,
            "from": author,
            "message": text,
            "time": self.now(),
            "hidden": False,
        }
        self.advance(1)  # one second apart: created_time orders them
        return comment_id

    def hide(self, comment_id, hidden=True):
        """COMMENT_REF "Updating": POST /{comment-id}?is_hidden=true hides a comment from
        everyone but its author and the Page."""
        self.comments[comment_id]["hidden"] = hidden

    def delete(self, comment_id):
        """COMMENT_REF "Deleting": the comment and the replies under it are gone."""
        for child in [c for c in self.comments.values() if c["parent"] == comment_id]:
            self.delete(child["id"])
        self.comments.pop(comment_id, None)

    def engage(self, post_id, reactions=None, shares=None, views=None):
        post = self.find_post(post_id)
        for key, value in (("reactions", reactions), ("shares", shares), ("views", views)):
            if value is not None:
                post[key] = value

    def tag(self, text, name="Northfield Primary School"):
        """A public post by someone else that tags the Page (PAGE_TAGGED)."""
        post_id = f"{self.new_id('3100')}_{self.new_id('1229')}"
        self.tags.append({"id": post_id, "message": text, "name": name, "time": self.now()})
        self.advance(1)
        return post_id

    def find_post(self, post_id):
        post = next((p for p in self.posts if p["id"] == post_id), None)
        return post or self.photos[post_id]

    def business_id(self):
        return self.PAGE_ID

    def published(self):
        return [dict(p) for p in reversed(self.posts) if p["published"]]

    # ---- routes -------------------------------------------------------------------------

    def route(self, request, seg):
        if seg == ["debug_token"] and request.method == "GET":
            return self.debug_token(request)
        self.check_token(request)
        if seg and seg[0] == "me":
            seg = [self.PAGE_ID, *seg[1:]]  # a Page token's /me is the Page
        if len(seg) == 2 and seg[0] == self.PAGE_ID:
            edge = seg[1]
            if request.method == "POST" and edge == "feed":
                return self.create_feed_post(request)
            if request.method == "POST" and edge == "photos":
                return self.create_photo(request)
            if request.method == "GET" and edge in ("feed", "posts", "published_posts"):
                return self.list_posts(request, edge)
            if request.method == "GET" and edge == "tagged":
                return self.list_tagged(request)
        if len(seg) == 2 and request.method == "GET" and seg[1] == "comments":
            return self.list_comments(request, seg[0])
        if len(seg) == 2 and request.method == "GET" and seg[1] == "insights":
            return self.post_insights(request, seg[0])
        if len(seg) == 1 and request.method == "GET" and seg[0] in self.comments:
            return self.read_comment(request, seg[0])
        if len(seg) == 1 and request.method == "GET":
            return self.read_node(request, seg[0])
        self.unsupported(request, seg)

    # ---- comments, counts, insights, tags (listening) ------------------------------------

    def require_comments(self):
        # COMMENTS_EDGE "Permissions": what reading the post needs; comments by people
        # are user content (pages_read_user_content, PAGES_POSTS "Requirements").
        self.require_reading()
        self.require(
            10, "pages_read_user_content",
            message="(#10) This endpoint requires the 'pages_read_user_content' permission",
        )  # fmt: skip

    def under(self, node_id, everything):
        """The comments under a post or a comment: direct ones, or (`everything`) every
        depth, oldest first."""
        if node_id in self.comments:
            direct = [c for c in self.comments.values() if c["parent"] == node_id]
        else:
            direct = [c for c in self.comments.values() if c["post"] == node_id and not c["parent"]]
        if not everything:
            return direct
        found = list(direct)
        for c in direct:
            found += self.under(c["id"], True)
        return sorted(found, key=lambda c: (c["time"], c["id"]))

    def list_comments(self, request, node_id):
        if node_id not in self.comments:
            self.find_node_or_fail(request, node_id)
        self.require_comments()
        # COMMENTS_EDGE: filter=toplevel (default, direct comments) or stream (every
        # comment, chronological, each with `parent`); order=chronological |
        # reverse_chronological; summary=true adds {order, total_count, can_comment}.
        p = request.params
        stream = p.get("filter", "toplevel") == "stream"
        if p.get("filter", "toplevel") not in ("toplevel", "stream"):
            raise GraphError(100, "(#100) param filter must be one of {toplevel, stream}")
        order = p.get("order", "chronological")
        if order not in ("chronological", "reverse_chronological"):
            raise GraphError(
                100, "(#100) param order must be chronological or reverse_chronological"
            )
        comments = self.under(node_id, stream)
        if order == "reverse_chronological":
            comments = comments[::-1]
        fields = split_fields_checked(request, self.COMMENT_FIELDS, set(), "Comment")
        render = lambda c: self.comment_node(c, fields)  # noqa: E731
        body = self.page_of(request, comments, render)
        if truthy(p.get("summary"), default=False):
            body["summary"] = {"order": order, "total_count": len(comments), "can_comment": True}
        return Reply(200, body)

    def comment_node(self, c, fields):
        post = self.find_post(c["post"])
        node = {
            "id": c["id"],
            "message": c["message"],
            "from": c["from"],
            "created_time": iso(c["time"]),
            "is_hidden": c["hidden"],
            # COMMENT_REF permalink_url: the post's address naming the comment.
            "permalink_url": f"{post['permalink_url']}?comment_id={c['id'].split('_')[-1]}",
            # COMMENT_REF parent: only a reply has one.
            "parent": {"id": c["parent"]} if c["parent"] else None,
            "comment_count": len(self.under(c["id"], False)),
            "like_count": 0,
            "can_hide": c["from"]["id"] != self.PAGE_ID,
            "can_remove": True,
            "can_comment": True,
        }
        # COMMENT_REF: default fields are created_time, from, message and id.
        return self.pick(node, fields, "Comment", ("created_time", "from", "message", "id"))

    def read_comment(self, request, comment_id):
        self.require_comments()
        fields = split_fields_checked(request, self.COMMENT_FIELDS, set(), "Comment")
        return Reply(200, self.comment_node(self.comments[comment_id], fields))

    def find_node_or_fail(self, request, node_id):
        try:
            return self.find_post(node_id)
        except KeyError:
            self.unsupported(request, [node_id])

    def edge_field(self, post, edge, mods):
        """An edge asked for in `fields=` (POST_REF, REACTIONS_EDGE, COMMENTS_EDGE): its
        first `limit` entries (this server keeps no reactors: none), and with
        summary(true|total_count) its total_count."""
        if edge == "reactions":
            total, summary = post.get("reactions", 0), {"viewer_reaction": "NONE"}
        else:
            stream = mods.get("filter", "toplevel") == "stream"
            total = len(self.under(post["id"], stream))
            summary = {"order": "chronological", "can_comment": True}
        value = {"data": []}
        if mods.get("summary") in ("true", "total_count"):
            value["summary"] = {**summary, "total_count": total}
        return value

    def post_fields(self, request):
        """`fields=` split into plain fields and edges with modifiers."""
        plain, edges = {}, {}
        for name, sub in split_fields(request.params.get("fields", "")).items():
            base, mods = modifiers(name)
            if base in self.EDGES:
                edges[base] = mods
                continue
            if base in self.DEPRECATED:
                raise GraphError(
                    12, f"(#12) {base} field is deprecated for versions v3.3 and higher"
                )
            if base not in self.POST_FIELDS:
                raise GraphError(
                    100, f"(#100) Tried accessing nonexisting field ({base}) on node type "
                    "(PagePost)"
                )  # fmt: skip
            plain[base] = sub
        return plain, edges

    def post_insights(self, request, post_id):
        post = self.find_node_or_fail(request, post_id)
        self.require_reading()
        # PAGE_INSIGHTS "Permissions": read_insights, and the ANALYZE task on the Page.
        self.require(10, "read_insights", message="(#10) This endpoint requires the "
                     "'read_insights' permission")  # fmt: skip
        names = wanted_metrics(request, self.METRICS)
        values = {
            "post_total_media_view_unique": post.get("views", 0),
            "post_reactions_by_type_total": {"like": post.get("reactions", 0)},
            "post_clicks": 0,
        }
        return Reply(200, insights_reply(post["id"], {n: values[n] for n in names}))

    def list_tagged(self, request):
        # PAGE_TAGGED "Permissions": pages_read_user_content (and pages_show_list);
        # "Limitations": `from` of a person's post is shown only to that person.
        self.require(
            10, "pages_read_user_content",
            message="(#10) This endpoint requires the 'pages_read_user_content' permission",
        )  # fmt: skip
        fields = split_fields(request.params.get("fields", "")) or {
            "created_time": None, "message": None, "id": None}  # fmt: skip
        posts = sorted(self.tags, key=lambda t: t["time"], reverse=True)

        def render(t):
            node = {
                "id": t["id"],
                "message": t["message"],
                "created_time": iso(t["time"]),
                "permalink_url": f"https://www.facebook.com/{t['id'].replace('_', '/posts/')}",
                "from": None,
            }
            return self.pick(node, fields, "Post")

        return Reply(200, self.page_of(request, posts, render))

    def require_posting(self):
        # PAGES_POSTS: publishing needs pages_manage_posts and pages_read_engagement; Graph
        # answers (#200) when either is missing.
        if not {"pages_manage_posts", "pages_read_engagement"} <= self.permissions:
            raise GraphError(
                200,
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
            )

    def require_reading(self):
        # PAGE_FEED "Reading": pages_read_engagement (code 10 without it, ERROR_DOC).
        self.require(
            10,
            "pages_read_engagement",
            message="(#10) This endpoint requires the 'pages_read_engagement' permission or "
            "the 'Page Public Content Access' feature.",
        )

    def add_post(self, message, link=None, image_url=None, alt_text=None, published=True):
        post_id = f"{self.PAGE_ID}_{self.new_id('1229')}"
        now = self.now()
        attachments = None
        if link:
            # POST_REF attachments{url, unshimmed_url}: Facebook shims outbound links.
            attachments = {
                "data": [
                    {
                        "type": "share",
                        "url": "https://l.facebook.com/l.php?u=" + quote(link, safe=""),
                        "unshimmed_url": link,
                        "title": link,
                    }
                ]
            }
        post = {
            "id": post_id,
            "message": message,
            "text": message,
            "link": link,
            "image_url": image_url,
            "alt_text": alt_text,
            "time": now,
            "published": published,
            "permalink_url": f"https://www.facebook.com/{post_id.replace('_', '/posts/')}",
            "attachments": attachments,
        }
        self.posts.append(post)
        return post

    def create_feed_post(self, request):
        self.require_posting()
        p = request.params
        message, link = p.get("message"), p.get("link")
        # PAGE_FEED "Publishing": a post needs message or link (error 100 otherwise).
        if not message and not link:
            raise GraphError(100, "(#100) Missing message or attachment")
        if link and not re.match(r"https?://", link):
            raise GraphError(100, "(#100) The parameter link must be a valid URL", 1609005)
        post = self.add_post(message, link=link, published=truthy(p.get("published")))
        # PAGES_POSTS "Publish a Post" sample response: {"id": "page_post_id"}.
        return Reply(200, {"id": post["id"]})

    def create_photo(self, request):
        self.require_posting()
        p = request.params
        url = p.get("url")
        if not url and "source" not in request.files:
            # PAGE_PHOTOS: a photo is `url` (fetched by Facebook) or an uploaded `source`.
            raise GraphError(324, "(#324) Requires upload file")
        data = request.files["source"][1] if not url else self.fetch(url)
        if data is None:
            # PAGE_PHOTOS: Facebook downloads `url`; an unreachable one fails the call.
            raise GraphError(
                324, "(#324) Missing or invalid image file", 2069019,
                error_user_msg=f"Could not download media from {url}",
            )  # fmt: skip
        info = inspect_image(data)
        # PAGE_PHOTOS "Requirements": JPEG, BMP, PNG, GIF or TIFF, at most 4 MB (10 MB PNG).
        if not info or info[0] not in ("JPEG", "BMP", "PNG", "GIF", "TIFF"):
            raise GraphError(324, "(#324) Missing or invalid image file")
        limit = 10 if info[0] == "PNG" else 4
        if len(data) > limit * 1024 * 1024:
            raise GraphError(100, f"(#100) Image too large: the limit is {limit} MB")
        caption = p.get("message", p.get("caption"))
        published = truthy(p.get("published"))
        post = self.add_post(
            caption, image_url=url, alt_text=p.get("alt_text_custom"), published=published
        )
        photo_id = self.new_id("5100")
        post["photo_id"] = photo_id
        post["attachments"] = {
            "data": [
                {
                    "type": "photo",
                    "url": f"https://www.facebook.com/photo.php?fbid={photo_id}",
                    "unshimmed_url": f"https://www.facebook.com/photo.php?fbid={photo_id}",
                    "description": caption,
                }
            ]
        }
        self.photos[photo_id] = post
        # PAGES_POSTS "Publish a Photo": {"id": "photo_id", "post_id": "page_post_id"}.
        return Reply(200, {"id": photo_id, "post_id": post["id"]})

    def list_posts(self, request, edge):
        self.require_reading()
        fields = split_fields_checked(request, self.POST_FIELDS, self.DEPRECATED, "PagePost")
        since, until = self.unix_param(request, "since"), self.unix_param(request, "until")
        posts = [p for p in reversed(self.posts) if p["published"]]
        # PAGE_FEED: since/until bound created_time (unix seconds).
        posts = [p for p in posts if (since is None or p["time"] >= since)]
        posts = [p for p in posts if (until is None or p["time"] <= until)]
        return Reply(200, self.page_of(request, posts, lambda p: self.post_node(p, fields)))

    def post_node(self, post, fields):
        node = {
            "id": post["id"],
            "message": post["message"],
            "created_time": iso(post["time"]),
            "updated_time": iso(post["time"]),
            "permalink_url": post["permalink_url"],
            "attachments": post["attachments"],
            "full_picture": post["image_url"],
            "is_published": post["published"],
            "status_type": "added_photos" if post["image_url"] else "shared_story",
            "from": {"id": self.PAGE_ID, "name": self.PAGE_NAME},
            # POST_REF shares: {"count": n}, absent when nobody shared the post.
            "shares": {"count": post["shares"]} if post.get("shares") else None,
        }
        # POST_REF: default fields are id, message (if any) and created_time.
        default = ("created_time", "message", "id")
        picked = self.pick(node, fields, "PagePost", default)
        return picked

    def read_node(self, request, node_id):
        if node_id == self.PAGE_ID:
            fields = self.fields(request)
            node = {
                "id": self.PAGE_ID,
                "name": self.PAGE_NAME,
                "link": "https://www.facebook.com/riverside",
            }
            return Reply(200, self.pick(node, fields, "Page", ("name", "id")))
        post = next((p for p in self.posts if p["id"] == node_id), None) or self.photos.get(node_id)
        if post is None:
            self.unsupported(request, [node_id])
        self.require_reading()
        fields, edges = self.post_fields(request)
        node = self.post_node(post, fields if fields or not edges else {"id": None})
        for edge, mods in edges.items():
            node[edge] = self.edge_field(post, edge, mods)
        return Reply(200, node)

    def fields(self, request):
        return split_fields(request.params.get("fields", ""))

    def debug_token(self, request):
        # DEBUG_TOKEN: GET /debug_token?input_token=...; the caller's own token must be valid.
        self.check_token(request)
        token = request.params.get("input_token")
        if not token:
            raise GraphError(100, "(#100) The parameter input_token is required")
        if token != self.token:
            data = {
                "is_valid": False,
                "error": {"code": 190, "message": "Invalid OAuth access token."},
            }
            return Reply(200, {"data": data})
        data = {
            "app_id": self.APP_ID,
            "type": "PAGE",
            "application": "Riverside Noticeboard",
            "data_access_expires_at": int(self.now() + 90 * DAY),
            "expires_at": 0,  # a long-lived Page token does not expire
            "is_valid": True,
            "issued_at": int(self.now() - DAY),
            "profile_id": self.PAGE_ID,
            "scopes": sorted(self.permissions),
            "granular_scopes": [
                {"scope": s, "target_ids": [self.PAGE_ID]}
                for s in sorted(self.permissions)
                if s.startswith("pages_")
            ],  # fmt: skip
            "user_id": "100000000000042",
        }
        return Reply(200, {"data": data})


def split_fields_checked(request, known, deprecated, node_type):
    """`fields=` parsed; a deprecated field is error 12, an unknown one error 100 (POST_REF)."""
    fields = split_fields(request.params.get("fields", ""))
    for name in fields:
        if name in deprecated:
            raise GraphError(12, f"(#12) {name} field is deprecated for versions v3.3 and higher")
        if name not in known:
            raise GraphError(
                100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
            )
    return fields


class ContainerFlow(GraphServer):
    """The two-step flow Instagram and Threads share: a media container, polled until
    FINISHED, then published once (IG_PUBLISHING, THREADS_POSTS)."""

    QUOTA = 0
    ready_after = 1  # GET status answers IN_PROGRESS this many times, then FINISHED

    def clear(self):
        super().clear()
        self.containers = {}
        self.media = []  # oldest first
        self.ready_after = type(self).ready_after
        self.processing_fails = False  # new containers end in ERROR (a failed processing)

    def published(self):
        return [dict(m) for m in reversed(self.media)]

    def new_container(self, **fields):
        container = {
            "id": self.new_id("1790"),
            "created": self.now(),
            "polls": 0,
            "status_code": "IN_PROGRESS",
            "error_message": None,
            "media_id": None,
            **fields,
        }
        if self.processing_fails and container["status_code"] != "ERROR":
            container["status_code"], container["error_message"] = "ERROR", "UNKNOWN"
        self.containers[container["id"]] = container
        return container

    def container_status(self, container, count_poll=True):
        """IN_PROGRESS for `ready_after` polls, then FINISHED; EXPIRED when not published
        within 24 hours (IG_CONTAINER status_code; THREADS_TROUBLE status)."""
        if container["status_code"] in ("ERROR", "PUBLISHED"):
            return container["status_code"]
        if self.now() - container["created"] > DAY:
            container["status_code"] = "EXPIRED"
        elif container["status_code"] == "IN_PROGRESS":
            if container["polls"] >= self.ready_after:
                container["status_code"] = "FINISHED"
            elif count_poll:
                container["polls"] += 1
        return container["status_code"]

    def published_as(self, container, media):
        """The container's media is on the account; the answer is its id."""
        self.media.append(media)
        container["status_code"], container["media_id"] = "PUBLISHED", media["id"]
        return Reply(200, {"id": media["id"]})

    def quota_usage(self, since=None):
        start = max(self.now() - DAY, since or 0)
        return sum(1 for m in self.media if m["time"] > start)

    def limit_reply(self, request):
        """IG_LIMIT / THREADS_OVERVIEW sample: {"data": [{"quota_usage": n, "config":
        {"quota_total": N, "quota_duration": 86400}}]}; fields default to quota_usage."""
        fields = split_fields(request.params.get("fields", "")) or {"quota_usage": None}
        since = self.unix_param(request, "since")
        node = {
            "quota_usage": self.quota_usage(since),
            "config": {"quota_total": self.QUOTA, "quota_duration": DAY},
        }
        return Reply(200, {"data": [self.pick(node, fields, "ContentPublishingLimit")]})

    def find_container(self, request, creation_id):
        if not creation_id:
            raise GraphError(100, "(#100) The parameter creation_id is required")
        container = self.containers.get(str(creation_id))
        if container is None:
            self.unsupported(request, [str(creation_id)])
        return container

    def check_ready(self, container):
        """Publishing needs a FINISHED container, once (IG_ERRORS rows 9007/2207027 and
        -2/2207020; THREADS_TROUBLE statuses)."""
        status = self.container_status(container, count_poll=False)
        if status == "IN_PROGRESS":
            raise GraphError(
                9007, "Media ID is not available", 2207027,
                error_user_msg="The media is not ready for publishing, please wait for a moment",
            )  # fmt: skip
        if status == "EXPIRED":
            raise GraphError(
                -2, "The media you are trying to access has expired. Please try to upload "
                "again.", 2207020,
            )  # fmt: skip
        if status == "ERROR":
            raise GraphError(
                -1, "Create media fail, please try to re-create media", 2207032,
                error_user_msg=container["error_message"],
            )  # fmt: skip
        if status == "PUBLISHED":
            # Not in the docs' tables: a container publishes once; a second try is refused
            # as an unsupported request on that id.
            raise GraphError(
                100, f"Unsupported post request. The container {container['id']} was "
                "already published.", 33, type_="GraphMethodException",
            )  # fmt: skip

    def check_quota(self):
        # IG_PUBLISHING "Rate Limit" / THREADS_OVERVIEW "Posts": enforced on *_publish.
        if self.quota_usage() >= self.QUOTA:
            raise GraphError(
                9, "You reached maximum number of posts that is allowed to be published by "
                "Content Publishing API.", 2207042, is_transient=False,
                error_user_title="Maximum posts reached",
            )  # fmt: skip


class InstagramGraph(ContainerFlow):
    """An Instagram professional account through the Instagram API content publishing.
    With Instagram Login (graph.instagram.com, the default) or, after
    `use_facebook_login()`, with Facebook Login (graph.facebook.com): IG_MEDIA
    "Requirements" lists the two hosts, tokens and permission sets."""

    NAME = "instagram"
    USER_ID = "17841400000000042"
    APP_SCOPED_ID = "9120000000000042"
    USERNAME = "riversidelibraries"
    TOKEN = "IGAAriversidetoken0123456789"
    FB_TOKEN = "EAAGfbuserforinstagram0123456789"
    QUOTA = 50  # IG_LIMIT sample config.quota_total; IG_PUBLISHING "Rate Limit"
    BUC_TYPE = "instagram"
    # IG_COMMENT and IG_INSIGHTS "Requirements": *_manage_comments to read comments,
    # *_manage_insights to read insights, with either login.
    INSTAGRAM_LOGIN = (
        "instagram_business_basic",
        "instagram_business_content_publish",
        "instagram_business_manage_comments",
        "instagram_business_manage_insights",
    )
    FACEBOOK_LOGIN = (
        "instagram_basic",
        "instagram_content_publish",
        "pages_read_engagement",
        "instagram_manage_comments",
        "instagram_manage_insights",
    )
    PERMISSIONS = INSTAGRAM_LOGIN
    MEDIA_FIELDS = "id caption permalink timestamp media_type media_url media_product_type".split()
    MEDIA_FIELDS += "username shortcode alt_text owner is_comment_enabled".split()
    MEDIA_FIELDS += ["like_count", "comments_count"]  # IG_REF + "/ig-media" fields
    # IG_COMMENT fields this server answers.
    COMMENT_FIELDS = "id text timestamp username from hidden like_count media parent_id".split()
    COMMENT_FIELDS += ["replies"]
    # IG_INSIGHTS metrics for a FEED image this server answers.
    METRICS = {"views", "reach", "likes", "comments", "shares", "saved", "total_interactions"}

    def clear(self):
        super().clear()
        self.login = "instagram"
        self.comments = {}  # id -> comment, oldest first
        self.tags = []  # media by others in which the account is tagged
        self.engagement = {}  # media id -> {"likes", "views", "shares", ...}

    def use_facebook_login(self):
        """Answer as graph.facebook.com does for a Facebook Login user token."""
        self.login, self.token = "facebook", self.FB_TOKEN
        self.permissions = set(self.FACEBOOK_LOGIN)

    # ---- what readers do, for tests -------------------------------------------------------

    def comment(self, media_id, text, username="ann.reads", parent=None):
        """A comment on a post or, with `parent`, a reply; replies nest one level only
        (IG_MODERATION), so a reply to a reply joins its top-level comment. username
        USERNAME is the account answering. Returns its id."""
        if parent and self.comments[parent]["parent"]:
            parent = self.comments[parent]["parent"]
        comment_id = self.new_id("1790")
        own = username == self.USERNAME
        self.comments[comment_id] = {
            "id": comment_id,
            "media": media_id,
            "parent": parent,
            "username": username,
            "from_id": self.USER_ID if own else f"1784{abs(hash(username)) % 10**11:011d}",
            "text": text,
            "time": self.now(),
            "hidden": False,
        }
        self.advance(1)
        return comment_id

    def hide(self, comment_id, hidden=True):
        """IG_MODERATION: POST /{ig-comment-id}?hide=true hides a comment."""
        self.comments[comment_id]["hidden"] = hidden

    def delete(self, comment_id):
        """IG_MODERATION: DELETE /{ig-comment-id}; its replies go with it."""
        for child in [c for c in self.comments.values() if c["parent"] == comment_id]:
            self.comments.pop(child["id"])
        self.comments.pop(comment_id, None)

    def engage(self, media_id, **metrics):
        """likes, views, shares, saved, reach of a post."""
        self.engagement.setdefault(media_id, {}).update(metrics)

    def tag(self, caption, username="northfield.primary"):
        media_id = self.new_id("1804")
        self.tags.append({
            "id": media_id, "caption": caption, "username": username, "time": self.now(),
            "permalink": f"https://www.instagram.com/p/T{self.next_id:05d}Tag/",
        })  # fmt: skip
        self.advance(1)
        return media_id

    # ---- comments, insights, tags (listening) --------------------------------------------

    def is_media(self, media_id):
        return any(m["id"] == media_id for m in self.media)

    def comment_node(self, c, fields):
        replies = [r for r in self.comments.values() if r["parent"] == c["id"]]
        node = {
            "id": c["id"],
            "text": c["text"],
            "timestamp": iso(c["time"]),
            "username": c["username"],
            "from": {"id": c["from_id"], "username": c["username"]},
            "hidden": c["hidden"],
            "like_count": 0,
            "media": {"id": c["media"]},
            "parent_id": c["parent"],  # IG_COMMENT: only on replies
            "replies": {"data": [{"id": r["id"], "timestamp": iso(r["time"])} for r in replies]},
        }
        return self.pick(node, fields, "IGComment", ("id", "text", "timestamp"))

    def list_comments(self, request, node_id, replies):
        # IG_MODERATION: GET /{ig-media-id}/comments (top level), GET
        # /{ig-comment-id}/replies. The reference states no order: this server answers
        # newest first, so a client must not rely on one.
        self.need(self.basic, self.manage_comments)
        fields = split_fields_checked(request, self.COMMENT_FIELDS, set(), "IGComment")
        if replies:
            found = [c for c in self.comments.values() if c["parent"] == node_id]
        else:
            found = [c for c in self.comments.values() if c["media"] == node_id]
            found = [c for c in found if not c["parent"]]
        render = lambda c: self.comment_node(c, fields)  # noqa: E731
        return Reply(200, self.page_of(request, found[::-1], render))

    def media_insights(self, request, media_id):
        # IG_INSIGHTS: GET /{ig-media-id}/insights?metric=...
        self.need(self.basic, self.manage_insights)
        names = wanted_metrics(request, self.METRICS)
        values = dict.fromkeys(self.METRICS, 0) | self.engagement.get(media_id, {})
        values["comments"] = self.comments_count(media_id)
        return Reply(200, insights_reply(media_id, {n: values[n] for n in names}))

    def comments_count(self, media_id):
        # IG_REF /ig-media comments_count: comments on the media, replies included.
        return sum(1 for c in self.comments.values() if c["media"] == media_id)

    def list_tags(self, request):
        # IG_TAGS: media the account is tagged in, newest first.
        self.need(self.basic, self.manage_comments)
        fields = split_fields(request.params.get("fields", "")) or {"id": None}

        def render(t):
            node = {
                "id": t["id"], "caption": t["caption"], "username": t["username"],
                "permalink": t["permalink"], "timestamp": iso(t["time"]),
                "media_type": "IMAGE",
            }  # fmt: skip
            return self.pick(node, fields, "IGMedia")

        return Reply(200, self.page_of(request, self.tags[::-1], render))

    @property
    def manage_comments(self):
        if self.login == "instagram":
            return "instagram_business_manage_comments"
        return "instagram_manage_comments"

    @property
    def manage_insights(self):
        if self.login == "instagram":
            return "instagram_business_manage_insights"
        return "instagram_manage_insights"

    def business_id(self):
        return self.USER_ID

    @property
    def basic(self):
        return "instagram_business_basic" if self.login == "instagram" else "instagram_basic"

    @property
    def publish(self):
        if self.login == "instagram":
            return "instagram_business_content_publish"
        return "instagram_content_publish"

    def need(self, *permissions):
        # IG_MEDIA "Requirements"; missing permission -> code 10 (ERROR_DOC).
        self.require(
            10, *permissions, message="(#10) Application does not have permission for this action"
        )

    def route(self, request, seg):
        self.check_token(request)
        if seg and seg[0] == "me":
            return self.me(request)
        if len(seg) == 2 and request.method == "GET":
            if seg[1] == "comments" and self.is_media(seg[0]):
                return self.list_comments(request, seg[0], replies=False)
            if seg[1] == "replies" and seg[0] in self.comments:
                return self.list_comments(request, seg[0], replies=True)
            if seg[1] == "insights" and self.is_media(seg[0]):
                return self.media_insights(request, seg[0])
            if seg == [self.USER_ID, "tags"]:
                return self.list_tags(request)
        if len(seg) == 1 and request.method == "GET" and seg[0] in self.comments:
            self.need(self.basic, self.manage_comments)
            fields = split_fields_checked(request, self.COMMENT_FIELDS, set(), "IGComment")
            return Reply(200, self.comment_node(self.comments[seg[0]], fields))
        if len(seg) == 2 and seg[0] == self.USER_ID:
            edge, method = seg[1], request.method
            if method == "POST" and edge == "media":
                return self.create_container(request)
            if method == "POST" and edge == "media_publish":
                return self.publish_container(request)
            if method == "GET" and edge == "media":
                return self.list_media(request)
            if method == "GET" and edge == "content_publishing_limit":
                self.need(self.basic, self.publish)
                return self.limit_reply(request)
        if len(seg) == 1 and request.method == "GET":
            return self.read_node(request, seg[0])
        self.unsupported(request, seg)

    def me(self, request):
        fields = split_fields(request.params.get("fields", ""))
        if self.login == "facebook":
            # With Facebook Login /me is the Facebook user; the IG user hangs off the Page.
            node = {"id": "100000000000042", "name": "Riverside Comms"}
            return Reply(200, self.pick(node, fields, "User", ("name", "id")))
        # https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started
        # GET /me?fields=user_id,username: `id` is app-scoped, `user_id` the account's IG id.
        node = {
            "id": self.APP_SCOPED_ID,
            "user_id": self.USER_ID,
            "username": self.USERNAME,
            "name": "Riverside Libraries",
            "account_type": "BUSINESS",
            "media_count": len(self.media),
        }
        return Reply(200, self.pick(node, fields, "User", ("id",)))

    def check_caption(self, caption):
        # IG_MEDIA `caption`: "Maximum 2200 characters, 30 hashtags, and 20 @ tags."
        # The docs give no code for these; 100 (invalid parameter) with the IG subcode
        # 2207010 is what clients see for a caption refused.
        if len(caption) > 2200:
            raise GraphError(100, "The caption is too long. Maximum 2200 characters.", 2207010)
        if len(re.findall(r"(?<![\w&])#\w", caption)) > 30:
            raise GraphError(100, "The caption has too many hashtags. Maximum 30.", 2207010)
        if len(re.findall(r"(?<![\w.])@[\w.]+", caption)) > 20:
            raise GraphError(100, "The caption has too many @ tags. Maximum 20.", 2207010)

    def check_image(self, url):
        """IG_MEDIA "Image Specifications": JPEG only, at most 8 MB, aspect ratio 4:5 to
        1.91:1, width 320..1440 (scaled to fit, not refused); codes from IG_ERRORS."""
        data = self.fetch(url)
        if data is None:
            raise GraphError(
                9004, f"The media could not be fetched from this uri: {url}", 2207052,
                error_user_title="Media download has failed.",
                error_user_msg="The media could not be fetched from the URI provided. Make "
                "sure the URI is valid and publicly accessible.",
            )  # fmt: skip
        if len(data) > 8 * 1024 * 1024:
            raise GraphError(
                36000, "The image size is too large.", 2207004,
                error_user_title="Image size too large",
                error_user_msg="The image is too large to download. It should be less than 8 MiB.",
            )  # fmt: skip
        info = inspect_image(data)
        if not info or info[0] != "JPEG":
            raise GraphError(
                36001, "The image format is not supported. Supported formats are: JPEG",
                2207005, error_user_title="Unsupported image format",
            )  # fmt: skip
        _, width, height = info
        ratio = width / height
        if not (4 / 5 - 0.001 <= ratio <= 1.91 + 0.001):
            raise GraphError(
                36003, f"The submitted image with aspect ratio ('{width}/{height}') cannot be "
                "published. Please submit an image with a valid aspect ratio.", 2207009,
                error_user_title="Invalid aspect ratio",
            )  # fmt: skip
        return min(max(width, 320), 1440)

    def create_container(self, request):
        self.need(self.basic, self.publish)
        p = request.params
        media_type = p.get("media_type")
        # IG_MEDIA: omit media_type for a single image; CAROUSEL/REELS/STORIES/VIDEO are
        # other flows this contract server does not emulate; anything else is 2207023.
        if media_type not in (None, ""):
            raise GraphError(
                100, "The media type entered is not one of the expected media types "
                "(this contract server emulates single images: omit media_type).", 2207023,
            )  # fmt: skip
        url = p.get("image_url")
        if not url:
            raise GraphError(100, "(#100) The parameter image_url is required")
        caption = p.get("caption") or ""
        self.check_caption(caption)
        width = self.check_image(url)
        container = self.new_container(
            image_url=url, caption=caption, alt_text=p.get("alt_text"), width=width
        )
        # IG_MEDIA sample response: {"id": "<IG_CONTAINER_ID>"}.
        return Reply(200, {"id": container["id"]})

    def publish_container(self, request):
        self.need(self.basic, self.publish)
        container = self.find_container(request, request.params.get("creation_id"))
        self.check_ready(container)
        self.check_quota()
        shortcode = f"C{self.next_id:05d}Rvsd"
        media = {
            "id": self.new_id("1801"),
            "text": container["caption"],
            "caption": container["caption"],
            "image_url": container["image_url"],
            "alt_text": container["alt_text"],
            "width": container["width"],
            "link": None,  # Instagram captions do not link (IG_PUBLISHING)
            "time": self.now(),
            "permalink": f"https://www.instagram.com/p/{shortcode}/",
            "shortcode": shortcode,
            "container_id": container["id"],
        }
        # IG_MEDIA_PUBLISH sample response: {"id": "<IG_MEDIA_ID>"}.
        return self.published_as(container, media)

    def media_node(self, m):
        return {
            "id": m["id"],
            "caption": m["caption"],
            "permalink": m["permalink"],
            "timestamp": iso(m["time"]),
            "media_type": "IMAGE",
            "media_url": m["image_url"],
            "media_product_type": "FEED",
            "username": self.USERNAME,
            "shortcode": m["shortcode"],
            "alt_text": m["alt_text"],
            "owner": {"id": self.USER_ID},
            "is_comment_enabled": True,
            "like_count": self.engagement.get(m["id"], {}).get("likes", 0),
            "comments_count": self.comments_count(m["id"]),
        }

    def list_media(self, request):
        # https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
        # "Reading": newest first, cursor pagination, since/until.
        self.need(self.basic)
        fields = split_fields_checked(request, self.MEDIA_FIELDS, set(), "IGMedia")
        since, until = self.unix_param(request, "since"), self.unix_param(request, "until")
        media = [m for m in reversed(self.media)]
        media = [m for m in media if (since is None or m["time"] >= since)]
        media = [m for m in media if (until is None or m["time"] <= until)]
        render = lambda m: self.pick(self.media_node(m), fields, "IGMedia")  # noqa: E731
        return Reply(200, self.page_of(request, media, render))

    def read_node(self, request, node_id):
        self.need(self.basic)
        fields = split_fields(request.params.get("fields", ""))
        if node_id in self.containers:
            # IG_CONTAINER fields: id, status (text), status_code.
            c = self.containers[node_id]
            code = self.container_status(c)
            text = {
                "IN_PROGRESS": "In Progress: Media is still being processed.",
                "FINISHED": "Finished: Media has been uploaded and it is complete to publish.",
                "PUBLISHED": "Published: Media has been published.",
                "EXPIRED": "Expired: The media was not published within 24 hours.",
                "ERROR": f"Error: {c['error_message']}",
            }[code]
            node = {"id": c["id"], "status_code": code, "status": text}
            return Reply(200, self.pick(node, fields, "ShadowIGMediaBuilder"))
        media = next((m for m in self.media if m["id"] == node_id), None)
        if media is not None:
            split_fields_checked(request, self.MEDIA_FIELDS, set(), "IGMedia")
            return Reply(200, self.pick(self.media_node(media), fields, "IGMedia"))
        if node_id == self.USER_ID:
            node = {
                "id": self.USER_ID,
                "username": self.USERNAME,
                "name": "Riverside Libraries",
                "media_count": len(self.media),
            }
            if self.login == "instagram":
                node["user_id"] = self.USER_ID
            return Reply(200, self.pick(node, fields, "IGUser"))
        self.unsupported(request, [node_id])


# THREADS_POSTS "Limitations": "Emojis are counted as the number of UTF-8 bytes."
EMOJI = None


def threads_length(text):
    """Characters as Threads counts them: one each, emoji by their UTF-8 bytes."""
    global EMOJI
    if EMOJI is None:
        import regex

        EMOJI = regex.compile(
            r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}"
            r"\u200d\ufe0f\u20e3\U000E0020-\U000E007F]"
        )
    return sum(len(ch.encode()) if EMOJI.match(ch) else 1 for ch in text)


# THREADS_POSTS "Topic tags": one tag a post, the first valid one; no periods or ampersands.
TAG = re.compile(r"(?<![\w#])#([^\s#.&@!?,;:]+)")


class ThreadsGraph(ContainerFlow):
    """A Threads profile through the Threads API (graph.threads.net/v1.0)."""

    NAME = "threads"
    USER_ID = "25000000000000042"
    USERNAME = "riversidelibraries"
    TOKEN = "THAAriversidetoken0123456789"
    QUOTA = 250  # THREADS_OVERVIEW "Posts": 250 API-published posts per 24-hour period
    BUC_TYPE = "threads"
    # https://developers.facebook.com/docs/threads/get-started: threads_basic for every
    # call, threads_content_publish to publish.
    # THREADS_REPLIES: threads_read_replies to read replies, threads_manage_replies to hide
    # them; THREADS_INSIGHTS: threads_manage_insights; THREADS_MENTIONS:
    # threads_manage_mentions.
    PERMISSIONS = (
        "threads_basic",
        "threads_content_publish",
        "threads_read_replies",
        "threads_manage_replies",
        "threads_manage_insights",
        "threads_manage_mentions",
    )
    # THREADS_REPLIES_REF: the fields of a reply this server answers.
    REPLY_FIELDS = "id text username permalink timestamp media_product_type media_type".split()
    REPLY_FIELDS += "shortcode has_replies root_post replied_to is_reply hide_status".split()
    REPLY_FIELDS += ["is_reply_owned_by_me"]
    # THREADS_INSIGHTS "Available Metrics" for media.
    METRICS = {"views", "likes", "replies", "reposts", "quotes", "shares"}
    EARLIEST = 1688540400  # THREADS_MENTIONS "Limitations": `since` from this time
    POST_FIELDS = "id media_product_type media_type media_url permalink owner username".split()
    POST_FIELDS += "text timestamp shortcode is_quote_post link_attachment_url alt_text".split()
    POST_FIELDS += ["topic_tag"]

    def business_id(self):
        return self.USER_ID

    def clear(self):
        super().clear()
        self.replies = {}  # id -> reply, oldest first
        self.mentions = []  # public posts by others tagging the profile
        self.engagement = {}  # media id -> {metric: value}

    # ---- what readers do, for tests -------------------------------------------------------

    def reply(self, media_id, text, username="ann.reads", parent=None):
        """A reply to a post (or, with `parent`, to a reply); username USERNAME is the
        library answering. Returns its media id."""
        reply_id = self.new_id("1802")
        root = self.replies[parent]["root"] if parent else media_id
        shortcode = f"DR{self.next_id:05d}rv"
        self.replies[reply_id] = {
            "id": reply_id,
            "root": root,
            "replied_to": parent or media_id,
            "username": username,
            "text": text,
            "time": self.now(),
            "hidden": None,  # None: never hidden; True/False after manage_reply
            "permalink": f"https://www.threads.net/@{username}/post/{shortcode}",
            "shortcode": shortcode,
        }
        self.advance(1)
        return reply_id

    def hide(self, reply_id, hidden=True):
        """THREADS_REPLIES "Hide Replies": only a top-level reply can be hidden; its nested
        replies are hidden with it."""
        reply = self.replies[reply_id]
        if reply["replied_to"] != reply["root"]:
            raise ValueError("Threads hides top-level replies only (THREADS_REPLIES)")
        reply["hidden"] = hidden

    def delete(self, reply_id):
        for child in [r for r in self.replies.values() if r["replied_to"] == reply_id]:
            self.delete(child["id"])
        self.replies.pop(reply_id, None)

    def engage(self, media_id, **metrics):
        """views, likes, reposts, quotes, shares of a post (THREADS_INSIGHTS)."""
        self.engagement.setdefault(media_id, {}).update(metrics)

    def mention(self, text, username="northfield.primary"):
        media_id = self.new_id("1803")
        shortcode = f"DM{self.next_id:05d}rv"
        self.mentions.append({
            "id": media_id, "text": text, "username": username, "time": self.now(),
            "permalink": f"https://www.threads.net/@{username}/post/{shortcode}",
        })  # fmt: skip
        self.advance(1)
        return media_id

    def need(self, *permissions):
        self.require(
            10, *permissions, message="(#10) Application does not have permission for this action"
        )

    def route(self, request, seg):
        self.check_token(request)
        if seg and seg[0] == "me":
            seg = [self.USER_ID, *seg[1:]]
        if len(seg) == 2 and request.method == "GET" and self.is_post(seg[0]):
            if seg[1] in ("replies", "conversation"):
                return self.list_replies(request, seg[0], everything=seg[1] == "conversation")
            if seg[1] == "insights":
                return self.media_insights(request, seg[0])
        if seg[1:] == ["manage_reply"] and request.method == "POST" and seg[0] in self.replies:
            return self.manage_reply(request, seg[0])
        if len(seg) == 1 and request.method == "GET" and seg[0] in self.replies:
            self.need("threads_basic", "threads_read_replies")
            fields = split_fields_checked(request, self.REPLY_FIELDS, set(), "ThreadsMedia")
            return Reply(200, self.reply_node(self.replies[seg[0]], fields))
        if len(seg) == 2 and seg[0] == self.USER_ID:
            edge, method = seg[1], request.method
            if method == "GET" and edge == "mentions":
                return self.list_mentions(request)
            if method == "POST" and edge == "threads":
                return self.create_container(request)
            if method == "POST" and edge == "threads_publish":
                return self.publish_container(request)
            if method == "GET" and edge == "threads":
                return self.list_threads(request)
            if method == "GET" and edge == "threads_publishing_limit":
                self.need("threads_basic")
                return self.limit_reply(request)
        if len(seg) == 1 and request.method == "GET":
            return self.read_node(request, seg[0])
        self.unsupported(request, seg)

    # ---- replies, insights, mentions (listening) -----------------------------------------

    def is_post(self, media_id):
        return media_id in self.replies or any(m["id"] == media_id for m in self.media)

    def under(self, media_id, everything):
        direct = [r for r in self.replies.values() if r["replied_to"] == media_id]
        if not everything:
            return direct
        found = list(direct)
        for r in direct:
            found += self.under(r["id"], True)
        return sorted(found, key=lambda r: (r["time"], r["id"]))

    def hide_status(self, reply):
        """THREADS_REPLIES_REF hide_status: HIDDEN under a hidden top-level reply,
        UNHUSHED once unhidden, NOT_HUSHED otherwise."""
        top = reply
        while top["replied_to"] != top["root"]:
            top = self.replies[top["replied_to"]]
        if top["hidden"]:
            return "HIDDEN"
        return "UNHUSHED" if top["hidden"] is False else "NOT_HUSHED"

    def reply_node(self, r, fields):
        node = {
            "id": r["id"],
            "text": r["text"],
            "username": r["username"],
            "permalink": r["permalink"],
            "timestamp": iso(r["time"]),
            "media_product_type": "THREADS",
            "media_type": "TEXT_POST",
            "shortcode": r["shortcode"],
            "has_replies": bool(self.under(r["id"], False)),
            "root_post": {"id": r["root"]},
            "replied_to": {"id": r["replied_to"]},
            "is_reply": True,
            "is_reply_owned_by_me": r["username"] == self.USERNAME,
            "hide_status": self.hide_status(r),
        }
        return self.pick(node, fields, "ThreadsMedia")

    def list_replies(self, request, media_id, everything):
        # THREADS_REPLIES_REF: /replies the top-level replies, /conversation every reply
        # flattened; reverse=true (the default) newest first; cursor paging.
        self.need("threads_basic", "threads_read_replies")
        fields = split_fields_checked(request, self.REPLY_FIELDS, set(), "ThreadsMedia")
        if request.params.get("before") and request.params.get("after"):
            raise GraphError(100, "(#100) Both before and after cannot be passed at once")
        replies = self.under(media_id, everything)
        if truthy(request.params.get("reverse"), default=True):
            replies = replies[::-1]
        render = lambda r: self.reply_node(r, fields)  # noqa: E731
        return Reply(200, self.page_of(request, replies, render))

    def manage_reply(self, request, reply_id):
        # THREADS_REPLIES "Hide Replies": POST /{reply-id}/manage_reply hide=true|false,
        # top-level replies only; answers {"success": true}.
        self.need("threads_basic", "threads_manage_replies")
        reply = self.replies[reply_id]
        if reply["replied_to"] != reply["root"]:
            raise GraphError(100, "(#100) Only top-level replies can be hidden or unhidden")
        reply["hidden"] = truthy(request.params.get("hide"), default=False)
        return Reply(200, {"success": True})

    def media_insights(self, request, media_id):
        # THREADS_INSIGHTS: GET /{media-id}/insights?metric=...; "replies" of a root post
        # counts every reply, of a reply its direct ones.
        self.need("threads_basic", "threads_manage_insights")
        names = wanted_metrics(request, self.METRICS)
        values = dict.fromkeys(self.METRICS, 0) | self.engagement.get(media_id, {})
        values["replies"] = len(self.under(media_id, media_id not in self.replies))
        return Reply(200, insights_reply(media_id, {n: values[n] for n in names}))

    def list_mentions(self, request):
        # THREADS_MENTIONS: public posts tagging the profile; since >= EARLIEST and below
        # until, until not in the future.
        self.need("threads_basic", "threads_manage_mentions")
        since, until = self.unix_param(request, "since"), self.unix_param(request, "until")
        if since is not None and (since < self.EARLIEST or (until and since >= until)):
            raise GraphError(100, f"(#100) since must be at least {self.EARLIEST} and below until")
        posts = [m for m in reversed(self.mentions) if since is None or m["time"] >= since]
        posts = [m for m in posts if until is None or m["time"] <= until]
        fields = split_fields(request.params.get("fields", "")) or {"id": None}

        def render(m):
            node = {
                "id": m["id"], "text": m["text"], "username": m["username"],
                "permalink": m["permalink"], "timestamp": iso(m["time"]),
                "media_product_type": "THREADS", "media_type": "TEXT_POST",
            }  # fmt: skip
            return self.pick(node, fields, "ThreadsMedia")

        return Reply(200, self.page_of(request, posts, render))

    def create_container(self, request):
        self.need("threads_basic", "threads_content_publish")
        p = request.params
        media_type = p.get("media_type")
        text = p.get("text") or ""
        link = p.get("link_attachment")
        # THREADS_POSTS parameters: media_type is required (TEXT, IMAGE, VIDEO).
        if media_type not in ("TEXT", "IMAGE"):
            raise GraphError(
                100, "(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO} (this "
                "contract server emulates TEXT and IMAGE)",
            )  # fmt: skip
        if media_type == "TEXT" and not text:
            raise GraphError(100, "(#100) Param text is required for media_type=TEXT")
        if media_type == "IMAGE" and not p.get("image_url"):
            raise GraphError(100, "(#100) Param image_url is required for media_type=IMAGE")
        # THREADS_POSTS "Limitations": 500 characters, emoji counted by UTF-8 bytes. The
        # error code is not documented; 100 (invalid parameter) as Graph does for params.
        if threads_length(text) > 500:
            raise GraphError(100, "(#100) Param text must be at most 500 characters long.")
        # THREADS_POSTS "Links": link_attachment is only for TEXT posts.
        if link and media_type != "TEXT":
            raise GraphError(100, "(#100) Param link_attachment is only available for TEXT posts")
        # https://developers.facebook.com/docs/threads/create-posts/text-attachments: more
        # than 5 distinct links fail at container creation.
        links = set(re.findall(r"https?://\S+", text)) | ({link} if link else set())
        if len(links) > 5:
            raise GraphError(100, "THREADS_API__LINK_LIMIT_EXCEEDED: at most 5 links a post")
        alt_text = p.get("alt_text")
        # THREADS_POSTS `alt_text`: at most 1,000 characters.
        if alt_text and len(alt_text) > 1000:
            raise GraphError(100, "(#100) Param alt_text must be at most 1000 characters long.")
        topic = p.get("topic_tag")
        if topic is not None and (not 1 <= len(topic) <= 50 or re.search(r"[.&]", topic)):
            raise GraphError(
                100, "(#100) Param topic_tag must be 1-50 characters, without periods or "
                "ampersands",
            )  # fmt: skip
        if topic is None:
            first = TAG.search(text)
            topic = first.group(1) if first and not first.group(1).isdigit() else None
        fields = {
            "media_type": media_type,
            "text": text,
            "link": link,
            "image_url": p.get("image_url"),
            "alt_text": alt_text,
            "topic": topic,
        }
        if media_type == "IMAGE":
            fields.update(self.check_image(p["image_url"]))
        container = self.new_container(**fields)
        return Reply(200, {"id": container["id"]})

    def check_image(self, url):
        """THREADS_POSTS "Media Specifications" (images): JPEG or PNG, at most 8 MB, aspect
        ratio at most 10:1, width 320..1440 (scaled). An image Threads cannot fetch fails
        the call (as Instagram's 2207052); a bad one ends the container in ERROR with a
        THREADS_TROUBLE error_message."""
        data = self.fetch(url)
        if data is None:
            raise GraphError(
                9004, f"The media could not be fetched from this uri: {url}", 2207052,
                error_user_title="Media download has failed.",
            )  # fmt: skip
        info = inspect_image(data)
        if not info or info[0] not in ("JPEG", "PNG") or len(data) > 8 * 1024 * 1024:
            return {"status_code": "ERROR", "error_message": "UNKNOWN"}
        _, width, height = info
        if max(width / height, height / width) > 10:
            return {"status_code": "ERROR", "error_message": "INVALID_ASPEC_RATIO"}
        return {"width": min(max(width, 320), 1440)}

    def publish_container(self, request):
        self.need("threads_basic", "threads_content_publish")
        container = self.find_container(request, request.params.get("creation_id"))
        self.check_ready(container)
        self.check_quota()
        shortcode = f"DT{self.next_id:05d}rv"
        post = {
            "id": self.new_id("1800"),
            "text": container["text"],
            "link": container["link"],
            "image_url": container["image_url"],
            "alt_text": container["alt_text"],
            "topic": container["topic"],
            "media_type": container["media_type"],
            "time": self.now(),
            "permalink": f"https://www.threads.net/@{self.USERNAME}/post/{shortcode}",
            "shortcode": shortcode,
            "container_id": container["id"],
        }
        # THREADS_POSTS step 2 sample response: {"id": "<THREADS_MEDIA_ID>"}.
        return self.published_as(container, post)

    def post_node(self, m):
        # https://developers.facebook.com/docs/threads/threads-media fields.
        return {
            "id": m["id"],
            "media_product_type": "THREADS",
            "media_type": "TEXT_POST" if m["media_type"] == "TEXT" else "IMAGE",
            "media_url": m["image_url"],
            "permalink": m["permalink"],
            "owner": {"id": self.USER_ID},
            "username": self.USERNAME,
            "text": m["text"],
            "timestamp": iso(m["time"]),
            "shortcode": m["shortcode"],
            "is_quote_post": False,
            "link_attachment_url": m["link"],
            "alt_text": m["alt_text"],
            "topic_tag": m["topic"],
        }

    def list_threads(self, request):
        # THREADS_MEDIA "Retrieve a list of all a user's threads": newest first, since/until,
        # limit, cursor pagination.
        self.need("threads_basic")
        fields = split_fields_checked(request, self.POST_FIELDS, set(), "ThreadsMedia")
        since, until = self.unix_param(request, "since"), self.unix_param(request, "until")
        posts = [m for m in reversed(self.media)]
        posts = [m for m in posts if (since is None or m["time"] >= since)]
        posts = [m for m in posts if (until is None or m["time"] <= until)]
        render = lambda m: self.pick(self.post_node(m), fields, "ThreadsMedia")  # noqa: E731
        return Reply(200, self.page_of(request, posts, render))

    def read_node(self, request, node_id):
        self.need("threads_basic")
        fields = split_fields(request.params.get("fields", ""))
        if node_id in self.containers:
            # THREADS_TROUBLE: GET /{container}?fields=status,error_message.
            c = self.containers[node_id]
            node = {
                "id": c["id"],
                "status": self.container_status(c),
                "error_message": c["error_message"],
            }
            return Reply(200, self.pick(node, fields, "ThreadsMediaContainer"))
        post = next((m for m in self.media if m["id"] == node_id), None)
        if post is not None:
            split_fields_checked(request, self.POST_FIELDS, set(), "ThreadsMedia")
            return Reply(200, self.pick(self.post_node(post), fields, "ThreadsMedia"))
        if node_id == self.USER_ID:
            # https://developers.facebook.com/docs/threads/threads-profiles: GET /me fields.
            node = {
                "id": self.USER_ID,
                "username": self.USERNAME,
                "name": "Riverside Libraries",
                "threads_profile_picture_url": None,
                "threads_biography": "Your local libraries",
            }
            return Reply(200, self.pick(node, fields, "ThreadsUser"))
        self.unsupported(request, [node_id])
