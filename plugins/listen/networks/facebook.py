"""A Facebook Page, read: the comments under an announced post, its reactions, shares
and (where the token may read insights) views, and the posts the Page is tagged in.

The remote id is the one the announcer kept: the Page post's id, "PAGEID_POSTID" (the
`id` of POST /{page-id}/feed, the `post_id` of POST /{page-id}/photos).
"""

from .base import MENTION, REPLY, Counts, Mentions
from .meta import MetaReader, count, cutoff, newer, oldest_first

# https://developers.facebook.com/docs/graph-api/reference/object/comments: filter=stream
# gives every comment at any depth, each naming its `parent`, in chronological order
# (the default, toplevel, leaves out replies to comments). A Page token of someone who
# can moderate the Page also sees comments the Page hid (`is_hidden`).
COMMENT_FIELDS = "id,message,from{id,name},created_time,is_hidden,permalink_url,parent{id}"
# https://developers.facebook.com/docs/graph-api/reference/post: `shares` (absent when
# nobody shared), and the reactions and comments edges' summary total_count
# (https://developers.facebook.com/docs/graph-api/reference/object/reactions).
COUNT_FIELDS = (
    "shares,reactions.summary(total_count).limit(0),comments.filter(stream).summary(true).limit(0)"
)
# https://developers.facebook.com/docs/graph-api/reference/insights: the people who saw
# the post. post_impressions_unique was withdrawn in 2025; this is the alternative the
# deprecation page names
# (https://developers.facebook.com/docs/platforminsights/page/deprecated-metrics).
VIEWS = "post_total_media_view_unique"
# https://developers.facebook.com/docs/graph-api/reference/page/tagged: public posts the
# Page is tagged in, newest first (pages_read_user_content).
TAGGED_FIELDS = "id,message,from{id,name},created_time,permalink_url"


class FacebookReader(MetaReader):
    network = "facebook"

    def account(self) -> str:
        if self._handle is None:
            page = self.graph.get(self.channel.page_id, fields="id,name")
            self._handle = str(page.get("name") or self.channel.page_id)
        return self._handle

    def replies(self, remote_id: str):
        found = self.graph.pages(
            f"{remote_id}/comments",
            fields=COMMENT_FIELDS,
            filter="stream",
            order="chronological",
            limit=100,
        )
        return oldest_first(self._comment(c, remote_id) for c in found)

    def _comment(self, comment, remote_id):
        author = comment.get("from") or {}
        parent = (comment.get("parent") or {}).get("id") or remote_id
        return self.item(
            REPLY,
            comment.get("id"),
            author.get("name") or "someone on Facebook",  # `from` needs the Page's consent
            comment.get("message"),
            comment.get("created_time"),
            url=str(comment.get("permalink_url") or ""),
            post=remote_id,
            parent=str(parent),
            by_library=str(author.get("id")) == str(self.channel.page_id),
            hidden=bool(comment.get("is_hidden")),
        )

    def counts(self, remote_id: str) -> Counts:
        post = self.graph.get(remote_id, fields=COUNT_FIELDS)
        views = self.insights(remote_id, [VIEWS]).get(VIEWS)
        return Counts(
            replies=count(summary(post, "comments")),
            reposts=count((post.get("shares") or {}).get("count")),
            likes=count(summary(post, "reactions")),
            views=views,
        )

    def mentions(self, cursor: str | None) -> Mentions:
        since = cutoff(cursor)
        items = []
        for post in self.graph.pages(
            f"{self.channel.page_id}/tagged", fields=TAGGED_FIELDS, limit=50
        ):
            item = self._tagged(post)
            if item.created <= since:
                break  # newest first: the rest were read before
            items.append(item)
        return newer(items, cursor)

    def _tagged(self, post):
        author = post.get("from") or {}  # only the post's own author is shown `from`
        return self.item(
            MENTION,
            post.get("id"),
            author.get("name") or "someone on Facebook",
            post.get("message"),
            post.get("created_time"),
            url=str(post.get("permalink_url") or ""),
        )


def summary(node, edge):
    return ((node.get(edge) or {}).get("summary") or {}).get("total_count")
