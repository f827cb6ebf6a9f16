"""Threads, read: the whole conversation under an announced post, its insights (views,
likes, replies, reposts, quotes) and the posts that mention the library's profile.

The remote id is the one the announcer kept: the Threads media id that
POST /{user-id}/threads_publish answered.
"""

from .base import MENTION, REPLY, Counts, Mentions
from .meta import MetaReader, count, cutoff, newer, oldest_first

# https://developers.facebook.com/docs/threads/reply-management (reference:
# https://developers.facebook.com/documentation/threads/reference/reply-management):
# GET /{media-id}/conversation is every reply at any depth, flattened; reverse=false
# gives them oldest first. `replied_to` is what each one answers; `hide_status` says
# whether it was hidden (NOT_HUSHED and UNHUSHED are shown, the rest are not).
REPLY_FIELDS = "id,text,username,permalink,timestamp,replied_to,hide_status"
SHOWN = {"NOT_HUSHED", "UNHUSHED", None, ""}
# https://developers.facebook.com/docs/threads/insights: media metrics (needs
# threads_manage_insights). "replies" counts every reply of a root post.
METRICS = ("views", "likes", "replies", "reposts", "quotes")
# https://developers.facebook.com/docs/threads/threads-mentions: public posts that tag
# the profile (threads_manage_mentions); `since` must not be before 1688540400.
MENTION_FIELDS = "id,text,username,permalink,timestamp"
EARLIEST = 1688540400


class ThreadsReader(MetaReader):
    network = "threads"

    def account(self) -> str:
        if self._handle is None:
            me = self.graph.get(self.channel.user_id, fields="id,username")
            self._handle = f"@{me.get('username') or self.channel.user_id}"
        return self._handle

    def replies(self, remote_id: str):
        found = self.graph.pages(
            f"{remote_id}/conversation", fields=REPLY_FIELDS, reverse="false", limit=100
        )
        return oldest_first(self._reply(r, remote_id) for r in found)

    def _reply(self, reply, remote_id):
        handle = f"@{reply.get('username')}" if reply.get("username") else ""
        parent = (reply.get("replied_to") or {}).get("id") or remote_id
        return self.item(
            REPLY,
            reply.get("id"),
            handle or "someone on Threads",
            reply.get("text"),
            reply.get("timestamp"),
            url=str(reply.get("permalink") or ""),
            post=remote_id,
            parent=str(parent),
            by_library=bool(handle) and handle.lower() == self.account().lower(),
            hidden=reply.get("hide_status") not in SHOWN,
        )

    def counts(self, remote_id: str) -> Counts:
        values = self.insights(remote_id, METRICS)
        if not values:
            # No insights permission: the media fields carry no counts
            # (https://developers.facebook.com/docs/threads/threads-media), so the
            # replies are counted from the conversation and the rest are unknown.
            shown = [r for r in self.replies(remote_id) if not r.hidden]
            return Counts(replies=len(shown))
        return Counts(
            replies=count(values.get("replies")),
            reposts=count(values.get("reposts")),
            likes=count(values.get("likes")),
            quotes=count(values.get("quotes")),
            views=values.get("views"),
        )

    def mentions(self, cursor: str | None) -> Mentions:
        since = max(int(cutoff(cursor).timestamp()), EARLIEST)
        found = self.graph.pages(
            f"{self.channel.user_id}/mentions", fields=MENTION_FIELDS, since=since, limit=50
        )
        return newer((self._mention(m) for m in found), cursor)

    def _mention(self, post):
        handle = f"@{post.get('username')}" if post.get("username") else "someone on Threads"
        return self.item(
            MENTION,
            post.get("id"),
            handle,
            post.get("text"),
            post.get("timestamp"),
            url=str(post.get("permalink") or ""),
        )
