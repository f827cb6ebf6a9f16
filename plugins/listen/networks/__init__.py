"""The readers, by announce channel type (imported only when a channel of the type is
configured)."""

import importlib

MODULES = {
    "mastodon": "MastodonReader",
    "bluesky": "BlueskyReader",
    "facebook": "FacebookReader",
    "threads": "ThreadsReader",
    "instagram": "InstagramReader",
}


def reader_for(channel):
    """The reader of a connected announce channel, or None for a type that cannot be
    read (webhook, email, x)."""
    name = MODULES.get(channel.kind)
    if name is None:
        return None
    module = importlib.import_module(f"{__name__}.{channel.kind}")
    return getattr(module, name)(channel)
