"""The announce channels, by type."""

from .bluesky import BlueskyChannel
from .email import EmailChannel
from .mastodon import MastodonChannel
from .webhook import WebhookChannel
from .x import XChannel

TYPES = {
    c.kind: c for c in (MastodonChannel, BlueskyChannel, WebhookChannel, EmailChannel, XChannel)
}
