"""The announce channels, by type."""

from .bluesky import BlueskyChannel
from .email import EmailChannel
from .facebook import FacebookChannel
from .instagram import InstagramChannel
from .mastodon import MastodonChannel
from .threads import ThreadsChannel
from .webhook import WebhookChannel
from .x import XChannel

TYPES = {
    c.kind: c
    for c in (
        MastodonChannel,
        BlueskyChannel,
        WebhookChannel,
        EmailChannel,
        FacebookChannel,
        InstagramChannel,
        ThreadsChannel,
        XChannel,
    )
}
