"""What the three Meta channels (a Facebook Page, Instagram, Threads) share: the Graph
address and token, reading the token's permissions, and the two-step publishing of
Instagram and Threads (a container Meta fills by fetching the picture, then publish),
made exactly-once by keeping the container in the ledger before publishing it."""

from datetime import UTC, datetime

from ..errors import AnnounceError, NotSendable, RateLimited, Rejected, ServerError
from .base import Channel, Receipt
from .graph import Graph, wait_for_container


class MetaChannel(Channel):
    default_url = ""
    token_key = ""
    fix_token = ""  # may use {prefix}
    fix_permission = ""

    def validate(self):
        self.base_url = self.address("GRAPH_URL", self.default_url)

    def connect(self):
        prefix = self.config.env_prefix
        self.graph = Graph(
            self.name,
            self.base_url,
            self.require(self.token_key),
            self.settings.timeout,
            self.fix_token.format(prefix=prefix),
            self.fix_permission.format(prefix=prefix),
        )

    def read_token(self, account, permissions, want_type=None):
        """The token's type, expiry and permissions, from the Graph's `debug_token`
        (https://developers.facebook.com/docs/graph-api/reference/debug_token/)."""
        try:
            data = self.graph.get("debug_token", input_token=self.graph.token).get("data") or {}
        except AnnounceError as err:
            account.facts.append(f"could not read the token's permissions ({err})")
            return
        if data.get("is_valid") is False:
            account.missing.append(f"the token is not valid. Fix: {self.graph.fix_token}")
            return
        if want_type and data.get("type") and data["type"] != want_type:
            account.missing.append(
                f"this is a {data['type']} token, not a {want_type} token. Fix: "
                f"{self.graph.fix_token}"
            )
        expires = int(data.get("expires_at") or 0)
        account.facts.append(
            "the token never expires"
            if expires == 0
            else f"the token expires {datetime.fromtimestamp(expires, UTC):%Y-%m-%d %H:%M} UTC"
        )
        scopes = set(data.get("scopes") or ())
        for permission in permissions:
            if permission not in scopes:
                account.missing.append(
                    f"the permission {permission}. Fix: {self.graph.fix_permission}"
                )

    def quota(self, edge) -> tuple[int, int]:
        """(posts published in the last 24 hours, how many are allowed)."""
        found = self.graph.get(f"{self.user_id}/{edge}", fields="quota_usage,config")
        data = (found.get("data") or [{}])[0]
        total = int((data.get("config") or {}).get("quota_total") or 0)
        return int(data.get("quota_usage") or 0), total

    def within_quota(self, edge):
        used, total = self.quota(edge)
        if total and used >= total:
            raise RateLimited(
                f"{self.name}: the account has published {used} of its {total} posts allowed "
                "in 24 hours; the rest wait for the next run",
                retry_after=24 * 3600.0,
            )

    def publish(self, media, key, create, status, publish_edge) -> tuple[str, bool]:
        """The two-step publish: a container made by `create()` (or the one an earlier
        attempt made, kept in `media` under the picture's `key`), waited on with
        `status(id)` -> (status, detail), then published. Returns (the published id,
        whether the container had already been published by an earlier attempt)."""
        # A container kept from an earlier attempt is asked about whatever its age: if
        # it was published, the post went out; if it expired, it is made again.
        container = media.get("container") if media.get("image") == key else None
        for _ in range(2):
            if not container:
                container = str(create().get("id"))
                media.keep(key, container=container)
            state, detail = wait_for_container(lambda c=container: status(c), self.name)
            if state == "PUBLISHED":
                return container, True
            if state == "EXPIRED":
                container = None  # made more than a day ago: make it again, once
                continue
            if state == "ERROR":
                raise Rejected(
                    f"{self.name}: Meta could not use the post ({detail or 'no reason given'})."
                    " Fix: check the picture (JPEG, under 8 MB) and the text, then "
                    "`make announce-retry`."
                )
            if state != "FINISHED":
                raise ServerError(f"{self.name}: the container is {state or 'in an unknown state'}")
            made = self.graph.post(f"{self.user_id}/{publish_edge}", creation_id=container)
            return str(made.get("id")), False
        raise ServerError(f"{self.name}: the container expired twice")

    def need_picture(self, message, post):
        if not (message.image and post.public_image_url):
            why = (
                "its picture has no Image-Alt: text"
                if post.image_path and not post.image_alt
                else "it has no picture, and no social card was drawn for it"
            )
            raise NotSendable(
                f"{post.source}: {self.name} posts need a picture, and {why}. Fix: add "
                "Image: and Image-Alt: lines (or leave Image: out and let the site draw its "
                "card), then `make publish`."
            )


def receipt_of(graph, media_id, field="permalink") -> Receipt:
    try:
        return Receipt(media_id, str(graph.get(media_id, fields=field).get(field) or ""))
    except AnnounceError:  # the post is made; its address is a nicety
        return Receipt(media_id)
