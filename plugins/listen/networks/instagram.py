"""Instagram (a professional account), read: the comments and their replies under an
announced post, its likes, comments, shares and views, and the media the account is
tagged in.

The remote id is the one the announcer kept: the IG media id that
POST /{ig-user-id}/media_publish answered.
"""

from .base import MENTION, REPLY, Counts, Mentions
from .meta import MetaReader, count, cutoff, newer, oldest_first

IG_REF = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference"
# https://developers.facebook.com/docs/instagram-api/guides/comment-moderation:
# GET /{ig-media-id}/comments gives the top-level comments, GET /{ig-comment-id}/replies
# the replies to one (Instagram nests one level only). Fields from the IG Comment
# reference (IG_REF + "/ig-comment"): `hidden` is true for a comment the account hid;
# `from` {id, username} is the commenter. The comments edge does not say an order:
# they are sorted here.
COMMENT_FIELDS = "id,text,timestamp,username,from,hidden,parent_id"
# IG_REF + "/ig-media": like_count and comments_count (replies included) are fields
# of the media; shares and views are insights
# (https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights).
COUNT_FIELDS = "like_count,comments_count,permalink"
METRICS = ("views", "shares")
# IG_REF + "/ig-user/tags": media in which the account is tagged, newest first. Caption
# @mentions (mentioned_media) can only be read with an id a webhook delivered
# (IG_REF + "/ig-user/mentioned_media"), so polling reads tags only.
TAG_FIELDS = "id,caption,username,permalink,timestamp"


class InstagramReader(MetaReader):
    network = "instagram"

    def account(self) -> str:
        if self._handle is None:
            me = self.graph.get(self.channel.user_id, fields="id,username")
            self._handle = f"@{me.get('username') or self.channel.user_id}"
        return self._handle

    def replies(self, remote_id: str):
        # Comments have no address of their own: staff answer them on the post.
        url = str(self.graph.get(remote_id, fields="permalink").get("permalink") or "")
        items = []
        for comment in self.graph.pages(f"{remote_id}/comments", fields=COMMENT_FIELDS, limit=50):
            items.append(self._comment(comment, remote_id, remote_id, url))
            for reply in self.graph.pages(
                f"{comment.get('id')}/replies", fields=COMMENT_FIELDS, limit=50
            ):
                items.append(self._comment(reply, remote_id, str(comment.get("id")), url))
        return oldest_first(items)

    def _comment(self, comment, remote_id, parent, url):
        author = comment.get("from") or {}
        username = comment.get("username") or author.get("username")
        handle = f"@{username}" if username else ""
        mine = str(author.get("id")) == str(self.channel.user_id) or (
            bool(handle) and handle.lower() == self.account().lower()
        )
        return self.item(
            REPLY,
            comment.get("id"),
            handle or "someone on Instagram",
            comment.get("text"),
            comment.get("timestamp"),
            url=url,
            post=remote_id,
            parent=str(comment.get("parent_id") or parent),
            by_library=mine,
            hidden=bool(comment.get("hidden")),
        )

    def counts(self, remote_id: str) -> Counts:
        media = self.graph.get(remote_id, fields=COUNT_FIELDS)
        values = self.insights(remote_id, METRICS)
        return Counts(
            replies=count(media.get("comments_count")),
            reposts=count(values.get("shares")),
            likes=count(media.get("like_count")),
            views=values.get("views"),
        )

    def mentions(self, cursor: str | None) -> Mentions:
        since = cutoff(cursor)
        items = []
        for media in self.graph.pages(f"{self.channel.user_id}/tags", fields=TAG_FIELDS, limit=50):
            item = self._tagged(media)
            if item.created <= since:
                break  # newest first: the rest were read before
            items.append(item)
        return newer(items, cursor)

    def _tagged(self, media):
        handle = f"@{media['username']}" if media.get("username") else "someone on Instagram"
        return self.item(
            MENTION,
            media.get("id"),
            handle,
            media.get("caption"),
            media.get("timestamp"),
            url=str(media.get("permalink") or ""),
        )
