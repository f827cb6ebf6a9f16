"""Instagram (a professional account), through the Graph API's content publishing: a
picture is required (the post's own, or the card the site drew for it), with its alt
text; the caption says where to read the post, since Instagram does not link captions.

https://developers.facebook.com/docs/instagram-platform/content-publishing
"""

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from ..text import Parts, compose, hashtags
from .base import Account, AccountPosts, Message, Receipt, moment
from .meta import MetaChannel, receipt_of

LIMIT = 2200  # characters in a caption
MAX_HASHTAGS = 30
BIO = "Link in bio"
# With Facebook Login (graph.facebook.com) the token's permissions can be read.
PERMISSIONS = ("instagram_basic", "instagram_content_publish", "pages_read_engagement")


def short_address(url: str) -> str:
    """The address as people type it: no https://, no trailing slash."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}".rstrip("/")


def addresses(caption: str) -> str:
    """The short addresses a caption names, written out whole (with https:// or http://,
    with and without a trailing slash), so that `links_to` recognises the post in them."""
    found = []
    for word in caption.split():
        word = word.rstrip(".,;:!?)")
        if "/" in word and "://" not in word:
            found += [f"{scheme}://{word}{end}" for scheme in ("https", "http") for end in "/ "]
    return " ".join(a.strip() for a in found)


class InstagramChannel(MetaChannel):
    kind = "instagram"
    keys = ("USER_ID", "TOKEN")
    optional_keys = ("GRAPH_URL",)
    secret_keys = ("TOKEN",)
    limit = LIMIT
    can_find = True
    default_url = "https://graph.instagram.com/v24.0"
    token_key = "TOKEN"
    fix_token = (
        "the Instagram token has expired (tokens last 60 days unless refreshed) or was "
        "revoked. Make a new one (docs/connecting-accounts.md), put it in {prefix}_TOKEN "
        "in .env, then `make announce-check`: the next `make announce` sends what waited."
    )
    fix_permission = (
        "the token lacks a permission. Make a new token with instagram_business_basic and "
        "instagram_business_content_publish (or, with Facebook Login, instagram_basic, "
        "instagram_content_publish and pages_read_engagement): docs/connecting-accounts.md."
    )

    def validate(self):
        super().validate()
        self.user_id = self.require("USER_ID")
        self.own_posts = AccountPosts(self._page)
        self.captions = {}  # media id -> caption, for "link in bio" captions

    def count(self, text):
        return len(text)

    def link_text(self, post) -> str:
        return BIO if self.config.options.get("link") == "bio" else short_address(post.url)

    def compose(self, post):
        tags = tuple(hashtags(post.tags, self.settings.hashtags))[:MAX_HASHTAGS]
        parts = Parts(post.text or post.title, "" if post.text else post.summary,
                      self.link_text(post), tags)  # fmt: skip
        text = compose(self.template(), parts, self.limit, self.count)
        message = Message(self.name, post.id, text, self.count(text), self.limit, post.url)
        message.extra["page_picture"] = post.image_path
        if post.image_path and post.image_alt:  # else prepare() says why it cannot go
            message.image = (post.image_path, post.image_alt)
            message.extra["fetched"] = post.public_image_url
        return message

    def describe(self, message):
        lines = super().describe(message)
        if message.extra.get("fetched"):
            lines.append(f"picture fetched by Instagram from {message.extra['fetched']}")
        return lines

    def prepare(self, message, post):
        super().prepare(message, post)
        self.need_picture(message, post)

    def send(self, message, post, media):
        self.within_quota("content_publishing_limit")
        fetched = message.extra["fetched"]
        alt = message.image[1] if message.image else ""
        what = f"{fetched}\n{alt}\n{post.url}\n{message.text}"
        key = hashlib.sha256(what.encode()).hexdigest()[:16]

        def create():
            # https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#creating
            return self.graph.post(
                f"{self.user_id}/media",
                image_url=fetched,
                caption=message.text,
                alt_text=message.image[1],
            )

        def status(container):
            found = self.graph.get(container, fields="status_code,status")
            return found.get("status_code"), found.get("status")

        media_id, earlier = self.publish(media, key, create, status, "media_publish")
        if earlier:  # published by an earlier attempt: the post it made
            return self.find(post) or Receipt(media_id)
        return receipt_of(self.graph, media_id)

    def find(self, post):
        since = datetime.fromisoformat(post.date)
        found = self.own_posts.find(post, since)  # a caption naming the post's address
        if found or self.config.options.get("link") != "bio":
            return found
        caption = " ".join(self.compose(post).text.split())  # "link in bio": the caption
        for when, _, receipt in self.own_posts.items:
            if self.captions.get(receipt.remote_id) == caption and when and when >= since:
                return receipt
        return None

    def _page(self, cursor):
        """One page of the account's own media, newest first
        (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#reading)."""
        params = {"fields": "id,caption,permalink,timestamp", "limit": 50}
        if cursor:
            params["after"] = cursor
        found = self.graph.get(f"{self.user_id}/media", **params)
        items = []
        for item in found.get("data") or []:
            caption = str(item.get("caption") or "")
            receipt = Receipt(str(item.get("id")), str(item.get("permalink") or ""))
            self.captions[receipt.remote_id] = " ".join(caption.split())
            text = f"{caption} {addresses(caption)}"
            items.append((moment(item.get("timestamp")), text, receipt))
        paging = found.get("paging") or {}
        following = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
        return items, following

    def check(self) -> Account:
        me = self.graph.get(self.user_id, fields="id,username")
        account = Account(f"@{me.get('username', '?')} on Instagram (id {me.get('id', '?')})")
        used, total = self.quota("content_publishing_limit")
        account.facts.append(f"{used} of {total or 50} posts used in the last 24 hours")
        if "graph.facebook.com" in self.base_url:
            self.read_token(account, PERMISSIONS)
        return account
