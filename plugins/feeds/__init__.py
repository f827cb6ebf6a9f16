"""Feeds: Atom, RSS (feedgen) and JSON Feed for all posts, each category and each tag.

Entry ids stay the same when a post is edited, output is byte-identical when content
is unchanged, and every URL is absolute. Pelican's built-in feeds are switched off.
"""

from pelican import signals

from .generator import FeedsGenerator
from .settings import configure


def get_generators(pelican):
    return FeedsGenerator


def last_generator(pelican):
    # Pelican's extension point for extra output files, connected once every plugin has
    # registered: the feeds are written after the other plugins' output, whose files
    # (a brochure's PDF, large print and EPUB) are enclosures of their entries.
    signals.get_generators.connect(get_generators)


def register():
    # Before generators are made: the plugin is the only feed writer.
    signals.initialized.connect(configure)
    signals.initialized.connect(last_generator)
