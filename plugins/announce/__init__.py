"""Announce: tell the library's social accounts about each new post, once.

The publish build plans (plugins/announce/planner.py); `make announce` sends
(`python -m announce send`), after the site is deployed. See docs/announcing.md.
"""

import logging

from pelican import signals

from .config import POST_AS
from .planner import AnnouncePlanGenerator
from .schedule import check_announce_at

logger = logging.getLogger(__name__)
METADATA_KEYS = ("announce", "announce-text", "announce-as", "announce-at")


def add_metadata_keys(pelican):
    settings = pelican.settings
    settings["PLUGIN_METADATA_KEYS"] = (*settings.get("PLUGIN_METADATA_KEYS", ()), *METADATA_KEYS)


def check_announce_as(instance):
    """`Announce-As:` takes link or photo; anything else is an error at its line."""
    value = instance.metadata.get("announce-as")
    if value is None or str(value).strip().lower() in POST_AS:
        return
    from checks.findings import Finding
    from checks.source import metadata_line

    try:
        with open(instance.source_path, encoding="utf-8") as f:
            line = metadata_line(f.read(), "announce-as")
    except OSError:
        line = None
    finding = Finding(
        instance.source_path,
        line,
        f"Announce-As: {value!r} is not one of {', '.join(POST_AS)}.",
        "Write `Announce-As: photo` for a Facebook photo post, or remove the line for a link post.",
    )
    logger.error("%s", finding)


def get_generators(pelican):
    return AnnouncePlanGenerator


def register():
    # So the checks plugin knows Announce:, Announce-Text:, Announce-As: and
    # Announce-At: are not typos.
    signals.initialized.connect(add_metadata_keys)
    signals.content_object_init.connect(check_announce_as)
    signals.content_object_init.connect(check_announce_at)
    # Planning runs as a generator: after every context is ready, only in publish builds.
    signals.get_generators.connect(get_generators)
