"""A Facebook Page, through the Graph API: a link post by default (Facebook draws the
card from the page's Open Graph tags), a photo post with alt text when asked for.

https://developers.facebook.com/docs/pages-api/posts
https://developers.facebook.com/docs/graph-api/reference/page/photos/
"""

from datetime import datetime

from .base import Account, AccountPosts, Receipt, moment
from .graph import Duplicate
from .meta import MetaChannel, receipt_of

# The permissions a Page token needs to post and to look at the Page's own posts
# (https://developers.facebook.com/docs/pages-api/posts#requirements); pages_show_list
# is needed only to fetch the token (docs/connecting-accounts.md).
PERMISSIONS = ("pages_manage_posts", "pages_read_engagement")
LIMIT = 63206  # characters in a post's message


class FacebookChannel(MetaChannel):
    kind = "facebook"
    keys = ("PAGE_ID", "PAGE_TOKEN")
    optional_keys = ("GRAPH_URL",)
    secret_keys = ("PAGE_TOKEN",)
    limit = LIMIT
    can_find = True
    default_url = "https://graph.facebook.com/v24.0"
    token_key = "PAGE_TOKEN"
    fix_token = (
        "the Page access token has expired or was revoked (a password change or a removed "
        "admin does that). Make a new long-lived Page token (docs/connecting-accounts.md) "
        "and put it in {prefix}_PAGE_TOKEN in .env, then `make announce-check`: "
        "the next `make announce` sends what waited."
    )
    fix_permission = (
        "the token lacks a permission or the Page task to post. Make a new Page token with "
        "pages_manage_posts, pages_read_engagement and pages_show_list, by someone who can "
        "create content on the Page (docs/connecting-accounts.md)."
    )

    def validate(self):
        super().validate()
        self.page_id = self.user_id = self.require("PAGE_ID")
        self.own_posts = AccountPosts(self._page)

    def compose(self, post):
        message = super().compose(post)
        as_photo = (post.announce_as or self.config.options.get("post_as")) == "photo"
        if as_photo and message.image and post.public_image_url:
            message.extra["photo"] = message.extra["fetched"] = post.public_image_url
        elif as_photo:
            message.notes.append(
                f"{post.source}: posted as a link, not a photo: the post has no picture with "
                "Image-Alt: text."
            )
        message.card.pop("thumb", None)  # Facebook reads the card from the page itself
        if "photo" not in message.extra:
            message.image = None  # a link post shows the page's own picture
        return message

    def describe(self, message):
        lines = super().describe(message)
        kind = "photo post" if "photo" in message.extra else "link post (card from the page)"
        return [f"as a {kind}", *lines]

    def send(self, message, post, media):
        try:
            if "photo" in message.extra:
                made = self.graph.post(
                    f"{self.page_id}/photos",
                    url=message.extra["photo"],
                    caption=message.text,
                    alt_text_custom=message.image[1],
                    published="true",
                )
                post_id = str(made.get("post_id") or made.get("id"))
            else:
                made = self.graph.post(
                    f"{self.page_id}/feed", message=message.text, link=post.url, published="true"
                )
                post_id = str(made.get("id"))
        except Duplicate:
            found = self.find(post)  # Facebook says it is there: then it is
            if found:
                return found
            raise
        return receipt_of(self.graph, post_id, "permalink_url")

    def find(self, post):
        return self.own_posts.find(post, datetime.fromisoformat(post.date))

    def _page(self, cursor):
        """One page of the Page's own posts, newest first
        (https://developers.facebook.com/docs/graph-api/reference/page/feed/#read)."""
        params = {
            "fields": "id,message,created_time,permalink_url,attachments{unshimmed_url}",
            "limit": 50,
        }
        if cursor:
            params["after"] = cursor
        found = self.graph.get(f"{self.page_id}/posts", **params)
        items = []
        for item in found.get("data") or []:
            links = [
                str(a.get("unshimmed_url") or "")
                for a in (item.get("attachments") or {}).get("data") or []
            ]
            text = " ".join([str(item.get("message") or ""), *links])
            receipt = Receipt(str(item.get("id")), str(item.get("permalink_url") or ""))
            items.append((moment(item.get("created_time")), text, receipt))
        paging = found.get("paging") or {}
        following = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
        return items, following

    def check(self) -> Account:
        page = self.graph.get(self.page_id, fields="id,name")
        account = Account(f"{page.get('name', '?')} (Facebook Page {page.get('id', '?')})")
        self.read_token(account, PERMISSIONS, want_type="PAGE")
        return account
