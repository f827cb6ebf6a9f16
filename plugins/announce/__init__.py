"""Announce: tell the library's social accounts about each new post, once.

The publish build plans (plugins/announce/planner.py); `make announce` sends
(`python -m announce send`), after the site is deployed. See the README.
"""

from pelican import signals

from .planner import AnnouncePlanGenerator

METADATA_KEYS = ("announce", "announce-text")


def add_metadata_keys(pelican):
    settings = pelican.settings
    settings["PLUGIN_METADATA_KEYS"] = (*settings.get("PLUGIN_METADATA_KEYS", ()), *METADATA_KEYS)


def get_generators(pelican):
    return AnnouncePlanGenerator


def register():
    # So the checks plugin knows Announce: and Announce-Text: are not typos.
    signals.initialized.connect(add_metadata_keys)
    # Planning runs as a generator: after every context is ready, only in publish builds.
    signals.get_generators.connect(get_generators)
