"""Threads, through the Threads API: a text post with the link attached (Threads draws
the card) or, when the post has a picture with alt text, an image post; both in two
steps, a container and then its publishing.

https://developers.facebook.com/docs/threads/posts
"""

import hashlib
from datetime import datetime

from ..errors import NotSendable
from ..text import Parts, compose, hashtags, threads_count
from .base import Account, AccountPosts, Message, Receipt, moment
from .meta import MetaChannel, receipt_of

LIMIT = 500  # characters, an emoji counting as its UTF-8 bytes
ALT_MAX = 1000  # characters of alt_text (https://developers.facebook.com/docs/threads/posts)


class ThreadsChannel(MetaChannel):
    kind = "threads"
    keys = ("USER_ID", "TOKEN")
    optional_keys = ("GRAPH_URL",)
    secret_keys = ("TOKEN",)
    limit = LIMIT
    can_find = True
    default_url = "https://graph.threads.net/v1.0"
    token_key = "TOKEN"
    fix_token = (
        "the Threads token has expired (tokens last 60 days unless refreshed) or was "
        "revoked. Make a new one (docs/connecting-accounts.md), put it in {prefix}_TOKEN in "
        ".env, then `make announce-check`: the next `make announce` sends what waited."
    )
    fix_permission = (
        "the token lacks a permission. Make a new token with threads_basic and "
        "threads_content_publish (docs/connecting-accounts.md)."
    )

    def validate(self):
        super().validate()
        self.user_id = self.require("USER_ID")
        self.own_posts = AccountPosts(self._page)

    def count(self, text):
        return threads_count(text)

    def compose(self, post):
        # A post on Threads has one topic tag: the first hashtag only.
        # https://developers.facebook.com/docs/threads/posts#topic-tags
        tags = tuple(hashtags(post.tags, self.settings.hashtags))[:1]
        parts = Parts(post.text or post.title, "" if post.text else post.summary, post.url, tags)
        text = compose(self.template(), parts, self.limit, self.count)
        message = Message(self.name, post.id, text, self.count(text), self.limit, post.url)
        message.extra["page_picture"] = post.image_path
        message.card = {"uri": post.url, "title": post.title, "description": post.summary}
        if post.image_path and post.image_alt and post.public_image_url:
            message.image = (post.image_path, post.image_alt)
            message.extra["fetched"] = post.public_image_url
        elif post.image_path and not post.image_alt:
            message.notes.append(
                f"{post.source}: the picture is left out because it has no Image-Alt: text, "
                "which people using screen readers need. Fix: add an Image-Alt: line."
            )
        return message

    def describe(self, message):
        kind = "an image post" if message.image else "a text post with the link attached"
        return [f"as {kind}", *super().describe(message)]

    def prepare(self, message, post):
        super().prepare(message, post)
        if message.image and len(message.image[1]) > ALT_MAX:
            raise NotSendable(
                f"{post.source}: the Image-Alt: text is {len(message.image[1])} characters; "
                f"Threads takes at most {ALT_MAX}. Fix: shorten the Image-Alt: line."
            )

    def send(self, message, post, media):
        self.within_quota("threads_publishing_limit")
        fetched = message.extra.get("fetched", "")
        alt = message.image[1] if message.image else ""
        what = f"{fetched}\n{alt}\n{post.url}\n{message.text}"
        key = hashlib.sha256(what.encode()).hexdigest()[:16]

        def create():
            # https://developers.facebook.com/docs/threads/reference/publishing#post---threads-user-id--threads
            if fetched:
                return self.graph.post(
                    f"{self.user_id}/threads",
                    media_type="IMAGE",
                    image_url=fetched,
                    alt_text=message.image[1],
                    text=message.text,
                )
            return self.graph.post(
                f"{self.user_id}/threads",
                media_type="TEXT",
                text=message.text,
                link_attachment=post.url,
            )

        def status(container):
            found = self.graph.get(container, fields="status,error_message")
            return found.get("status"), found.get("error_message")

        media_id, earlier = self.publish(media, key, create, status, "threads_publish")
        if earlier:
            return self.find(post) or Receipt(media_id)
        return receipt_of(self.graph, media_id)

    def find(self, post):
        return self.own_posts.find(post, datetime.fromisoformat(post.date))

    def _page(self, cursor):
        """One page of the account's own posts, newest first
        (https://developers.facebook.com/docs/threads/threads-media#retrieve-a-list-of-all-a-user-s-threads)."""
        params = {"fields": "id,text,permalink,timestamp,link_attachment_url", "limit": 50}
        if cursor:
            params["after"] = cursor
        found = self.graph.get(f"{self.user_id}/threads", **params)
        items = []
        for item in found.get("data") or []:
            text = f"{item.get('text') or ''} {item.get('link_attachment_url') or ''}"
            receipt = Receipt(str(item.get("id")), str(item.get("permalink") or ""))
            items.append((moment(item.get("timestamp")), text, receipt))
        paging = found.get("paging") or {}
        following = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
        return items, following

    def check(self) -> Account:
        me = self.graph.get("me", fields="id,username")
        account = Account(f"@{me.get('username', '?')} on Threads (id {me.get('id', '?')})")
        if str(me.get("id")) != self.user_id:
            account.missing.append(
                f"{self.config.env_prefix}_USER_ID is {self.user_id}, but the token is for "
                f"the account {me.get('id')}. Fix: set it to {me.get('id')}."
            )
        used, total = self.quota("threads_publishing_limit")
        account.facts.append(f"{used} of {total or 250} posts used in the last 24 hours")
        return account
